// actions/gate: on pull_request events, find agent-authored commits and require a verified
// agent-provenance attestation for the head commit plus human approval (rule in ../gate.ts).
import { createHash } from 'node:crypto';
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
import type { TrustContext } from '../../../sign/index.js';
import { heading, table, type SummaryBlock } from '../summary.js';
import {
  expandGlobs,
  GITHUB_ACTIONS_ISSUER,
  identityPolicy,
  loadTrust,
  repoRef,
  requireToken,
  workspacePath,
  type IdentityInputs,
} from './common.js';
import type { ActionDefinition, ActionDeps, ActionResult, InputReader } from './framework.js';
import { createGitHubApi, type GitHubApi } from './github-api.js';

export const GATE_INPUTS = [
  'github-token',
  'attestation-path',
  'trusted-root',
  'trusted-root-sha256',
  'certificate-identity',
  'certificate-identity-regexp',
  'certificate-oidc-issuer',
  'repo',
  'owner',
  'source-repository',
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
  /** SHA-256 the trusted root must have when it lies in the (pull-request-controlled) workspace. */
  readonly trustedRootSha256: string | undefined;
  readonly rules: GateRules;
}

export function readGateInputs(read: InputReader<GateInput>): GateInputs {
  return {
    githubToken: read.secret('github-token'),
    attestationPaths: read.list('attestation-path'),
    trustedRoot: read.optional('trusted-root'),
    trustedRootSha256: read.optional('trusted-root-sha256'),
    certificateIdentity: read.optional('certificate-identity'),
    certificateIdentityRegexp: read.optional('certificate-identity-regexp'),
    certificateOidcIssuer: read.withDefault('certificate-oidc-issuer', GITHUB_ACTIONS_ISSUER),
    repo: read.optional('repo'),
    owner: read.optional('owner'),
    sourceRepository: read.optional('source-repository'),
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
  const { author, commitCount } = await pullRequestEvent(deps.env.GITHUB_EVENT_PATH);
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
  // GitHub lists at most 250 commits of a pull request: an agent commit past the 250th would go
  // unseen. Compare with the event's commit count (or the cap itself) and fail closed.
  const incomplete =
    commitCount !== undefined
      ? commits.length < commitCount
        ? `the API listed ${commits.length} of the pull request's ${commitCount} commits (GitHub lists at most ${MAX_LISTED_COMMITS}); every commit must be seen`
        : undefined
      : commits.length >= MAX_LISTED_COMMITS
        ? `the API listed ${commits.length} commits, GitHub's maximum: later commits may be unseen`
        : undefined;
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
    ...(incomplete === undefined ? {} : { commitListIncomplete: incomplete }),
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
            incomplete === undefined ? 'GATE_DENIED' : 'GATE_COMMITS_TRUNCATED',
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
  const trust = await gateTrust(inputs, deps.workspace);
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

/** GitHub's pull-request commits endpoint stops at 250. */
export const MAX_LISTED_COMMITS = 250;

async function pullRequestEvent(
  eventPath: string | undefined
): Promise<{ author: string | undefined; commitCount: number | undefined }> {
  if (eventPath === undefined) return { author: undefined, commitCount: undefined };
  const event = (await readJSONFile(eventPath, { what: 'event payload' })) as {
    pull_request?: { user?: { login?: unknown }; commits?: unknown };
  };
  const login = event.pull_request?.user?.login;
  const commits = event.pull_request?.commits;
  return {
    author: typeof login === 'string' ? login : undefined,
    commitCount:
      typeof commits === 'number' && Number.isSafeInteger(commits) && commits >= 0
        ? commits
        : undefined,
  };
}

/**
 * The gate runs on the pull request's own checkout, which the pull request can edit: a
 * trusted_root.json there would let it choose whom to trust. Trust comes from the embedded
 * roots, a file outside the workspace, or a workspace file pinned by its SHA-256.
 */
async function gateTrust(inputs: GateInputs, workspace: string): Promise<TrustContext> {
  if (inputs.trustedRoot === undefined) return loadTrust(workspace, undefined);
  const resolved = path.resolve(workspace, inputs.trustedRoot);
  const inWorkspace =
    resolved === path.resolve(workspace) || resolved.startsWith(path.resolve(workspace) + path.sep);
  if (!inWorkspace) {
    const { loadTrustedRoot } = await import('../../../sign/index.js');
    return loadTrustedRoot(await readJSONFile(resolved, { what: 'trusted root' }));
  }
  const expected = inputs.trustedRootSha256?.toLowerCase();
  if (expected === undefined || !/^[0-9a-f]{64}$/.test(expected)) {
    throw new CustodyError(
      'ACTION_INPUT_INVALID',
      `trusted-root ${inputs.trustedRoot} is inside the pull request's checkout, which the pull request can edit`,
      {
        hint: 'pin it with trusted-root-sha256: <sha256 of the file>, put it outside the workspace (e.g. $RUNNER_TEMP), or leave trusted-root empty for the embedded Sigstore root',
      }
    );
  }
  const file = await workspacePath(workspace, inputs.trustedRoot);
  const { readFileLimited } = await import('../../../io/fs.js');
  const bytes = await readFileLimited(file, { what: 'trusted root', maxBytes: 16 * 1024 * 1024 });
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== expected) {
    throw new CustodyError(
      'ACTION_INPUT_INVALID',
      `trusted-root ${inputs.trustedRoot} has sha256 ${actual}, not the pinned ${expected}: the pull request may have changed it`,
      { details: { expected, actual } }
    );
  }
  const { loadTrustedRoot } = await import('../../../sign/index.js');
  const { parseJSONText } = await import('../../../io/fs.js');
  return loadTrustedRoot(parseJSONText(bytes.toString('utf8'), inputs.trustedRoot));
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
