// The referrers API path and the token flow, on a small fake registry (Debian's distribution 2.8
// has neither the referrers API nor token auth configured); interop with @sigstore/oci, which
// actions/attest uses to push attestations; credentials from DOCKER_CONFIG, never printed.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { attachArtifactToImage } from '@sigstore/oci';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findRegistryCredentials } from '../../src/oci/adapter/credentials.js';
import { attachBundle, discoverBundles } from '../../src/oci/adapter/referrers.js';
import { RegistryClient } from '../../src/oci/adapter/registry.js';
import { MEDIA_TYPES, sha256Digest } from '../../src/oci/manifest.js';
import { isCustodyError } from '../../src/errors.js';
import { expectCode } from '../helpers/errors.js';
import { startFakeRegistry, type FakeRegistry } from '../helpers/fake-registry.js';

let fake: FakeRegistry;
let dockerConfig: string;
let subjectDigest: string;

beforeAll(async () => {
  fake = await startFakeRegistry();
  dockerConfig = await mkdtemp(path.join(os.tmpdir(), 'custody-docker-config-'));
  await writeFile(
    path.join(dockerConfig, 'config.json'),
    JSON.stringify({
      auths: {
        [`http://${fake.host}`]: {
          auth: Buffer.from(`${fake.username}:${fake.password}`).toString('base64'),
        },
        'other.example': { auth: 'eDp5' },
      },
    })
  );
});

afterAll(async () => {
  await fake?.close();
  if (dockerConfig !== undefined) await rm(dockerConfig, { recursive: true, force: true });
});

async function client(): Promise<RegistryClient> {
  const { credentials, source } = await findRegistryCredentials(fake.host, {
    DOCKER_CONFIG: dockerConfig,
  });
  expect(source).toContain('config.json');
  return new RegistryClient(fake.host, 'team/api', {
    ...(credentials === undefined ? {} : { credentials }),
  });
}

describe('registry with the referrers API behind token auth', () => {
  it('pushes an image, then a referrer found through the referrers API (no tag-schema index)', async () => {
    const c = await client();
    const layer = new TextEncoder().encode('layer');
    const config = new TextEncoder().encode('{"os":"linux","architecture":"amd64"}');
    const l = await c.putBlob(layer);
    const cfg = await c.putBlob(config);
    const manifest = new TextEncoder().encode(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA_TYPES.ociManifest,
        config: { ...cfg, mediaType: MEDIA_TYPES.ociConfig },
        layers: [{ ...l, mediaType: 'application/vnd.oci.image.layer.v1.tar' }],
      })
    );
    subjectDigest = (await c.putManifest('v1', manifest, MEDIA_TYPES.ociManifest)).digest;
    expect(fake.tokensIssued).toBeGreaterThan(0);
    const subject = (await c.headManifest('v1'))!;
    expect(subject.digest).toBe(subjectDigest);
    const result = await attachBundle(c, {
      subject,
      bundle: new TextEncoder().encode('{"b":1}'),
      content: 'dsse-envelope',
      predicateType: 'https://slsa.dev/provenance/v1',
      created: '2026-01-01T00:00:00Z',
    });
    expect(result.via).toBe('referrers-api');
    expect(result.tags).toEqual([]);
    expect(fake.requests).not.toContain(
      `PUT /v2/team/api/manifests/sha256-${subjectDigest.slice(7)}`
    );
    const found = await discoverBundles(c, subjectDigest);
    expect(found.via).toBe('referrers-api');
    expect(found.bundles).toHaveLength(1);
  });

  it('discovers what @sigstore/oci (actions/attest push-to-registry) attached', async () => {
    const bundle = Buffer.from(
      '{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","from":"sigstore-oci"}'
    );
    await attachArtifactToImage({
      imageName: `${fake.host}/team/api`,
      imageDigest: subjectDigest,
      artifact: bundle,
      mediaType: MEDIA_TYPES.sigstoreBundle,
      annotations: { 'dev.sigstore.bundle.content': 'dsse-envelope' },
      credentials: { username: fake.username, password: fake.password },
    });
    const found = await discoverBundles(await client(), subjectDigest);
    expect(found.bundles.map((b) => b.bundleDigest)).toContain(sha256Digest(bundle));
    expect(found.bundles).toHaveLength(2);
  });

  it('wrong credentials: OCI_AUTH_FAILED, and the password appears nowhere in the error', async () => {
    const c = new RegistryClient(fake.host, 'team/api', {
      credentials: { username: fake.username, password: 'wrong-secret-value' },
    });
    const error = await c.getManifest('v1').catch((e: unknown) => e);
    expect(isCustodyError(error) && error.code).toBe('OCI_AUTH_FAILED');
    expect(JSON.stringify(error) + String(error)).not.toContain('wrong-secret-value');
    await expectCode(
      () => new RegistryClient(fake.host, 'team/api').getManifest('v1'),
      'OCI_AUTH_FAILED'
    );
  });

  it('only an exact registry host gets credentials from the Docker config', async () => {
    expect(
      (await findRegistryCredentials('example', { DOCKER_CONFIG: dockerConfig })).credentials
    ).toBeUndefined();
    expect(
      (await findRegistryCredentials('other.example.evil', { DOCKER_CONFIG: dockerConfig }))
        .credentials
    ).toBeUndefined();
    const gitlab = await findRegistryCredentials('registry.gitlab.example', {
      CI_REGISTRY: 'registry.gitlab.example',
      CI_REGISTRY_USER: 'gitlab-ci-token',
      CI_REGISTRY_PASSWORD: 'glcbt-x',
    });
    expect(gitlab.source).toBe('CI_REGISTRY_USER/CI_REGISTRY_PASSWORD');
  });
});

