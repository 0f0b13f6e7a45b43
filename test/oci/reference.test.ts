// Pure parsing: image references, manifests/indexes, platforms, referrer manifests, K8s YAML.
import { describe, expect, it } from 'vitest';
import {
  addToReferrersIndex,
  buildReferrerManifest,
  cosignTag,
  looksLikeImageReference,
  MEDIA_TYPES,
  parseImageReference,
  parseManifest,
  parsePlatform,
  referrersTag,
  selectPlatform,
  sha256Digest,
} from '../../src/oci/index.js';
import { imagesInManifests } from '../../src/oci/manifests-yaml.js';
import { expectCode } from '../helpers/errors.js';

const D = `sha256:${'a'.repeat(64)}`;
const enc = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v));

describe('image references', () => {
  it('parses registry, layout and archive forms', () => {
    expect(parseImageReference(`oci://ghcr.io/acme/app@${D}`)).toEqual({
      kind: 'registry',
      registry: 'ghcr.io',
      repository: 'acme/app',
      digest: D,
    });
    expect(parseImageReference('127.0.0.1:5000/team/app:v1')).toEqual({
      kind: 'registry',
      registry: '127.0.0.1:5000',
      repository: 'team/app',
      tag: 'v1',
    });
    expect(parseImageReference('nginx')).toEqual({
      kind: 'registry',
      registry: 'docker.io',
      repository: 'library/nginx',
    });
    expect(parseImageReference('index.docker.io/library/alpine:3.20')).toMatchObject({
      registry: 'docker.io',
      tag: '3.20',
    });
    expect(parseImageReference('oci-layout:out/img:v2')).toEqual({
      kind: 'layout',
      path: 'out/img',
      tag: 'v2',
    });
    expect(parseImageReference(`oci-archive:img.tar@${D}`)).toEqual({
      kind: 'archive',
      path: 'img.tar',
      format: 'oci',
      digest: D,
    });
    expect(parseImageReference('docker-archive:save.tar')).toEqual({
      kind: 'archive',
      path: 'save.tar',
      format: 'docker',
    });
  });

  it('refuses malformed references with OCI_REFERENCE_INVALID', async () => {
    await expectCode(() => parseImageReference('ghcr.io/Acme/App:v1'), 'OCI_REFERENCE_INVALID');
    await expectCode(
      () => parseImageReference('ghcr.io/acme/app@sha256:abc'),
      'OCI_REFERENCE_INVALID'
    );
    await expectCode(
      () => parseImageReference(`ghcr.io/acme/app@sha512:${'a'.repeat(128)}`),
      'OCI_REFERENCE_INVALID'
    );
    await expectCode(
      () => parseImageReference('ghcr.io/acme/app:bad tag'),
      'OCI_REFERENCE_INVALID'
    );
  });

  it('tells images from file names', () => {
    expect(looksLikeImageReference('ghcr.io/acme/app:v1')).toBe(true);
    expect(looksLikeImageReference(`localhost/app@${D}`)).toBe(true);
    expect(looksLikeImageReference('dist/app.tar.gz')).toBe(false);
    expect(looksLikeImageReference('SHA256SUMS')).toBe(false);
  });
});

