// GitLab CI environment → GitLabContext. Reads only the variables in GITLAB_ENV_ALLOW_LIST from
// the env object it is given: never process.env, never a dump (npm's GitLab provenance copies ~70
// variables including user names; custody does not).
import { CustodyError } from '../../errors.js';
import type { GitLabContext } from '../context.js';

export const GITLAB_ENV_ALLOW_LIST = [
  'GITLAB_CI',
  'CI_SERVER_URL',
  'CI_API_V4_URL',
  'CI_PROJECT_ID',
  'CI_PROJECT_PATH',
  'CI_PROJECT_URL',
  'CI_PROJECT_NAMESPACE',
  'CI_PROJECT_NAMESPACE_ID',
  'CI_PROJECT_VISIBILITY',
  'CI_COMMIT_SHA',
  'CI_COMMIT_REF_NAME',
  'CI_COMMIT_BRANCH',
  'CI_COMMIT_TAG',
  'CI_COMMIT_REF_PROTECTED',
  'CI_PIPELINE_ID',
  'CI_PIPELINE_URL',
  'CI_PIPELINE_SOURCE',
  'CI_PIPELINE_CREATED_AT',
  'CI_JOB_ID',
  'CI_JOB_NAME',
  'CI_JOB_STAGE',
  'CI_JOB_URL',
  'CI_JOB_STARTED_AT',
  'CI_CONFIG_PATH',
  'CI_RUNNER_ID',
  'CI_RUNNER_VERSION',
  'CI_RUNNER_REVISION',
  'CI_RUNNER_EXECUTABLE_ARCH',
  'CI_RUNNER_TAGS',
  'CI_ENVIRONMENT_NAME',
  'CI_MERGE_REQUEST_IID',
  'CI_MERGE_REQUEST_PROJECT_ID',
  'CI_MERGE_REQUEST_PROJECT_URL',
  'CI_MERGE_REQUEST_SOURCE_BRANCH_NAME',
  'CI_MERGE_REQUEST_TARGET_BRANCH_NAME',
  'CI_MERGE_REQUEST_SOURCE_BRANCH_SHA',
] as const;

export type GitLabEnvName = (typeof GITLAB_ENV_ALLOW_LIST)[number];
export type GitLabEnv = Partial<Record<GitLabEnvName, string>>;
type Env = Readonly<Record<string, string | undefined>>;

export function pickGitLabEnv(env: Env): GitLabEnv {
  const picked: GitLabEnv = {};
  for (const name of GITLAB_ENV_ALLOW_LIST) {
    const value = env[name];
    if (value !== undefined && value !== '') picked[name] = value;
  }
  return picked;
}

export function isGitLabCI(env: Env): boolean {
  return env.GITLAB_CI === 'true';
}

/** Builds the context from allow-listed variables; pure. */
export function readGitLabContext(env: Env): GitLabContext {
  const vars = pickGitLabEnv(env);
  const serverUrl = stripSlash(required(vars, 'CI_SERVER_URL'));
  const projectPath = required(vars, 'CI_PROJECT_PATH');
  const projectId = numeric(vars, 'CI_PROJECT_ID');
  const sha = required(vars, 'CI_COMMIT_SHA');
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(sha)) {
    throw incomplete('CI_COMMIT_SHA', 'must be a full hex commit id');
  }
  const tag = vars.CI_COMMIT_TAG;
  const refName = tag ?? vars.CI_COMMIT_BRANCH ?? required(vars, 'CI_COMMIT_REF_NAME');
  const refType = tag === undefined ? 'branch' : 'tag';
  const mrIid = vars.CI_MERGE_REQUEST_IID;
  const projectUrl = stripSlash(vars.CI_PROJECT_URL ?? `${serverUrl}/${projectPath}`);
  return {
    platform: 'gitlab',
    serverUrl,
    apiUrl: stripSlash(vars.CI_API_V4_URL ?? `${serverUrl}/api/v4`),
    projectId,
    projectPath,
    projectUrl,
    namespaceId: vars.CI_PROJECT_NAMESPACE_ID,
    namespacePath: vars.CI_PROJECT_NAMESPACE,
    projectVisibility: vars.CI_PROJECT_VISIBILITY,
    ref: `${refType === 'tag' ? 'refs/tags/' : 'refs/heads/'}${refName}`,
    refName,
    refType,
    refProtected:
      vars.CI_COMMIT_REF_PROTECTED === undefined
        ? undefined
        : vars.CI_COMMIT_REF_PROTECTED === 'true',
    sha,
    pipelineId: numeric(vars, 'CI_PIPELINE_ID'),
    pipelineUrl: vars.CI_PIPELINE_URL,
    pipelineSource: required(vars, 'CI_PIPELINE_SOURCE'),
    pipelineCreatedAt: vars.CI_PIPELINE_CREATED_AT,
    jobId: numeric(vars, 'CI_JOB_ID'),
    jobName: required(vars, 'CI_JOB_NAME'),
    jobStage: vars.CI_JOB_STAGE,
    jobUrl: vars.CI_JOB_URL ?? `${projectUrl}/-/jobs/${vars.CI_JOB_ID ?? ''}`,
    jobStartedAt: vars.CI_JOB_STARTED_AT,
    configPath: vars.CI_CONFIG_PATH ?? '.gitlab-ci.yml',
    runner: {
      id: vars.CI_RUNNER_ID,
      version: vars.CI_RUNNER_VERSION,
      revision: vars.CI_RUNNER_REVISION,
      executableArch: vars.CI_RUNNER_EXECUTABLE_ARCH,
      tags: parseRunnerTags(vars.CI_RUNNER_TAGS),
    },
    environment: vars.CI_ENVIRONMENT_NAME,
    mergeRequest:
      mrIid === undefined
        ? undefined
        : {
            iid: mrIid,
            projectId: vars.CI_MERGE_REQUEST_PROJECT_ID ?? projectId,
            sourceBranch: vars.CI_MERGE_REQUEST_SOURCE_BRANCH_NAME,
            targetBranch: vars.CI_MERGE_REQUEST_TARGET_BRANCH_NAME,
            diffHeadSha: vars.CI_MERGE_REQUEST_SOURCE_BRANCH_SHA,
            url: `${stripSlash(vars.CI_MERGE_REQUEST_PROJECT_URL ?? projectUrl)}/-/merge_requests/${mrIid}`,
          },
  };
}

/** CI_RUNNER_TAGS is a JSON array on current runners and comma-separated on older ones. */
export function parseRunnerTags(value: string | undefined): string[] {
  if (value === undefined) return [];
  let tags: unknown;
  try {
    tags = JSON.parse(value);
  } catch {
    tags = value.split(',');
  }
  if (!Array.isArray(tags)) return [];
  return tags
    .filter((t): t is string => typeof t === 'string')
    .map((t) => t.trim())
    .filter((t) => t.length > 0)
    .sort();
}

function required(vars: GitLabEnv, name: GitLabEnvName): string {
  const value = vars[name];
  if (value === undefined) throw incomplete(name, 'is not set');
  return value;
}

function numeric(vars: GitLabEnv, name: GitLabEnvName): string {
  const value = required(vars, name);
  if (!/^\d+$/.test(value)) throw incomplete(name, 'must be a number');
  return value;
}

function incomplete(name: string, problem: string): CustodyError {
  return new CustodyError('CI_CONTEXT_INCOMPLETE', `GitLab CI variable ${name} ${problem}`, {
    hint: 'run inside a GitLab CI job, or use a local build (--builder-id)',
    details: { variable: name },
  });
}

function stripSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
