// SLSA Provenance v1 from a CIContext. Pure: the context, subjects, clock and byproducts come in,
// a statement comes out. GitHub uses exactly the layout of actions/attest (@actions/attest
// buildSLSAProvenancePredicate) so GitHub users see familiar provenance; GitLab and local builds
// use custody buildTypes documented in docs/buildtypes/.
import type { CIContext, GitHubContext, GitLabContext, LocalContext } from '../ci/context.js';
import { workflowPath } from '../ci/github/env.js';
import { CustodyError } from '../errors.js';
import { toRFC3339 } from '../util/time.js';
import type { InTotoStatement, ResourceDescriptor } from './intoto.js';
import { buildStatement } from './intoto.js';
import { AGENT_PROVENANCE_MEDIA_TYPE } from './link.js';

export const SLSA_PROVENANCE_V1 = 'https://slsa.dev/provenance/v1';
export const GITHUB_BUILD_TYPE = 'https://actions.github.io/buildtypes/workflow/v1';
export const GITLAB_BUILD_TYPE = 'https://custody.dev/buildtypes/gitlab-ci/v1';
export const LOCAL_BUILD_TYPE = 'https://custody.dev/buildtypes/local/v1';

export interface SLSAProvenancePredicate {
  buildDefinition: {
    buildType: string;
    externalParameters: Record<string, unknown>;
    internalParameters?: Record<string, unknown>;
    resolvedDependencies?: ResourceDescriptor[];
  };
  runDetails: {
    builder: {
      id: string;
      version?: Record<string, string>;
      builderDependencies?: ResourceDescriptor[];
    };
    metadata?: { invocationId?: string; startedOn?: string; finishedOn?: string };
    byproducts?: ResourceDescriptor[];
  };
}

export interface ProvenanceOptions {
  /** When the build finished (finishedOn): the caller's clock or SOURCE_DATE_EPOCH. */
  now: Date;
  /** When the build started; GitLab defaults to CI_JOB_STARTED_AT. */
  startedOn?: Date;
  /** Linked attestations (SBOM, agent provenance) and logs, as resource descriptors with digests. */
  byproducts?: readonly ResourceDescriptor[];
}

export function buildProvenance(
  ctx: CIContext,
  subjects: readonly ResourceDescriptor[],
  options: ProvenanceOptions
): InTotoStatement<SLSAProvenancePredicate> {
  const predicate = provenancePredicate(ctx, options);
  return buildStatement(subjects, SLSA_PROVENANCE_V1, predicate);
}

export function provenancePredicate(
  ctx: CIContext,
  options: ProvenanceOptions
): SLSAProvenancePredicate {
  const base = platformPredicate(ctx, options);
  const byproducts = sortDescriptors(options.byproducts ?? []);
  if (byproducts.length > 0) base.runDetails.byproducts = byproducts;
  // §7.7: the source dependency points at the agent-provenance attestation (tenant-asserted).
  const agent = byproducts.find((b) => b.mediaType === AGENT_PROVENANCE_MEDIA_TYPE);
  const source = base.buildDefinition.resolvedDependencies?.[0];
  if (agent?.digest?.sha256 !== undefined && source !== undefined) {
    source.annotations = {
      ...source.annotations,
      custody_aiAssisted: true,
      custody_agentProvenance: `sha256:${agent.digest.sha256}`,
    };
  }
  return base;
}

function platformPredicate(ctx: CIContext, options: ProvenanceOptions): SLSAProvenancePredicate {
  switch (ctx.platform) {
    case 'github':
      return githubPredicate(ctx, options);
    case 'gitlab':
      return gitlabPredicate(ctx, options);
    case 'local':
      return localPredicate(ctx, options);
  }
}

function githubPredicate(ctx: GitHubContext, options: ProvenanceOptions): SLSAProvenancePredicate {
  const repositoryURL = `${ctx.serverUrl}/${ctx.repository}`;
  return {
    buildDefinition: {
      buildType: GITHUB_BUILD_TYPE,
      externalParameters: {
        workflow: { ref: ctx.ref, repository: repositoryURL, path: workflowPath(ctx) },
      },
      internalParameters: {
        github: {
          event_name: ctx.eventName,
          repository_id: ctx.repositoryId,
          repository_owner_id: ctx.repositoryOwnerId,
          runner_environment: ctx.runnerEnvironment,
        },
      },
      resolvedDependencies: [
        { uri: `git+${repositoryURL}@${ctx.ref}`, digest: { gitCommit: ctx.sha } },
      ],
    },
    runDetails: {
      builder: { id: `${ctx.serverUrl}/${ctx.jobWorkflowRef ?? ctx.workflowRef}` },
      metadata: {
        invocationId: `${repositoryURL}/actions/runs/${ctx.runId}/attempts/${ctx.runAttempt}`,
        ...times(options.startedOn, options.now),
      },
    },
  };
}

