// `custody attest provenance|sbom|agent`: builds an in-toto statement, validates it against its
// schemas, signs it as DSSE through src/sign and appends the bundle to <name>.intoto.jsonl
// (optionally also <name>.<kind>.sigstore.json), or writes the unsigned statement with
// --statement-only. See docs/attest.md.
import type { Command } from 'commander';
import { createHash, createPublicKey } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AgentProvenanceInput, HumanApproval, PromptCommitment } from '../../attest/agent.js';
import {
  buildAgentProvenance,
  commitPrompt,
  planFromDocument,
  promptFromDigest,
} from '../../attest/agent.js';
import { byproductsFromText } from '../../attest/byproducts.js';
import type { InTotoStatement, ResourceDescriptor } from '../../attest/intoto.js';
import { normalizeSubjects } from '../../attest/intoto.js';
import { attestationDescriptor, attestationKind, statementDigest } from '../../attest/link.js';
import {
  appendBundle,
  planOutput,
  writeBundleFile,
  writeStatementFile,
  type OutputPlan,
} from '../../attest/output.js';
import { buildProvenance } from '../../attest/provenance.js';
import { buildSBOMStatement, SBOM_SIZE_LIMIT } from '../../attest/sbom.js';
import { buildCustomStatement, digestSubjects, PREDICATE_SIZE_LIMIT } from '../../attest/custom.js';
import type { AgentCommit, Inconsistency } from '../../attest/scan.js';
import { scanCommits } from '../../attest/scan.js';
import { collectSubjects, type CollectedSubjects } from '../../attest/subjects.js';
import { validateStatement } from '../../attest/validate.js';
import type { CIContext } from '../../ci/context.js';
import { sourceRepositoryURI } from '../../ci/context.js';
import { detectCIContext, detectPlatform, type PlatformChoice } from '../../ci/detect.js';
import { gitLog, gitSource } from '../../ci/git.js';
import { pickGitHubEnv, readGitHubContext } from '../../ci/github/env.js';
import { githubApprovalsForCommits } from '../../ci/github/reviews.js';
import { gitlabApprovalsForCommits } from '../../ci/gitlab/approvals.js';
import { CustodyError } from '../../errors.js';
import { pathExists, readFileLimited, readTextLimited } from '../../io/fs.js';
import {
  loadTrustedRoot,
  parsePrivateKey,
  signStatement,
  verifyBundle,
  type ArtifactInput,
  type SignerConfig,
} from '../../sign/index.js';
import { registerSecret } from '../../util/redact.js';
import { resolveBuildTime, toRFC3339 } from '../../util/time.js';
import {
  createSampleHistory,
  SAMPLE_AGENT,
  SAMPLE_MODEL,
  SAMPLE_PROMPT_SHA256,
  sampleGitHubEnv,
} from '../../ci/sample-history.js';
import { startLocalSigstoreStack } from '../../stack/index.js';
import { commandAction } from '../action.js';
import type { CliContext, CommandOutput, CommandRegistrar } from '../context.js';
import type { DemoStep } from '../demo/state.js';
import {
  addImageFlags,
  imageSubjects,
  pushImageAttestation,
  splitImageArguments,
  type ImageFlags,
} from './image.js';
import { addSignerFlags, signerConfigFromFlags, type SignerFlags } from './sign.js';
import type { ResolvedImage } from '../../oci/adapter/source.js';
import { resolveTrust } from './verify-bundle.js';

/** Prompts are hashed, never stored; anything bigger than this is not a prompt. */
const PROMPT_LIMIT = 16 * 1024 * 1024;
const PLAN_LIMIT = 16 * 1024 * 1024;
const BYPRODUCT_LIMIT = 256 * 1024 * 1024;

interface CommonOptions extends SignerFlags, ImageFlags {
  subject: string[];
  subjectName?: string[];
  subjectDigest?: string[];
  pushToRegistry?: boolean;
  checksums?: string;
  outputDir?: string;
  output?: string;
  name?: string;
  bundlePerKind?: boolean;
  statementOnly?: boolean;
  trustedRoot?: string;
}

interface ProvenanceOptions extends CommonOptions {
  platform: string;
  builderId?: string;
  invocationId?: string;
  sourceUri?: string;
  sourceRef?: string;
  sourceCommit?: string;
  repo?: string;
  startedOn?: string;
  jobWorkflowRef?: string;
  byproduct: string[];
}

interface SbomOptions extends CommonOptions {
  sbom: string;
}

interface PredicateOptions extends CommonOptions {
  type: string;
  predicate?: string;
  predicatePath?: string;
}

