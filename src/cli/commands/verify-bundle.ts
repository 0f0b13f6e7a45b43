// `custody verify-bundle`: verifies one Sigstore bundle offline. It is both the user-facing single
// bundle check and the sigstore-conformance `verify-bundle` entrypoint (docs/sign.md, PROTOCOL).
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { CustodyError } from '../../errors.js';
import { readFileLimited, readJSONFile, readTextLimited } from '../../io/fs.js';
import {
  embeddedTrustedRoot,
  loadTrustedRoot,
  verifyBundle,
  type ArtifactInput,
  type FulcioExtensions,
  type IdentityPolicy,
  type Matcher,
  type TrustContext,
  type VerifiedBundle,
} from '../../sign/index.js';
import { commandAction } from '../action.js';
import type { CliContext, CommandOutput, CommandRegistrar } from '../context.js';
import { commonJSExports } from '../../util/interop.js';

/** Largest artifact read into memory for a message-signature check. */
export const ARTIFACT_LIMIT = 2 * 1024 * 1024 * 1024 - 1;

interface VerifyBundleOptions {
  staging?: boolean;
  bundle: string;
  certificateIdentity?: string;
  certificateIdentityRegexp?: string;
  certificateOidcIssuer?: string;
  key?: string;
  trustedRoot?: string;
  tuf?: boolean;
  tlog: boolean;
  sourceRepository?: string;
  sourceRef?: string;
  sourceDigest?: string;
  signerWorkflow?: string;
  signerDigest?: string;
  runnerEnvironment?: string;
  buildTrigger?: string;
}

const EXTENSION_FLAGS: readonly [
  keyof VerifyBundleOptions,
  keyof FulcioExtensions,
  string,
  string,
][] = [
  [
    'sourceRepository',
    'sourceRepositoryURI',
    '--source-repository <uri>',
    'Fulcio source repository URI (e.g. https://github.com/o/r)',
  ],
  [
    'sourceRef',
    'sourceRepositoryRef',
    '--source-ref <ref>',
    'Fulcio source repository ref (e.g. refs/tags/v1.2.3)',
  ],
  [
    'sourceDigest',
    'sourceRepositoryDigest',
    '--source-digest <sha>',
    'Fulcio source repository commit digest',
  ],
  [
    'signerWorkflow',
    'buildSignerURI',
    '--signer-workflow <uri>',
    'Fulcio build signer URI (workflow or CI config @ ref)',
  ],
  ['signerDigest', 'buildSignerDigest', '--signer-digest <sha>', 'Fulcio build signer digest'],
  [
    'runnerEnvironment',
    'runnerEnvironment',
    '--runner-environment <env>',
    'Fulcio runner environment (github-hosted, gitlab-hosted, self-hosted)',
  ],
  [
    'buildTrigger',
    'buildTrigger',
    '--build-trigger <event>',
    'Fulcio build trigger (push, workflow_dispatch, ...)',
  ],
];

export const registerVerifyBundle: CommandRegistrar = (program, ctx) => {
  const command = program
    .command('verify-bundle')
    .description(
      'verify one Sigstore bundle offline against a file or a sha256:<hex> digest (also the sigstore-conformance verify-bundle entrypoint)'
    )
    .argument(
      '<file-or-digest>',
      'artifact path, or sha256:<64 hex> (for DSSE bundles: a statement subject)'
    )
    .requiredOption('--bundle <file>', 'the Sigstore bundle (.sigstore.json)')
    .option('--certificate-identity <san>', 'expected certificate SAN, exact (URI or e-mail)')
    .option(
      '--certificate-identity-regexp <regexp>',
      'expected certificate SAN as a JavaScript regular expression (anchor it with ^…$)'
    )
    .option('--certificate-oidc-issuer <url>', 'expected OIDC issuer, exact')
    .option('--key <pem>', 'verify with this public key instead of a certificate identity')
    .option(
      '--trusted-root <file>',
      'trusted_root.json to trust (default: the embedded public-good snapshot)'
    )
    .option('--staging', 'use the embedded Sigstore staging trusted root instead of public-good')
    .option('--tuf', 'refresh the public-good trusted root through TUF first (network)')
    .option(
      '--no-tlog',
      'with --key: accept a bundle without transparency-log entry (signed with --no-tlog)'
    );
  for (const [, , flag, description] of EXTENSION_FLAGS) command.option(flag, description);
  command.action(
    commandAction<[string, VerifyBundleOptions]>(ctx, (input, options) =>
      runVerifyBundle(ctx, input, options)
    )
  );
};

/** FILE_OR_DIGEST rule of the conformance protocol: a digest only if it is well-formed and not a file. */
export async function resolveArtifactInput(ctx: CliContext, value: string): Promise<ArtifactInput> {
  const match = /^(sha256|sha384|sha512):([0-9a-fA-F]+)$/.exec(value);
  const lengths = { sha256: 64, sha384: 96, sha512: 128 } as const;
  if (match !== null) {
    const algorithm = match[1] as keyof typeof lengths;
    const hex = match[2] ?? '';
    let exists: boolean;
    try {
      await stat(path.resolve(ctx.cwd, value));
      exists = true;
    } catch {
      exists = false;
    }
    if (!exists && hex.length === lengths[algorithm])
      return { kind: 'digest', algorithm, hex: hex.toLowerCase() };
  }
  const bytes = await readFileLimited(path.resolve(ctx.cwd, value), {
    maxBytes: ARTIFACT_LIMIT,
    what: 'artifact',
  });
  return { kind: 'bytes', bytes };
}

