// custody's agent-provenance predicate (https://custody.dev/agent-provenance/v0.1): which agent and
// model wrote which commits, from which prompt (a digest or keyed commitment, never the text),
// under which plan, approved by which humans (from the platform, never from the agent).
// Reference: docs/predicates/agent-provenance.md. Pure.
import { createHash, createHmac } from 'node:crypto';
import { CustodyError } from '../errors.js';
import type { InTotoStatement, ResourceDescriptor } from './intoto.js';
import { buildStatement } from './intoto.js';
import type { AgentCommit } from './scan.js';

export const AGENT_PROVENANCE_PREDICATE_TYPE = 'https://custody.dev/agent-provenance/v0.1';

/** Shortest HMAC key custody accepts: 32 bytes, the HMAC-SHA-256 block-size guidance (RFC 2104). */
export const PROMPT_HMAC_MIN_KEY_BYTES = 32;

export type Autonomy = 'assisted' | 'autonomous';
export type ApprovalMethod = 'pr-review' | 'mr-approval' | 'signed-tag';

export interface PromptCommitment {
  role: 'user' | 'system';
  /** SHA-256 of the exact UTF-8 prompt bytes, or HMAC-SHA-256(key, bytes) for 'hmac-sha256'. */
  digest: { sha256: string };
  mediaType: string;
  commitment: 'sha256' | 'hmac-sha256';
  /** Names the HMAC key without revealing it: first 16 hex of SHA-256("custody-prompt-key\0" || key). */
  keyId?: string;
}

export interface HumanApproval {
  approver: { id: string; login?: string; platformId?: string };
  method: ApprovalMethod;
  timestamp?: string;
  /** The approval on the platform (review or MR URL) and a digest of the record custody read. */
  evidence: { uri: string; digest?: { sha256: string } };
  /** The pull/merge request that brought the commits in. */
  changeRequest?: { uri: string; number: number };
  /** The agent commits this approval covers. */
  commits?: string[];
  /** The commit the reviewer approved (GitHub reviews). */
  reviewedCommit?: string;
}

export interface AgentProvenancePredicate {
  agent: { id?: string; name: string; version?: string; tools?: string[] };
  model: { provider?: string; name: string; version?: string };
  session?: { id?: string; startedOn?: string; finishedOn?: string; invocationUri?: string };
  prompt?: PromptCommitment;
  instructions?: ResourceDescriptor[];
  plan?: { id?: string; uri?: string; digest?: { sha256: string } };
  changes: ResourceDescriptor[];
  humanApprovals: HumanApproval[];
  autonomy: Autonomy;
}

export interface AgentProvenanceInput {
  agent: AgentProvenancePredicate['agent'];
  model: AgentProvenancePredicate['model'];
  session?: AgentProvenancePredicate['session'];
  prompt?: PromptCommitment;
  instructions?: ResourceDescriptor[];
  plan?: AgentProvenancePredicate['plan'];
  /** Agent-authored commits (from scanCommits) — they become `changes` and commit subjects. */
  commits: readonly AgentCommit[];
  /** The source repository (git+https://…), for commit URIs. */
  repositoryUri?: string;
  humanApprovals: readonly HumanApproval[];
  autonomy: Autonomy;
  /** Release artifacts (sha256 subjects). */
  artifacts: readonly ResourceDescriptor[];
}

