// The agent pull-request gate as pure functions: which commits an agent authored, which reviews
// count as human approval, and the verdict. The rule (what security teams write in Rego today):
// deny a pull request with agent-authored commits unless its head commit has a verified
// agent-provenance attestation AND at least N approving reviews by humans who are not the agent.

import { scanCommits, type AgentEvidence } from '../../attest/scan.js';

/** A pull-request commit as the gate sees it (from the API). */
export interface GateCommit {
  readonly sha: string;
  readonly message: string;
  readonly authorLogin: string | undefined;
  /** 'User' | 'Bot' | ... from the API, when GitHub linked the author. */
  readonly authorType: string | undefined;
  readonly authorName: string;
  readonly authorEmail: string;
  readonly authorDate: string;
}

export interface GateReview {
  readonly login: string | undefined;
  readonly userType: string | undefined;
  readonly state: string;
  readonly commitId: string | undefined;
}

export interface GateRules {
  /** Extra logins/emails (case-insensitive) that are agents, beyond what trailers and bot accounts show. */
  readonly agentIdentities: readonly string[];
  /** Bots that are not coding agents (dependabot...): authoring alone does not make their commits agent work. */
  readonly ignoredBots: readonly string[];
  readonly requiredApprovals: number;
  /** Only approvals of the head commit count (an agent may have pushed after the review). */
  readonly approvalOnHead: boolean;
}

export interface AgentAuthoredCommit {
  readonly sha: string;
  readonly subject: string;
  readonly agent: string;
  readonly reasons: readonly string[];
}

const EVIDENCE_TEXT: Record<AgentEvidence, string> = {
  'assisted-by': 'Assisted-by trailer',
  'co-authored-by': 'Co-authored-by an agent',
  author: 'authored by an agent identity',
  'agent-trailer': 'Agent-Session/Prompt/Plan trailer',
};

export function isBotLogin(login: string | undefined): boolean {
  return login !== undefined && /\[bot\]$/i.test(login);
}

/**
 * The agent-authored commits and why: the attest module's trailer/identity scan, plus the
 * account GitHub linked (bot accounts, listed agent logins). Ignored bots (dependabot...) count
 * only when a trailer says an agent was involved.
 */
export function agentCommits(
  commits: readonly GateCommit[],
  rules: GateRules
): AgentAuthoredCommit[] {
  const listed = new Set(rules.agentIdentities.map((id) => id.toLowerCase()));
  const ignored = new Set(rules.ignoredBots.map((id) => id.toLowerCase()));
  const scan = scanCommits(
    commits.map((c) => ({
      sha: c.sha,
      author: { name: c.authorName, email: c.authorEmail },
      committer: undefined,
      authorDate: c.authorDate,
      message: c.message,
    }))
  );
  const found = new Map(scan.agentCommits.map((c) => [c.sha, c]));
  const out: AgentAuthoredCommit[] = [];
  for (const commit of commits) {
    const login = commit.authorLogin?.toLowerCase();
    const isIgnored =
      (login !== undefined && ignored.has(login)) || ignored.has(commit.authorEmail.toLowerCase());
    const scanned = found.get(commit.sha);
    const evidence = (scanned?.evidence ?? []).filter((e) => !(isIgnored && e === 'author'));
    const reasons = evidence.map((e) => EVIDENCE_TEXT[e]);
    let agent = evidence.length > 0 ? (scanned?.agent ?? 'unknown') : undefined;
    if (login !== undefined && listed.has(login)) {
      reasons.push(`author ${commit.authorLogin ?? ''} is a listed agent`);
      agent ??= commit.authorLogin;
    } else if (listed.has(commit.authorEmail.toLowerCase())) {
      reasons.push(`git author ${commit.authorEmail} is a listed agent`);
      agent ??= commit.authorName;
    } else if (!isIgnored && (isBotLogin(commit.authorLogin) || commit.authorType === 'Bot')) {
      reasons.push(`author ${commit.authorLogin ?? commit.authorName} is a bot account`);
      agent ??= commit.authorLogin ?? commit.authorName;
    }
    if (agent === undefined || reasons.length === 0) continue;
    out.push({
      sha: commit.sha,
      subject: commit.message.split('\n', 1)[0] ?? '',
      agent,
      reasons: [...new Set(reasons)],
    });
  }
  return out;
}

/**
 * Logins whose latest review approves the pull request and who are humans other than the agent:
 * not a bot account, not a listed agent, not the pull request's author.
 */
export function humanApprovers(
  reviews: readonly GateReview[],
  context: { headSha: string; pullRequestAuthor: string | undefined },
  rules: GateRules
): string[] {
  const latest = new Map<string, GateReview>();
  for (const review of reviews) {
    if (review.login === undefined) continue;
    // COMMENTED reviews do not change an earlier approval on GitHub either.
    if (review.state === 'COMMENTED' || review.state === 'PENDING') continue;
    latest.set(review.login.toLowerCase(), review);
  }
  const agents = new Set(rules.agentIdentities.map((id) => id.toLowerCase()));
  const author = context.pullRequestAuthor?.toLowerCase();
  const approvers: string[] = [];
  for (const [login, review] of latest) {
    if (review.state !== 'APPROVED') continue;
    if (review.userType !== 'User' || isBotLogin(review.login) || agents.has(login)) continue;
    if (login === author) continue;
    if (rules.approvalOnHead && review.commitId !== context.headSha) continue;
    approvers.push(review.login ?? login);
  }
  return approvers.sort();
}

export type GateVerdict = 'pass' | 'fail' | 'not-applicable';

export interface GateDecision {
  readonly verdict: GateVerdict;
  readonly agentCommits: readonly AgentAuthoredCommit[];
  readonly approvers: readonly string[];
  readonly attestationVerified: boolean;
  /** What a failing pull request lacks, in words for the summary and annotation. */
  readonly missing: readonly string[];
}

export function decideGate(input: {
  agentCommits: readonly AgentAuthoredCommit[];
  attestation: { verified: boolean; problems: readonly string[] };
  approvers: readonly string[];
  requiredApprovals: number;
  headSha: string;
}): GateDecision {
  if (input.agentCommits.length === 0) {
    return {
      verdict: 'not-applicable',
      agentCommits: [],
      approvers: input.approvers,
      attestationVerified: input.attestation.verified,
      missing: [],
    };
  }
  const missing: string[] = [];
  if (!input.attestation.verified) {
    const why =
      input.attestation.problems.length > 0 ? ` (${input.attestation.problems.join('; ')})` : '';
    missing.push(`a verified agent-provenance attestation for head commit ${input.headSha}${why}`);
  }
  if (input.approvers.length < input.requiredApprovals) {
    missing.push(
      `${input.requiredApprovals} approving review(s) by a human who is not the agent (have ${input.approvers.length})`
    );
  }
  return {
    verdict: missing.length === 0 ? 'pass' : 'fail',
    agentCommits: input.agentCommits,
    approvers: input.approvers,
    attestationVerified: input.attestation.verified,
    missing,
  };
}