export async function resolveTrust(
  ctx: CliContext,
  options: { trustedRoot?: string; staging?: boolean; tuf?: boolean }
): Promise<TrustContext> {
  if (options.trustedRoot !== undefined) {
    return loadTrustedRoot(
      await readJSONFile(path.resolve(ctx.cwd, options.trustedRoot), { what: 'trusted root' })
    );
  }
  if (options.tuf === true) {
    if (options.staging === true) {
      throw new CustodyError('USAGE_INVALID', '--tuf refreshes the public-good root only', {
        hint: 'for staging, pass --trusted-root with a staging trusted_root.json',
      });
    }
    const { getTrustedRoot } = commonJSExports(await import('@sigstore/tuf'), 'getTrustedRoot');
    const { TrustedRoot } = commonJSExports(
      await import('@sigstore/protobuf-specs'),
      'TrustedRoot'
    );
    try {
      const root = await getTrustedRoot({});
      return loadTrustedRoot(TrustedRoot.toJSON(root), 'public-good (TUF)');
    } catch (error) {
      if (error instanceof CustodyError) throw error;
      throw new CustodyError(
        'VERIFY_TRUST_ROOT_INVALID',
        `TUF refresh of the trusted root failed: ${error instanceof Error ? error.message : String(error)}`,
        {
          cause: error,
          hint: 'drop --tuf to use the embedded snapshot, or pass --trusted-root',
        }
      );
    }
  }
  return embeddedTrustedRoot(options.staging === true ? 'staging' : 'public-good');
}

function compileRegexp(source: string, flag: string): RegExp {
  try {
    return new RegExp(source);
  } catch (error) {
    throw new CustodyError('USAGE_INVALID', `${flag} is not a valid regular expression`, {
      cause: error,
    });
  }
}

export function policyFromOptions(
  options: VerifyBundleOptions,
  keyPEM: string | undefined
): IdentityPolicy {
  const extensions: Partial<Record<keyof FulcioExtensions, Matcher>> = {};
  for (const [option, name] of EXTENSION_FLAGS) {
    const value = options[option];
    if (typeof value === 'string') extensions[name] = value;
  }
  if (keyPEM !== undefined) {
    if (
      options.certificateIdentity !== undefined ||
      options.certificateIdentityRegexp !== undefined ||
      options.certificateOidcIssuer !== undefined
    ) {
      throw new CustodyError(
        'USAGE_INVALID',
        '--key cannot be combined with certificate identity flags'
      );
    }
    return { publicKeyPEM: keyPEM };
  }
  if (
    options.certificateIdentity !== undefined &&
    options.certificateIdentityRegexp !== undefined
  ) {
    throw new CustodyError(
      'USAGE_INVALID',
      'pass --certificate-identity or --certificate-identity-regexp, not both'
    );
  }
  const san =
    options.certificateIdentity ??
    (options.certificateIdentityRegexp === undefined
      ? undefined
      : compileRegexp(options.certificateIdentityRegexp, '--certificate-identity-regexp'));
  if (san === undefined || options.certificateOidcIssuer === undefined) {
    throw new CustodyError(
      'USAGE_INVALID',
      'verify-bundle needs --certificate-identity (or -regexp) and --certificate-oidc-issuer, or --key',
      {
        hint: 'e.g. --certificate-identity https://github.com/o/r/.github/workflows/release.yml@refs/tags/v1 --certificate-oidc-issuer https://token.actions.githubusercontent.com',
      }
    );
  }
  return {
    subjectAlternativeName: san,
    issuer: options.certificateOidcIssuer,
    ...(Object.keys(extensions).length > 0 ? { extensions } : {}),
  };
}

export function summarize(result: VerifiedBundle): Record<string, unknown> {
  return {
    kind: result.kind,
    mediaType: result.mediaType,
    signer: result.signer,
    ...(result.payloadType === undefined ? {} : { payloadType: result.payloadType }),
    ...(result.statement === undefined
      ? {}
      : {
          predicateType: result.statement.predicateType,
          subjects: result.statement.subject.map((s) => ({ name: s.name, digest: s.digest })),
        }),
    ...(result.signedAt === undefined ? {} : { signedAt: result.signedAt.toISOString() }),
    tlogEntries: result.tlogEntries,
    timestamps: result.timestamps.map((t) => t.toISOString()),
  };
}

export function describeSigner(result: VerifiedBundle): string {
  return result.signer.kind === 'certificate'
    ? `${result.signer.subjectAlternativeName}${result.signer.issuer === undefined ? '' : ` (issuer ${result.signer.issuer})`}`
    : `managed key${result.signer.keyHint === undefined ? '' : ` ${result.signer.keyHint}`}`;
}

async function runVerifyBundle(
  ctx: CliContext,
  input: string,
  options: VerifyBundleOptions
): Promise<CommandOutput> {
  const keyPEM =
    options.key === undefined
      ? undefined
      : await readTextLimited(path.resolve(ctx.cwd, options.key), {
          maxBytes: 64 * 1024,
          what: 'public key',
        });
  const policy = policyFromOptions(options, keyPEM);
  const trust = await resolveTrust(ctx, options);
  const bundleText = await readTextLimited(path.resolve(ctx.cwd, options.bundle), {
    what: 'bundle',
  });
  const artifact = await resolveArtifactInput(ctx, input);
  const result = verifyBundle(bundleText, artifact, trust, policy, {
    requireTransparencyLog: options.tlog,
  });
  const when = result.signedAt === undefined ? '' : `, signed ${result.signedAt.toISOString()}`;
  return {
    text: `verified ${options.bundle}: ${result.kind} by ${describeSigner(result)}${when}, ${result.tlogEntries} tlog entr${result.tlogEntries === 1 ? 'y' : 'ies'}`,
    json: { verified: true, bundle: options.bundle, trustedRoot: trust.name, ...summarize(result) },
  };
}
