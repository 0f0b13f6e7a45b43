// actions/gate: on pull_request events, find agent-authored commits and require a verified
// agent-provenance attestation for the head commit plus human approval (rule in ../gate.ts).
import path from 'node:path';
import { attestationKind } from '../../../attest/link.js';
import { CustodyError } from '../../../errors.js';
import { readJSONFile } from '../../../io/fs.js';
import { loadGitHubContext } from '../env.js';
import {
  agentCommits,
  decideGate,
  humanApprovers,
  type GateCommit,
  type GateDecision,
  type GateRules,
} from '../gate.js';
import { heading, table, type SummaryBlock } from '../summary.js';
import {
  expandGlobs,
  GITHUB_ACTIONS_ISSUER,
  identityPolicy,
  loadTrust,
  repoRef,
  requireToken,
  type IdentityInputs,
} from './common.js';
import type { ActionDefinition, ActionDeps, ActionResult, InputReader } from './framework.js';
import { createGitHubApi, type GitHubApi } from './github-api.js';

export const GATE_INPUTS = [
  'github-token',
  'attestation-path',
  'trusted-root',
  'certificate-identity',
  'certificate-identity-regexp',
  'certificate-oidc-issuer',
  'agent-identities',
  'ignored-bots',
  'required-approvals',
  'approval-on-head',
] as const;
export const GATE_OUTPUTS = [
  'verdict',
  'agent-authored',
  'agent-commits',
  'approvers',
  'missing',
] as const;

type GateInput = (typeof GATE_INPUTS)[number];
type GateOutput = (typeof GATE_OUTPUTS)[number];

/** Events whose payload carries the pull request (reviews re-run the gate after an approval). */
const PULL_REQUEST_EVENTS = ['pull_request', 'pull_request_target', 'pull_request_review'];

export interface GateInputs extends IdentityInputs {
  readonly githubToken: string | undefined;
  readonly attestationPaths: readonly string[];
  readonly trustedRoot: string | undefined;
  readonly rules: GateRules;
}

export function readGateInputs(read: InputReader<GateInput>): GateInputs {
  return {
    githubToken: read.secret('github-token'),
    attestationPaths: read.list('attestation-path'),
    trustedRoot: read.optional('trusted-root'),
    certificateIdentity: read.optional('certificate-identity'),
    certificateIdentityRegexp: read.optional('certificate-identity-regexp'),
    certificateOidcIssuer: read.withDefault('certificate-oidc-issuer', GITHUB_ACTIONS_ISSUER),
    rules: {
      agentIdentities: read.list('agent-identities'),
      ignoredBots: read.list('ignored-bots'),
      requiredApprovals: read.integer('required-approvals', 1, { min: 0, max: 20 }),
      approvalOnHead: read.boolean('approval-on-head', true),
    },
  };
}

export interface GateDeps extends ActionDeps {
  /** Injected in tests; by default an Octokit client on GITHUB_API_URL. */
  readonly githubApi?: (token: string, apiURL: string, serverURL: string) => Promise<GitHubApi>;
}

export async function runGate(
  inputs: GateInputs,
  deps: GateDeps
): Promise<ActionResult<GateOutput>> {
  const ctx = await loadGitHubContext(deps.env);
  if (!PULL_REQUEST_EVENTS.includes(ctx.eventName)) {
    throw new CustodyError(
      'ACTION_EVENT_UNSUPPORTED',
      `the gate runs on pull_request events, not ${ctx.eventName}`,
      {
        hint: 'trigger the workflow with "on: pull_request"',
      }
    );
  }
  const pr = ctx.pullRequest;
  if (pr?.headSha === undefined) {
    throw new CustodyError('CI_EVENT_INVALID', 'the event payload has no pull_request.head.sha');
  }
  const headSha = pr.headSha;
  const author = await pullRequestAuthor(deps.env.GITHUB_EVENT_PATH);
  const token = requireToken(inputs.githubToken, 'reading pull-request commits and reviews');
  const api = await (
    deps.githubApi ?? ((t, a, s) => createGitHubApi({ token: t, apiURL: a, serverURL: s }))
  )(token, ctx.apiUrl, ctx.serverUrl);
  const repo = repoRef(ctx.repository);
  const [apiCommits, reviews] = await Promise.all([
    api.listPullRequestCommits(repo, pr.number),
    api.listPullRequestReviews(repo, pr.number),
  ]);
  const commits: GateCommit[] = apiCommits.map((c) => ({
    sha: c.sha,
    message: c.message,
    authorLogin: c.author?.login,
    authorType: c.author?.type,
    authorName: c.authorName,
    authorEmail: c.authorEmail,
    authorDate: c.authorDate,
  }));
  const agents = agentCommits(commits, inputs.rules);
  const approvers = humanApprovers(
    reviews.map((r) => ({
      login: r.user?.login,
      userType: r.user?.type,
      state: r.state,
      commitId: r.commitId,
    })),
    { headSha, pullRequestAuthor: author },
    inputs.rules
  );
  // Attestations are checked only when they matter, so non-agent PRs need no trust setup.
  const attestation =
    agents.length === 0
      ? { verified: false, problems: [] }
      : await checkAttestation(inputs, deps, headSha);
  const decision = decideGate({
    agentCommits: agents,
    attestation,
    approvers,
    requiredApprovals: inputs.rules.requiredApprovals,
    headSha,
  });
  return {
    outputs: {
      verdict: decision.verdict,
      'agent-authored': String(agents.length > 0),
      'agent-commits': agents.map((a) => a.sha).join('\n'),
      approvers: approvers.join('\n'),
      missing: decision.missing.join('\n'),
    },
    summary: gateSummary(decision, pr.number, headSha, inputs.rules.requiredApprovals),
    ...(decision.verdict === 'fail'
      ? {
          failure: new CustodyError(
            'GATE_DENIED',
            `pull request #${pr.number} has ${agents.length} agent-authored commit(s) and lacks: ${decision.missing.join('; ')}`,
            { details: { missing: decision.missing, agentCommits: agents.map((a) => a.sha) } }
          ),
        }
      : {}),
  };
}