function gitlabPredicate(ctx: GitLabContext, options: ProvenanceOptions): SLSAProvenancePredicate {
  const startedOn = options.startedOn ?? parseTime(ctx.jobStartedAt, 'CI_JOB_STARTED_AT');
  const mr = ctx.mergeRequest;
  return {
    buildDefinition: {
      buildType: GITLAB_BUILD_TYPE,
      externalParameters: {
        pipeline: {
          repository: ctx.projectUrl,
          ref: ctx.ref,
          path: ctx.configPath,
          job: ctx.jobName,
        },
      },
      internalParameters: {
        gitlab: {
          project_id: ctx.projectId,
          namespace_id: ctx.namespaceId,
          namespace_path: ctx.namespacePath,
          project_visibility: ctx.projectVisibility,
          pipeline_id: ctx.pipelineId,
          pipeline_source: ctx.pipelineSource,
          job_id: ctx.jobId,
          job_stage: ctx.jobStage,
          ref_type: ctx.refType,
          ref_protected: ctx.refProtected,
          environment: ctx.environment,
          merge_request:
            mr === undefined
              ? undefined
              : {
                  iid: mr.iid,
                  project_id: mr.projectId,
                  source_branch: mr.sourceBranch,
                  target_branch: mr.targetBranch,
                },
          runner: {
            id: ctx.runner.id,
            version: ctx.runner.version,
            revision: ctx.runner.revision,
            executable_arch: ctx.runner.executableArch,
            tags: ctx.runner.tags.length > 0 ? [...ctx.runner.tags] : undefined,
          },
        },
      },
      resolvedDependencies: [
        { uri: `git+${ctx.projectUrl}@${ctx.ref}`, digest: { gitCommit: ctx.sha } },
      ],
    },
    runDetails: {
      // The Fulcio Build Signer URI of a GitLab job: https:// + ci_config_ref_uri.
      builder: {
        id: `${ctx.serverUrl}/${ctx.projectPath}//${ctx.configPath}@${ctx.ref}`,
        ...(ctx.runner.version === undefined
          ? {}
          : { version: { 'gitlab-runner': ctx.runner.version } }),
      },
      metadata: { invocationId: ctx.jobUrl, ...times(startedOn, options.now) },
    },
  };
}

function localPredicate(ctx: LocalContext, options: ProvenanceOptions): SLSAProvenancePredicate {
  const source = ctx.source;
  const repository = source?.uri.replace(/^git\+/, '');
  return {
    buildDefinition: {
      buildType: LOCAL_BUILD_TYPE,
      externalParameters: source === undefined ? {} : { source: { repository, ref: source.ref } },
      resolvedDependencies:
        source === undefined
          ? undefined
          : [
              {
                uri: `git+${repository ?? ''}${source.ref === undefined ? '' : `@${source.ref}`}`,
                digest: { gitCommit: source.commit },
              },
            ],
    },
    runDetails: {
      builder: { id: ctx.builderId },
      metadata: { invocationId: ctx.invocationId, ...times(options.startedOn, options.now) },
    },
  };
}

function times(
  startedOn: Date | undefined,
  finishedOn: Date
): { startedOn?: string; finishedOn: string } {
  return {
    ...(startedOn === undefined ? {} : { startedOn: toRFC3339(startedOn) }),
    finishedOn: toRFC3339(finishedOn),
  };
}

function parseTime(value: string | undefined, name: string): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    throw new CustodyError('CI_CONTEXT_INCOMPLETE', `${name} is not a timestamp`, {
      details: { variable: name },
    });
  }
  return date;
}

function sortDescriptors(list: readonly ResourceDescriptor[]): ResourceDescriptor[] {
  const key = (rd: ResourceDescriptor): string =>
    `${rd.name ?? ''}\u0000${rd.digest?.sha256 ?? ''}\u0000${rd.uri ?? ''}`;
  return [...list].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
