// actions/verify: verify a whole release directory offline (checksums, signatures, provenance,
// SBOM and agent attestations) against a policy with one verdict; the step summary carries the
// Markdown report with its Mermaid chain diagram. On PASS, and only then, it can publish what it
// verified: the files as release assets and the attestation bundles to GitHub's attestations API.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { CustodyError } from '../../../errors.js';
import { readTextLimited, writeFileAtomic } from '../../../io/fs.js';
import type { VerificationReport } from '../../../verify/types.js';
import { heading, table, type SummaryBlock } from '../summary.js';
import { GITHUB_ACTIONS_ISSUER, repoRef, requireToken, workspacePath } from './common.js';
import type { ActionDefinition, ActionDeps, ActionResult, InputReader } from './framework.js';
import { createGitHubApi, type GitHubApi } from './github-api.js';

export const VERIFY_INPUTS = [
  'release-dir',
  'policy',
  'trusted-root',
  'certificate-identity',
  'certificate-identity-regexp',
  'certificate-oidc-issuer',
  'signer-workflow',
  'source-ref',
  'source-digest',
  'deny-self-hosted-runners',
  'report-path',
  'upload-release',
  'upload-attestations',
  'release-tag',
  'github-token',
] as const;
export const VERIFY_OUTPUTS = [
  'verdict',
  'report-path',
  'report-json-path',
  'artifact-count',
  'artifacts-passed',
  'failures',
  'uploaded-assets',
  'attestation-ids',
] as const;

type VerifyInput = (typeof VERIFY_INPUTS)[number];
type VerifyOutput = (typeof VERIFY_OUTPUTS)[number];

export interface VerifyInputs {
  readonly releaseDir: string;
  readonly policy: string | undefined;
  readonly trustedRoot: string | undefined;
  readonly certificateIdentity: string | undefined;
  readonly certificateIdentityRegexp: string | undefined;
  readonly certificateOidcIssuer: string | undefined;
  readonly signerWorkflow: string | undefined;
  readonly sourceRef: string | undefined;
  readonly sourceDigest: string | undefined;
  readonly denySelfHostedRunners: boolean;
  readonly reportPath: string | undefined;
  readonly uploadRelease: boolean;
  readonly uploadAttestations: boolean;
  readonly releaseTag: string | undefined;
  readonly githubToken: string | undefined;
}

export function readVerifyInputs(read: InputReader<VerifyInput>): VerifyInputs {
  const inputs: VerifyInputs = {
    releaseDir: read.withDefault('release-dir', '.'),
    policy: read.optional('policy'),
    trustedRoot: read.optional('trusted-root'),
    certificateIdentity: read.optional('certificate-identity'),
    certificateIdentityRegexp: read.optional('certificate-identity-regexp'),
    certificateOidcIssuer: read.optional('certificate-oidc-issuer'),
    signerWorkflow: read.optional('signer-workflow'),
    sourceRef: read.optional('source-ref'),
    sourceDigest: read.optional('source-digest'),
    denySelfHostedRunners: read.boolean('deny-self-hosted-runners', false),
    reportPath: read.optional('report-path'),
    uploadRelease: read.boolean('upload-release', false),
    uploadAttestations: read.boolean('upload-attestations', false),
    releaseTag: read.optional('release-tag'),
    githubToken: read.secret('github-token'),
  };
  const pinned =
    inputs.policy !== undefined ||
    inputs.certificateIdentity !== undefined ||
    inputs.certificateIdentityRegexp !== undefined ||
    inputs.signerWorkflow !== undefined;
  if (!pinned) {
    throw new CustodyError(
      'ACTION_INPUT_INVALID',
      'set policy, certificate-identity, certificate-identity-regexp or signer-workflow: a signature proves nothing until you pin who made it',
      {
        hint: 'e.g. certificate-identity-regexp: ^https://github.com/OWNER/REPO/.github/workflows/release.yml@refs/tags/v',
      }
    );
  }
  return inputs;
}