export interface AgentOptions extends CommonOptions {
  platform: string;
  range?: string;
  repo?: string;
  agent?: string;
  agentId?: string;
  agentVersion?: string;
  agentTool: string[];
  model?: string;
  modelProvider?: string;
  modelVersion?: string;
  sessionId?: string;
  sessionStartedOn?: string;
  sessionFinishedOn?: string;
  promptFile?: string;
  promptSha256?: string;
  promptHmacKeyEnv?: string;
  plan?: string;
  planId?: string;
  planUri?: string;
  instructions: string[];
  autonomy?: string;
  approvals: string;
  githubTokenEnv: string;
  gitlabTokenEnv: string;
  githubRepository?: string;
  gitlabProjectId?: string;
  gitlabApiUrl?: string;
  strict?: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function addCommonFlags(command: Command): Command {
  command
    .option(
      '--subject-name <name>',
      'a subject given by name and digest, not file (repeatable; pairs with --subject-digest)',
      collect,
      []
    )
    .option(
      '--subject-digest <alg:hex>',
      'the digest of the --subject-name at the same position, e.g. sha256:<hex> (repeatable)',
      collect,
      []
    )
    .option(
      '--subject <path|glob|image>',
      'artifact file, glob or image (HOST/REPO:TAG, oci://HOST/REPO@sha256:…) to attest (repeatable)',
      collect,
      []
    )
    .option(
      '--push-to-registry',
      'attach the signed attestation to each image subject in its registry (OCI 1.1 referrer)'
    )
    .option(
      '--checksums <file>',
      'SHA256SUMS-style file: its entries and the file itself are subjects'
    )
    .option('--output-dir <dir>', 'directory for <name>.intoto.jsonl (default: current directory)')
    .option('--output <file>', 'the .intoto.jsonl file to append the bundle to')
    .option(
      '--name <name>',
      'base name of the output files (default: the single subject, else "multiple")'
    )
    .option('--bundle-per-kind', 'also write <name>.<kind>.sigstore.json')
    .option(
      '--trusted-root <file>',
      'verify each new bundle against this trusted_root.json before writing it'
    )
    .option(
      '--statement-only',
      'write the validated, unsigned statement to <name>.<kind>.statement.json'
    );
  return addImageFlags(addSignerFlags(command));
}

export const registerAttest: CommandRegistrar = (program, ctx) => {
  const attest = program
    .command('attest')
    .description(
      'in-toto attestations, DSSE-signed into <name>.intoto.jsonl: SLSA provenance, CycloneDX SBOM, agent provenance'
    );

  addCommonFlags(
    attest
      .command('provenance')
      .description(
        'SLSA Provenance v1 from the CI context (GitHub Actions, GitLab CI, or local with --builder-id)'
      )
      .option('--platform <name>', 'auto, github, gitlab or local', 'auto')
      .option('--builder-id <uri>', 'local builds: the builder identity (a URI)')
      .option('--invocation-id <id>', 'local builds: an id of this build run')
      .option('--source-uri <uri>', 'local builds: source repository (default: git remote origin)')
      .option('--source-ref <ref>', 'local builds: source ref (default: the checked-out branch)')
      .option('--source-commit <sha>', 'local builds: source commit (default: git HEAD)')
      .option('--repo <dir>', 'local builds: git working tree to read the source from (default: .)')
      .option('--started-on <time>', 'build start, RFC 3339 (GitLab default: CI_JOB_STARTED_AT)')
      .option(
        '--job-workflow-ref <ref>',
        'GitHub: the OIDC job_workflow_ref (reusable workflows) for builder.id'
      )
      .option(
        '--byproduct <file>',
        'link an attestation (.intoto.jsonl, bundle or statement) by digest (repeatable)',
        collect,
        []
      )
  ).action(commandAction<[ProvenanceOptions]>(ctx, (options) => runProvenance(ctx, options)));

  addCommonFlags(
    attest
      .command('sbom')
      .description(
        `SBOM attestation (CycloneDX: predicate https://cyclonedx.org/bom; SPDX: https://spdx.dev/Document; SBOM ≤ ${SBOM_SIZE_LIMIT / 1024 / 1024} MiB)`
      )
      .requiredOption('--sbom <file>', 'CycloneDX or SPDX JSON SBOM')
  ).action(commandAction<[SbomOptions]>(ctx, (options) => runSbom(ctx, options)));

  addCommonFlags(
    attest
      .command('predicate')
      .description(
        'any predicate: --type <URI> with --predicate <json> or --predicate-path <file> (as actions/attest)'
      )
      .requiredOption('--type <uri>', 'the predicate type URI')
      .option('--predicate <json>', 'the predicate as JSON text')
      .option('--predicate-path <file>', 'the predicate as a JSON file')
  ).action(commandAction<[PredicateOptions]>(ctx, (options) => runPredicate(ctx, options)));

  addAgentFlags(
    addCommonFlags(
      attest
        .command('agent')
        .description(
          'agent-provenance attestation (https://custody.dev/agent-provenance/v0.1) for AI-authored commits'
        )
    )
  ).action(commandAction<[AgentOptions]>(ctx, (options) => runAgent(ctx, options)));
};

export function addAgentFlags(command: Command): Command {
  return command
    .option('--platform <name>', 'auto, github, gitlab or local', 'auto')
    .option('--range <A..B>', 'release range whose commits are scanned for agent trailers')
    .option('--repo <dir>', 'git working tree (default: .)')
    .option(
      '--agent <name>',
      'agent name, e.g. claude-code (env CUSTODY_AGENT; default: from trailers)'
    )
    .option('--agent-id <uri>', 'agent identity URI')
    .option('--agent-version <version>', 'agent version (env CUSTODY_AGENT_VERSION)')
    .option('--agent-tool <tool>', 'tool the agent used (repeatable)', collect, [])
    .option('--model <name>', 'model name (env CUSTODY_MODEL; default: from trailers)')
    .option(
      '--model-provider <name>',
      'model provider, e.g. anthropic (env CUSTODY_MODEL_PROVIDER)'
    )
    .option('--model-version <version>', 'dated model version')
    .option(
      '--session-id <id>',
      'agent session id (env CUSTODY_AGENT_SESSION; default: Agent-Session trailer)'
    )
    .option('--session-started-on <time>', 'session start, RFC 3339')
    .option('--session-finished-on <time>', 'session end, RFC 3339')
    .option(
      '--prompt-file <file>',
      'the prompt: hashed (SHA-256, or HMAC with --prompt-hmac-key-env), never copied'
    )
    .option('--prompt-sha256 <hex>', 'the prompt digest when the prompt is not at hand')
    .option(
      '--prompt-hmac-key-env <var>',
      'environment variable holding the HMAC key (≥ 32 bytes) for the prompt commitment'
    )
    .option(
      '--plan <file>',
      'WORK_PLAN.json to reference by digest (default: <repo>/WORK_PLAN.json when present)'
    )
    .option('--plan-id <id>', 'plan id (default: the plan\'s "id", else the Agent-Plan trailer)')
    .option('--plan-uri <uri>', 'where the plan lives')
    .option(
      '--instructions <file>',
      'agent instruction file (AGENTS.md, CLAUDE.md) to reference by digest (repeatable)',
      collect,
      []
    )
    .option(
      '--autonomy <mode>',
      'assisted or autonomous (env CUSTODY_AGENT_AUTONOMY; default assisted)'
    )
    .option('--approvals <source>', 'human approvals from: auto, github, gitlab or none', 'auto')
    .option(
      '--github-token-env <var>',
      'environment variable with the GitHub token',
      'GITHUB_TOKEN'
    )
    .option(
      '--gitlab-token-env <var>',
      'environment variable with a GitLab token (else CI_JOB_TOKEN)',
      'GITLAB_TOKEN'
    )
    .option('--github-repository <owner/name>', 'approvals outside GitHub Actions: the repository')
    .option('--gitlab-project-id <id>', 'approvals outside GitLab CI: the numeric project id')
    .option(
      '--gitlab-api-url <url>',
      'approvals outside GitLab CI: API base (default https://gitlab.com/api/v4)'
    )
    .option('--strict', 'fail (exit 1, nothing written) when the commits show inconsistencies');
}

// ---------------------------------------------------------------- provenance

async function runProvenance(ctx: CliContext, options: ProvenanceOptions): Promise<CommandOutput> {
  const collected = await subjectsOf(ctx, options);
  const repo = path.resolve(ctx.cwd, options.repo ?? '.');
  const platform = parsePlatform(options.platform);
  const chosen = platform === 'auto' ? detectPlatform(ctx.env) : platform;
  // Sign with the same identity whose job_workflow_ref names the builder (as actions/attest does);
  // the token is discovered once, here, and reused for signing.
  const signer =
    options.statementOnly === true ? undefined : await signerConfigFromFlags(ctx, options);
  const jobWorkflowRef =
    options.jobWorkflowRef ??
    (chosen === 'github' && signer !== undefined ? jobWorkflowRefOf(signer.config) : undefined);
  const ciContext = await detectCIContext(ctx.env, {
    platform: chosen,
    ...(jobWorkflowRef === undefined ? {} : { jobWorkflowRef }),
    ...(chosen === 'local' ? { local: await localInput(ctx, options, repo) } : {}),
  });
  const byproducts: ResourceDescriptor[] = [];
  for (const file of options.byproduct) {
    const absolute = path.resolve(ctx.cwd, file);
    const text = await readTextLimited(absolute, { maxBytes: BYPRODUCT_LIMIT, what: 'byproduct' });
    byproducts.push(...byproductsFromText(text, path.basename(absolute)));
  }
  const statement = buildProvenance(ciContext, collected.subjects, {
    now: buildTime(ctx),
    ...(options.startedOn === undefined
      ? {}
      : { startedOn: parseTime(options.startedOn, '--started-on') }),
    byproducts,
  });
  return emit(
    ctx,
    statement,
    outputPlan(ctx, options, collected),
    options,
    { platform: ciContext.platform, byproducts: byproducts.length },
    signer
  );
}

/**
 * The `job_workflow_ref` claim of a GitHub Actions ID token, read (not verified: Fulcio verifies
 * the token and puts the same value in the certificate) so builder.id names the reusable workflow.
 */
export function jobWorkflowRefOf(config: SignerConfig): string | undefined {
  if (config.identity.kind !== 'keyless' || typeof config.identity.token !== 'string') {
    return undefined;
  }
  try {
    const payload = config.identity.token.split('.')[1] ?? '';
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
      iss?: unknown;
      job_workflow_ref?: unknown;
    };
    const ref = claims.job_workflow_ref;
    return claims.iss === 'https://token.actions.githubusercontent.com' &&
      typeof ref === 'string' &&
      /^[\w.-]+\/[\w.-]+\/[^@\s]+@\S+$/.test(ref)
      ? ref
      : undefined;
  } catch {
    return undefined;
  }
}

