// Attacks on "a human approved the agent's work": a review given before the agent pushed more
// commits, and one human counted twice by spelling their id differently.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_PROVENANCE_PREDICATE_TYPE } from '../../src/attest/agent.js';
import type { InTotoStatement } from '../../src/attest/intoto.js';
import { failedCodes, Forge, ISSUER, sha256, type Builder } from './forge.js';

const ACME: Builder = {
  repository: 'acme/app',
  workflowRef: 'acme/app/.github/workflows/release.yml@refs/tags/v1.0.0',
};
const ARTIFACTS = { 'app-linux-amd64': 'linux binary\n' };
const COMMIT_A = 'a'.repeat(40);
const COMMIT_B = 'b'.repeat(40);
let forge: Forge;

function policy(minApprovals: number, extra = ''): string {
  return `apiVersion: custody.dev/v1alpha1
kind: ReleasePolicy
metadata: { name: approvals }
spec:
  signers:
    - issuer: ${ISSUER}
      signerWorkflow: acme/app/.github/workflows/release.yml
  checksums: { required: false, signed: false }
  sbom: { required: false }
  agents:
    required: true
    allowedAgents: [claude-code]
    requirePromptDigest: false
    minApprovals: ${minApprovals}
    allowedApprovers: ['https://github.com/*']
    allowedAutonomy: [assisted]
${extra}`;
}

function agent(approvals: unknown[], namesArtifacts = true): InTotoStatement {
  const repo = 'https://github.com/acme/app';
  return {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [
      ...(namesArtifacts
        ? Object.entries(ARTIFACTS).map(([name, c]) => ({ name, digest: { sha256: sha256(c) } }))
        : []),
      ...[COMMIT_A, COMMIT_B].map((c) => ({ name: `${repo}@${c}`, digest: { gitCommit: c } })),
    ],
    predicateType: AGENT_PROVENANCE_PREDICATE_TYPE,
    predicate: {
      agent: { name: 'claude-code', version: '1.0.0' },
      model: { provider: 'anthropic', name: 'claude-opus-4-1' },
      changes: [COMMIT_A, COMMIT_B].map((c) => ({
        uri: `git+${repo}@${c}`,
        digest: { gitCommit: c },
      })),
      humanApprovals: approvals,
      autonomy: 'assisted',
    },
  };
}

const approval = (id: string, extra: Record<string, unknown> = {}) => ({
  approver: { id, ...(extra.platformId === undefined ? {} : { platformId: extra.platformId }) },
  method: 'pr-review',
  evidence: { uri: 'https://github.com/acme/app/pull/7#pullrequestreview-1' },
  ...(extra.commits === undefined ? {} : { commits: extra.commits }),
});

async function verifyWith(approvals: unknown[], min: number) {
  const dir = await forge.release(ACME, ARTIFACTS, {
    extra: { 'agent.intoto.jsonl': await forge.signedLine(agent(approvals), ACME) },
  });
  const policyFile = path.join(forge.root, `policy-${min}.yaml`);
  await writeFile(policyFile, policy(min));
  return forge.verify(dir, {}, { policyFile });
}

beforeAll(async () => {
  forge = await Forge.start();
}, 60_000);
afterAll(async () => {
  await forge?.close();
});

describe('approvals of what was reviewed', () => {
  it('approvals covering both agent commits pass', async () => {
    const report = await verifyWith(
      [approval('https://github.com/alice', { commits: [COMMIT_A, COMMIT_B] })],
      1
    );
    expect(failedCodes(report)).toEqual([]);
  });

  it('a review at commit A does not approve commit B pushed after it: POLICY_APPROVALS_INSUFFICIENT', async () => {
    const report = await verifyWith(
      [approval('https://github.com/alice', { commits: [COMMIT_A] })],
      1
    );
    expect(failedCodes(report)).toEqual(['POLICY_APPROVALS_INSUFFICIENT']);
    expect(report.summary.failures[0]?.message).toContain(COMMIT_B.slice(0, 12));
  });

  it('one human spelled twice (case, trailing slash) counts once: POLICY_APPROVALS_INSUFFICIENT', async () => {
    const report = await verifyWith(
      [approval('https://github.com/Octocat'), approval('https://github.com/octocat/')],
      2
    );
    expect(failedCodes(report)).toEqual(['POLICY_APPROVALS_INSUFFICIENT']);
  });

  it('one human under two logins with the same numeric platform id counts once: POLICY_APPROVALS_INSUFFICIENT', async () => {
    const report = await verifyWith(
      [
        approval('https://github.com/octocat', { platformId: '583231' }),
        approval('https://github.com/octocat-renamed', { platformId: '583231' }),
      ],
      2
    );
    expect(failedCodes(report)).toEqual(['POLICY_APPROVALS_INSUFFICIENT']);
    const two = await verifyWith(
      [
        approval('https://github.com/octocat', { platformId: '583231' }),
        approval('https://github.com/alice', { platformId: '1001' }),
      ],
      2
    );
    expect(failedCodes(two)).toEqual([]);
  });
});

describe('evidence tied to this release', () => {
  const approvals = [approval('https://github.com/alice')];

  it('an allowed agent attestation naming none of the release’s artifacts: VERIFY_AGENT_PROVENANCE_MISSING', async () => {
    const dir = await forge.release(ACME, ARTIFACTS, {
      extra: { 'agent.intoto.jsonl': await forge.signedLine(agent(approvals, false), ACME) },
    });
    const policyFile = path.join(forge.root, 'policy-untied.yaml');
    await writeFile(policyFile, policy(1));
    const report = await forge.verify(dir, {}, { policyFile });
    // Its commits are then uncovered too.
    expect(failedCodes(report)).toEqual([
      'VERIFY_AGENT_PROVENANCE_MISSING',
      'VERIFY_AGENT_UNCOVERED',
    ]);
    expect(
      report.summary.failures.find((f) => f.code === 'VERIFY_AGENT_PROVENANCE_MISSING')?.message
    ).toContain("names none of the release's artifacts");
  });

  it('freshness applies to agent attestations: VERIFY_STALE', async () => {
    const dir = await forge.release(ACME, ARTIFACTS, {
      extra: { 'agent.intoto.jsonl': await forge.signedLine(agent(approvals), ACME) },
    });
    const policyFile = path.join(forge.root, 'policy-fresh.yaml');
    await writeFile(policyFile, policy(1, '  freshness: { maxAge: 1d }\n'));
    const later = new Date(Date.now() + 3 * 86_400_000);
    const report = await forge.verify(dir, {}, { policyFile, now: later });
    expect(failedCodes(report)).toEqual(['VERIFY_STALE']);
    expect(report.release.checks.find((c) => c.id === 'agents.freshness')?.status).toBe('fail');
  });
});
