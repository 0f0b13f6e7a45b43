// The registry client, referrer storage and discovery against Debian's docker-registry on loopback.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  attachBundle,
  discoverBundles,
  supportsReferrersAPI,
} from '../../src/oci/adapter/referrers.js';
import { RegistryClient } from '../../src/oci/adapter/registry.js';
import { openImage, resolveImage } from '../../src/oci/adapter/source.js';
import { expectCode } from '../helpers/errors.js';
import {
  writeLayoutImage,
  DPKG_STATUS,
  OS_RELEASE_DEBIAN,
  type BuiltImage,
} from '../helpers/images.js';
import { skopeoPush, startRegistry, type LocalRegistry } from '../helpers/registry.js';

let registry: LocalRegistry;
let work: string;
let image: BuiltImage;

beforeAll(async () => {
  registry = await startRegistry();
  work = await mkdtemp(path.join(os.tmpdir(), 'custody-oci-'));
  image = await writeLayoutImage(path.join(work, 'layout'), 'v1', [
    [
      { name: 'etc/os-release', content: OS_RELEASE_DEBIAN },
      { name: 'var/lib/dpkg/status', content: DPKG_STATUS },
    ],
  ]);
  skopeoPush(image.dir, 'v1', `${registry.host}/team/app:v1`);
}, 60_000);

afterAll(async () => {
  await registry?.close();
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

describe('registry client on docker-registry', () => {
  it('resolves a tag to the digest skopeo pushed (manifest bytes preserved)', async () => {
    const source = await openImage(`${registry.host}/team/app:v1`, { cwd: work, env: {} });
    const resolved = await resolveImage(source);
    expect(resolved.digest).toBe(image.digest);
    expect(resolved.resolvedFromTag).toBe('v1');
    expect(resolved.manifest.kind).toBe('manifest');
  });

  it('refuses a manifest fetched by digest whose bytes hash differently', async () => {
    const client = new RegistryClient(registry.host, 'team/app', {
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        if (
          !(
            input instanceof Request ? input.url : input instanceof URL ? input.href : input
          ).includes('/manifests/')
        )
          return response;
        const body = new Uint8Array(await response.arrayBuffer());
        body[body.length - 2] = 0x20;
        return new Response(body, { status: 200, headers: response.headers });
      },
    });
    await expectCode(() => client.getManifest(image.digest), 'OCI_MANIFEST_INVALID');
  });

  it('reports a missing tag as OCI_NOT_FOUND', async () => {
    const source = await openImage(`${registry.host}/team/app:nope`, { cwd: work, env: {} });
    await expectCode(() => resolveImage(source), 'OCI_NOT_FOUND');
  });

  it('distribution 2.8 lacks the referrers API: attach falls back to the sha256-<hex> tag index', async () => {
    const client = new RegistryClient(registry.host, 'team/app');
    expect(await supportsReferrersAPI(client)).toBe(false);
    const subject = (await client.headManifest(image.digest))!;
    const bundle = new TextEncoder().encode(
      '{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}'
    );
    const result = await attachBundle(client, {
      subject,
      bundle,
      content: 'message-signature',
      created: '2026-01-01T00:00:00Z',
      cosignTags: true,
    });
    expect(result.via).toBe('tag-schema');
    expect(result.tags).toEqual([
      `sha256-${image.digest.slice(7)}`,
      `sha256-${image.digest.slice(7)}.sig`,
    ]);
    const again = await attachBundle(client, {
      subject,
      bundle,
      content: 'message-signature',
      created: '2026-01-01T00:00:00Z',
    });
    expect(again.referrer.digest).toBe(result.referrer.digest);
    const found = await discoverBundles(client, image.digest);
    expect(found.via).toBe('tag-schema');
    expect(found.bundles.map((b) => b.referrer)).toEqual([result.referrer.digest]);
    expect(new TextDecoder().decode(found.bundles[0]!.bytes)).toContain('sigstore.bundle');
  });
});