async function localInput(
  ctx: CliContext,
  options: ProvenanceOptions,
  repo: string
): Promise<{
  builderId?: string;
  invocationId?: string;
  source?: { uri: string; ref?: string; commit: string };
}> {
  let source: { uri: string; ref?: string; commit: string } | undefined;
  if (options.sourceCommit !== undefined || options.sourceUri !== undefined) {
    if (options.sourceCommit === undefined || options.sourceUri === undefined) {
      throw new CustodyError('USAGE_INVALID', '--source-uri and --source-commit go together');
    }
    source = {
      uri: options.sourceUri,
      commit: options.sourceCommit,
      ...(options.sourceRef === undefined ? {} : { ref: options.sourceRef }),
    };
  } else if (await pathExists(path.join(repo, '.git'))) {
    const git = await gitSource({ repo, env: ctx.env });
    if (git.uri !== undefined) {
      const ref = options.sourceRef ?? git.ref;
      source = { uri: git.uri, commit: git.commit, ...(ref === undefined ? {} : { ref }) };
    }
  }
  return {
    ...(options.builderId === undefined ? {} : { builderId: options.builderId }),
    ...(options.invocationId === undefined ? {} : { invocationId: options.invocationId }),
    ...(source === undefined ? {} : { source }),
  };
}

// ---------------------------------------------------------------- sbom

