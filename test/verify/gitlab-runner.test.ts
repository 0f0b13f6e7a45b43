// GitLab runner artifacts-metadata.json: unsigned provenance, reported as SLSA Build L1, failing
// any policy that requires signed provenance and accepted (with its fields checked) otherwise.
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runVerification } from '../../src/verify/adapter/run.js';
import { provenanceFacts } from '../../src/verify/provenance-facts.js';

const FIXTURE = path.resolve(import.meta.dirname, '../../fixtures/verify/gitlab-runner');
let root: string;
let dir: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'custody-gitlab-'));
  dir = path.join(root, 'release');
  await cp(FIXTURE, dir, { recursive: true });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function verifyWith(policy: string) {
  const file = path.join(root, `policy-${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(file, policy);
  const { report } = await runVerification({
    cwd: root,
    targets: [dir],
    policyFile: file,
    policyFlags: {},
    workers: 0,
    now: new Date('2026-11-21T00:00:00Z'),
  });
  return report;
}

const UNSIGNED_OK = `apiVersion: custody.dev/v1alpha1
kind: ReleasePolicy
metadata: { name: gitlab-l1 }
spec:
  checksums: { required: false, signed: false }
  sbom: { required: false }
  transparency: { requireTlog: false }
  provenance:
    signed: false
    builderIds: ['https://gitlab.com/acme/hello/-/runners/*']
    buildTypes: ['https://gitlab.com/gitlab-org/gitlab-runner/-/blob/*/PROVENANCE.md']
    sourceRepositories: [https://gitlab.com/acme/hello]
    sourceDigests: [5e1f0c3a9b2d4e6f8a7c9b0d1e2f3a4b5c6d7e8f]
    workflows: [build]
`;

describe('GitLab runner artifacts-metadata.json', () => {
  it('reads the quirks: v0.1 statement, git SHA under sha256, runner URL as builder', () => {
    const facts = provenanceFacts('https://slsa.dev/provenance/v1', {
      buildDefinition: {
        externalParameters: { source: 'https://gitlab.com/acme/hello', entryPoint: 'build' },
        resolvedDependencies: [
          {
            uri: 'https://gitlab.com/acme/hello',
            digest: { sha256: '5e1f0c3a9b2d4e6f8a7c9b0d1e2f3a4b5c6d7e8f' },
          },
        ],
      },
      runDetails: { builder: { id: 'https://gitlab.com/acme/hello/-/runners/12345' } },
    });
    expect(facts).toMatchObject({
      sourceRepository: 'https://gitlab.com/acme/hello',
      sourceCommit: '5e1f0c3a9b2d4e6f8a7c9b0d1e2f3a4b5c6d7e8f',
      workflow: 'build',
      builderId: 'https://gitlab.com/acme/hello/-/runners/12345',
    });
  });

  it('fails a policy that requires signed provenance with VERIFY_PROVENANCE_UNSIGNED (SLSA L1)', async () => {
    const report = await verifyWith(`apiVersion: custody.dev/v1alpha1
kind: ReleasePolicy
spec:
  signers: [{ issuer: https://gitlab.com, subject: 'https://gitlab.com/acme/hello//.gitlab-ci.yml@refs/tags/v1.0.0' }]
  checksums: { required: false, signed: false }
  sbom: { required: false }
`);
    expect(report.verdict).toBe('FAIL');
    expect(report.artifacts[0]!.slsaBuildLevel).toBe(1);
    const check = report.artifacts[0]!.checks.find((c) => c.id === 'provenance')!;
    expect(check.code).toBe('VERIFY_PROVENANCE_UNSIGNED');
    expect(check.message).toMatch(/SLSA Build L1/);
    expect(report.attestations).toEqual([
      expect.objectContaining({
        file: 'artifacts-metadata.json',
        kind: 'unsigned-statement',
        status: 'unsigned',
      }),
    ]);
  });

  it('passes a policy that accepts unsigned provenance, with its fields checked', async () => {
    const report = await verifyWith(UNSIGNED_OK);
    expect(report.summary.failures).toEqual([]);
    expect(report.artifacts[0]!.slsaBuildLevel).toBe(1);
  });

  it('still checks the fields of unsigned provenance', async () => {
    const report = await verifyWith(
      UNSIGNED_OK.replace('workflows: [build]', 'workflows: [release]')
    );
    expect(report.summary.failures.map((f) => f.id)).toEqual(['provenance.workflow']);
  });
});