/** Any one attestation file that verifies, is agent provenance, and names the head commit passes. */
async function checkAttestation(
  inputs: GateInputs,
  deps: ActionDeps,
  headSha: string
): Promise<{ verified: boolean; problems: string[] }> {
  if (inputs.attestationPaths.length === 0) {
    return { verified: false, problems: ['no attestation-path given'] };
  }
  const files = await expandGlobs(deps.workspace, inputs.attestationPaths);
  if (files.length === 0)
    return { verified: false, problems: ['no file matched attestation-path'] };
  const { verifyBundle } = await import('../../../sign/index.js');
  const { validateStatement } = await import('../../../attest/validate.js');
  const trust = await loadTrust(deps.workspace, inputs.trustedRoot);
  const policy = identityPolicy(inputs);
  const problems: string[] = [];
  for (const file of files) {
    const name = path.relative(deps.workspace, file);
    try {
      for (const bundle of await readBundles(file)) {
        const verified = verifyBundle(bundle, undefined, trust, policy);
        const statement = verified.statement;
        if (statement === undefined || attestationKind(statement.predicateType) !== 'agent') {
          problems.push(`${name}: not an agent-provenance attestation`);
          continue;
        }
        const namesHead = statement.subject.some(
          (s) => s.digest?.gitCommit?.toLowerCase() === headSha.toLowerCase()
        );
        if (!namesHead) {
          problems.push(`${name}: attests other commits, not ${headSha.slice(0, 12)}`);
          continue;
        }
        // The predicate must also be well-formed agent provenance, not just any statement.
        validateStatement(statement);
        return { verified: true, problems: [] };
      }
    } catch (error) {
      const code = error instanceof CustodyError ? `[${error.code}] ` : '';
      problems.push(`${name}: ${code}${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return { verified: false, problems };
}

/** A `.sigstore.json` bundle or a `.intoto.jsonl` file of one bundle per line. */
async function readBundles(file: string): Promise<unknown[]> {
  if (!file.endsWith('.jsonl')) return [await readJSONFile(file, { what: 'attestation bundle' })];
  const { readTextLimited, parseJSONText } = await import('../../../io/fs.js');
  const text = await readTextLimited(file, { what: 'attestation bundle' });
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => parseJSONText(line, `${file} line ${i + 1}`));
}

async function pullRequestAuthor(eventPath: string | undefined): Promise<string | undefined> {
  if (eventPath === undefined) return undefined;
  const event = (await readJSONFile(eventPath, { what: 'event payload' })) as {
    pull_request?: { user?: { login?: unknown } };
  };
  const login = event.pull_request?.user?.login;
  return typeof login === 'string' ? login : undefined;
}

function gateSummary(
  decision: GateDecision,
  number: number,
  headSha: string,
  required: number
): SummaryBlock[] {
  const verdictText = {
    pass: 'pass: agent-authored commits are attested and approved by a human',
    fail: 'fail: agent-authored commits without the required attestation or human approval',
    'not-applicable': 'pass: no agent-authored commits',
  }[decision.verdict];
  const blocks: SummaryBlock[] = [
    heading(`custody gate: pull request #${number}`),
    table(
      ['check', 'result'],
      [
        ['verdict', verdictText],
        ['head commit', headSha],
        ['agent-authored commits', String(decision.agentCommits.length)],
        [
          'agent-provenance attestation',
          decision.agentCommits.length === 0
            ? 'not needed'
            : decision.attestationVerified
              ? 'verified'
              : 'missing',
        ],
        [
          'human approvals',
          `${decision.approvers.length} of ${required} (${decision.approvers.join(', ') || 'none'})`,
        ],
      ]
    ),
  ];
  if (decision.agentCommits.length > 0) {
    blocks.push(
      heading('Agent-authored commits', 3),
      table(
        ['commit', 'subject', 'agent', 'why'],
        decision.agentCommits.map((c) => [
          c.sha.slice(0, 12),
          c.subject,
          c.agent,
          c.reasons.join('; '),
        ])
      )
    );
  }
  if (decision.missing.length > 0) {
    blocks.push(heading('Missing', 3), { kind: 'list', items: decision.missing });
  }
  return blocks;
}

export const GATE_ACTION: ActionDefinition<GateInput, GateOutput, GateInputs> = {
  name: 'gate',
  inputNames: GATE_INPUTS,
  outputNames: GATE_OUTPUTS,
  secretInputs: ['github-token'],
  readInputs: readGateInputs,
  run: runGate,
};