async function runSbom(ctx: CliContext, options: SbomOptions): Promise<CommandOutput> {
  const collected = await subjectsOf(ctx, options);
  const sbom = await readFileLimited(path.resolve(ctx.cwd, options.sbom), {
    // The limit applies to the canonical JSON; a pretty-printed file may be a few times larger.
    maxBytes: SBOM_SIZE_LIMIT * 4,
    what: 'SBOM',
  });
  const statement = buildSBOMStatement(sbom, collected.subjects);
  return emit(ctx, statement, outputPlan(ctx, options, collected), options, {});
}

async function runPredicate(ctx: CliContext, options: PredicateOptions): Promise<CommandOutput> {
  if ((options.predicate === undefined) === (options.predicatePath === undefined)) {
    throw new CustodyError(
      'USAGE_INVALID',
      'attest predicate needs exactly one of --predicate <json> and --predicate-path <file>'
    );
  }
  const collected = await subjectsOf(ctx, options);
  const predicate =
    options.predicate ??
    (await readFileLimited(path.resolve(ctx.cwd, options.predicatePath ?? ''), {
      maxBytes: PREDICATE_SIZE_LIMIT * 4,
      what: 'predicate',
    }));
  const statement = buildCustomStatement(options.type, predicate, collected.subjects);
  return emit(ctx, statement, outputPlan(ctx, options, collected), options, {});
}

// ---------------------------------------------------------------- agent

interface AgentRun {
  statement: InTotoStatement;
  agentCommits: AgentCommit[];
  inconsistencies: Inconsistency[];
  approvals: number;
}

async function runAgent(ctx: CliContext, options: AgentOptions): Promise<CommandOutput> {
  const collected = await subjectsOf(ctx, options, { allowEmpty: true });
  const run = await prepareAgentStatement(ctx, options, collected.subjects);
  if (options.strict === true && run.inconsistencies.length > 0) {
    return {
      text: [
        `refusing to attest: ${run.inconsistencies.length} inconsistenc${run.inconsistencies.length === 1 ? 'y' : 'ies'} (--strict)`,
        ...formatInconsistencies(run.inconsistencies),
      ].join('\n'),
      json: { written: false, inconsistencies: run.inconsistencies },
      exitCode: 1,
    };
  }
  const output = await emit(ctx, run.statement, outputPlan(ctx, options, collected), options, {
    agentCommits: run.agentCommits.length,
    approvals: run.approvals,
    inconsistencies: run.inconsistencies,
  });
  if (run.inconsistencies.length > 0 && output.text !== undefined) {
    output.text = [
      output.text,
      `warning: ${run.inconsistencies.length} inconsistencies`,
      ...formatInconsistencies(run.inconsistencies),
    ].join('\n');
  }
  return output;
}

/** Everything `attest agent` does before signing; exported for the demo and tests. */
export async function prepareAgentStatement(
  ctx: CliContext,
  options: AgentOptions,
  artifacts: readonly ResourceDescriptor[],
  injected: { approvals?: HumanApproval[]; ciContext?: CIContext } = {}
): Promise<AgentRun> {
  const repo = path.resolve(ctx.cwd, options.repo ?? '.');
  const env = ctx.env;
  const platform = parsePlatform(options.platform);
  const chosen = platform === 'auto' ? detectPlatform(env) : platform;
  const ciContext =
    injected.ciContext ??
    (chosen === 'local' ? undefined : await detectCIContext(env, { platform: chosen }));

  const declaredAgent = options.agent ?? nonEmpty(env.CUSTODY_AGENT);
  const declaredModel = options.model ?? nonEmpty(env.CUSTODY_MODEL);
  const commits = options.range === undefined ? [] : await gitLog(options.range, { repo, env });
  const scan = scanCommits(commits, {
    ...(declaredModel === undefined ? {} : { declaredModel }),
    ...(declaredAgent === undefined ? {} : { declaredAgent }),
  });
  if (artifacts.length === 0 && scan.agentCommits.length === 0) {
    throw new CustodyError(
      'ATTEST_NO_SUBJECTS',
      'nothing to attest: no --subject/--checksums and no agent commits in --range',
      {
        hint: 'pass the release artifacts with --subject or --checksums, and the range with --range A..B',
      }
    );
  }
  const agentName =
    declaredAgent ??
    unique(
      scan.agentCommits.map((c) => c.agent),
      'agent',
      '--agent'
    );
  const modelName =
    declaredModel ??
    unique(
      scan.agentCommits.map((c) => c.model),
      'model',
      '--model'
    );

  const repositoryUri =
    ciContext !== undefined
      ? sourceRepositoryURI(ciContext)
      : (await pathExists(path.join(repo, '.git')))
        ? await gitSource({ repo, env }).then((s) =>
            s.uri === undefined ? undefined : `git+${s.uri}`
          )
        : undefined;

  const approvals =
    injected.approvals ??
    (await fetchApprovals(
      ctx,
      options,
      chosen,
      ciContext,
      scan.agentCommits.map((c) => c.sha)
    ));

  const agentTools =
    options.agentTool.length > 0
      ? options.agentTool
      : [...new Set(scan.agentCommits.flatMap((c) => [...c.tools]))].sort();
  const input: AgentProvenanceInput = {
    agent: {
      name: agentName,
      ...(options.agentId === undefined ? {} : { id: options.agentId }),
      ...optional('version', options.agentVersion ?? nonEmpty(env.CUSTODY_AGENT_VERSION)),
      // --agent-tool, else the tools the Assisted-by trailers name
      ...(agentTools.length > 0 ? { tools: agentTools } : {}),
    },
    model: {
      name: modelName,
      ...optional('provider', options.modelProvider ?? nonEmpty(env.CUSTODY_MODEL_PROVIDER)),
      ...optional('version', options.modelVersion),
    },
    ...sessionOf(options, env, scan.agentCommits, ciContext),
    ...(await promptOf(ctx, options, scan.agentCommits)),
    ...(await planOf(ctx, options, repo, scan.agentCommits)),
    ...(await instructionsOf(ctx, options)),
    commits: scan.agentCommits,
    ...(repositoryUri === undefined ? {} : { repositoryUri }),
    humanApprovals: approvals,
    autonomy: parseAutonomy(options.autonomy ?? nonEmpty(env.CUSTODY_AGENT_AUTONOMY) ?? 'assisted'),
    artifacts,
  };
  return {
    statement: buildAgentProvenance(input),
    agentCommits: scan.agentCommits,
    inconsistencies: scan.inconsistencies,
    approvals: approvals.length,
  };
}