describe('transport safety (fake fetch, no network)', () => {
  it('speaks TLS to a registry off loopback unless --plain-http', () => {
    expect(new RegistryClient('registry.example.com', 'a/b').baseURL).toBe(
      'https://registry.example.com'
    );
    expect(new RegistryClient('127.0.0.1:5000', 'a/b').baseURL).toBe('http://127.0.0.1:5000');
    expect(new RegistryClient('registry.example.com', 'a/b', { plainHttp: true }).baseURL).toBe(
      'http://registry.example.com'
    );
  });

  it('refuses to send credentials to a plain-HTTP token realm off loopback', async () => {
    const c = new RegistryClient('registry.example.com', 'a/b', {
      credentials: { username: 'u', password: 'p' },
      fetch: () =>
        Promise.resolve(
          new Response(null, {
            status: 401,
            headers: { 'www-authenticate': 'Bearer realm="http://evil.example/token",service="x"' },
          })
        ),
    });
    await expectCode(() => c.getManifest('v1'), 'OCI_REGISTRY_INSECURE');
  });

  it('bounds manifest reads (4 MiB) and refuses an upload location on another origin', async () => {
    const big = new RegistryClient('registry.example.com', 'a/b', {
      fetch: () =>
        Promise.resolve(
          new Response(new Uint8Array(5 * 1024 * 1024), {
            status: 200,
            headers: { 'content-type': MEDIA_TYPES.ociManifest },
          })
        ),
    });
    await expectCode(() => big.getManifest('v1'), 'OCI_BLOB_INVALID');
    const moved = new RegistryClient('registry.example.com', 'a/b', {
      fetch: (_input, init) =>
        Promise.resolve(
          init?.method === 'POST'
            ? new Response(null, {
                status: 202,
                headers: { location: 'https://elsewhere.example/upload' },
              })
            : new Response(null, { status: 404 })
        ),
    });
    await expectCode(() => moved.putBlob(new Uint8Array([1])), 'OCI_REGISTRY_FAILED');
  });
});
