// actions/attest: an in-toto attestation (SLSA provenance, CycloneDX SBOM or agent provenance)
// for the release files, DSSE-signed keylessly into a .intoto.jsonl bundle, through the
// `custody attest` command. In a reusable workflow the provenance's builder.id is the reusable
// workflow (the OIDC job_workflow_ref), the same identity the certificate carries.
import path from 'node:path';
import { CustodyError } from '../../../errors.js';
import { readTextLimited } from '../../../io/fs.js';
import { heading, table } from '../summary.js';
import { runCustodyCommand } from './cli-bridge.js';
import {
  bundleSigner,
  expandGlobs,
  isCustodyOutput,
  readSigstoreInputs,
  repoRef,
  SIGSTORE_INPUTS,
  workingDirectory,
  workspacePath,
  type SigstoreInputs,
} from './common.js';
import type { ActionDefinition, ActionDeps, ActionResult, InputReader } from './framework.js';
import { createGitHubApi, type GitHubApi } from './github-api.js';

export const ATTEST_INPUTS = [
  'predicate-type',
  'predicate',
  'predicate-path',
  'subject-path',
  'subject-digest',
  'subject-name',
  'subject-checksums',
  'working-directory',
  'output',
  'sbom-path',
  'byproducts',
  'commit-range',
  'agent',
  'model',
  'model-provider',
  'prompt-sha256',
  'github-token',
  'upload-attestation',
  'show-summary',
  'allow-public-transparency-log',
  ...SIGSTORE_INPUTS,
] as const;
export const ATTEST_OUTPUTS = [
  'bundle-path',
  'predicate-type',
  'subject-count',
  'statement-digest',
  'signer-identity',
  'attestation-id',
  'attestation-url',
] as const;

type AttestInput = (typeof ATTEST_INPUTS)[number];
type AttestOutput = (typeof ATTEST_OUTPUTS)[number];

const KINDS = ['provenance', 'sbom', 'agent'] as const;
type Kind = (typeof KINDS)[number] | 'custom';
/** The predicate type URIs custody builds itself: given as a URI, they select that kind. */
const KIND_OF_URI: Readonly<Record<string, Kind>> = {
  'https://slsa.dev/provenance/v1': 'provenance',
  'https://cyclonedx.org/bom': 'sbom',
  'https://custody.dev/agent-provenance/v0.1': 'agent',
};

export interface AttestInputs extends SigstoreInputs {
  readonly kind: Kind;
  /** kind custom: the predicate type URI and where the predicate comes from. */
  readonly predicateTypeURI: string | undefined;
  readonly predicate: string | undefined;
  readonly predicatePath: string | undefined;
  readonly subjectPatterns: readonly string[];
  readonly subjectName: string | undefined;
  readonly subjectDigests: readonly string[];
  readonly uploadAttestation: boolean;
  readonly showSummary: boolean;
  readonly allowPublicLog: boolean;
  readonly subjectChecksums: string | undefined;
  readonly workingDirectory: string | undefined;
  readonly output: string | undefined;
  readonly sbomPath: string | undefined;
  readonly byproducts: readonly string[];
  readonly commitRange: string | undefined;
  readonly agent: string | undefined;
  readonly model: string | undefined;
  readonly modelProvider: string | undefined;
  readonly promptSha256: string | undefined;
  readonly githubToken: string | undefined;
}

export function readAttestInputs(read: InputReader<AttestInput>): AttestInputs {
  const type = read.optional('predicate-type') ?? 'provenance';
  // A word picks a custody predicate; a URI (as actions/attest takes) picks the same, or any other.
  const kind: Kind = (KINDS as readonly string[]).includes(type)
    ? (type as Kind)
    : (KIND_OF_URI[type] ?? 'custom');
  if (kind === 'custom' && !/^[a-z][a-z0-9+.-]*:\S+$/i.test(type)) {
    throw new CustodyError(
      'ACTION_INPUT_INVALID',
      `predicate-type must be provenance, sbom, agent or a predicate type URI, got ${JSON.stringify(type)}`
    );
  }
  const inputs: AttestInputs = {
    kind,
    predicateTypeURI: kind === 'custom' ? type : undefined,
    predicate: read.optional('predicate'),
    predicatePath: read.optional('predicate-path'),
    subjectPatterns: read.list('subject-path'),
    subjectName: read.optional('subject-name'),
    subjectDigests: read.list('subject-digest'),
    uploadAttestation: read.boolean('upload-attestation', false),
    showSummary: read.boolean('show-summary', true),
    allowPublicLog: read.boolean('allow-public-transparency-log', false),
    subjectChecksums: read.optional('subject-checksums'),
    workingDirectory: read.optional('working-directory'),
    output: read.optional('output'),
    sbomPath: read.optional('sbom-path'),
    byproducts: read.list('byproducts'),
    commitRange: read.optional('commit-range'),
    agent: read.optional('agent'),
    model: read.optional('model'),
    modelProvider: read.optional('model-provider'),
    promptSha256: read.optional('prompt-sha256'),
    githubToken: read.secret('github-token'),
    ...readSigstoreInputs(read),
  };
  if (
    inputs.kind === 'custom' &&
    (inputs.predicate === undefined) === (inputs.predicatePath === undefined)
  ) {
    throw new CustodyError(
      'ACTION_INPUT_INVALID',
      `predicate-type ${type} needs exactly one of predicate and predicate-path`
    );
  }
  if (inputs.kind !== 'custom' && (inputs.predicate ?? inputs.predicatePath) !== undefined) {
    throw new CustodyError(
      'ACTION_INPUT_INVALID',
      `predicate and predicate-path are for a predicate type URI; ${inputs.kind} builds its own predicate`
    );
  }
  if ((inputs.subjectName === undefined) !== (inputs.subjectDigests.length === 0)) {
    throw new CustodyError('ACTION_INPUT_INVALID', 'subject-name and subject-digest go together');
  }
  if (inputs.uploadAttestation && inputs.githubToken === undefined) {
    throw new CustodyError('ACTION_INPUT_INVALID', 'upload-attestation needs github-token');
  }
  if (inputs.kind === 'sbom' && inputs.sbomPath === undefined) {
    throw new CustodyError('ACTION_INPUT_INVALID', 'predicate-type sbom needs sbom-path');
  }
  if (inputs.promptSha256 !== undefined && !/^[0-9a-f]{64}$/.test(inputs.promptSha256)) {
    throw new CustodyError(
      'ACTION_INPUT_INVALID',
      'prompt-sha256 must be 64 lower-case hex digits'
    );
  }
  return inputs;
}

