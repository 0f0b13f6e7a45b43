// The release chain across separate action runs, the way a runner runs them: each step is
// `node dist/actions/<name>.js` in its own process with INPUT_* variables, GITHUB_* context from
// the push-tag fixture, ACTIONS_ID_TOKEN_REQUEST_URL from the local OIDC issuer and Fulcio/Rekor
// from the local Sigstore stack; later steps consume earlier steps' outputs.
import { copyFile, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SAMPLE_COMMIT_SHA,
  startLocalSigstoreStack,
  type LocalSigstoreStack,
} from '../../src/stack/index.js';
import { startFakeGitHub } from './helpers/fake-github.js';
import { buildActions, FIXTURES, githubEnv, runAction, type ActionRun } from './helpers/runner.js';

let dist: string;
let stack: LocalSigstoreStack;
let workspace: string;
let env: Record<string, string>;

beforeAll(async () => {
  [dist, stack, workspace] = await Promise.all([
    buildActions(),
    startLocalSigstoreStack(),
    mkdtemp(path.join(tmpdir(), 'custody-chain-ws-')),
  ]);
  await mkdir(path.join(workspace, 'dist'), { recursive: true });
  await writeFile(path.join(workspace, 'dist/widget-1.2.3.tgz'), 'pretend tarball\n');
  await writeFile(
    path.join(workspace, 'dist/widget-linux-x64'),
    Buffer.from([0x7f, 0x45, 0x4c, 0x46, 1, 2, 3])
  );
  for (const file of ['package.json', 'package-lock.json']) {
    await copyFile(path.join(FIXTURES, 'project', file), path.join(workspace, file));
  }
  await copyFile(stack.signingConfigPath, path.join(workspace, 'signing_config.json'));
  await copyFile(stack.trustedRootPath, path.join(workspace, 'trusted_root.json'));
  // The local OIDC issuer answers ACTIONS_ID_TOKEN_REQUEST_URL with the claims of a tag build of
  // acme/hello; the runner context must describe the same run, or verify rightly reports that the
  // provenance and the certificate disagree.
  env = {
    ...githubEnv('push-tag'),
    GITHUB_REPOSITORY: 'acme/hello',
    GITHUB_REPOSITORY_ID: '100000001',
    GITHUB_REPOSITORY_OWNER: 'acme',
    GITHUB_REPOSITORY_OWNER_ID: '200000002',
    GITHUB_REF: 'refs/tags/v1.0.0',
    GITHUB_REF_NAME: 'v1.0.0',
    GITHUB_SHA: SAMPLE_COMMIT_SHA,
    GITHUB_WORKFLOW_REF: 'acme/hello/.github/workflows/release.yml@refs/tags/v1.0.0',
    GITHUB_WORKFLOW_SHA: SAMPLE_COMMIT_SHA,
    GITHUB_RUN_ID: '9000000001',
    GITHUB_RUN_NUMBER: '42',
    ACTIONS_ID_TOKEN_REQUEST_URL: stack.githubTokenRequest.url,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: stack.githubTokenRequest.token,
  };
});
afterAll(async () => {
  await stack.close();
  await rm(dist, { recursive: true, force: true });
  await rm(workspace, { recursive: true, force: true });
});

function step(
  name: string,
  inputs: Record<string, string>,
  extraEnv: Record<string, string | undefined> = {}
): Promise<ActionRun> {
  return runAction(dist, name, { workspace, inputs, env: { ...env, ...extraEnv } });
}

