// Images end to end: sign → attest → push → verify through the CLI against Debian's
// docker-registry (no referrers API: the tag-schema fallback is the main path) and the local
// Sigstore stack, plus the rejections an admission check must make.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachBundle } from '../../src/oci/adapter/referrers.js';
import { RegistryClient } from '../../src/oci/adapter/registry.js';
import { signStatement } from '../../src/sign/index.js';
import { startLocalSigstoreStack, type LocalSigstoreStack } from '../../src/stack/index.js';
import { canonicalJSON } from '../../src/util/canonical-json.js';
import type { VerificationReport } from '../../src/verify/types.js';
import { loadCIEnv } from '../attest/env-fixtures.js';
import { runCli } from '../helpers/cli.js';
import {
  DPKG_STATUS,
  OS_RELEASE_DEBIAN,
  writeLayoutImage,
  type BuiltImage,
} from '../helpers/images.js';
import { skopeoPush, startRegistry, type LocalRegistry } from '../helpers/registry.js';

let stack: LocalSigstoreStack;
let registry: LocalRegistry;
let dir: string;
let imageA: BuiltImage;
let imageB: BuiltImage;
let env: Record<string, string>;
let signing: string[];
let verifyFlags: string[];

const SAN = 'https://github.com/acme/shared-workflows/.github/workflows/build.yml@refs/tags/v3.1.0';

beforeAll(async () => {
  [stack, registry] = await Promise.all([startLocalSigstoreStack(), startRegistry()]);
  dir = await mkdtemp(path.join(os.tmpdir(), 'custody-oci-e2e-'));
  imageA = await writeLayoutImage(path.join(dir, 'a'), 'v1', [
    [
      { name: 'etc/os-release', content: OS_RELEASE_DEBIAN },
      { name: 'var/lib/dpkg/status', content: DPKG_STATUS },
    ],
  ]);
  imageB = await writeLayoutImage(
    path.join(dir, 'b'),
    'v1',
    [[{ name: 'etc/os-release', content: OS_RELEASE_DEBIAN }]],
    { label: 'replacement' }
  );
  skopeoPush(imageA.dir, 'v1', `${registry.host}/team/app:v1`);
  skopeoPush(imageA.dir, 'v1', `${registry.host}/team/copy:v1`);
  skopeoPush(imageB.dir, 'v1', `${registry.host}/team/unsigned:v1`);
  const token = stack.issueToken('github', {
    ref: 'refs/tags/v1.2.0',
    sha: 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3',
    workflow_ref: 'acme/hello/.github/workflows/release.yml@refs/tags/v1.2.0',
    job_workflow_ref: 'acme/shared-workflows/.github/workflows/build.yml@refs/tags/v3.1.0',
  });
  const foreign = stack.issueToken('github', {
    repository: 'mallory/fork',
    repository_owner: 'mallory',
    workflow_ref: 'mallory/fork/.github/workflows/evil.yml@refs/heads/main',
    job_workflow_ref: 'mallory/fork/.github/workflows/evil.yml@refs/heads/main',
  });
  await writeFile(path.join(dir, 'oidc.token'), token);
  await writeFile(path.join(dir, 'foreign.token'), foreign);
  env = { ...loadCIEnv('github-tag'), SOURCE_DATE_EPOCH: '1795170600' };
  signing = ['--identity-token-file', 'oidc.token', '--signing-config', stack.signingConfigPath];
  verifyFlags = [
    '--trusted-root',
    stack.trustedRootPath,
    '--certificate-identity',
    SAN,
    '--certificate-oidc-issuer',
    'https://token.actions.githubusercontent.com',
  ];
}, 120_000);