interface AttestJSON {
  kind: string;
  predicateType: string;
  subjects: number;
  statementSha256: string;
  jsonl: string;
}

export interface AttestDeps extends ActionDeps {
  readonly githubApi?: (token: string, apiURL: string, serverURL: string) => Promise<GitHubApi>;
}

export async function runAttest(
  inputs: AttestInputs,
  deps: AttestDeps
): Promise<ActionResult<AttestOutput>> {
  const dir = await workingDirectory(deps, inputs.workingDirectory);
  const subjects = (await expandGlobs(dir, inputs.subjectPatterns)).filter(
    (f) => !isCustodyOutput(f)
  );
  if (inputs.subjectPatterns.length > 0 && subjects.length === 0) {
    throw new CustodyError('ACTION_NO_SUBJECTS', `no file matched subject-path in ${dir}`, {
      details: { patterns: inputs.subjectPatterns },
    });
  }
  const inDir = (p: string): Promise<string> => workspacePath(dir, p, deps.env.RUNNER_TEMP);
  const { discoverIdentityToken } = await import('../../../sign/index.js');
  const identity = await discoverIdentityToken({ env: deps.env, token: inputs.identityToken });
  const jobWorkflowRef = unverifiedClaim(identity.token, 'job_workflow_ref');
  refusePrivateToPublicLog(inputs, unverifiedClaim(identity.token, 'repository_visibility'));
  const argv: string[] = ['attest', inputs.kind === 'custom' ? 'predicate' : inputs.kind];
  for (const subject of subjects) argv.push('--subject', subject);
  // actions/attest: one subject-name for every subject-digest given.
  for (const digest of inputs.subjectDigests) {
    argv.push('--subject-name', inputs.subjectName ?? '', '--subject-digest', digest);
  }
  if (inputs.subjectChecksums !== undefined)
    argv.push('--checksums', await inDir(inputs.subjectChecksums));
  if (inputs.output !== undefined) argv.push('--output', await inDir(inputs.output));
  argv.push('--identity-token', identity.token);
  if (inputs.signingConfig !== undefined) {
    argv.push(
      '--signing-config',
      await workspacePath(deps.workspace, inputs.signingConfig, deps.env.RUNNER_TEMP)
    );
  }
  if (inputs.fulcioURL !== undefined) argv.push('--fulcio-url', inputs.fulcioURL);
  if (inputs.rekorURL !== undefined) argv.push('--rekor-url', inputs.rekorURL);
  if (inputs.tsaURL !== undefined) argv.push('--tsa-url', inputs.tsaURL);
  switch (inputs.kind) {
    case 'provenance':
      argv.push('--platform', 'github');
      if (jobWorkflowRef !== undefined) argv.push('--job-workflow-ref', jobWorkflowRef);
      for (const file of inputs.byproducts) argv.push('--byproduct', await inDir(file));
      break;
    case 'sbom':
      argv.push('--sbom', await inDir(inputs.sbomPath ?? ''));
      break;
    case 'custom':
      argv.push('--type', inputs.predicateTypeURI ?? '');
      if (inputs.predicate !== undefined) argv.push('--predicate', inputs.predicate);
      else argv.push('--predicate-path', await inDir(inputs.predicatePath ?? ''));
      break;
    case 'agent':
      argv.push('--platform', 'github', '--repo', deps.workspace);
      if (inputs.commitRange !== undefined) argv.push('--range', inputs.commitRange);
      if (inputs.agent !== undefined) argv.push('--agent', inputs.agent);
      if (inputs.model !== undefined) argv.push('--model', inputs.model);
      if (inputs.modelProvider !== undefined) argv.push('--model-provider', inputs.modelProvider);
      if (inputs.promptSha256 !== undefined) argv.push('--prompt-sha256', inputs.promptSha256);
      argv.push('--approvals', inputs.githubToken === undefined ? 'none' : 'github');
      break;
  }
  const env =
    inputs.githubToken === undefined ? deps.env : { ...deps.env, GITHUB_TOKEN: inputs.githubToken };
  const { registerAttest } = await import('../../../cli/commands/attest.js');
  const { json } = await runCustodyCommand(registerAttest, argv, deps, { cwd: dir, env });
  const result = json as AttestJSON;
  const bundlePath = path.resolve(dir, result.jsonl);
  const lines = (await readTextLimited(bundlePath, { what: 'attestation bundle' }))
    .trim()
    .split('\n');
  const bundle = JSON.parse(lines[lines.length - 1] ?? '{}') as unknown;
  const signer = await bundleSigner(bundle);
  const stored = inputs.uploadAttestation
    ? await storeAttestation(deps, inputs.githubToken ?? '', bundle)
    : undefined;
  const summary = [
    heading(`custody attest ${inputs.kind}`),
    table(
      ['predicate type', 'subjects', 'bundle', 'statement sha256', 'signed by'],
      [
        [
          result.predicateType,
          String(result.subjects),
          path.basename(bundlePath),
          result.statementSha256,
          signer.identity,
        ],
      ]
    ),
    ...(jobWorkflowRef === undefined
      ? []
      : [table(['builder (job_workflow_ref)'], [[jobWorkflowRef]])]),
    ...(stored === undefined ? [] : [table(['attestations API'], [[stored.url]])]),
  ];
  return {
    outputs: {
      'attestation-id': stored?.id ?? '',
      'attestation-url': stored?.url ?? '',
      'bundle-path': bundlePath,
      'predicate-type': result.predicateType,
      'subject-count': String(result.subjects),
      'statement-digest': `sha256:${result.statementSha256}`,
      'signer-identity': signer.identity,
    },
    summary: inputs.showSummary ? summary : [],
  };
}