export interface VerifyDeps extends ActionDeps {
  readonly githubApi?: (token: string, apiURL: string, serverURL: string) => Promise<GitHubApi>;
}

export async function runVerify(
  inputs: VerifyInputs,
  deps: VerifyDeps
): Promise<ActionResult<VerifyOutput>> {
  const releaseDir = await workspacePath(deps.workspace, inputs.releaseDir, deps.env.RUNNER_TEMP);
  const inWorkspace = (p: string): Promise<string> =>
    workspacePath(deps.workspace, p, deps.env.RUNNER_TEMP);
  const reportPath = await inWorkspace(
    inputs.reportPath ??
      path.join(deps.env.RUNNER_TEMP ?? deps.workspace, 'custody-verification.md')
  );
  const jsonPath = reportPath.replace(/(\.md)?$/, '.json');
  const { runVerification } = await import('../../../verify/adapter/run.js');
  const { renderMarkdown } = await import('../../../verify/render.js');
  const { prettyCanonicalJSON } = await import('../../../util/canonical-json.js');
  const { resolveBuildTime } = await import('../../../util/time.js');
  const result = await runVerification({
    cwd: deps.workspace,
    targets: [releaseDir],
    ...(inputs.policy === undefined ? {} : { policyFile: await inWorkspace(inputs.policy) }),
    ...(inputs.trustedRoot === undefined
      ? {}
      : { trustedRoot: await inWorkspace(inputs.trustedRoot) }),
    policyFlags: {
      ...(inputs.certificateIdentity === undefined
        ? {}
        : { certificateIdentity: inputs.certificateIdentity }),
      ...(inputs.certificateIdentityRegexp === undefined
        ? {}
        : { certificateIdentityRegexp: inputs.certificateIdentityRegexp }),
      ...(inputs.certificateOidcIssuer === undefined && inputs.policy !== undefined
        ? {}
        : { certificateOidcIssuer: inputs.certificateOidcIssuer ?? GITHUB_ACTIONS_ISSUER }),
      ...(inputs.signerWorkflow === undefined ? {} : { signerWorkflow: inputs.signerWorkflow }),
      ...(inputs.sourceRef === undefined ? {} : { sourceRef: inputs.sourceRef }),
      ...(inputs.sourceDigest === undefined ? {} : { sourceDigest: inputs.sourceDigest }),
      ...(inputs.denySelfHostedRunners ? { denySelfHostedRunners: true } : {}),
    },
    exclude: [path.basename(reportPath), path.basename(jsonPath)],
    // Freshness is judged against the real clock; SOURCE_DATE_EPOCH only stamps the report.
    now: deps.now(),
    reportTime: resolveBuildTime(deps.env.SOURCE_DATE_EPOCH, deps.now()),
  });
  const { report } = result;
  for (const note of result.notes) deps.log.warning(note);
  const markdown = renderMarkdown(report);
  await writeFileAtomic(reportPath, markdown);
  await writeFileAtomic(jsonPath, prettyCanonicalJSON(report));

  const passed = report.verdict === 'PASS';
  let uploaded: string[] = [];
  let attestationIds: string[] = [];
  const publishBlocks: SummaryBlock[] = [];
  if (passed && (inputs.uploadRelease || inputs.uploadAttestations)) {
    const published = await publish(inputs, deps, releaseDir, [reportPath, jsonPath]);
    uploaded = published.assets;
    attestationIds = published.attestations.map((a) => a.id);
    publishBlocks.push(
      heading('Published', 3),
      table(
        ['where', 'what'],
        [
          ...published.assets.map((name) => [`release ${published.tag ?? ''}`, name]),
          ...published.attestations.map((a) => ['attestations API', `${a.file}: ${a.url}`]),
        ]
      )
    );
  } else if (!passed && (inputs.uploadRelease || inputs.uploadAttestations)) {
    publishBlocks.push({
      kind: 'text',
      text: 'Nothing was published: the release did not verify.',
    });
  }
  const failures = report.summary.failures;
  const first = failures[0];
  return {
    outputs: {
      verdict: report.verdict,
      'report-path': reportPath,
      'report-json-path': jsonPath,
      'artifact-count': String(report.summary.artifacts),
      'artifacts-passed': String(report.summary.artifactsPassed),
      failures: String(failures.length),
      'uploaded-assets': uploaded.join('\n'),
      'attestation-ids': attestationIds.join('\n'),
    },
    summary: [{ kind: 'markdown', markdown }, ...failureBlocks(report), ...publishBlocks],
    ...(passed
      ? {}
      : {
          failure: new CustodyError(
            first?.code ?? 'ACTION_VERIFY_FAILED',
            `release verification FAILED: ${failures.length} failed check(s)${first === undefined ? '' : `, first: ${first.subject}: ${first.message}`}`,
            { hint: 'the step summary has the full report', details: { failures } }
          ),
        }),
  };
}

