// `custody verify`: verify a whole release (artifacts, checksums, signatures, provenance, SBOM,
// agent provenance) against a policy, offline, with one verdict. See docs/verify.md.
import path from 'node:path';
import { CustodyError, isCustodyError } from '../../errors.js';
import { readTextLimited, writeFileAtomic } from '../../io/fs.js';
import { signStatement } from '../../sign/index.js';
import { canonicalJSON, prettyCanonicalJSON } from '../../util/canonical-json.js';
import { registerSecret } from '../../util/redact.js';
import { resolveBuildTime } from '../../util/time.js';
import { runVerification } from '../../verify/adapter/run.js';
import { renderMarkdown, renderText, verdictLine } from '../../verify/render.js';
import { buildVsa } from '../../verify/vsa.js';
import { commandAction } from '../action.js';
import type { CliContext, CommandOutput, CommandRegistrar } from '../context.js';
import type { DemoStep } from '../demo/state.js';
import { splitImageArguments } from './image.js';
import { signerConfigFromFlags, type SignerFlags } from './sign.js';
import { runVerifyImages } from './verify-image.js';

export interface VerifyOptions {
  images?: string;
  plainHttp?: boolean;
  cosignTags?: boolean;
  policy?: string;
  trustedRoot?: string;
  staging?: boolean;
  checksums?: string;
  bundle: string[];
  agentCommits?: string;
  format: string;
  output?: string;
  vsa?: string;
  resourceUri?: string;
  certificateIdentity?: string;
  certificateIdentityRegexp?: string;
  certificateOidcIssuer?: string;
  certificateOidcIssuerRegexp?: string;
  signerWorkflow?: string;
  sourceRef?: string;
  sourceDigest?: string;
  denySelfHostedRunners?: boolean;
  predicateType?: string;
  key?: string;
  workers?: string;
  vsaSign?: boolean;
  vsaKey?: string;
  vsaIdentityTokenFile?: string;
  vsaSigningConfig?: string;
  vsaFulcioUrl?: string;
  vsaRekorUrl?: string;
  vsaTsaUrl?: string;
}

const FORMATS = ['text', 'json', 'markdown'] as const;

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export const registerVerify: CommandRegistrar = (program, ctx) => {
  program
    .command('verify')
    .description(
      'verify a whole release offline — checksums, signatures, SLSA provenance, SBOM and agent provenance — against a policy, with one verdict'
    )
    .argument(
      '[targets...]',
      'a release directory (default .), artifact files and sha256:<hex> digests, or images (HOST/REPO@sha256:…, HOST/REPO:TAG)'
    )
    .option('--policy <file>', 'release policy (YAML, apiVersion custody.dev/v1alpha1)')
    .option(
      '--images <file>',
      'verify every image named in a Kubernetes manifest or Helm-rendered YAML (each must be pinned by digest)'
    )
    .option('--plain-http', 'images: allow plain HTTP to a registry that is not on loopback')
    .option('--cosign-tags', "images: also look for cosign's sha256-<hex>.sig / .att tags")
    .option('--trusted-root <file>', 'Sigstore trusted_root.json (default: embedded public-good)')
    .option('--staging', 'use the embedded Sigstore staging trusted root')
    .option('--checksums <file>', 'checksums file (default: the policy’s, SHA256SUMS)')
    .option('--bundle <file>', 'extra Sigstore bundle or .jsonl file (repeatable)', collect, [])
    .option(
      '--agent-commits <file>',
      'agent-authored commit SHAs that must be covered, one per line'
    )
    .option('--format <format>', 'report format: text, json or markdown', 'text')
    .option('--output <file>', 'write the report to this file instead of stdout')
    .option('--vsa <file>', 'write a SLSA Verification Summary Attestation')
    .option('--resource-uri <uri>', 'resourceUri of the VSA (default: the release directory name)')
    .option(
      '--certificate-identity <san>',
      'allowed signer identity (exact), replaces the policy’s signers'
    )
    .option('--certificate-identity-regexp <re>', 'allowed signer identity (regular expression)')
    .option('--certificate-oidc-issuer <url>', 'allowed OIDC issuer (exact)')
    .option('--certificate-oidc-issuer-regexp <re>', 'allowed OIDC issuer (regular expression)')
    .option(
      '--signer-workflow <owner/repo/path>',
      'allowed signing workflow (GitHub), as gh attestation verify'
    )
    .option('--source-ref <ref>', 'required source ref (glob), e.g. refs/tags/v*')
    .option('--source-digest <sha>', 'required source commit')
    .option('--deny-self-hosted-runners', 'fail provenance built on self-hosted runners')
    .option(
      '--predicate-type <uri>',
      'accepted provenance predicate type (default https://slsa.dev/provenance/v1)'
    )
    .option('--key <pem>', 'public key for key-signed bundles')
    .option(
      '--workers <n>',
      'verification worker threads besides the main thread (default: cores - 1)'
    )
    .option('--vsa-sign', 'sign the VSA with the ambient CI identity (GitHub/GitLab OIDC)')
    .option('--vsa-key <pem>', 'sign the VSA with this private key')
    .option('--vsa-identity-token-file <file>', 'sign the VSA keyless with this OIDC token')
    .option('--vsa-signing-config <file>', 'signing_config.json for signing the VSA')
    .option('--vsa-fulcio-url <url>', 'Fulcio URL for signing the VSA')
    .option('--vsa-rekor-url <url>', 'Rekor URL for signing the VSA')
    .option('--vsa-tsa-url <url>', 'timestamp authority URL for signing the VSA')
    .addHelpText(
      'after',
      '\nExit status: 0 PASS, 1 FAIL, 2 bad usage or input. No network access (except to sign a VSA).\nDocs: docs/verify.md, docs/policy.md.'
    )
    .action(
      commandAction<[string[], VerifyOptions]>(ctx, (targets, options) =>
        runVerifyCommand(ctx, targets, options)
      )
    );
};