describe('release chain across action runs', () => {
  let sign: ActionRun;
  let sbom: ActionRun;

  it('sbom: CycloneDX from the lockfile, reproducible with SOURCE_DATE_EPOCH', async () => {
    sbom = await step(
      'sbom',
      { output: 'dist/sbom.cdx.json', files: 'dist/widget-*' },
      { SOURCE_DATE_EPOCH: '1700000000' }
    );
    expect(sbom.stderr).toBe('');
    expect(sbom.errors).toEqual([]);
    expect(sbom.code).toBe(0);
    expect(sbom.outputs['sbom-path']).toBe(path.join(workspace, 'dist/sbom.cdx.json'));
    expect(sbom.outputs['component-count']).toBe('1');
    expect(sbom.outputs['spec-version']).toBe('1.6');
    expect(sbom.outputs['serial-number']).toMatch(/^urn:uuid:/);
    const bom = JSON.parse(await readFile(path.join(workspace, 'dist/sbom.cdx.json'), 'utf8'));
    expect(bom.metadata.timestamp).toBe('2023-11-14T22:13:20.000Z');
    expect(bom.components.map((c: { name: string }) => c.name)).toEqual(
      expect.arrayContaining(['left-pad'])
    );
    expect(JSON.stringify(bom.components)).toContain('widget-linux-x64');
    const again = await step(
      'sbom',
      { output: 'sbom-again.cdx.json', files: 'dist/widget-*' },
      { SOURCE_DATE_EPOCH: '1700000000' }
    );
    expect(again.outputs['sbom-digest']).toBe(sbom.outputs['sbom-digest']);
    expect(sbom.summary).toContain('CycloneDX 1.6');
  });

  it('sign: checksums file plus one bundle per file, signer identity from the GitHub OIDC token', async () => {
    sign = await step('sign', {
      'subject-path': '*',
      'working-directory': 'dist',
      'signing-config': 'signing_config.json',
    });
    expect(sign.stderr).toBe('');
    expect(sign.errors).toEqual([]);
    expect(sign.code).toBe(0);
    expect(sign.outputs['subject-count']).toBe('3');
    expect(sign.outputs['bundle-paths']!.split('\n').map((p) => path.basename(p))).toEqual([
      'sbom.cdx.json.sigstore.json',
      'widget-1.2.3.tgz.sigstore.json',
      'widget-linux-x64.sigstore.json',
      'SHA256SUMS.sigstore.json',
    ]);
    expect(sign.outputs['signer-identity']).toMatch(
      /^https:\/\/github\.com\/.+\/\.github\/workflows\/.+@refs\//
    );
    expect(sign.outputs['signer-issuer']).toBe('https://token.actions.githubusercontent.com');
    expect(sign.outputs['checksums-digest']).toMatch(/^sha256:[0-9a-f]{64}$/);
    const sums = await readFile(path.join(workspace, 'dist/SHA256SUMS'), 'utf8');
    expect(sums).toMatch(
      /^[0-9a-f]{64} {2}sbom\.cdx\.json\n[0-9a-f]{64} {2}widget-1\.2\.3\.tgz\n[0-9a-f]{64} {2}widget-linux-x64\n$/
    );
    expect(sign.summary).toContain('widget-linux-x64');
    // The OIDC request token is a secret: never in the step's output.
    expect(sign.stdout).not.toContain(stack.githubTokenRequest.token);
  });

  it('attest provenance and sbom: bundles appended to .intoto.jsonl files, signed by the same identity', async () => {
    const provenance = await step('attest', {
      'working-directory': 'dist',
      'subject-path': '*',
      output: 'provenance.intoto.jsonl',
      'signing-config': 'signing_config.json',
    });
    expect(provenance.stderr).toBe('');
    expect(provenance.errors).toEqual([]);
    expect(provenance.code).toBe(0);
    expect(provenance.outputs['predicate-type']).toBe('https://slsa.dev/provenance/v1');
    expect(provenance.outputs['subject-count']).toBe('4');
    expect(provenance.outputs['bundle-path']).toBe(
      path.join(workspace, 'dist/provenance.intoto.jsonl')
    );
    expect(provenance.outputs['signer-identity']).toBe(sign.outputs['signer-identity']);
    expect(provenance.summary).toContain('job_workflow_ref');
    const sbomAttestation = await step('attest', {
      'working-directory': 'dist',
      'subject-path': 'widget-*',
      'predicate-type': 'sbom',
      'sbom-path': 'sbom.cdx.json',
      output: 'sbom.intoto.jsonl',
      'signing-config': 'signing_config.json',
    });
    expect(sbomAttestation.errors).toEqual([]);
    expect(sbomAttestation.outputs['predicate-type']).toMatch(/^https:\/\/cyclonedx\.org\/bom/);
    expect(sbomAttestation.outputs['statement-digest']).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('verify: the release produced by separate action runs verifies, the summary has the chain diagram', async () => {
    const run = await step('verify', {
      'release-dir': 'dist',
      'trusted-root': 'trusted_root.json',
      'certificate-identity': sign.outputs['signer-identity']!,
      'report-path': 'report.md',
    });
    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.outputs.verdict).toBe('PASS');
    expect(run.outputs.failures).toBe('0');
    expect(Number(run.outputs['artifact-count'])).toBeGreaterThanOrEqual(3);
    expect(run.outputs['artifacts-passed']).toBe(run.outputs['artifact-count']);
    expect(run.summary).toContain('```mermaid');
    expect(run.summary).toContain('custody verify: PASS');
    expect(await readFile(path.join(workspace, 'report.md'), 'utf8')).toContain('```mermaid');
    expect(JSON.parse(await readFile(run.outputs['report-json-path']!, 'utf8')).verdict).toBe(
      'PASS'
    );
  });

  it('verify: a tampered release fails with a non-zero exit and a summary that says why', async () => {
    const tampered = path.join(workspace, 'tampered');
    await cp(path.join(workspace, 'dist'), tampered, { recursive: true });
    await writeFile(path.join(tampered, 'widget-1.2.3.tgz'), 'pretend tarball, with a backdoor\n');
    const run = await step('verify', {
      'release-dir': 'tampered',
      'trusted-root': 'trusted_root.json',
      'certificate-identity': sign.outputs['signer-identity']!,
    });
    expect(run.code).toBe(1);
    expect(run.outputs.verdict).toBe('FAIL');
    expect(Number(run.outputs.failures)).toBeGreaterThan(0);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]!.title).toMatch(/^VERIFY_/);
    expect(run.errors[0]!.message).toContain('widget-1.2.3.tgz');
    expect(run.summary).toContain('custody verify: FAIL');
    expect(run.summary).toContain('Why it failed');
    expect(run.summary).toContain('widget-1.2.3.tgz');
  });

  it('verify: a release signed by someone else fails the identity pin', async () => {
    const run = await step('verify', {
      'release-dir': 'dist',
      'trusted-root': 'trusted_root.json',
      'certificate-identity':
        'https://github.com/octo-org/widget/.github/workflows/release.yml@refs/tags/v1.2.3',
    });
    expect(run.code).toBe(1);
    expect(run.outputs.verdict).toBe('FAIL');
  });

  it('verify with uploads: publishes every verified file as a release asset and the attestations to the API', async () => {
    const token = 'ghs_uploadToken0123456789abcdef';
    const github = await startFakeGitHub({ token, owner: 'acme', repo: 'hello' });
    try {
      const inputs = {
        'release-dir': 'dist',
        'trusted-root': 'trusted_root.json',
        'certificate-identity': sign.outputs['signer-identity']!,
        'upload-release': 'true',
        'upload-attestations': 'true',
        'github-token': token,
      };
      const run = await step('verify', inputs, {
        GITHUB_API_URL: github.url,
        GITHUB_REF_TYPE: 'tag',
      });
      expect(run.errors).toEqual([]);
      expect(run.code).toBe(0);
      const assets = run.outputs['uploaded-assets']!.split('\n');
      expect(assets).toEqual(
        expect.arrayContaining([
          'SHA256SUMS',
          'SHA256SUMS.sigstore.json',
          'widget-1.2.3.tgz',
          'widget-1.2.3.tgz.sigstore.json',
          'provenance.intoto.jsonl',
          'sbom.intoto.jsonl',
          'sbom.cdx.json',
        ])
      );
      expect(github.releases).toHaveLength(1);
      expect(github.releases[0]!.tag).toBe('v1.0.0');
      const tgz = github.releases[0]!.assets.find((a) => a.name === 'widget-1.2.3.tgz');
      expect(tgz?.data.toString('utf8')).toBe('pretend tarball\n');
      // One attestation per bundle line of the .intoto.jsonl files (provenance + SBOM).
      expect(github.attestations).toHaveLength(2);
      expect(run.outputs['attestation-ids']!.split('\n')).toHaveLength(2);
      expect(JSON.stringify(github.attestations[0]!.bundle)).toContain('dsseEnvelope');
      expect(run.summary).toContain('attestations API');
      expect(run.masked).toContain(token);
      // A re-run replaces the assets instead of failing on "already_exists".
      const again = await step('verify', inputs, {
        GITHUB_API_URL: github.url,
        GITHUB_REF_TYPE: 'tag',
      });
      expect(again.code).toBe(0);
      expect(github.releases[0]!.assets.filter((a) => a.name === 'widget-1.2.3.tgz')).toHaveLength(
        1
      );
      // Missing contents: write: a coded error that names the permission.
      github.forbidden = ['POST /uploads'];
      const denied = await step(
        'verify',
        { ...inputs, 'upload-attestations': 'false' },
        { GITHUB_API_URL: github.url, GITHUB_REF_TYPE: 'tag' }
      );
      expect(denied.code).toBe(3);
      expect(denied.errors[0]!.title).toBe('GITHUB_PERMISSION_DENIED');
      expect(denied.errors[0]!.message).toContain('contents: write');
      // A failing release is never published.
      github.forbidden = [];
      const before = github.requests.length;
      const failed = await step(
        'verify',
        { ...inputs, 'release-dir': 'tampered' },
        { GITHUB_API_URL: github.url, GITHUB_REF_TYPE: 'tag' }
      );
      expect(failed.code).toBe(1);
      expect(github.requests.length).toBe(before);
      expect(failed.summary).toContain('Nothing was published');
    } finally {
      await github.close();
    }
  });
});