async function fetchApprovals(
  ctx: CliContext,
  options: AgentOptions,
  platform: CIContext['platform'],
  ciContext: CIContext | undefined,
  commits: string[]
): Promise<HumanApproval[]> {
  const source =
    options.approvals === 'auto' ? (platform === 'local' ? 'none' : platform) : options.approvals;
  if (source === 'none' || commits.length === 0) return [];
  if (source === 'github') {
    const token = nonEmpty(ctx.env[options.githubTokenEnv]);
    if (token === undefined) {
      throw new CustodyError(
        'CI_TOKEN_MISSING',
        `approvals from GitHub need a token in ${options.githubTokenEnv}`,
        {
          hint: 'set GITHUB_TOKEN (permissions: pull-requests: read), or pass --approvals none',
        }
      );
    }
    registerSecret(token);
    const gh = ciContext?.platform === 'github' ? ciContext : undefined;
    const vars = pickGitHubEnv(ctx.env);
    const repository = options.githubRepository ?? gh?.repository;
    if (repository === undefined) {
      throw new CustodyError(
        'USAGE_INVALID',
        'approvals from GitHub outside Actions need --github-repository owner/name'
      );
    }
    return githubApprovalsForCommits(commits, {
      token,
      repository,
      apiUrl: gh?.apiUrl ?? vars.GITHUB_API_URL ?? 'https://api.github.com',
      serverUrl: gh?.serverUrl ?? vars.GITHUB_SERVER_URL ?? 'https://github.com',
      ...(gh?.pullRequest === undefined ? {} : { pullRequest: gh.pullRequest.number }),
    });
  }
  if (source === 'gitlab') {
    const gl = ciContext?.platform === 'gitlab' ? ciContext : undefined;
    const privateToken = nonEmpty(ctx.env[options.gitlabTokenEnv]);
    const jobToken = nonEmpty(ctx.env.CI_JOB_TOKEN);
    const token = privateToken ?? jobToken;
    if (token === undefined) {
      throw new CustodyError(
        'CI_TOKEN_MISSING',
        `approvals from GitLab need a token in ${options.gitlabTokenEnv} or CI_JOB_TOKEN`,
        {
          hint: 'set GITLAB_TOKEN (read_api), or pass --approvals none',
        }
      );
    }
    registerSecret(token);
    const projectId = options.gitlabProjectId ?? gl?.projectId;
    if (projectId === undefined) {
      throw new CustodyError(
        'USAGE_INVALID',
        'approvals from GitLab outside GitLab CI need --gitlab-project-id'
      );
    }
    return gitlabApprovalsForCommits(commits, {
      token,
      tokenKind: privateToken !== undefined ? 'private' : 'job',
      apiUrl: options.gitlabApiUrl ?? gl?.apiUrl ?? 'https://gitlab.com/api/v4',
      projectId,
    });
  }
  throw new CustodyError(
    'USAGE_INVALID',
    `--approvals must be auto, github, gitlab or none, not ${JSON.stringify(options.approvals)}`
  );
}

function sessionOf(
  options: AgentOptions,
  env: CliContext['env'],
  commits: readonly AgentCommit[],
  ciContext: CIContext | undefined
): Pick<AgentProvenanceInput, 'session'> {
  const id =
    options.sessionId ??
    nonEmpty(env.CUSTODY_AGENT_SESSION) ??
    uniqueOrUndefined(commits.map((c) => c.session));
  const invocationUri =
    ciContext?.platform === 'github'
      ? `${ciContext.serverUrl}/${ciContext.repository}/actions/runs/${ciContext.runId}/attempts/${ciContext.runAttempt}`
      : ciContext?.platform === 'gitlab'
        ? ciContext.jobUrl
        : undefined;
  const session = {
    ...optional('id', id),
    ...optional(
      'startedOn',
      options.sessionStartedOn === undefined
        ? undefined
        : toRFC3339(parseTime(options.sessionStartedOn, '--session-started-on'))
    ),
    ...optional(
      'finishedOn',
      options.sessionFinishedOn === undefined
        ? undefined
        : toRFC3339(parseTime(options.sessionFinishedOn, '--session-finished-on'))
    ),
    ...optional('invocationUri', invocationUri),
  };
  return Object.keys(session).length === 0 ? {} : { session };
}