export async function runVerifyCommand(
  ctx: CliContext,
  targets: string[],
  options: VerifyOptions
): Promise<CommandOutput> {
  const format = options.format as (typeof FORMATS)[number];
  if (!FORMATS.includes(format)) {
    throw new CustodyError(
      'USAGE_INVALID',
      `--format must be text, json or markdown, not ${JSON.stringify(options.format)}`
    );
  }
  let workers: number | undefined;
  if (options.workers !== undefined) {
    workers = Number(options.workers);
    if (!Number.isInteger(workers) || workers < 0 || workers > 64) {
      throw new CustodyError('USAGE_INVALID', '--workers must be an integer from 0 to 64');
    }
  }
  const publicKey =
    options.key === undefined
      ? undefined
      : await readTextLimited(path.resolve(ctx.cwd, options.key), {
          maxBytes: 64 * 1024,
          what: 'public key',
        });
  // Freshness is judged by the real clock; SOURCE_DATE_EPOCH only stamps the report.
  const now = ctx.now();
  const reportTime = resolveBuildTime(ctx.env.SOURCE_DATE_EPOCH, now);
  const outputs = [options.output, options.vsa].filter((o): o is string => o !== undefined);
  const split = await splitImageArguments(ctx, targets);
  if (options.images !== undefined || split.images.length > 0) {
    return runVerifyImages(ctx, split, options, { now, reportTime, format, publicKey });
  }
  const result = await runVerification({
    cwd: ctx.cwd,
    targets,
    ...(options.policy === undefined ? {} : { policyFile: options.policy }),
    policyFlags: {
      ...(options.certificateIdentity === undefined
        ? {}
        : { certificateIdentity: options.certificateIdentity }),
      ...(options.certificateIdentityRegexp === undefined
        ? {}
        : { certificateIdentityRegexp: options.certificateIdentityRegexp }),
      ...(options.certificateOidcIssuer === undefined
        ? {}
        : { certificateOidcIssuer: options.certificateOidcIssuer }),
      ...(options.certificateOidcIssuerRegexp === undefined
        ? {}
        : { certificateOidcIssuerRegexp: options.certificateOidcIssuerRegexp }),
      ...(options.signerWorkflow === undefined ? {} : { signerWorkflow: options.signerWorkflow }),
      ...(options.sourceRef === undefined ? {} : { sourceRef: options.sourceRef }),
      ...(options.sourceDigest === undefined ? {} : { sourceDigest: options.sourceDigest }),
      ...(options.denySelfHostedRunners === true ? { denySelfHostedRunners: true } : {}),
      ...(options.predicateType === undefined ? {} : { predicateType: options.predicateType }),
      ...(publicKey === undefined ? {} : { publicKey }),
    },
    ...(options.trustedRoot === undefined ? {} : { trustedRoot: options.trustedRoot }),
    ...(options.staging === true ? { staging: true } : {}),
    ...(options.checksums === undefined ? {} : { checksums: options.checksums }),
    bundles: options.bundle,
    ...(options.agentCommits === undefined ? {} : { agentCommits: options.agentCommits }),
    exclude: outputs.map((o) => path.basename(o)),
    ...(workers === undefined ? {} : { workers }),
    now,
    reportTime,
  });
  const { report } = result;
  for (const note of result.notes) ctx.io.stderr(`note: ${note}\n`);

  if (options.vsa !== undefined) {
    const resourceUri =
      options.resourceUri ??
      (result.release.releaseDir === undefined
        ? 'custody:artifacts'
        : `file:${path.basename(result.release.releaseDir)}`);
    const statement = buildVsa(report, {
      resourceUri,
      inputAttestations: result.release.attestationFiles,
    });
    const out = path.resolve(ctx.cwd, options.vsa);
    const signFlags: SignerFlags | undefined = vsaSignerFlags(options);
    if (signFlags === undefined) {
      ctx.io.stderr(
        'warning: the VSA is unsigned (pass --vsa-sign, --vsa-key or --vsa-identity-token-file to sign it)\n'
      );
      await writeFileAtomic(out, prettyCanonicalJSON(statement));
    } else {
      const { config } = await signerConfigFromFlags(ctx, signFlags);
      try {
        await writeFileAtomic(out, prettyCanonicalJSON(await signStatement(statement, config)));
      } catch (error) {
        if (isCustodyError(error)) throw error;
        throw new CustodyError('SIGN_FAILED', 'signing the VSA failed', { cause: error });
      }
    }
  }

  const rendered =
    format === 'json'
      ? prettyCanonicalJSON(report)
      : format === 'markdown'
        ? renderMarkdown(report)
        : renderText(report);
  const exitCode = report.verdict === 'PASS' ? 0 : 1;
  if (options.output !== undefined) {
    await writeFileAtomic(path.resolve(ctx.cwd, options.output), rendered);
    return {
      text: `${report.verdict}: report written to ${options.output}`,
      json: report,
      exitCode,
    };
  }
  return { text: rendered, json: report, exitCode };
}

