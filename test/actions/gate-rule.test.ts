// The agent pull-request rule, as pure functions: detection, human approvals, the verdict.
import { describe, expect, it } from 'vitest';
import {
  agentCommits,
  decideGate,
  humanApprovers,
  type GateCommit,
  type GateRules,
} from '../../src/ci/github/gate.js';

const RULES: GateRules = {
  agentIdentities: ['acme-agent'],
  ignoredBots: ['dependabot[bot]'],
  requiredApprovals: 1,
  approvalOnHead: true,
};
const HEAD = 'a'.repeat(40);

function commit(over: Partial<GateCommit> & { sha: string }): GateCommit {
  return {
    message: 'Fix a bug\n\nBody text.',
    authorLogin: 'octo-dev',
    authorType: 'User',
    authorName: 'Octo Dev',
    authorEmail: 'octo-dev@example.com',
    authorDate: '2026-11-20T10:00:00Z',
    ...over,
  };
}

describe('agent-authored commits', () => {
  it('finds Assisted-by, agent Co-authored-by, bot authors and listed logins; not plain human commits', () => {
    const found = agentCommits(
      [
        commit({ sha: '1'.repeat(40) }),
        commit({
          sha: '2'.repeat(40),
          message: 'Add x\n\nAssisted-by: claude-code:claude-opus-4-1 eslint\n',
        }),
        commit({
          sha: '3'.repeat(40),
          message: 'Add y\n\nCo-authored-by: Claude <noreply@anthropic.com>\n',
        }),
        commit({ sha: '4'.repeat(40), authorLogin: 'copilot-swe-agent[bot]', authorType: 'Bot' }),
        commit({ sha: '5'.repeat(40), authorLogin: 'acme-agent' }),
        commit({
          sha: '6'.repeat(40),
          message: 'Add z\n\nCo-authored-by: Mona <mona@example.com>\n',
        }),
      ],
      RULES
    );
    expect(found.map((c) => c.sha[0])).toEqual(['2', '3', '4', '5']);
    expect(found[0]!.reasons.join()).toMatch(/Assisted-by/);
    expect(found[2]!.reasons.join()).toMatch(/bot account/);
  });

  it('ignores dependabot-style bots unless a trailer names an agent', () => {
    const dependabot = {
      authorLogin: 'dependabot[bot]',
      authorType: 'Bot',
      authorEmail: '49699333+dependabot[bot]@users.noreply.github.com',
    };
    expect(agentCommits([commit({ sha: '7'.repeat(40), ...dependabot })], RULES)).toEqual([]);
    expect(
      agentCommits(
        [
          commit({
            sha: '8'.repeat(40),
            ...dependabot,
            message: 'x\n\nAssisted-by: codex:gpt-5\n',
          }),
        ],
        RULES
      )
    ).toHaveLength(1);
  });
});

describe('human approvals', () => {
  const ctx = { headSha: HEAD, pullRequestAuthor: 'octo-dev' };
  it('counts the latest approving review on the head commit by a human other than the agent and author', () => {
    const approvers = humanApprovers(
      [
        { login: 'alice', userType: 'User', state: 'APPROVED', commitId: HEAD },
        { login: 'bob', userType: 'User', state: 'APPROVED', commitId: HEAD },
        { login: 'bob', userType: 'User', state: 'CHANGES_REQUESTED', commitId: HEAD },
        { login: 'carol', userType: 'User', state: 'APPROVED', commitId: 'b'.repeat(40) },
        { login: 'acme-agent', userType: 'User', state: 'APPROVED', commitId: HEAD },
        { login: 'review-bot[bot]', userType: 'Bot', state: 'APPROVED', commitId: HEAD },
        { login: 'octo-dev', userType: 'User', state: 'APPROVED', commitId: HEAD },
        { login: 'dave', userType: 'User', state: 'APPROVED', commitId: HEAD },
        { login: 'dave', userType: 'User', state: 'COMMENTED', commitId: HEAD },
      ],
      ctx,
      RULES
    );
    expect(approvers).toEqual(['alice', 'dave']);
  });

  it('accepts approvals of older commits when approval-on-head is off', () => {
    const approvers = humanApprovers(
      [{ login: 'carol', userType: 'User', state: 'APPROVED', commitId: 'b'.repeat(40) }],
      ctx,
      { ...RULES, approvalOnHead: false }
    );
    expect(approvers).toEqual(['carol']);
  });
});

describe('verdict', () => {
  const agents = [
    { sha: HEAD, subject: 'x', agent: 'claude-code', reasons: ['Assisted-by trailer'] },
  ];
  it('is not-applicable without agent commits, whatever else is missing', () => {
    expect(
      decideGate({
        agentCommits: [],
        attestation: { verified: false, problems: [] },
        approvers: [],
        requiredApprovals: 1,
        headSha: HEAD,
      }).verdict
    ).toBe('not-applicable');
  });
  it('fails without attestation, fails without approval, passes with both', () => {
    const noAttestation = decideGate({
      agentCommits: agents,
      attestation: { verified: false, problems: ['none'] },
      approvers: ['alice'],
      requiredApprovals: 1,
      headSha: HEAD,
    });
    expect(noAttestation.verdict).toBe('fail');
    expect(noAttestation.missing).toHaveLength(1);
    expect(noAttestation.missing[0]).toMatch(/agent-provenance attestation/);
    const noApproval = decideGate({
      agentCommits: agents,
      attestation: { verified: true, problems: [] },
      approvers: [],
      requiredApprovals: 1,
      headSha: HEAD,
    });
    expect(noApproval.verdict).toBe('fail');
    expect(noApproval.missing[0]).toMatch(/approving review/);
    const ok = decideGate({
      agentCommits: agents,
      attestation: { verified: true, problems: [] },
      approvers: ['alice'],
      requiredApprovals: 1,
      headSha: HEAD,
    });
    expect(ok).toMatchObject({ verdict: 'pass', missing: [] });
  });
});
