// What custody knows about the build it runs in. Built only by the readers in src/ci/*/env.ts
// from an explicit allow-list of variables; everything downstream (provenance, agent provenance,
// approvals) takes this value instead of the environment.

export type CIContext = GitHubContext | GitLabContext | LocalContext;

export interface GitHubContext {
  readonly platform: 'github';
  /** https://github.com or a GHE host (GITHUB_SERVER_URL). */
  readonly serverUrl: string;
  /** REST API base (GITHUB_API_URL). */
  readonly apiUrl: string;
  /** owner/name (GITHUB_REPOSITORY). */
  readonly repository: string;
  readonly repositoryId: string;
  readonly repositoryOwner: string;
  readonly repositoryOwnerId: string;
  /** Fully qualified ref the run is for, e.g. refs/heads/main, refs/tags/v1.0.0, refs/pull/7/merge. */
  readonly ref: string;
  readonly refName: string | undefined;
  readonly refType: 'branch' | 'tag' | undefined;
  /** The commit the run checked out (GITHUB_SHA). */
  readonly sha: string;
  readonly eventName: string;
  /** owner/name/.github/workflows/x.yml@refs/heads/main (GITHUB_WORKFLOW_REF). */
  readonly workflowRef: string;
  readonly workflowSha: string | undefined;
  /**
   * The reusable workflow actually running the job (the OIDC `job_workflow_ref` claim); it is not
   * an environment variable, so it is set only when the caller knows it. Falls back to workflowRef.
   */
  readonly jobWorkflowRef: string | undefined;
  readonly runId: string;
  readonly runAttempt: string;
  readonly runNumber: string | undefined;
  readonly job: string | undefined;
  /** github-hosted | self-hosted (RUNNER_ENVIRONMENT). */
  readonly runnerEnvironment: string | undefined;
  readonly runnerOs: string | undefined;
  readonly runnerArch: string | undefined;
  /** The pull request of a pull_request / pull_request_target run, from the event payload. */
  readonly pullRequest:
    { readonly number: number; readonly headSha: string | undefined } | undefined;
}

export interface GitLabContext {
  readonly platform: 'gitlab';
  /** https://gitlab.com or a self-managed instance (CI_SERVER_URL). */
  readonly serverUrl: string;
  /** REST API v4 base (CI_API_V4_URL). */
  readonly apiUrl: string;
  readonly projectId: string;
  /** group/project (CI_PROJECT_PATH). */
  readonly projectPath: string;
  readonly projectUrl: string;
  readonly namespaceId: string | undefined;
  readonly namespacePath: string | undefined;
  readonly projectVisibility: string | undefined;
  /** refs/heads/<branch> or refs/tags/<tag> (an MR pipeline uses its source branch). */
  readonly ref: string;
  readonly refName: string;
  readonly refType: 'branch' | 'tag';
  readonly refProtected: boolean | undefined;
  readonly sha: string;
  readonly pipelineId: string;
  readonly pipelineUrl: string | undefined;
  /** push, merge_request_event, schedule, web, api, ... (CI_PIPELINE_SOURCE). */
  readonly pipelineSource: string;
  readonly pipelineCreatedAt: string | undefined;
  readonly jobId: string;
  readonly jobName: string;
  readonly jobStage: string | undefined;
  readonly jobUrl: string;
  readonly jobStartedAt: string | undefined;
  /** The CI configuration file (CI_CONFIG_PATH, default .gitlab-ci.yml). */
  readonly configPath: string;
  readonly runner: {
    readonly id: string | undefined;
    readonly version: string | undefined;
    readonly revision: string | undefined;
    readonly executableArch: string | undefined;
    /** Runner tags as configured (CI_RUNNER_TAGS, a JSON array); sorted. */
    readonly tags: readonly string[];
  };
  readonly environment: string | undefined;
  readonly mergeRequest:
    | {
        readonly iid: string;
        readonly projectId: string;
        readonly sourceBranch: string | undefined;
        readonly targetBranch: string | undefined;
        readonly diffHeadSha: string | undefined;
        readonly url: string | undefined;
      }
    | undefined;
}

export interface LocalContext {
  readonly platform: 'local';
  /** The builder's identity (--builder-id), a URI. */
  readonly builderId: string;
  /** The source repository and commit, when known (flags or `git` in the working tree). */
  readonly source:
    { readonly uri: string; readonly ref: string | undefined; readonly commit: string } | undefined;
  /** An id for this build run (--invocation-id), a URI or opaque string. */
  readonly invocationId: string | undefined;
}

/** The canonical git+ URI of a context's source, as resolvedDependencies and changes use it. */
export function sourceRepositoryURI(ctx: CIContext): string | undefined {
  switch (ctx.platform) {
    case 'github':
      return `git+${ctx.serverUrl}/${ctx.repository}`;
    case 'gitlab':
      return `git+${ctx.projectUrl}`;
    case 'local':
      return ctx.source === undefined ? undefined : toGitURI(ctx.source.uri);
  }
}

function toGitURI(uri: string): string {
  return uri.startsWith('git+') ? uri : `git+${uri}`;
}