function vsaSignerFlags(options: VerifyOptions): SignerFlags | undefined {
  if (
    options.vsaSign !== true &&
    options.vsaKey === undefined &&
    options.vsaIdentityTokenFile === undefined
  ) {
    return undefined;
  }
  return {
    tlog: true,
    ...(options.vsaKey === undefined ? {} : { key: options.vsaKey }),
    ...(options.vsaIdentityTokenFile === undefined
      ? {}
      : { identityTokenFile: options.vsaIdentityTokenFile }),
    ...(options.vsaSigningConfig === undefined ? {} : { signingConfig: options.vsaSigningConfig }),
    ...(options.vsaFulcioUrl === undefined ? {} : { fulcioUrl: options.vsaFulcioUrl }),
    ...(options.vsaRekorUrl === undefined ? {} : { rekorUrl: options.vsaRekorUrl }),
    ...(options.vsaTsaUrl === undefined ? {} : { tsaUrl: options.vsaTsaUrl }),
  };
}

const VSA_DEMO_FILE = 'verification.intoto.jsonl';

interface DemoSigningStack {
  signingConfig: unknown;
  issueToken(profile: 'github'): string;
}

interface DemoAttestationsFact {
  kinds?: string[];
  signerIdentity?: string;
}

/** The demo's own release policy, pinned to what the earlier steps produced and signed. */
export function demoPolicyYAML(options: {
  identity: string;
  issuer: string;
  checksums: boolean;
  checksumsSigned: boolean;
  provenance: boolean;
  sbom: boolean;
  agents: boolean;
}): string {
  const repository = 'https://github.com/acme/hello';
  return `# custody demo: the release policy of the sample "hello" release (docs/policy.md).
apiVersion: custody.dev/v1alpha1
kind: ReleasePolicy
metadata:
  name: hello-demo-release
spec:
  signers:
    - issuer: ${options.issuer}
      subject: ${options.identity}
      extensions:
        sourceRepositoryURI: ${repository}
  checksums: { required: ${options.checksums}, file: SHA256SUMS, signed: ${options.checksumsSigned} }
  provenance:
    required: ${options.provenance}
    builderIds: ['${options.identity}']
    buildTypes: [https://actions.github.io/buildtypes/workflow/v1]
    sourceRepositories: [${repository}]
    sourceRefs: ['refs/tags/v*']
    workflows: [.github/workflows/release.yml]
    denySelfHostedRunners: true
  sbom:
    required: ${options.sbom}
    specVersions: ['1.5', '1.6', '1.7']
    deniedLicenses: [GPL-3.0-only, AGPL-*]
  agents:
    required: ${options.agents}
    allowedAgents: [claude-code]
    allowedModels: ['claude-*']
    requirePromptDigest: true
    minApprovals: 1
    allowedApprovers: ['https://github.com/*']
    allowedAutonomy: [assisted]
  freshness: { maxAge: 30d }
  transparency: { requireTlog: true }
`;
}

