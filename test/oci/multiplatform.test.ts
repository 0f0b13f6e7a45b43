// Multi-platform indexes: the index digest is what `custody sign` signs, `--recursive` adds each
// platform manifest; verify works for the index and for a platform digest; the image SBOM picks
// one platform. Plus the legacy `docker save` archive (SBOM only).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalSigstoreStack, type LocalSigstoreStack } from '../../src/stack/index.js';
import type { VerificationReport } from '../../src/verify/types.js';
import { loadCIEnv } from '../attest/env-fixtures.js';
import { runCli } from '../helpers/cli.js';
import { OS_RELEASE_DEBIAN, tarBytes, writeLayoutIndex } from '../helpers/images.js';
import { skopeoPush, startRegistry, type LocalRegistry } from '../helpers/registry.js';

let stack: LocalSigstoreStack;
let registry: LocalRegistry;
let dir: string;
let built: Awaited<ReturnType<typeof writeLayoutIndex>>;
let env: Record<string, string>;

const SAN = 'https://github.com/acme/hello/.github/workflows/release.yml@refs/tags/v1.0.0';
const status = (name: string): string =>
  `Package: ${name}\nStatus: install ok installed\nVersion: 1.0\nArchitecture: any\n\n`;

beforeAll(async () => {
  [stack, registry] = await Promise.all([startLocalSigstoreStack(), startRegistry()]);
  dir = await mkdtemp(path.join(os.tmpdir(), 'custody-oci-multi-'));
  built = await writeLayoutIndex(path.join(dir, 'multi'), 'v1', [
    {
      os: 'linux',
      architecture: 'amd64',
      layers: [
        [
          { name: 'etc/os-release', content: OS_RELEASE_DEBIAN },
          { name: 'var/lib/dpkg/status', content: status('only-amd64') },
        ],
      ],
    },
    {
      os: 'linux',
      architecture: 'arm64',
      layers: [
        [
          { name: 'etc/os-release', content: OS_RELEASE_DEBIAN },
          { name: 'var/lib/dpkg/status', content: status('only-arm64') },
        ],
      ],
    },
  ]);
  skopeoPush(built.dir, 'v1', `${registry.host}/team/multi:v1`, true);
  await writeFile(path.join(dir, 'oidc.token'), stack.issueToken('github', {}));
  env = { ...loadCIEnv('github-tag'), SOURCE_DATE_EPOCH: '1795170600' };
}, 120_000);

afterAll(async () => {
  await Promise.all([stack?.close(), registry?.close()]);
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe('multi-platform images', () => {
  it('signs the index digest and, with --recursive, every platform manifest; each verifies', async () => {
    const sign = await runCli(
      [
        '--json',
        'sign',
        `${registry.host}/team/multi:v1`,
        '--recursive',
        '--identity-token-file',
        'oidc.token',
        '--signing-config',
        stack.signingConfigPath,
      ],
      { cwd: dir, env }
    );
    expect(sign.stderr).toBe('');
    expect(sign.code).toBe(0);
    const digests = (JSON.parse(sign.stdout) as { images: { digest: string }[] }).images.map(
      (i) => i.digest
    );
    expect(digests).toEqual([built.digest, ...built.platforms.map((p) => p.digest)]);
    for (const digest of [built.digest, built.platforms[1]!.digest]) {
      const run = await runCli(
        [
          '--json',
          'verify',
          `${registry.host}/team/multi@${digest}`,
          '--trusted-root',
          stack.trustedRootPath,
          '--certificate-identity',
          SAN,
          '--certificate-oidc-issuer',
          'https://token.actions.githubusercontent.com',
        ],
        { cwd: dir, env }
      );
      const report = JSON.parse(run.stdout) as VerificationReport;
      expect(report.attestations.map((a) => a.message ?? a.status)).toEqual(['verified']);
      // signed, no provenance: the signature check passes, the default policy still wants provenance
      expect(report.artifacts[0]?.checks.find((c) => c.id === 'signature')?.status).toBe('pass');
      expect(report.artifacts[0]?.digest.sha256).toBe(digest.slice(7));
    }
  });

  it('the image SBOM reads one platform: linux/amd64 by default, --platform otherwise', async () => {
    const amd = await runCli(['--json', 'sbom', `${registry.host}/team/multi:v1`], {
      cwd: dir,
      env,
    });
    expect(amd.code).toBe(0);
    expect(amd.stdout).toContain('only-amd64');
    expect(amd.stdout).not.toContain('only-arm64');
    const arm = await runCli(['--json', 'sbom', 'multi', '--platform', 'linux/arm64'], {
      cwd: dir,
      env,
    });
    expect(arm.stdout).toContain('only-arm64');
    const bad = await runCli(['sbom', 'multi', '--platform', 'windows/amd64'], { cwd: dir, env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('OCI_PLATFORM_NOT_FOUND');
  });

  it('reads a legacy docker save archive (manifest.json + layer tars) for the SBOM', async () => {
    const layer = await tarBytes([
      { name: 'etc/os-release', content: OS_RELEASE_DEBIAN },
      { name: 'var/lib/dpkg/status', content: status('from-docker-save') },
    ]);
    const config = JSON.stringify({ os: 'linux', architecture: 'amd64' });
    const archive = await tarBytes([
      {
        name: 'manifest.json',
        content: JSON.stringify([
          { Config: 'config.json', RepoTags: ['app:v1'], Layers: ['abc/layer.tar'] },
        ]),
      },
      { name: 'config.json', content: config },
      { name: 'abc/layer.tar', content: layer },
    ]);
    await writeFile(path.join(dir, 'save.tar'), archive);
    const run = await runCli(['--json', 'sbom', 'docker-archive:save.tar'], { cwd: dir, env });
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('pkg:deb/debian/from-docker-save@1.0');
    const { gzipSync } = await import('node:zlib');
    const gzArchive = await tarBytes([
      {
        name: 'manifest.json',
        content: JSON.stringify([{ Config: 'config.json', Layers: ['abc/layer.tar'] }]),
      },
      { name: 'config.json', content: config },
      { name: 'abc/layer.tar', content: gzipSync(layer) },
    ]);
    await writeFile(path.join(dir, 'save-gz.tar'), gzArchive);
    const gz = await runCli(['--json', 'sbom', 'docker-archive:save-gz.tar'], { cwd: dir, env });
    expect(gz.stdout).toContain('pkg:deb/debian/from-docker-save@1.0');
    const evil = await tarBytes([{ name: '../escape', content: 'x' }]);
    await writeFile(path.join(dir, 'evil.tar'), evil);
    const refused = await runCli(['sbom', 'oci-archive:evil.tar'], { cwd: dir, env });
    expect(refused.stderr).toContain('OCI_ARCHIVE_INVALID');
  });
});
