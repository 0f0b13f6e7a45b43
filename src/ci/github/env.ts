// GitHub Actions environment → GitHubContext. Reads only the variables listed in
// GITHUB_ENV_ALLOW_LIST from the env object it is given (never process.env, never a dump), and
// the event payload at GITHUB_EVENT_PATH through the file adapter, for the pull-request number.
import { CustodyError } from '../../errors.js';
import { readJSONFile } from '../../io/fs.js';
import type { GitHubContext } from '../context.js';

/** Every variable this reader may look at. Anything else in the environment is ignored. */
export const GITHUB_ENV_ALLOW_LIST = [
  'GITHUB_ACTIONS',
  'GITHUB_SERVER_URL',
  'GITHUB_API_URL',
  'GITHUB_REPOSITORY',
  'GITHUB_REPOSITORY_ID',
  'GITHUB_REPOSITORY_OWNER',
  'GITHUB_REPOSITORY_OWNER_ID',
  'GITHUB_REF',
  'GITHUB_REF_NAME',
  'GITHUB_REF_TYPE',
  'GITHUB_SHA',
  'GITHUB_EVENT_NAME',
  'GITHUB_EVENT_PATH',
  'GITHUB_WORKFLOW_REF',
  'GITHUB_WORKFLOW_SHA',
  'GITHUB_RUN_ID',
  'GITHUB_RUN_ATTEMPT',
  'GITHUB_RUN_NUMBER',
  'GITHUB_JOB',
  'RUNNER_ENVIRONMENT',
  'RUNNER_OS',
  'RUNNER_ARCH',
] as const;

export type GitHubEnvName = (typeof GITHUB_ENV_ALLOW_LIST)[number];
export type GitHubEnv = Partial<Record<GitHubEnvName, string>>;
type Env = Readonly<Record<string, string | undefined>>;

/** Copies the allow-listed variables (and nothing else) out of an environment object. */
export function pickGitHubEnv(env: Env): GitHubEnv {
  const picked: GitHubEnv = {};
  for (const name of GITHUB_ENV_ALLOW_LIST) {
    const value = env[name];
    if (value !== undefined && value !== '') picked[name] = value;
  }
  return picked;
}

export function isGitHubActions(env: Env): boolean {
  return env.GITHUB_ACTIONS === 'true';
}

export interface GitHubContextOptions {
  /** The parsed event payload (GITHUB_EVENT_PATH), for the pull-request number. */
  event?: unknown;
  /** The OIDC `job_workflow_ref` claim when the caller has decoded the ID token. */
  jobWorkflowRef?: string;
}

/** Builds the context from allow-listed variables; pure. */
export function readGitHubContext(env: Env, options: GitHubContextOptions = {}): GitHubContext {
  const vars = pickGitHubEnv(env);
  const serverUrl = stripSlash(vars.GITHUB_SERVER_URL ?? 'https://github.com');
  const repository = required(vars, 'GITHUB_REPOSITORY');
  if (!/^[A-Za-z0-9][\w-]*\/(?!\.\.?$)[\w.-]+$/.test(repository)) {
    throw incomplete('GITHUB_REPOSITORY', 'must be owner/name');
  }
  const sha = required(vars, 'GITHUB_SHA');
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(sha)) {
    throw incomplete('GITHUB_SHA', 'must be a full hex commit id');
  }
  const ref = required(vars, 'GITHUB_REF');
  const refType = vars.GITHUB_REF_TYPE;
  return {
    platform: 'github',
    serverUrl,
    apiUrl: stripSlash(vars.GITHUB_API_URL ?? defaultApiUrl(serverUrl)),
    repository,
    repositoryId: required(vars, 'GITHUB_REPOSITORY_ID'),
    repositoryOwner: vars.GITHUB_REPOSITORY_OWNER ?? repository.split('/')[0] ?? '',
    repositoryOwnerId: required(vars, 'GITHUB_REPOSITORY_OWNER_ID'),
    ref,
    refName: vars.GITHUB_REF_NAME,
    refType: refType === 'branch' || refType === 'tag' ? refType : undefined,
    sha,
    eventName: required(vars, 'GITHUB_EVENT_NAME'),
    workflowRef: required(vars, 'GITHUB_WORKFLOW_REF'),
    workflowSha: vars.GITHUB_WORKFLOW_SHA,
    jobWorkflowRef: options.jobWorkflowRef,
    runId: required(vars, 'GITHUB_RUN_ID'),
    runAttempt: vars.GITHUB_RUN_ATTEMPT ?? '1',
    runNumber: vars.GITHUB_RUN_NUMBER,
    job: vars.GITHUB_JOB,
    runnerEnvironment: vars.RUNNER_ENVIRONMENT,
    runnerOs: vars.RUNNER_OS,
    runnerArch: vars.RUNNER_ARCH,
    pullRequest: pullRequestFromEvent(options.event),
  };
}

/** Reads the context, loading the event payload from GITHUB_EVENT_PATH when it is set. */
export async function loadGitHubContext(
  env: Env,
  options: { jobWorkflowRef?: string } = {}
): Promise<GitHubContext> {
  const eventPath = pickGitHubEnv(env).GITHUB_EVENT_PATH;
  let event: unknown;
  if (eventPath !== undefined) {
    try {
      event = await readJSONFile(eventPath, { maxBytes: 16 * 1024 * 1024, what: 'event payload' });
    } catch (error) {
      throw new CustodyError('CI_EVENT_INVALID', 'cannot read the GitHub event payload', {
        cause: error,
        details: { file: eventPath },
      });
    }
    if (event === null || typeof event !== 'object' || Array.isArray(event)) {
      throw new CustodyError('CI_EVENT_INVALID', 'the GitHub event payload is not a JSON object', {
        details: { file: eventPath },
      });
    }
  }
  return readGitHubContext(env, { event, ...options });
}

/** Path of the workflow file inside the repository, from `owner/repo/<path>@<ref>`. */
export function workflowPath(ctx: GitHubContext): string {
  const withoutRef = ctx.workflowRef.split('@')[0] ?? ctx.workflowRef;
  const prefix = `${ctx.repository}/`;
  return withoutRef.startsWith(prefix) ? withoutRef.slice(prefix.length) : withoutRef;
}

function pullRequestFromEvent(event: unknown): GitHubContext['pullRequest'] {
  if (event === null || typeof event !== 'object') return undefined;
  const pr = (event as { pull_request?: unknown }).pull_request;
  if (pr === null || typeof pr !== 'object') return undefined;
  const number = (pr as { number?: unknown }).number;
  if (typeof number !== 'number' || !Number.isSafeInteger(number) || number <= 0) return undefined;
  const head = (pr as { head?: { sha?: unknown } }).head;
  const headSha = typeof head?.sha === 'string' ? head.sha : undefined;
  return { number, headSha };
}

function defaultApiUrl(serverUrl: string): string {
  return serverUrl === 'https://github.com' ? 'https://api.github.com' : `${serverUrl}/api/v3`;
}

function required(vars: GitHubEnv, name: GitHubEnvName): string {
  const value = vars[name];
  if (value === undefined) throw incomplete(name, 'is not set');
  return value;
}

function incomplete(name: string, problem: string): CustodyError {
  return new CustodyError('CI_CONTEXT_INCOMPLETE', `GitHub Actions variable ${name} ${problem}`, {
    hint: 'run inside a GitHub Actions job, or use a local build (--builder-id)',
    details: { variable: name },
  });
}

function stripSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