/**
 * `custody demo`, last step: writes custody-policy.yaml beside the release, verifies the whole
 * release against it with the local stack's trusted_root.json, writes verification.md and
 * verification.json into the release and publishes the verdict (fact: 'verdict').
 */
export const verifyDemoStep: DemoStep = {
  name: 'verify',
  async run(state) {
    const attestations = state.facts.get('attestations') as DemoAttestationsFact | undefined;
    const signer = state.facts.get('signerIdentity') as
      { subjectAlternativeName?: string; issuer?: string } | undefined;
    const identity = attestations?.signerIdentity ?? signer?.subjectAlternativeName;
    if (identity === undefined) {
      throw new CustodyError('POLICY_INVALID', 'the demo release has no signer identity to pin');
    }
    const kinds = new Set(attestations?.kinds ?? []);
    const bundles = (state.facts.get('bundles') ?? {}) as Record<string, string>;
    const policyFile = path.join(state.outDir, 'custody-policy.yaml');
    await writeFileAtomic(
      policyFile,
      demoPolicyYAML({
        identity,
        issuer: signer?.issuer ?? 'https://token.actions.githubusercontent.com',
        checksums: state.facts.has('checksums'),
        checksumsSigned: bundles.SHA256SUMS !== undefined,
        provenance: kinds.has('provenance'),
        sbom: kinds.has('sbom'),
        agents: kinds.has('agent'),
      })
    );
    const trustedRoot = path.join(state.outDir, 'trusted_root.json');
    const stack = state.facts.get('stack') as { trustedRoot?: unknown } | undefined;
    if (stack?.trustedRoot !== undefined) {
      await writeFileAtomic(trustedRoot, prettyCanonicalJSON(stack.trustedRoot));
    }
    state.log(`wrote custody-policy.yaml (signer ${identity}) and trusted_root.json`);
    const now = state.ctx.now();
    const result = await runVerification({
      cwd: state.outDir,
      targets: [state.outDir],
      policyFile,
      policyFlags: {},
      trustedRoot,
      now,
      reportTime: resolveBuildTime(state.ctx.env.SOURCE_DATE_EPOCH, now),
    });
    const { report } = result;
    await writeFileAtomic(
      path.join(state.outDir, 'verification.json'),
      prettyCanonicalJSON(report)
    );
    await writeFileAtomic(path.join(state.outDir, 'verification.md'), renderMarkdown(report));
    for (const failure of report.summary.failures) {
      state.log(`FAIL ${failure.subject} ${failure.id} ${failure.code}: ${failure.message}`);
    }
    // A signed VSA of the verdict, for whoever deploys the release (the trace step looks for it).
    const demoStack = state.facts.get('stack') as DemoSigningStack | undefined;
    if (demoStack !== undefined && typeof demoStack.issueToken === 'function') {
      const vsa = buildVsa(report, {
        resourceUri: 'https://github.com/acme/hello/releases/tag/v1.0.0',
        inputAttestations: result.release.attestationFiles,
      });
      const token = demoStack.issueToken('github');
      registerSecret(token);
      const bundle = await signStatement(vsa, {
        identity: { kind: 'keyless', token },
        signingConfig: demoStack.signingConfig,
      });
      await writeFileAtomic(path.join(state.outDir, VSA_DEMO_FILE), `${canonicalJSON(bundle)}\n`);
      state.log(
        `wrote ${VSA_DEMO_FILE}: signed SLSA VSA (${vsa.predicate?.verificationResult ?? '?'})`
      );
    }
    state.log(verdictLine(report));
    state.log('wrote verification.json and verification.md');
    state.facts.set('verdict', report.verdict);
  },
};