export function buildAgentProvenance(
  input: AgentProvenanceInput
): InTotoStatement<AgentProvenancePredicate> {
  if (input.autonomy !== 'assisted' && input.autonomy !== 'autonomous') {
    throw new CustodyError(
      'ATTEST_AGENT_INPUT_INVALID',
      `autonomy must be "assisted" or "autonomous", got ${JSON.stringify(input.autonomy)}`
    );
  }
  const commits = [...input.commits].sort((a, b) => (a.sha < b.sha ? -1 : a.sha > b.sha ? 1 : 0));
  const repo = input.repositoryUri;
  const changes: ResourceDescriptor[] = commits.map((commit) => ({
    ...(repo === undefined ? {} : { uri: `${repo}@${commit.sha}` }),
    digest: { gitCommit: commit.sha },
    annotations: {
      agent: commit.agent,
      model: commit.model,
      tools: commit.tools.length > 0 ? [...commit.tools] : undefined,
      session: commit.session,
      promptSha256: commit.promptSha256,
      plan: commit.plan,
      evidence: [...commit.evidence],
      authorDate: commit.authorDate,
    },
  }));
  const commitSubjects: ResourceDescriptor[] = commits.map((commit) => ({
    name: repo === undefined ? commit.sha : `${repo}@${commit.sha}`,
    digest: { gitCommit: commit.sha },
  }));
  const approvals = [...input.humanApprovals]
    .map((a) => ({ ...a, commits: a.commits === undefined ? undefined : [...a.commits].sort() }))
    .sort((a, b) => {
      const ka = `${a.evidence.uri}\u0000${a.approver.id}`;
      const kb = `${b.evidence.uri}\u0000${b.approver.id}`;
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    });
  const predicate: AgentProvenancePredicate = {
    agent: {
      ...input.agent,
      tools: input.agent.tools === undefined ? undefined : [...new Set(input.agent.tools)].sort(),
    },
    model: { ...input.model },
    session: input.session,
    prompt: input.prompt,
    instructions: input.instructions,
    plan: input.plan,
    changes,
    humanApprovals: approvals,
    autonomy: input.autonomy,
  };
  return buildStatement(
    [...input.artifacts, ...commitSubjects],
    AGENT_PROVENANCE_PREDICATE_TYPE,
    predicate
  );
}

/**
 * Commits to a prompt without storing it: SHA-256 over its exact bytes, or, with a key,
 * HMAC-SHA-256 so that a short prompt cannot be recovered by guessing. The bytes are not retained.
 */
export function commitPrompt(
  prompt: Uint8Array,
  options: { hmacKey?: Uint8Array; role?: 'user' | 'system'; mediaType?: string } = {}
): PromptCommitment {
  const base = {
    role: options.role ?? 'user',
    mediaType: options.mediaType ?? 'text/plain; charset=utf-8',
  };
  if (options.hmacKey === undefined) {
    return {
      ...base,
      digest: { sha256: createHash('sha256').update(prompt).digest('hex') },
      commitment: 'sha256',
    };
  }
  if (options.hmacKey.byteLength < PROMPT_HMAC_MIN_KEY_BYTES) {
    throw new CustodyError(
      'ATTEST_AGENT_INPUT_INVALID',
      `the prompt HMAC key is too short (${options.hmacKey.byteLength} bytes, needs at least ${PROMPT_HMAC_MIN_KEY_BYTES})`,
      { hint: 'generate one with: openssl rand -hex 32' }
    );
  }
  return {
    ...base,
    digest: { sha256: createHmac('sha256', options.hmacKey).update(prompt).digest('hex') },
    commitment: 'hmac-sha256',
    keyId: promptKeyId(options.hmacKey),
  };
}

/** A digest already computed elsewhere (e.g. the agent's Agent-Prompt-SHA256 trailer). */
export function promptFromDigest(sha256: string): PromptCommitment {
  const hex = sha256.toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    throw new CustodyError(
      'ATTEST_AGENT_INPUT_INVALID',
      'the prompt digest must be 64 hex digits (SHA-256)'
    );
  }
  return {
    role: 'user',
    digest: { sha256: hex },
    mediaType: 'text/plain; charset=utf-8',
    commitment: 'sha256',
  };
}

export function promptKeyId(key: Uint8Array): string {
  return createHash('sha256')
    .update('custody-prompt-key\u0000')
    .update(key)
    .digest('hex')
    .slice(0, 16);
}

/** Plan facts from a WORK_PLAN.json: its digest, and its `id` when it has a string one. */
export function planFromDocument(
  bytes: Uint8Array,
  options: { id?: string; uri?: string } = {}
): NonNullable<AgentProvenancePredicate['plan']> {
  let id = options.id;
  if (id === undefined) {
    try {
      const doc = JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown;
      const docId = (doc as { id?: unknown } | null)?.id;
      if (typeof docId === 'string' && docId.length > 0 && docId.length <= 200) id = docId;
    } catch (error) {
      throw new CustodyError('ATTEST_AGENT_INPUT_INVALID', 'the plan file is not valid JSON', {
        cause: error,
      });
    }
  }
  return {
    ...(id === undefined ? {} : { id }),
    ...(options.uri === undefined ? {} : { uri: options.uri }),
    digest: { sha256: createHash('sha256').update(bytes).digest('hex') },
  };
}