afterAll(async () => {
  await Promise.all([stack?.close(), registry?.close()]);
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

async function verifyJSON(
  args: string[]
): Promise<{ code: number; report: VerificationReport; stderr: string }> {
  const run = await runCli(['--json', 'verify', ...args, ...verifyFlags], { cwd: dir, env });
  return {
    code: run.code,
    report: JSON.parse(run.stdout) as VerificationReport,
    stderr: run.stderr,
  };
}

function failureCodes(report: VerificationReport): string[] {
  return report.summary.failures.map((f) => f.code);
}

describe('custody sign/attest/verify IMAGE on docker-registry', () => {
  it('signs by digest (tag resolved once), attests provenance, pushes both as referrers, and verifies PASS', async () => {
    const sign = await runCli(['--json', 'sign', `${registry.host}/team/app:v1`, ...signing], {
      cwd: dir,
      env,
    });
    expect(sign.stderr).toBe('');
    expect(sign.code).toBe(0);
    const signed = JSON.parse(sign.stdout) as {
      images: { digest: string; via: string; resolvedFromTag: string; tags: string[] }[];
    };
    expect(signed.images[0]).toMatchObject({
      digest: imageA.digest,
      via: 'tag-schema',
      resolvedFromTag: 'v1',
    });
    expect(signed.images[0]?.tags).toEqual([`sha256-${imageA.digest.slice(7)}`]);

    const attest = await runCli(
      [
        '--json',
        'attest',
        'provenance',
        '--subject',
        `${registry.host}/team/app:v1`,
        '--push-to-registry',
        '--trusted-root',
        stack.trustedRootPath,
        ...signing,
      ],
      { cwd: dir, env }
    );
    expect(attest.stderr).toBe('');
    expect(attest.code).toBe(0);
    expect((JSON.parse(attest.stdout) as { pushed: { via: string }[] }).pushed[0]?.via).toBe(
      'tag-schema'
    );

    const { code, report } = await verifyJSON([`oci://${registry.host}/team/app@${imageA.digest}`]);
    expect(failureCodes(report)).toEqual([]);
    expect(code).toBe(0);
    expect(report.verdict).toBe('PASS');
    expect(report.artifacts[0]?.name).toBe(`${registry.host}/team/app`);
    expect(report.artifacts[0]?.digest.sha256).toBe(imageA.digest.slice(7));
    expect(report.artifacts[0]?.slsaBuildLevel).toBe(2);
    const ids = report.artifacts[0]?.checks.filter((c) => c.status === 'pass').map((c) => c.id);
    expect(ids).toContain('signature');
    expect(ids).toContain('provenance');
    expect(report.attestations.filter((a) => a.status === 'verified')).toHaveLength(2);
    expect(report.release.checks.find((c) => c.id === 'image.referrers')?.status).toBe('pass');
  });

  it('custody sbom IMAGE → attest sbom --push-to-registry → verify: the SBOM attestation is checked too', async () => {
    const ref = `${registry.host}/team/app@${imageA.digest}`;
    const sbom = await runCli(['sbom', ref, '-o', 'app.cdx.json'], { cwd: dir, env });
    expect(sbom.code).toBe(0);
    expect(sbom.stdout).toContain('deb');
    const attest = await runCli(
      [
        'attest',
        'sbom',
        '--sbom',
        'app.cdx.json',
        '--subject',
        ref,
        '--push-to-registry',
        '--name',
        'app-sbom',
        ...signing,
      ],
      { cwd: dir, env }
    );
    expect(attest.stderr).toBe('');
    expect(attest.code).toBe(0);
    const { code, report } = await verifyJSON([ref]);
    expect(code).toBe(0);
    const checks = report.artifacts[0]?.checks ?? [];
    expect(checks.find((c) => c.id === 'sbom')?.status).toBe('pass');
    expect(report.attestations.filter((a) => a.status === 'verified')).toHaveLength(3);
  });

  it('ignores a referrer from a foreign signer instead of trusting it (and still passes on the real ones)', async () => {
    const foreign = await runCli(
      [
        '--json',
        'sign',
        `${registry.host}/team/app@${imageA.digest}`,
        '--identity-token-file',
        'foreign.token',
        '--signing-config',
        stack.signingConfigPath,
      ],
      { cwd: dir, env }
    );
    expect(foreign.code).toBe(0);
    const { code, report } = await verifyJSON([`${registry.host}/team/app@${imageA.digest}`]);
    expect(code).toBe(0);
    const ignored = report.attestations.filter((a) => a.code === 'OCI_REFERRER_IGNORED');
    expect(ignored).toHaveLength(1);
    expect(ignored[0]?.signerAllowed).toBe(false);
    expect(ignored[0]?.message).toContain('mallory');
  });

  it('an image signed only by a foreign signer fails as unsigned', async () => {
    await runCli(
      [
        'sign',
        `${registry.host}/team/unsigned:v1`,
        '--identity-token-file',
        'foreign.token',
        '--signing-config',
        stack.signingConfigPath,
      ],
      { cwd: dir, env }
    );
    const { code, report } = await verifyJSON([`${registry.host}/team/unsigned@${imageB.digest}`]);
    expect(code).toBe(1);
    expect(failureCodes(report)).toContain('VERIFY_PROVENANCE_MISSING');
  });

  it('fails when an allowed signer’s attestation attached to the image is about another digest', async () => {
    const statement = {
      _type: 'https://in-toto.io/Statement/v1',
      subject: [
        { name: `${registry.host}/team/unsigned`, digest: { sha256: imageB.digest.slice(7) } },
      ],
      predicateType: 'https://slsa.dev/provenance/v1',
      predicate: {
        buildDefinition: { buildType: 'https://example.com/x', externalParameters: {} },
        runDetails: { builder: { id: 'https://example.com/b' } },
      },
    };
    const token = (await import('node:fs/promises')).readFile(path.join(dir, 'oidc.token'), 'utf8');
    const bundle = await signStatement(statement, {
      fulcioURL: stack.fulcioURL,
      rekorURL: stack.rekorURL,
      signingConfig: stack.signingConfig,
      tlog: true,
      identity: { kind: 'keyless', token: await token },
    });
    const client = new RegistryClient(registry.host, 'team/copy');
    const subject = (await client.headManifest(imageA.digest))!;
    await attachBundle(client, {
      subject,
      bundle: new TextEncoder().encode(canonicalJSON(bundle)),
      content: 'dsse-envelope',
      predicateType: statement.predicateType,
      created: '2026-11-18T00:00:00Z',
    });
    const { code, report } = await verifyJSON([`${registry.host}/team/copy@${imageA.digest}`]);
    expect(code).toBe(1);
    expect(failureCodes(report)).toContain('OCI_REFERRER_SUBJECT_MISMATCH');
  });

  it('an image replaced under the same tag fails: the tag now resolves to an unsigned digest', async () => {
    skopeoPush(imageB.dir, 'v1', `${registry.host}/team/app:v1`);
    const { code, report, stderr } = await verifyJSON([`${registry.host}/team/app:v1`]);
    expect(stderr).toContain(`resolved once to ${imageB.digest}`);
    expect(code).toBe(1);
    expect(report.artifacts[0]?.digest.sha256).toBe(imageB.digest.slice(7));
    expect(failureCodes(report)).toContain('VERIFY_PROVENANCE_MISSING');
  });

  it('a referrer copied into the replacement’s tag index is ignored: its subject is the old digest', async () => {
    const client = new RegistryClient(registry.host, 'team/app');
    const old = await client.getManifest(`sha256-${imageA.digest.slice(7)}`);
    await client.putManifest(`sha256-${imageB.digest.slice(7)}`, old.bytes, old.mediaType);
    const { code, report } = await verifyJSON([`${registry.host}/team/app@${imageB.digest}`]);
    expect(code).toBe(1);
    const check = report.release.checks.find((c) => c.id === 'image.referrers');
    expect(JSON.stringify(check?.evidence)).toContain(`not ${imageB.digest}`);
    expect(failureCodes(report)).toContain('VERIFY_PROVENANCE_MISSING');
  });

  it('verify --images FILE: pinned + signed passes; a tag or an unsigned image fails', async () => {
    const good = `apiVersion: apps/v1
kind: Deployment
metadata: {name: app}
spec:
  template:
    spec:
      initContainers:
        - name: init
          image: ${registry.host}/team/app@${imageA.digest}
      containers:
        - name: app
          image: ${registry.host}/team/app@${imageA.digest}
`;
    await writeFile(path.join(dir, 'good.yaml'), good);
    const pass = await runCli(['--json', 'verify', '--images', 'good.yaml', ...verifyFlags], {
      cwd: dir,
      env,
    });
    expect(pass.code).toBe(0);
    expect((JSON.parse(pass.stdout) as { verdict: string; images: unknown[] }).images).toHaveLength(
      2
    );

    const bad = `${good}---
apiVersion: v1
kind: Pod
metadata: {name: tagged}
spec:
  containers:
    - name: x
      image: ${registry.host}/team/app:v1
    - name: y
      image: ${registry.host}/team/unsigned@${imageB.digest}
`;
    await writeFile(path.join(dir, 'bad.yaml'), bad);
    const fail = await runCli(['--json', 'verify', '--images', 'bad.yaml', ...verifyFlags], {
      cwd: dir,
      env,
    });
    expect(fail.code).toBe(1);
    const out = JSON.parse(fail.stdout) as {
      verdict: string;
      images: { image: string; verdict: string; code?: string; where?: string }[];
    };
    expect(out.verdict).toBe('FAIL');
    const tagged = out.images.find((i) => i.image.endsWith(':v1'));
    expect(tagged).toMatchObject({ verdict: 'FAIL', code: 'OCI_REFERENCE_UNPINNED' });
    expect(tagged?.where).toContain('Pod/tagged');
    expect(out.images.find((i) => i.image.includes('unsigned'))?.verdict).toBe('FAIL');
    const text = await runCli(['verify', '--images', 'bad.yaml', ...verifyFlags], {
      cwd: dir,
      env,
    });
    expect(text.stdout).toContain('image reference(s) may run');
  });
});
