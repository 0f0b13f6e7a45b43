// Which commits of a range an agent wrote, with what, and what does not add up. Pure: commit
// records in (from the git adapter), findings out.
import type { AssistedBy, Identity, Trailer } from './trailers.js';
import {
  agentForIdentity,
  modelFromIdentityName,
  parseAssistedBy,
  parseIdentity,
  parseTrailers,
  trailerValues,
} from './trailers.js';

export interface CommitRecord {
  readonly sha: string;
  readonly author: Identity;
  readonly committer: Identity | undefined;
  /** Author date, RFC 3339. */
  readonly authorDate: string;
  /** The raw message (title, body, trailers). */
  readonly message: string;
}

export type AgentEvidence = 'assisted-by' | 'co-authored-by' | 'author' | 'agent-trailer';

export type InconsistencyKind =
  | 'model-mismatch'
  | 'agent-mismatch'
  | 'missing-prompt-digest'
  | 'malformed-prompt-digest'
  | 'agent-signoff'
  | 'conflicting-trailers';

export interface Inconsistency {
  readonly commit: string;
  readonly kind: InconsistencyKind;
  readonly message: string;
}

export interface AgentCommit {
  readonly sha: string;
  readonly authorDate: string;
  readonly agent: string;
  readonly model: string | undefined;
  readonly tools: readonly string[];
  readonly session: string | undefined;
  /** Agent-Prompt-SHA256, lower-case hex, when well-formed. */
  readonly promptSha256: string | undefined;
  readonly plan: string | undefined;
  /** Why custody counts this as an agent commit. */
  readonly evidence: readonly AgentEvidence[];
  /** Signed-off-by identities that are humans. */
  readonly humanSignoffs: readonly Identity[];
}

export interface ScanOptions {
  /** The model the run declares (--model); trailer models must match it. */
  declaredModel?: string;
  declaredAgent?: string;
}

export interface ScanResult {
  readonly agentCommits: AgentCommit[];
  readonly humanCommits: string[];
  readonly inconsistencies: Inconsistency[];
}

export function scanCommits(
  commits: readonly CommitRecord[],
  options: ScanOptions = {}
): ScanResult {
  const agentCommits: AgentCommit[] = [];
  const humanCommits: string[] = [];
  const inconsistencies: Inconsistency[] = [];
  for (const commit of commits) {
    const finding = analyseCommit(commit, options);
    if (finding === undefined) {
      humanCommits.push(commit.sha);
      continue;
    }
    agentCommits.push(finding.commit);
    inconsistencies.push(...finding.inconsistencies);
  }
  return { agentCommits, humanCommits, inconsistencies };
}

function analyseCommit(
  commit: CommitRecord,
  options: ScanOptions
): { commit: AgentCommit; inconsistencies: Inconsistency[] } | undefined {
  const trailers = parseTrailers(commit.message);
  const evidence: AgentEvidence[] = [];
  const problems: Inconsistency[] = [];
  const problem = (kind: InconsistencyKind, message: string): void => {
    problems.push({ commit: commit.sha, kind, message });
  };

  const assisted = trailerValues(trailers, 'Assisted-by')
    .map(parseAssistedBy)
    .filter((a): a is AssistedBy => a !== undefined);
  if (assisted.length > 0) evidence.push('assisted-by');

  const coAuthorAgents = agentIdentities(trailers, 'Co-authored-by');
  if (coAuthorAgents.length > 0) evidence.push('co-authored-by');
  const authorAgent = agentForIdentity(commit.author);
  if (authorAgent !== undefined) evidence.push('author');

  const sessions = trailerValues(trailers, 'Agent-Session');
  const prompts = trailerValues(trailers, 'Agent-Prompt-SHA256');
  const plans = trailerValues(trailers, 'Agent-Plan');
  if (sessions.length + prompts.length + plans.length > 0) evidence.push('agent-trailer');
  if (evidence.length === 0) return undefined;

  const primary = assisted[0];
  const agent =
    primary?.agent ?? coAuthorAgents[0]?.agent ?? authorAgent ?? options.declaredAgent ?? 'unknown';
  const model = primary?.model ?? coAuthorAgents.find((a) => a.model !== undefined)?.model;
  const models = new Set(assisted.map((a) => a.model).filter((m) => m !== undefined));
  if (models.size > 1) {
    problem(
      'conflicting-trailers',
      `Assisted-by trailers name different models: ${[...models].sort().join(', ')}`
    );
  }
  if (
    options.declaredModel !== undefined &&
    model !== undefined &&
    model.toLowerCase() !== options.declaredModel.toLowerCase()
  ) {
    problem(
      'model-mismatch',
      `trailer model ${JSON.stringify(model)} differs from the declared model ${JSON.stringify(options.declaredModel)}`
    );
  }
  if (
    options.declaredAgent !== undefined &&
    primary !== undefined &&
    primary.agent.toLowerCase() !== options.declaredAgent.toLowerCase()
  ) {
    problem(
      'agent-mismatch',
      `trailer agent ${JSON.stringify(primary.agent)} differs from the declared agent ${JSON.stringify(options.declaredAgent)}`
    );
  }

  let promptSha256: string | undefined;
  if (prompts.length === 0) {
    problem('missing-prompt-digest', 'agent commit has no Agent-Prompt-SHA256 trailer');
  } else {
    const distinct = new Set(prompts.map((p) => p.toLowerCase()));
    const first = [...distinct][0] ?? '';
    if (!/^[0-9a-f]{64}$/.test(first)) {
      problem('malformed-prompt-digest', 'Agent-Prompt-SHA256 is not 64 hex digits');
    } else {
      promptSha256 = first;
    }
    if (distinct.size > 1) {
      problem('conflicting-trailers', 'several different Agent-Prompt-SHA256 trailers');
    }
  }

  const signoffs = trailerValues(trailers, 'Signed-off-by')
    .map(parseIdentity)
    .filter((i): i is Identity => i !== undefined);
  const agentSignoffs = signoffs.filter((i) => agentForIdentity(i) !== undefined);
  const humanSignoffs = signoffs.filter((i) => agentForIdentity(i) === undefined);
  if (agentSignoffs.length > 0) {
    problem(
      'agent-signoff',
      humanSignoffs.length === 0
        ? 'agent commit is signed off only by an agent identity; only a human may certify the DCO'
        : 'agent commit carries a Signed-off-by of an agent identity; only a human may certify the DCO'
    );
  }

  const tools = [...new Set(assisted.flatMap((a) => [...a.tools]))].sort();
  return {
    commit: {
      sha: commit.sha,
      authorDate: commit.authorDate,
      agent,
      model,
      tools,
      session: sessions[0],
      promptSha256,
      plan: plans[0],
      evidence,
      humanSignoffs,
    },
    inconsistencies: problems,
  };
}

function agentIdentities(
  trailers: readonly Trailer[],
  key: string
): { agent: string; model: string | undefined }[] {
  const found: { agent: string; model: string | undefined }[] = [];
  for (const value of trailerValues(trailers, key)) {
    const identity = parseIdentity(value);
    if (identity === undefined) continue;
    const agent = agentForIdentity(identity);
    if (agent !== undefined) found.push({ agent, model: modelFromIdentityName(identity.name) });
  }
  return found;
}