async function promptOf(
  ctx: CliContext,
  options: AgentOptions,
  commits: readonly AgentCommit[]
): Promise<{ prompt?: PromptCommitment }> {
  const keyEnv = options.promptHmacKeyEnv;
  let key: Uint8Array | undefined;
  if (keyEnv !== undefined) {
    const value = ctx.env[keyEnv];
    if (value === undefined || value === '') {
      throw new CustodyError(
        'ATTEST_AGENT_INPUT_INVALID',
        `environment variable ${keyEnv} (--prompt-hmac-key-env) is not set`
      );
    }
    registerSecret(value);
    key = new TextEncoder().encode(value);
  }
  if (options.promptFile !== undefined && options.promptSha256 !== undefined) {
    throw new CustodyError('USAGE_INVALID', '--prompt-file and --prompt-sha256 are alternatives');
  }
  if (options.promptFile !== undefined) {
    const bytes = await readFileLimited(path.resolve(ctx.cwd, options.promptFile), {
      maxBytes: PROMPT_LIMIT,
      what: 'prompt file',
    });
    try {
      return { prompt: commitPrompt(bytes, key === undefined ? {} : { hmacKey: key }) };
    } finally {
      bytes.fill(0); // the prompt is hashed, never kept
    }
  }
  if (key !== undefined) {
    throw new CustodyError(
      'USAGE_INVALID',
      '--prompt-hmac-key-env needs --prompt-file (a digest cannot be keyed afterwards)'
    );
  }
  if (options.promptSha256 !== undefined) return { prompt: promptFromDigest(options.promptSha256) };
  const fromTrailers = uniqueOrUndefined(commits.map((c) => c.promptSha256));
  return fromTrailers === undefined ? {} : { prompt: promptFromDigest(fromTrailers) };
}

async function planOf(
  ctx: CliContext,
  options: AgentOptions,
  repo: string,
  commits: readonly AgentCommit[]
): Promise<Pick<AgentProvenanceInput, 'plan'>> {
  const trailerPlan = uniqueOrUndefined(commits.map((c) => c.plan));
  let file = options.plan === undefined ? undefined : path.resolve(ctx.cwd, options.plan);
  if (file === undefined && (await pathExists(path.join(repo, 'WORK_PLAN.json')))) {
    file = path.join(repo, 'WORK_PLAN.json');
  }
  if (file !== undefined) {
    const bytes = await readFileLimited(file, { maxBytes: PLAN_LIMIT, what: 'plan file' });
    const plan = planFromDocument(bytes, {
      ...optional('id', options.planId),
      ...optional('uri', options.planUri),
    });
    return {
      plan:
        plan.id === undefined && trailerPlan !== undefined ? { id: trailerPlan, ...plan } : plan,
    };
  }
  const id = options.planId ?? trailerPlan;
  if (id === undefined && options.planUri === undefined) return {};
  return { plan: { ...optional('id', id), ...optional('uri', options.planUri) } };
}

async function instructionsOf(
  ctx: CliContext,
  options: AgentOptions
): Promise<Pick<AgentProvenanceInput, 'instructions'>> {
  if (options.instructions.length === 0) return {};
  const instructions: ResourceDescriptor[] = [];
  for (const file of options.instructions) {
    const bytes = await readFileLimited(path.resolve(ctx.cwd, file), {
      maxBytes: PLAN_LIMIT,
      what: 'instructions file',
    });
    instructions.push({
      name: path.basename(file),
      digest: { sha256: createHash('sha256').update(bytes).digest('hex') },
    });
  }
  return { instructions };
}

// ---------------------------------------------------------------- shared

/** Image subjects resolved by subjectsOf, per command invocation (for --push-to-registry). */
const resolvedImages = new WeakMap<CommonOptions, ResolvedImage[]>();

async function subjectsOf(
  ctx: CliContext,
  options: CommonOptions,
  { allowEmpty = false }: { allowEmpty?: boolean } = {}
): Promise<CollectedSubjects> {
  const split = await splitImageArguments(ctx, options.subject);
  const collected = await collectSubjects({
    subjects: split.files,
    ...(options.checksums === undefined ? {} : { checksums: options.checksums }),
    cwd: ctx.cwd,
  });
  const named = digestSubjects(options.subjectName ?? [], options.subjectDigest ?? []);
  if (named.length > 0) collected.subjects = [...collected.subjects, ...named];
  if (split.images.length > 0) {
    // Each image tag is resolved to a digest here, once; the push later uses these digests.
    const images = await imageSubjects(ctx, split.images, options);
    resolvedImages.set(options, images.resolved);
    collected.subjects = normalizeSubjects([...collected.subjects, ...images.subjects]);
  }
  if (!allowEmpty && collected.subjects.length === 0) {
    throw new CustodyError(
      'ATTEST_NO_SUBJECTS',
      'no subjects: pass --subject PATH|GLOB or --checksums FILE'
    );
  }
  return collected;
}

function outputPlan(
  ctx: CliContext,
  options: CommonOptions,
  collected: CollectedSubjects
): OutputPlan {
  return planOutput({
    cwd: ctx.cwd,
    subjectFiles: collected.files,
    ...optional('outputDir', options.outputDir),
    ...optional('output', options.output),
    ...optional('name', options.name),
    ...optional('checksums', options.checksums),
  });
}

