// End-to-end: a release signed on the local Sigstore stack passes `custody verify`, and tampering
// anywhere in the chain fails with the right code.
import { appendFile, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runVerification } from '../../src/verify/adapter/run.js';
import type { VerificationReport } from '../../src/verify/types.js';
import { runCli } from '../helpers/cli.js';
import { buildReleaseKit, copyRelease, type ReleaseKit } from './release-fixture.js';

let kit: ReleaseKit;

beforeAll(async () => {
  kit = await buildReleaseKit();
}, 60_000);

afterAll(async () => {
  await kit?.close();
  if (kit !== undefined) await rm(kit.root, { recursive: true, force: true });
});

async function verify(
  dir: string,
  extra: Partial<Parameters<typeof runVerification>[0]> = {}
): Promise<VerificationReport> {
  const result = await runVerification({
    cwd: dir,
    targets: [dir],
    policyFile: kit.policyFile,
    policyFlags: {},
    trustedRoot: kit.trustedRootFile,
    workers: 0,
    now: new Date(),
    ...extra,
  });
  return result.report;
}

function failedCodes(report: VerificationReport): string[] {
  return [...new Set(report.summary.failures.map((f) => f.code))].sort();
}

describe('custody verify on a release signed on the local stack', () => {
  it('passes the pristine release with every check evaluated', async () => {
    const report = await verify(kit.pristine);
    expect(report.summary.failures).toEqual([]);
    expect(report.verdict).toBe('PASS');
    expect(report.artifacts.map((a) => a.name).sort()).toEqual([
      'README.txt',
      'hello-darwin-arm64',
      'hello-linux-amd64',
    ]);
    const artifact = report.artifacts[0]!;
    expect(artifact.slsaBuildLevel).toBe(2);
    const statuses = Object.fromEntries(artifact.checks.map((c) => [c.id, c.status]));
    for (const id of [
      'checksum',
      'provenance',
      'provenance.builder',
      'provenance.build-type',
      'provenance.source-repository',
      'provenance.source-ref',
      'provenance.workflow',
      'provenance.runner-environment',
      'provenance.self-hosted',
      'provenance.certificate',
      'sbom',
      'sbom.valid',
      'sbom.spec-version',
      'sbom.licenses',
      'sbom.packages',
      'sbom.components',
      'freshness',
      'transparency.tlog',
      'transparency.timestamps',
    ]) {
      expect(statuses[id], id).toBe('pass');
    }
    const release = Object.fromEntries(report.release.checks.map((c) => [c.id, c.status]));
    for (const id of [
      'checksums.present',
      'checksums.entries',
      'checksums.signature',
      'release.bundles',
      'release.signers',
      'agents.present',
      'agents.coverage',
      'agents.agent',
      'agents.model',
      'agents.prompt',
      'agents.approvals',
      'agents.autonomy',
    ]) {
      expect(release[id], id).toBe('pass');
    }
  });

  it('CLI: exit 0, verdict line first; json and markdown formats; VSA written', async () => {
    const dir = await copyRelease(kit);
    const vsa = path.join(kit.root, 'out.vsa.json');
    const text = await runCli(
      [
        'verify',
        dir,
        '--policy',
        kit.policyFile,
        '--trusted-root',
        kit.trustedRootFile,
        '--vsa',
        vsa,
        '--workers',
        '0',
      ],
      { cwd: kit.root }
    );
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout.split('\n')[0]).toMatch(
      /^PASS: 3\/3 artifact\(s\) verified against policy "hello-release"/
    );
    expect(text.stderr).toMatch(/VSA is unsigned/);
    const statement = JSON.parse(await readFile(vsa, 'utf8'));
    expect(statement.predicateType).toBe('https://slsa.dev/verification_summary/v1');
    expect(statement.predicate.verificationResult).toBe('PASSED');
    expect(statement.predicate.verifiedLevels).toContain('SLSA_BUILD_LEVEL_2');
    expect(statement.predicate.verifiedLevels).toContain('CUSTODY_AGENT_PROVENANCE_VERIFIED');
    expect(statement.predicate.policy.digest.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(statement.predicate.inputAttestations.map((a: { uri: string }) => a.uri)).toEqual([
      'SHA256SUMS.sigstore.json',
      'agent.intoto.jsonl',
      'provenance.intoto.jsonl',
      'sbom.intoto.jsonl',
    ]);
    expect(statement.subject).toHaveLength(3);

    const json = await runCli(
      [
        'verify',
        dir,
        '--policy',
        kit.policyFile,
        '--trusted-root',
        kit.trustedRootFile,
        '--format',
        'json',
        '--workers',
        '0',
      ],
      { cwd: kit.root }
    );
    expect(JSON.parse(json.stdout).verdict).toBe('PASS');
    const md = await runCli(
      [
        'verify',
        dir,
        '--policy',
        kit.policyFile,
        '--trusted-root',
        kit.trustedRootFile,
        '--format',
        'markdown',
        '--workers',
        '0',
      ],
      { cwd: kit.root }
    );
    expect(md.stdout).toContain('```mermaid');
    expect(md.stdout).toContain('flowchart LR');
  });

  it('a changed artifact byte fails VERIFY_CHECKSUM_MISMATCH', async () => {
    const dir = await copyRelease(kit);
    await appendFile(path.join(dir, 'README.txt'), 'x');
    const report = await verify(dir);
    expect(report.verdict).toBe('FAIL');
    expect(failedCodes(report)).toContain('VERIFY_CHECKSUM_MISMATCH');
    // The artifact is also no longer a provenance subject.
    expect(
      report.artifacts
        .find((a) => a.name === 'README.txt')!
        .checks.find((c) => c.id === 'provenance')!.code
    ).toBe('VERIFY_PROVENANCE_MISSING');
  });

  it('a changed checksum line fails the checksums signature and the checksum', async () => {
    const dir = await copyRelease(kit);
    const file = path.join(dir, 'SHA256SUMS');
    const text = await readFile(file, 'utf8');
    await writeFile(
      file,
      text.replace(/^[0-9a-f]/, (c) => (c === '0' ? '1' : '0'))
    );
    const report = await verify(dir);
    expect(failedCodes(report)).toEqual(
      expect.arrayContaining(['VERIFY_CHECKSUMS_SIGNATURE', 'VERIFY_CHECKSUM_MISMATCH'])
    );
  });

  it('swapped bundles fail (the provenance file no longer verifies as what it claims)', async () => {
    const dir = await copyRelease(kit);
    const a = await readFile(path.join(dir, 'SHA256SUMS.sigstore.json'), 'utf8');
    await writeFile(path.join(dir, 'README.txt.sigstore.json'), a);
    const report = await verify(dir);
    expect(report.verdict).toBe('FAIL');
    expect(
      report.artifacts
        .find((x) => x.name === 'README.txt')!
        .checks.find((c) => c.id === 'signature')!.code
    ).toBe('VERIFY_SIGNATURE_INVALID');
  });

  it('a missing provenance attestation fails VERIFY_PROVENANCE_MISSING', async () => {
    const dir = await copyRelease(kit);
    await rm(path.join(dir, 'provenance.intoto.jsonl'));
    const report = await verify(dir);
    expect(failedCodes(report)).toContain('VERIFY_PROVENANCE_MISSING');
  });

  it('a missing SBOM attestation fails VERIFY_SBOM_MISSING', async () => {
    const dir = await copyRelease(kit);
    await rm(path.join(dir, 'sbom.intoto.jsonl'));
    expect(failedCodes(await verify(dir))).toContain('VERIFY_SBOM_MISSING');
  });

  it('a removed artifact fails VERIFY_ARTIFACT_MISSING', async () => {
    const dir = await copyRelease(kit);
    await rm(path.join(dir, 'hello-darwin-arm64'));
    expect(failedCodes(await verify(dir))).toContain('VERIFY_ARTIFACT_MISSING');
  });

  it('an unlisted extra file fails VERIFY_CHECKSUM_MISSING', async () => {
    const dir = await copyRelease(kit);
    await writeFile(path.join(dir, 'extra.bin'), 'smuggled');
    expect(failedCodes(await verify(dir))).toContain('VERIFY_CHECKSUM_MISSING');
  });

  it('provenance for another commit fails VERIFY_CERT_PROVENANCE_DISAGREE', async () => {
    const dir = await copyRelease(kit);
    await writeFile(path.join(dir, 'provenance.intoto.jsonl'), kit.variants.provenanceOtherCommit!);
    const report = await verify(dir);
    expect(failedCodes(report)).toEqual(['VERIFY_CERT_PROVENANCE_DISAGREE']);
    expect(report.summary.failures[0]!.message).toMatch(/ffffffff/);
  });

  it('provenance claiming another repository fails the policy and the certificate agreement', async () => {
    const dir = await copyRelease(kit);
    await writeFile(path.join(dir, 'provenance.intoto.jsonl'), kit.variants.provenanceOtherRepo!);
    expect(failedCodes(await verify(dir))).toEqual([
      'VERIFY_CERT_PROVENANCE_DISAGREE',
      'VERIFY_PROVENANCE_MISMATCH',
    ]);
  });

  it('--source-digest for another commit fails VERIFY_PROVENANCE_MISMATCH', async () => {
    const report = await verify(kit.pristine, { policyFlags: { sourceDigest: 'f'.repeat(40) } });
    expect(failedCodes(report)).toEqual(['VERIFY_PROVENANCE_MISMATCH']);
  });

  it('an unknown signer identity fails POLICY_SIGNER_NOT_ALLOWED everywhere', async () => {
    const report = await verify(kit.pristine, {
      policyFlags: {
        certificateIdentity:
          'https://github.com/acme/hello/.github/workflows/other.yml@refs/tags/v1.0.0',
        certificateOidcIssuer: 'https://token.actions.githubusercontent.com',
      },
    });
    expect(failedCodes(report)).toEqual(
      expect.arrayContaining([
        'POLICY_SIGNER_NOT_ALLOWED',
        'VERIFY_CHECKSUMS_SIGNATURE',
        'VERIFY_PROVENANCE_MISSING',
        'VERIFY_SBOM_MISSING',
        'VERIFY_AGENT_PROVENANCE_MISSING',
      ])
    );
  });

  it('--signer-workflow matches the signing workflow and rejects another', async () => {
    const ok = await verify(kit.pristine, {
      policyFlags: { signerWorkflow: 'acme/hello/.github/workflows/release.yml' },
    });
    expect(ok.verdict).toBe('PASS');
    const bad = await verify(kit.pristine, {
      policyFlags: { signerWorkflow: 'acme/hello/.github/workflows/evil.yml' },
    });
    expect(failedCodes(bad)).toContain('POLICY_SIGNER_NOT_ALLOWED');
  });

  it.each([
    ['agentDisallowedModel', 'POLICY_MODEL_NOT_ALLOWED'],
    ['agentDisallowedAgent', 'POLICY_AGENT_NOT_ALLOWED'],
    ['agentSelfApproved', 'POLICY_APPROVALS_INSUFFICIENT'],
    ['agentAutonomous', 'POLICY_AUTONOMY_NOT_ALLOWED'],
    ['agentNoPrompt', 'POLICY_PROMPT_DIGEST_MISSING'],
  ])('agent attestation %s fails %s', async (variant, code) => {
    const dir = await copyRelease(kit);
    await writeFile(path.join(dir, 'agent.intoto.jsonl'), kit.variants[variant]!);
    // The provenance links the original attestation by digest, so coverage fails too.
    expect(failedCodes(await verify(dir))).toEqual([code, 'VERIFY_AGENT_UNCOVERED'].sort());
  });

  it('an agent commit without agent provenance fails VERIFY_AGENT_UNCOVERED', async () => {
    const dir = await copyRelease(kit);
    await rm(path.join(dir, 'agent.intoto.jsonl'));
    const report = await verify(dir);
    expect(failedCodes(report)).toEqual([
      'VERIFY_AGENT_PROVENANCE_MISSING',
      'VERIFY_AGENT_UNCOVERED',
    ]);
    expect(report.release.checks.find((c) => c.id === 'agents.coverage')!.message).toMatch(
      /links agent provenance sha256:/
    );
  });

  it('--agent-commits adds commits that must be covered', async () => {
    const list = path.join(kit.root, 'agent-commits.txt');
    await writeFile(list, `# from git log\n${'e'.repeat(40)}\n`);
    expect(failedCodes(await verify(kit.pristine, { agentCommits: list }))).toEqual([
      'VERIFY_AGENT_UNCOVERED',
    ]);
  });

  it('a denied package, version range and license fail the SBOM policy', async () => {
    const dir = await copyRelease(kit);
    await writeFile(path.join(dir, 'sbom.intoto.jsonl'), kit.variants.sbomDenied!);
    expect(failedCodes(await verify(dir))).toEqual([
      'POLICY_LICENSE_DENIED',
      'POLICY_PACKAGE_DENIED',
    ]);
  });

  it('an invalid CycloneDX document fails VERIFY_SBOM_INVALID', async () => {
    const dir = await copyRelease(kit);
    await writeFile(path.join(dir, 'sbom.intoto.jsonl'), kit.variants.sbomInvalid!);
    expect(failedCodes(await verify(dir))).toContain('VERIFY_SBOM_INVALID');
  });

  it('a truncated bundle fails VERIFY_BUNDLE_INVALID (a verdict, not a crash)', async () => {
    const dir = await copyRelease(kit);
    const file = path.join(dir, 'sbom.intoto.jsonl');
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.slice(0, text.length / 2));
    const report = await verify(dir);
    expect(report.release.checks.find((c) => c.id === 'release.bundles')!.code).toBe(
      'VERIFY_BUNDLE_INVALID'
    );
  });

  it('a release older than freshness.maxAge fails VERIFY_STALE', async () => {
    const later = new Date(Date.now() + 31 * 86400 * 1000);
    expect(failedCodes(await verify(kit.pristine, { now: later }))).toEqual(['VERIFY_STALE']);
  });

  it('the wrong trusted root fails every bundle (embedded public-good)', async () => {
    const result = await runVerification({
      cwd: kit.root,
      targets: [kit.pristine],
      policyFile: kit.policyFile,
      policyFlags: {},
      workers: 0,
      now: new Date(),
    });
    expect(result.report.verdict).toBe('FAIL');
    expect(result.report.release.checks.find((c) => c.id === 'release.bundles')!.status).toBe(
      'fail'
    );
    expect(result.notes.join('\n')).not.toMatch(/trusted_root/); // the fixture release ships none
  });

  it('verifies with worker threads the same way', async () => {
    const result = await runVerification({
      cwd: kit.root,
      targets: [kit.pristine],
      policyFile: kit.policyFile,
      policyFlags: {},
      trustedRoot: kit.trustedRootFile,
      now: new Date(),
      workers: 2,
    });
    expect(result.report.verdict).toBe('PASS');
  });
});
