// Reads the facts a policy checks out of a SLSA provenance predicate, across the shapes found in
// the wild: SLSA v1 (actions/attest, npm, slsa-github-generator, custody, GitLab), SLSA v0.2
// (npm, early generators) and GitLab runner metadata quirks (a git SHA under digest.sha256).
import { asObject as obj, asString as str, asArray as list } from '../util/json.js';

export interface ProvenanceFacts {
  builderId?: string;
  buildType?: string;
  /** Canonical source repository URL, without `git+` and `@ref`. */
  sourceRepository?: string;
  sourceRef?: string;
  sourceCommit?: string;
  /** Workflow file (GitHub) or pipeline entry point / job (GitLab). */
  workflow?: string;
  runnerEnvironment?: string;
  /**
   * Dependencies the provenance marks as AI-assisted (resolvedDependencies annotations
   * `<vendor>_aiAssisted`), with the agent-provenance statement they link to
   * (`<vendor>_agentProvenance: "sha256:<hex>"`, the SHA-256 of its DSSE payload), if any.
   */
  agentLinks: { commit?: string; attestationDigest?: string }[];
}

type Json = Record<string, unknown>;

const COMMIT = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

/** `git+https://github.com/o/r@refs/heads/main` → { repo: https://github.com/o/r, ref }. */
export function splitGitURI(uri: string): { repository: string; ref?: string } {
  const bare = uri.replace(/^git\+/, '');
  const at = bare.lastIndexOf('@');
  // An `@` before the path (user@host) is not a ref separator.
  const pathStart = bare.indexOf('/', bare.indexOf('://') + 3);
  if (at > pathStart && pathStart > 0) {
    return { repository: stripGitSuffix(bare.slice(0, at)), ref: bare.slice(at + 1) };
  }
  return { repository: stripGitSuffix(bare) };
}

function stripGitSuffix(url: string): string {
  return url.replace(/\.git$/, '').replace(/\/+$/, '');
}

function commitOf(digest: unknown): string | undefined {
  const d = obj(digest);
  if (d === undefined) return undefined;
  for (const key of ['gitCommit', 'sha1']) {
    const value = str(d[key])?.toLowerCase();
    if (value !== undefined && COMMIT.test(value)) return value;
  }
  // GitLab runner metadata puts the 40-hex commit under sha256.
  const sha256 = str(d.sha256)?.toLowerCase();
  if (sha256 !== undefined && /^[0-9a-f]{40}$/.test(sha256)) return sha256;
  return undefined;
}

export function provenanceFacts(predicateType: string, predicate: unknown): ProvenanceFacts {
  const p = obj(predicate) ?? {};
  return predicateType.startsWith('https://slsa.dev/provenance/v0.') ? factsV02(p) : factsV1(p);
}

