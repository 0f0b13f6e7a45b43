// The real bundles of ../shared/conformance/real-provenance (actions/attest, npm provenance,
// slsa-github-generator) verify through `custody verify` with their expected identities, and
// fail with a wrong identity, a wrong issuer or a digest that is not a subject.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusPath } from './shared.js';
import { runVerification } from '../../src/verify/adapter/run.js';
import { runCli } from '../helpers/cli.js';

const CORPUS = corpusPath('conformance');
const TRUSTED_ROOT = path.join(CORPUS, 'trusted-roots/public-good.json');

interface Entry {
  name: string;
  bundle: string;
  artifact: string | null;
  subjects: { digest: Record<string, string> }[];
  predicate_type: string;
  expected_identity: string;
  expected_issuer: string;
  source_repository: string | null;
  source_repository_digest: string | null;
  source_repository_ref: string | null;
  builder_id: string;
  expected: 'pass' | 'fail';
}

const manifest = JSON.parse(
  await readFile(path.join(CORPUS, 'real-provenance/MANIFEST.json'), 'utf8')
) as { entries: Entry[] };
let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'custody-real-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A release dir with the artifact (when the corpus has it) or a digest argument, plus the bundle. */
async function assemble(
  entry: Entry
): Promise<{ cwd: string; targets: string[]; bundles: string[] }> {
  const dir = path.join(root, entry.name);
  await rm(dir, { recursive: true, force: true });
  if (entry.artifact !== null) {
    await cp(path.join(CORPUS, entry.artifact), path.join(dir, 'artifact'));
    await cp(path.join(CORPUS, entry.bundle), path.join(dir, 'artifact.sigstore.json'));
    return { cwd: dir, targets: [dir], bundles: [] };
  }
  await cp(path.join(CORPUS, entry.bundle), path.join(dir, 'provenance.sigstore.json'));
  const [algorithm, hex] = Object.entries(entry.subjects[0]!.digest)[0]!;
  return {
    cwd: dir,
    targets: [`${algorithm}:${hex}`],
    bundles: [path.join(dir, 'provenance.sigstore.json')],
  };
}

// Email identities carry no repository or commit extensions: the agreement check is not applicable.
function policyFor(
  entry: Entry,
  identity = entry.expected_identity,
  issuer = entry.expected_issuer
): string {
  const agreement = entry.source_repository_digest !== null;
  return `apiVersion: custody.dev/v1alpha1
kind: ReleasePolicy
metadata: { name: ${entry.name} }
spec:
  signers: [{ subject: '${identity}', issuer: '${issuer}' }]
  checksums: { required: false, signed: false }
  sbom: { required: false }
  provenance:
    predicateTypes: ['${entry.predicate_type}']
    builderIds: ['${entry.builder_id}']
    certificateAgreement: ${agreement}
${entry.source_repository === null ? '' : `    sourceRepositories: ['${entry.source_repository}']\n    sourceRefs: ['${entry.source_repository_ref ?? ''}']\n    sourceDigests: ['${entry.source_repository_digest ?? ''}']\n`}`;
}

async function verifyEntry(entry: Entry, policyText: string, overrideTargets?: string[]) {
  const release = await assemble(entry);
  const policyFile = path.join(root, `${entry.name}.policy.yaml`);
  await writeFile(policyFile, policyText);
  const { report } = await runVerification({
    cwd: release.cwd,
    targets: overrideTargets ?? release.targets,
    bundles: release.bundles,
    policyFile,
    policyFlags: {},
    trustedRoot: TRUSTED_ROOT,
    workers: 0,
    now: new Date('2026-11-21T00:00:00Z'),
  });
  return report;
}

const passing = manifest.entries.filter((e) => e.expected === 'pass');
const failing = manifest.entries.filter((e) => e.expected === 'fail');