/** Validates, then writes the statement (--statement-only) or signs it and writes the bundle. */
async function emit(
  ctx: CliContext,
  statement: InTotoStatement,
  plan: OutputPlan,
  options: CommonOptions,
  extra: Record<string, unknown>,
  signer?: { config: SignerConfig; identityLabel: string }
): Promise<CommandOutput & { text: string }> {
  validateStatement(statement);
  const kind = attestationKind(statement.predicateType);
  const rel = (file: string): string => path.relative(ctx.cwd, file) || file;
  const summary = {
    kind,
    predicateType: statement.predicateType,
    subjects: statement.subject.length,
    statementSha256: statementDigest(statement),
    ...extra,
  };
  if (options.statementOnly === true) {
    const file = await writeStatementFile(plan, kind, statement);
    return {
      text: `${kind} statement (unsigned) for ${statement.subject.length} subject(s) → ${rel(file)}`,
      json: { ...summary, signed: false, statement: rel(file) },
    };
  }
  const { config, identityLabel } = signer ?? (await signerConfigFromFlags(ctx, options));
  const bundle = await signStatement(statement, config);
  if (options.trustedRoot !== undefined) {
    // Check the new bundle before anything is written (as `custody sign --trusted-root` does).
    const trust = await resolveTrust(ctx, { trustedRoot: options.trustedRoot });
    const publicKeyPEM =
      config.identity.kind === 'key'
        ? createPublicKey(
            parsePrivateKey(config.identity.privateKeyPEM, config.identity.passphrase)
          )
            .export({ type: 'spki', format: 'pem' })
            .toString()
        : undefined;
    verifyBundle(
      bundle,
      subjectArtifact(statement),
      trust,
      { anyIdentity: true, ...(publicKeyPEM === undefined ? {} : { publicKeyPEM }) },
      { requireTransparencyLog: config.tlog !== false }
    );
  }
  await appendBundle(plan.jsonl, bundle);
  const bundleFile =
    options.bundlePerKind === true ? await writeBundleFile(plan, kind, bundle) : undefined;
  const images = resolvedImages.get(options) ?? [];
  if (options.pushToRegistry === true && images.length === 0) {
    throw new CustodyError('USAGE_INVALID', '--push-to-registry needs an image --subject');
  }
  const pushed =
    options.pushToRegistry === true
      ? await pushImageAttestation(ctx, images, statement, bundle, options)
      : undefined;
  return {
    text: [
      `${kind} attestation for ${statement.subject.length} subject(s) signed as ${identityLabel}`,
      `  → ${rel(plan.jsonl)}${bundleFile === undefined ? '' : `, ${rel(bundleFile)}`}`,
      ...(pushed?.lines ?? []),
    ].join('\n'),
    json: {
      ...summary,
      signed: true,
      identity: identityLabel,
      jsonl: rel(plan.jsonl),
      ...(bundleFile === undefined ? {} : { bundle: rel(bundleFile) }),
      ...(pushed === undefined ? {} : { pushed: pushed.json }),
    },
  };
}

/** A subject digest to check the signed statement against (any sha2 digest will do). */
function subjectArtifact(statement: InTotoStatement): ArtifactInput | undefined {
  for (const subject of statement.subject) {
    for (const algorithm of ['sha256', 'sha384', 'sha512'] as const) {
      const hex = subject.digest?.[algorithm];
      if (hex !== undefined) return { kind: 'digest', algorithm, hex };
    }
  }
  return undefined;
}

export function formatInconsistencies(list: readonly Inconsistency[]): string[] {
  return list.map((i) => `  ${i.commit.slice(0, 12)} ${i.kind}: ${i.message}`);
}

function buildTime(ctx: CliContext): Date {
  return resolveBuildTime(ctx.env.SOURCE_DATE_EPOCH, ctx.now());
}

function parsePlatform(value: string): PlatformChoice {
  if (value === 'auto' || value === 'github' || value === 'gitlab' || value === 'local')
    return value;
  throw new CustodyError(
    'USAGE_INVALID',
    `--platform must be auto, github, gitlab or local, not ${JSON.stringify(value)}`
  );
}

function parseAutonomy(value: string): 'assisted' | 'autonomous' {
  if (value === 'assisted' || value === 'autonomous') return value;
  throw new CustodyError(
    'ATTEST_AGENT_INPUT_INVALID',
    `--autonomy must be assisted or autonomous, not ${JSON.stringify(value)}`
  );
}

function parseTime(value: string, flag: string): Date {
  if (
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value) ||
    Number.isNaN(Date.parse(value))
  ) {
    throw new CustodyError(
      'USAGE_INVALID',
      `${flag} must be an RFC 3339 time such as 2026-01-02T03:04:05Z`
    );
  }
  return new Date(value);
}

function unique(values: readonly (string | undefined)[], what: string, flag: string): string {
  const distinct = [...new Set(values.filter((v): v is string => v !== undefined))];
  if (distinct.length === 1) return distinct[0] as string;
  throw new CustodyError(
    'ATTEST_AGENT_INPUT_INVALID',
    distinct.length === 0
      ? `the ${what} is unknown: pass ${flag} (no commit trailer names it)`
      : `the commits name several ${what}s (${distinct.sort().join(', ')}): pass ${flag}`
  );
}