describe('manifests and indexes', () => {
  const manifest = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.ociManifest,
    config: { mediaType: MEDIA_TYPES.ociConfig, digest: D, size: 2 },
    layers: [],
  };
  const index = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.ociIndex,
    manifests: [
      {
        mediaType: MEDIA_TYPES.ociManifest,
        digest: D,
        size: 1,
        platform: { os: 'linux', architecture: 'amd64' },
      },
      {
        mediaType: MEDIA_TYPES.ociManifest,
        digest: `sha256:${'b'.repeat(64)}`,
        size: 1,
        platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
      },
      {
        mediaType: MEDIA_TYPES.ociManifest,
        digest: `sha256:${'c'.repeat(64)}`,
        size: 1,
        platform: { os: 'unknown', architecture: 'unknown' },
      },
    ],
  };

  it('parses both and picks a platform', () => {
    expect(parseManifest(enc(manifest), MEDIA_TYPES.ociManifest, 't').kind).toBe('manifest');
    const parsed = parseManifest(enc(index), undefined, 't');
    if (parsed.kind !== 'index') throw new Error('expected an index');
    expect(selectPlatform(parsed, parsePlatform('linux/arm64'), 't').digest).toBe(
      `sha256:${'b'.repeat(64)}`
    );
  });

  it('rejects type confusion, bad digests, missing platforms', async () => {
    await expectCode(
      () => parseManifest(enc(manifest), MEDIA_TYPES.ociIndex, 't'),
      'OCI_MANIFEST_INVALID'
    );
    await expectCode(
      () =>
        parseManifest(
          enc({ ...manifest, config: { ...manifest.config, digest: 'md5:x' } }),
          undefined,
          't'
        ),
      'OCI_MANIFEST_INVALID'
    );
    await expectCode(
      () => parseManifest(enc({ ...manifest, schemaVersion: 1 }), undefined, 't'),
      'OCI_MANIFEST_INVALID'
    );
    await expectCode(
      () => parseManifest(new TextEncoder().encode('{'), undefined, 't'),
      'OCI_MANIFEST_INVALID'
    );
    const parsed = parseManifest(enc(index), undefined, 't');
    if (parsed.kind !== 'index') throw new Error('expected an index');
    await expectCode(
      () => selectPlatform(parsed, parsePlatform('windows/amd64'), 't'),
      'OCI_PLATFORM_NOT_FOUND'
    );
    await expectCode(() => parsePlatform('linux'), 'OCI_REFERENCE_INVALID');
  });

  it('builds deterministic referrer manifests in the @sigstore/oci layout, and tag-schema indexes', () => {
    const input = {
      subject: { mediaType: MEDIA_TYPES.ociManifest, digest: D, size: 10 },
      bundle: new TextEncoder().encode('{}x'),
      content: 'dsse-envelope' as const,
      predicateType: 'https://slsa.dev/provenance/v1',
      created: '2026-01-01T00:00:00Z',
    };
    const a = buildReferrerManifest(input);
    expect(Buffer.from(buildReferrerManifest(input).bytes).equals(Buffer.from(a.bytes))).toBe(true);
    const json = JSON.parse(new TextDecoder().decode(a.bytes)) as Record<string, unknown>;
    expect(json).toMatchObject({
      artifactType: MEDIA_TYPES.sigstoreBundle,
      config: {
        mediaType: MEDIA_TYPES.ociEmpty,
        digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
        size: 2,
      },
      subject: { digest: D },
      annotations: {
        'dev.sigstore.bundle.content': 'dsse-envelope',
        'dev.sigstore.bundle.predicateType': 'https://slsa.dev/provenance/v1',
      },
    });
    expect(a.descriptor.digest).toBe(sha256Digest(a.bytes));
    const idx = parseManifest(addToReferrersIndex(undefined, a.descriptor), undefined, 'i');
    if (idx.kind !== 'index') throw new Error('expected an index');
    const twice = parseManifest(addToReferrersIndex(idx, a.descriptor), undefined, 'i');
    expect(twice.kind === 'index' && twice.manifests).toHaveLength(1);
    expect(referrersTag(D)).toBe(`sha256-${'a'.repeat(64)}`);
    expect(cosignTag(D, 'att')).toBe(`sha256-${'a'.repeat(64)}.att`);
  });
});

describe('images in Kubernetes manifests', () => {
  it('finds every image key across documents and marks unpinned ones', () => {
    const found = imagesInManifests(
      `kind: Deployment\nmetadata: {name: web}\nspec: {template: {spec: {containers: [{name: a, image: "ghcr.io/acme/a@${D}"}], initContainers: [{name: b, image: ghcr.io/acme/b:1.0}]}}}\n---\nkind: CronJob\nmetadata: {name: job}\nspec: {jobTemplate: {spec: {template: {spec: {containers: [{image: busybox}]}}}}}\n`,
      'k.yaml'
    );
    expect(found.map((f) => [f.image, f.pinned])).toEqual([
      [`ghcr.io/acme/a@${D}`, true],
      ['ghcr.io/acme/b:1.0', false],
      ['busybox', false],
    ]);
    expect(found[1]?.where).toContain('Deployment/web');
  });

  it('reports broken YAML as INPUT_YAML_INVALID', async () => {
    await expectCode(() => imagesInManifests('a: [\n', 'k.yaml'), 'INPUT_YAML_INVALID');
  });
});
