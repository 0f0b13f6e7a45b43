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
  SIGSTORE_INPUTS,
  workingDirectory,
  workspacePath,
  type SigstoreInputs,
} from './common.js';
import type { ActionDefinition, ActionDeps, ActionResult, InputReader } from './framework.js';

export const ATTEST_INPUTS = [
  'predicate-type',
  'subject-path',
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
  ...SIGSTORE_INPUTS,
] as const;
export const ATTEST_OUTPUTS = [
  'bundle-path',
  'predicate-type',
  'subject-count',
  'statement-digest',
  'signer-identity',
] as const;

type AttestInput = (typeof ATTEST_INPUTS)[number];
type AttestOutput = (typeof ATTEST_OUTPUTS)[number];

const KINDS = ['provenance', 'sbom', 'agent'] as const;
type Kind = (typeof KINDS)[number];

export interface AttestInputs extends SigstoreInputs {
  readonly kind: Kind;
  readonly subjectPatterns: readonly string[];
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
  const inputs: AttestInputs = {
    kind: read.choice('predicate-type', KINDS, 'provenance'),
    subjectPatterns: read.list('subject-path'),
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

export async function runAttest(
  inputs: AttestInputs,
  deps: ActionDeps
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
  const argv: string[] = ['attest', inputs.kind];
  for (const subject of subjects) argv.push('--subject', subject);
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
  const signer = await bundleSigner(JSON.parse(lines[lines.length - 1] ?? '{}') as unknown);
  return {
    outputs: {
      'bundle-path': bundlePath,
      'predicate-type': result.predicateType,
      'subject-count': String(result.subjects),
      'statement-digest': `sha256:${result.statementSha256}`,
      'signer-identity': signer.identity,
    },
    summary: [
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
    ],
  };
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