/**
 * actions/attest signs a private repository's attestations with GitHub's own Sigstore instance,
 * because public-good Rekor is a public log: the certificate names the repository, workflow and
 * commit. custody has no access to GitHub's instance, so it refuses public-good for a private (or
 * internal) repository unless told, and accepts a private Sigstore instance (signing-config,
 * fulcio-url/rekor-url) silently.
 */
export function refusePrivateToPublicLog(
  inputs: AttestInputs,
  visibility: string | undefined
): void {
  if (visibility === undefined || visibility === 'public' || inputs.allowPublicLog) return;
  const privateInstance =
    inputs.signingConfig !== undefined ||
    (inputs.fulcioURL !== undefined && inputs.rekorURL !== undefined);
  if (privateInstance) return;
  throw new CustodyError(
    'ACTION_PRIVATE_REPOSITORY_PUBLIC_LOG',
    `this repository is ${visibility}: signing with public-good Sigstore would publish its name, workflow and commit in the public Rekor log`,
    {
      hint: 'set allow-public-transparency-log: true to accept that, or sign with a private Sigstore instance (signing-config)',
    }
  );
}

/** POST the bundle to the repository's attestations API (attestations: write). */
async function storeAttestation(
  deps: AttestDeps,
  token: string,
  bundle: unknown
): Promise<{ id: string; url: string }> {
  const repository = deps.env.GITHUB_REPOSITORY;
  if (repository === undefined) {
    throw new CustodyError(
      'CI_CONTEXT_INCOMPLETE',
      'GITHUB_REPOSITORY is not set: upload-attestation needs the repository'
    );
  }
  const api = await (
    deps.githubApi ?? ((t, a, s) => createGitHubApi({ token: t, apiURL: a, serverURL: s }))
  )(
    token,
    deps.env.GITHUB_API_URL ?? 'https://api.github.com',
    deps.env.GITHUB_SERVER_URL ?? 'https://github.com'
  );
  return api.createAttestation(repoRef(repository), bundle);
}

/** A claim of a JWT the job just received from its own OIDC provider (display and builder.id only). */
function unverifiedClaim(token: string, claim: string): string | undefined {
  try {
    const payload = JSON.parse(
      Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')
    ) as Record<string, unknown>;
    const value = payload[claim];
    return typeof value === 'string' && value !== '' ? value : undefined;
  } catch {
    return undefined;
  }
}

export const ATTEST_ACTION: ActionDefinition<AttestInput, AttestOutput, AttestInputs> = {
  name: 'attest',
  inputNames: ATTEST_INPUTS,
  outputNames: ATTEST_OUTPUTS,
  secretInputs: ['github-token', 'identity-token'],
  readInputs: readAttestInputs,
  run: runAttest,
};