function failureBlocks(report: VerificationReport): SummaryBlock[] {
  if (report.summary.failures.length === 0) return [];
  return [
    heading('Why it failed', 3),
    table(
      ['subject', 'check', 'code', 'message'],
      report.summary.failures.map((f) => [f.subject, f.id, f.code, f.message])
    ),
  ];
}

/** Uploads what verified: every file of the release directory, and DSSE bundles to the API. */
async function publish(
  inputs: VerifyInputs,
  deps: VerifyDeps,
  releaseDir: string,
  reports: readonly string[]
): Promise<{
  tag: string | undefined;
  assets: string[];
  attestations: { id: string; url: string; file: string }[];
}> {
  const token = requireToken(inputs.githubToken, 'publishing');
  const repository = deps.env.GITHUB_REPOSITORY;
  if (repository === undefined) {
    throw new CustodyError(
      'CI_CONTEXT_INCOMPLETE',
      'GITHUB_REPOSITORY is not set: publishing needs the repository'
    );
  }
  const repo = repoRef(repository);
  const apiURL = deps.env.GITHUB_API_URL ?? 'https://api.github.com';
  const serverURL = deps.env.GITHUB_SERVER_URL ?? 'https://github.com';
  const api = await (
    deps.githubApi ?? ((t, a, s) => createGitHubApi({ token: t, apiURL: a, serverURL: s }))
  )(token, apiURL, serverURL);
  const entries = await readdir(releaseDir, { withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile() && !e.name.startsWith('.'))
    .map((e) => path.join(releaseDir, e.name))
    .filter((f) => !reports.includes(f))
    .sort();
  let tag: string | undefined;
  let assets: string[] = [];
  if (inputs.uploadRelease) {
    tag =
      inputs.releaseTag ??
      (deps.env.GITHUB_REF_TYPE === 'tag' ? deps.env.GITHUB_REF_NAME : undefined);
    if (tag === undefined) {
      throw new CustodyError(
        'ACTION_INPUT_INVALID',
        'upload-release needs release-tag when the run is not for a tag'
      );
    }
    assets = (await api.uploadReleaseAssets(repo, tag, files)).map((a) => a.name);
  }
  const attestations: { id: string; url: string; file: string }[] = [];
  if (inputs.uploadAttestations) {
    for (const file of files.filter((f) => f.endsWith('.intoto.jsonl'))) {
      const lines = (await readTextLimited(file, { what: 'attestation bundle' }))
        .split('\n')
        .filter((l) => l.trim() !== '');
      for (const line of lines) {
        const created = await api.createAttestation(repo, JSON.parse(line) as unknown);
        attestations.push({ ...created, file: path.basename(file) });
      }
    }
  }
  return { tag, assets, attestations };
}

export const VERIFY_ACTION: ActionDefinition<VerifyInput, VerifyOutput, VerifyInputs> = {
  name: 'verify',
  inputNames: VERIFY_INPUTS,
  outputNames: VERIFY_OUTPUTS,
  secretInputs: ['github-token'],
  readInputs: readVerifyInputs,
  run: runVerify,
};
