// `custody verify`: verify a whole release (artifacts, checksums, signatures, provenance, SBOM,
// agent provenance) against a policy, offline, with one verdict. See docs/verify.md.
import path from 'node:path';
import { CustodyError, isCustodyError } from '../../errors.js';
import { readTextLimited, writeFileAtomic } from '../../io/fs.js';
import { signStatement } from '../../sign/index.js';
import { prettyCanonicalJSON } from '../../util/canonical-json.js';
import { resolveBuildTime } from '../../util/time.js';
import { runVerification } from '../../verify/adapter/run.js';
import { renderMarkdown, renderText } from '../../verify/render.js';
import { buildVsa } from '../../verify/vsa.js';
import { commandAction } from '../action.js';
import type { CliContext, CommandOutput, CommandRegistrar } from '../context.js';
import { signerConfigFromFlags, type SignerFlags } from './sign.js';

interface VerifyOptions {
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
      'a release directory (default .), or artifact files and sha256:<hex> digests'
    )
    .option('--policy <file>', 'release policy (YAML, apiVersion custody.dev/v1alpha1)')
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
    .option('--workers <n>', 'verification worker threads (default: one per core)')
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
  const now = resolveBuildTime(ctx.env.SOURCE_DATE_EPOCH, ctx.now());
  const outputs = [options.output, options.vsa].filter((o): o is string => o !== undefined);
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