describe('real provenance bundles', () => {
  it('the corpus has the expected entries', () => {
    expect(passing.length).toBe(10);
    expect(failing.length).toBe(2);
  });

  it.each(passing.map((e) => [e.name, e]))(
    '%s verifies with its expected identity, builder and source',
    async (_name, entry) => {
      const report = await verifyEntry(entry, policyFor(entry));
      expect(report.summary.failures).toEqual([]);
      expect(report.verdict).toBe('PASS');
      expect(report.artifacts[0]!.slsaBuildLevel).toBe(2);
      const checks = Object.fromEntries(report.artifacts[0]!.checks.map((c) => [c.id, c.status]));
      expect(checks['provenance.builder']).toBe('pass');
      if (entry.source_repository_digest !== null) {
        expect(checks['provenance.certificate']).toBe('pass');
        expect(checks['provenance.source-digest']).toBe('pass');
      }
    }
  );

  it.each(passing.map((e) => [e.name, e]))(
    '%s fails with a wrong identity',
    async (_name, entry) => {
      const report = await verifyEntry(entry, policyFor(entry, `${entry.expected_identity}x`));
      expect(report.verdict).toBe('FAIL');
      expect(report.summary.failures.map((f) => f.code)).toEqual(
        expect.arrayContaining(['POLICY_SIGNER_NOT_ALLOWED', 'VERIFY_PROVENANCE_MISSING'])
      );
    }
  );

  it.each(passing.map((e) => [e.name, e]))('%s fails with a wrong issuer', async (_name, entry) => {
    const report = await verifyEntry(
      entry,
      policyFor(entry, entry.expected_identity, 'https://accounts.example.com')
    );
    expect(report.verdict).toBe('FAIL');
    expect(report.summary.failures.map((f) => f.code)).toContain('POLICY_SIGNER_NOT_ALLOWED');
  });

  it.each(passing.map((e) => [e.name, e]))(
    '%s fails for a digest that is not a subject',
    async (_name, entry) => {
      const report = await verifyEntry(entry, policyFor(entry), [`sha256:${'ab'.repeat(32)}`]);
      expect(report.verdict).toBe('FAIL');
      expect(report.summary.failures.map((f) => f.code)).toContain('VERIFY_PROVENANCE_MISSING');
    }
  );

  it.each(failing.map((e) => [e.name, e]))(
    '%s fails (expected fail in the corpus)',
    async (_name, entry) => {
      const report = await verifyEntry(entry, policyFor(entry));
      expect(report.verdict).toBe('FAIL');
      expect(report.release.checks.find((c) => c.id === 'release.bundles')!.status).toBe('fail');
    }
  );

  it('CLI with gh/cosign flags: actions/attest bundle as gh attestation download JSONL', async () => {
    const entry = passing.find((e) => e.name === 'gh-attest-custom-issuer')!;
    const dir = path.join(root, 'jsonl');
    await rm(dir, { recursive: true, force: true });
    await cp(path.join(CORPUS, entry.artifact!), path.join(dir, 'artifact'));
    const bundle = JSON.parse(await readFile(path.join(CORPUS, entry.bundle), 'utf8'));
    await writeFile(
      path.join(dir, `sha256:${entry.subjects[0]!.digest.sha256}.jsonl`),
      `${JSON.stringify(bundle)}\n`
    );
    const ok = await runCli([
      'verify',
      dir,
      '--trusted-root',
      TRUSTED_ROOT,
      '--certificate-identity',
      entry.expected_identity,
      '--certificate-oidc-issuer',
      entry.expected_issuer,
      '--source-ref',
      'refs/heads/*',
      '--source-digest',
      entry.source_repository_digest!,
      '--deny-self-hosted-runners',
      '--workers',
      '0',
    ]);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    const wrongRef = await runCli([
      'verify',
      dir,
      '--trusted-root',
      TRUSTED_ROOT,
      '--certificate-identity',
      entry.expected_identity,
      '--certificate-oidc-issuer',
      entry.expected_issuer,
      '--source-ref',
      'refs/tags/v*',
      '--workers',
      '0',
    ]);
    expect(wrongRef.code).toBe(1);
    expect(wrongRef.stdout).toMatch(/provenance\.source-ref\s+VERIFY_PROVENANCE_MISMATCH/);
  });

  it('denySelfHostedRunners fails when neither provenance nor certificate name the runner', async () => {
    // The 2022 e-mail-identity provenance records no runner environment, nor does its certificate.
    const entry = passing.find(
      (e) => e.name === 'npm-slsa-provenance-0.0.7-slsa-v0.2-email-identity'
    )!;
    const report = await verifyEntry(entry, `${policyFor(entry)}    denySelfHostedRunners: true\n`);
    expect(report.verdict).toBe('FAIL');
    const check = report.artifacts[0]!.checks.find((c) => c.id === 'provenance.self-hosted')!;
    expect(check.code).toBe('VERIFY_PROVENANCE_MISMATCH');
    expect(check.message).toMatch(/runner environment unknown/);
  });
});