function factsV1(p: Json): ProvenanceFacts {
  const def = obj(p.buildDefinition) ?? {};
  const run = obj(p.runDetails) ?? {};
  const external = obj(def.externalParameters) ?? {};
  const internal = obj(def.internalParameters) ?? {};
  const facts: ProvenanceFacts = { agentLinks: [] };
  facts.builderId = str(obj(run.builder)?.id);
  facts.buildType = str(def.buildType);

  const deps = list(def.resolvedDependencies)
    .map(obj)
    .filter((d) => d !== undefined);
  // The source: a git+ dependency with a commit; GitLab runner metadata omits the git+ prefix.
  const source =
    deps.find((d) => str(d.uri)?.startsWith('git+') === true && commitOf(d.digest) !== undefined) ??
    deps.find((d) => str(d.uri) !== undefined && commitOf(d.digest) !== undefined);
  if (source !== undefined) {
    const { repository, ref } = splitGitURI(str(source.uri) ?? '');
    facts.sourceRepository = repository;
    facts.sourceRef = ref;
    facts.sourceCommit = commitOf(source.digest);
  }
  for (const dep of deps) {
    const annotations = obj(dep.annotations);
    if (annotations === undefined) continue;
    const entries = Object.entries(annotations);
    if (!entries.some(([key, value]) => key.endsWith('_aiAssisted') && value === true)) continue;
    const link = entries.find(([key]) => key.endsWith('_agentProvenance'))?.[1];
    const digest = typeof link === 'string' ? /^sha256:([0-9a-f]{64})$/.exec(link)?.[1] : undefined;
    const commit = commitOf(dep.digest);
    facts.agentLinks.push({
      ...(commit === undefined ? {} : { commit }),
      ...(digest === undefined ? {} : { attestationDigest: digest }),
    });
  }

  // GitHub workflow buildTypes (actions/attest, npm): externalParameters.workflow.
  const workflow = obj(external.workflow);
  if (workflow !== undefined) {
    facts.workflow = str(workflow.path);
    facts.sourceRef ??= str(workflow.ref);
    facts.sourceRepository ??= str(workflow.repository);
  }
  // slsa-github-generator container builds: externalParameters.source.
  const src = obj(external.source);
  if (src !== undefined && facts.sourceRepository === undefined && str(src.uri) !== undefined) {
    const { repository, ref } = splitGitURI(str(src.uri) ?? '');
    facts.sourceRepository = repository;
    facts.sourceRef ??= ref;
    facts.sourceCommit ??= commitOf(src.digest);
  }
  // custody's GitLab buildType: externalParameters.pipeline {repository, ref, path, job}.
  const pipeline = obj(external.pipeline);
  if (pipeline !== undefined) {
    facts.sourceRepository ??= str(pipeline.repository);
    facts.sourceRef ??= str(pipeline.ref);
    facts.workflow ??= str(pipeline.path);
  }
  // GitLab (runner metadata, SLSA L3 experiment).
  if (typeof external.source === 'string')
    facts.sourceRepository ??= stripGitSuffix(external.source);
  facts.workflow ??= str(external.entryPoint);
  const variables = obj(external.variables);
  const gitlabRef = str(variables?.CI_COMMIT_REF_NAME);
  if (gitlabRef !== undefined && facts.sourceRef === undefined) {
    facts.sourceRef =
      str(variables?.CI_COMMIT_TAG) !== undefined
        ? `refs/tags/${gitlabRef}`
        : `refs/heads/${gitlabRef}`;
  }
  // Environment-style internal parameters (slsa-github-generator).
  facts.sourceCommit ??= commitOf({ gitCommit: internal.GITHUB_SHA });
  facts.sourceRef ??= str(internal.GITHUB_REF);
  if (facts.sourceRepository === undefined && str(internal.GITHUB_REPOSITORY) !== undefined) {
    facts.sourceRepository = `https://github.com/${str(internal.GITHUB_REPOSITORY) ?? ''}`;
  }
  facts.runnerEnvironment =
    str(obj(internal.github)?.runner_environment) ??
    str(obj(internal.gitlab)?.runner_environment) ??
    str(internal.runner_environment) ??
    str(internal.runnerEnvironment) ??
    str(obj(internal.custody)?.runnerEnvironment);
  return facts;
}

function factsV02(p: Json): ProvenanceFacts {
  const invocation = obj(p.invocation) ?? {};
  const config = obj(invocation.configSource) ?? {};
  const env = obj(invocation.environment) ?? {};
  const facts: ProvenanceFacts = { agentLinks: [] };
  facts.builderId = str(obj(p.builder)?.id);
  facts.buildType = str(p.buildType);
  const uri = str(config.uri) ?? str(obj(list(p.materials)[0])?.uri);
  if (uri !== undefined) {
    const { repository, ref } = splitGitURI(uri);
    facts.sourceRepository = repository;
    facts.sourceRef = ref;
  }
  facts.sourceCommit = commitOf(config.digest) ?? commitOf(obj(list(p.materials)[0])?.digest);
  facts.sourceRef ??= str(env.GITHUB_REF);
  facts.workflow = str(config.entryPoint);
  return facts;
}

/** The repository path of a workflow ref `owner/repo/.github/workflows/x.yml@ref` or URL. */
export function workflowPathOf(buildSignerURI: string): string | undefined {
  const withoutRef = buildSignerURI.split('@')[0] ?? '';
  const match = /\/\/[^/]+\/[^/]+\/[^/]+\/(.+)$/.exec(withoutRef);
  return match?.[1];
}