function uniqueOrUndefined(values: readonly (string | undefined)[]): string | undefined {
  const distinct = [...new Set(values.filter((v): v is string => v !== undefined))];
  return distinct.length === 1 ? distinct[0] : undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

// ---------------------------------------------------------------- demo step

/**
 * DEMO DATA: the human approval the demo's agent attestation carries. A real run reads approvals
 * from the GitHub/GitLab API (--approvals); the demo has no platform to ask, so it embeds this
 * sample pull-request review of the sample history.
 */
export function demoApproval(commits: readonly string[]): HumanApproval {
  return {
    approver: { id: 'https://github.com/octocat', login: 'octocat', platformId: '583231' },
    method: 'pr-review',
    timestamp: '2026-11-11T09:00:00Z',
    evidence: { uri: 'https://github.com/acme/hello/pull/7#pullrequestreview-2024001' },
    changeRequest: { uri: 'https://github.com/acme/hello/pull/7', number: 7 },
    commits: [...commits],
  };
}

/** The sbom step's fact: a path (absolute or relative to the release) or an object with one. */
function sbomFactPath(fact: unknown, outDir: string): string | undefined {
  const candidate =
    typeof fact === 'string'
      ? fact
      : ((fact as { path?: unknown; file?: unknown } | null | undefined)?.path ??
        (fact as { file?: unknown } | null | undefined)?.file);
  return typeof candidate === 'string' ? path.resolve(outDir, candidate) : undefined;
}

interface DemoStack {
  signingConfig: unknown;
  trustedRoot: unknown;
  issueToken(profile: 'github', claims?: Record<string, unknown>): string;
  close(): Promise<void>;
}

function isDemoStack(value: unknown): value is DemoStack {
  const stack = value as Partial<DemoStack> | null | undefined;
  return typeof stack?.issueToken === 'function' && stack.signingConfig !== undefined;
}

/**
 * `custody demo`: a sample git history with agent-authored commits, then the SBOM attestation
 * (when the sbom step published 'sbom'), agent provenance with a (demo-data) human approval, and
 * SLSA provenance linking both, each signed on the local stack, verified, and appended to
 * <release>/hello.intoto.jsonl (facts: 'attestations').
 */
export const attestDemoStep: DemoStep = {
  name: 'attest',
  async run(state) {
    let stack: unknown = state.facts.get('stack');
    if (!isDemoStack(stack)) {
      const started = await startLocalSigstoreStack();
      state.cleanups.push(() => started.close());
      state.facts.set('stack', started);
      stack = started;
    }
    const localStack = stack as DemoStack;
    const historyDir = await mkdtemp(path.join(os.tmpdir(), 'custody-demo-history-'));
    state.cleanups.push(() => rm(historyDir, { recursive: true, force: true }));
    const history = await createSampleHistory(historyDir, state.ctx.env);
    state.log(
      `sample git history ${history.range}: ${history.commits.length - 1} commits, ${history.agentCommits.length} agent-authored (Assisted-by / Co-authored-by trailers)`
    );

    const token = localStack.issueToken('github', {
      sha: history.release,
      workflow_sha: history.release,
      job_workflow_sha: history.release,
    });
    registerSecret(token);
    const identity = 'https://github.com/acme/hello/.github/workflows/release.yml@refs/tags/v1.0.0';
    const config = {
      identity: { kind: 'keyless' as const, token },
      signingConfig: localStack.signingConfig,
    };
    const trust = loadTrustedRoot(localStack.trustedRoot);
    const ciContext = readGitHubContext(sampleGitHubEnv(history.release));
    const checksums = state.facts.get('checksums');
    const collected = await collectSubjects({
      subjects: state.artifacts.map((name) => path.join(state.outDir, name)),
      ...(typeof checksums === 'string' ? { checksums } : {}),
      cwd: state.outDir,
    });
    const jsonlName = 'hello.intoto.jsonl';
    const jsonl = path.join(state.outDir, jsonlName);
    await rm(jsonl, { force: true });
    const firstSubject = collected.subjects[0]?.digest?.sha256 ?? '';

    const attest = async (statement: InTotoStatement): Promise<ResourceDescriptor> => {
      validateStatement(statement);
      const bundle = await signStatement(statement, config);
      verifyBundle(bundle, { kind: 'digest', algorithm: 'sha256', hex: firstSubject }, trust, {
        subjectAlternativeName: identity,
        issuer: 'https://token.actions.githubusercontent.com',
      });
      await appendBundle(jsonl, bundle);
      return attestationDescriptor(statement, { downloadLocation: jsonlName });
    };

    const byproducts: ResourceDescriptor[] = [];
    const kinds: string[] = [];
    const sbomFile = sbomFactPath(state.facts.get('sbom'), state.outDir);
    if (sbomFile !== undefined) {
      const sbom = await readFileLimited(sbomFile, { maxBytes: SBOM_SIZE_LIMIT * 4, what: 'SBOM' });
      byproducts.push(await attest(buildSBOMStatement(sbom, collected.subjects)));
      kinds.push('sbom');
      state.log(
        `SBOM attestation (https://cyclonedx.org/bom) for ${collected.subjects.length} subjects`
      );
    } else {
      state.log('no SBOM published by an earlier step: SBOM attestation skipped');
    }

    const approval = demoApproval(history.agentCommits);
    const agentRun = await prepareAgentStatement(
      state.ctx,
      {
        subject: [],
        agentTool: [],
        instructions: [],
        tlog: true,
        platform: 'github',
        range: history.range,
        repo: history.repo,
        agent: SAMPLE_AGENT,
        model: SAMPLE_MODEL,
        modelProvider: 'anthropic',
        autonomy: 'assisted',
        approvals: 'none',
        githubTokenEnv: 'GITHUB_TOKEN',
        gitlabTokenEnv: 'GITLAB_TOKEN',
      },
      collected.subjects,
      { approvals: [approval], ciContext }
    );
    byproducts.push(await attest(agentRun.statement));
    kinds.push('agent');
    state.log(
      `agent provenance: ${agentRun.agentCommits.length} commits by ${SAMPLE_AGENT}:${SAMPLE_MODEL}, prompt sha256:${SAMPLE_PROMPT_SHA256.slice(0, 12)}… (digest only), approved by ${approval.approver.login} (sample approval record — demo data)`
    );
    if (agentRun.inconsistencies.length > 0) {
      throw new CustodyError(
        'ATTEST_AGENT_INPUT_INVALID',
        'the demo history has inconsistent trailers'
      );
    }

    const provenance = buildProvenance(ciContext, collected.subjects, {
      now: resolveBuildTime(state.ctx.env.SOURCE_DATE_EPOCH, state.ctx.now()),
      byproducts,
    });
    await attest(provenance);
    kinds.push('provenance');
    state.log(
      `SLSA provenance (builder ${provenance.predicate?.runDetails.builder.id ?? ''}) linking ${byproducts.length} attestation(s) by digest`
    );
    state.log(
      `wrote ${jsonlName}: ${kinds.length} signed bundles (${kinds.join(', ')}), each verified`
    );
    state.facts.set('attestations', {
      jsonl,
      kinds,
      sourceCommit: history.release,
      agentCommits: history.agentCommits,
      signerIdentity: identity,
    });
  },
};
