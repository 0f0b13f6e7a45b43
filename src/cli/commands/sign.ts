// `custody sign FILE...`: signs files keyless (OIDC → Fulcio) or with a managed key, writing a
// Sigstore bundle v0.3 next to each file as <file>.sigstore.json.
import { createPublicKey } from 'node:crypto';
import path from 'node:path';
import { CustodyError } from '../../errors.js';
import { readFileLimited, readJSONFile, readTextLimited, writeFileAtomic } from '../../io/fs.js';
import {
  describeToken,
  discoverIdentityToken,
  INSTANCES,
  parsePrivateKey,
  signArtifact,
  verifyBundle,
  type IdentityPolicy,
  type SignerConfig,
  type SigstoreBundleJSON,
} from '../../sign/index.js';
import { prettyCanonicalJSON } from '../../util/canonical-json.js';
import { registerSecret } from '../../util/redact.js';
import { commandAction } from '../action.js';
import type { CliContext, CommandOutput, CommandRegistrar } from '../context.js';
import { addImageFlags, signImages, splitImageArguments, type ImageFlags } from './image.js';
import { ARTIFACT_LIMIT, resolveTrust } from './verify-bundle.js';

export interface SignerFlags {
  identityToken?: string;
  identityTokenFile?: string;
  instance?: string;
  staging?: boolean;
  signingConfig?: string;
  fulcioUrl?: string;
  rekorUrl?: string;
  tsaUrl?: string;
  key?: string;
  keyPassphraseEnv?: string;
  tlog: boolean;
  timeout?: string;
  retries?: string;
}

interface SignOptions extends SignerFlags, ImageFlags {
  bundle?: string;
  trustedRoot?: string;
  recursive?: boolean;
  push?: boolean;
}

function positiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    throw new CustodyError('USAGE_INVALID', `${flag} must be a non-negative integer`);
  }
  return n;
}

function checkURL(value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  try {
    const url = new URL(value);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('not http(s)');
  } catch {
    throw new CustodyError('USAGE_INVALID', `${flag} must be an http(s) URL`);
  }
  return value.replace(/\/+$/, '');
}

/** Builds a SignerConfig from the common signing flags; reads token/key/config files. */
export async function signerConfigFromFlags(
  ctx: CliContext,
  flags: SignerFlags
): Promise<{ config: SignerConfig; identityLabel: string }> {
  const timeoutSeconds = positiveInt(flags.timeout, '--timeout');
  const retries = positiveInt(flags.retries, '--retries');
  const instanceName = flags.staging === true ? 'staging' : (flags.instance ?? 'public-good');
  if (instanceName !== 'public-good' && instanceName !== 'staging') {
    throw new CustodyError(
      'USAGE_INVALID',
      `--instance must be public-good or staging, not ${JSON.stringify(instanceName)}`
    );
  }
  const instance = INSTANCES[instanceName];
  const signingConfig =
    flags.signingConfig === undefined
      ? undefined
      : await readJSONFile(path.resolve(ctx.cwd, flags.signingConfig), {
          what: 'signing config',
          maxBytes: 1024 * 1024,
        });
  const common = {
    fulcioURL: checkURL(flags.fulcioUrl, '--fulcio-url') ?? instance.fulcioURL,
    rekorURL: checkURL(flags.rekorUrl, '--rekor-url') ?? instance.rekorURL,
    ...(flags.tsaUrl === undefined ? {} : { tsaURL: checkURL(flags.tsaUrl, '--tsa-url') }),
    ...(signingConfig === undefined ? {} : { signingConfig }),
    tlog: flags.tlog,
    ...(timeoutSeconds === undefined ? {} : { timeoutMs: timeoutSeconds * 1000 }),
    ...(retries === undefined ? {} : { retry: { retries } }),
  };
  if (flags.key !== undefined) {
    if (flags.identityToken !== undefined || flags.identityTokenFile !== undefined) {
      throw new CustodyError('USAGE_INVALID', '--key cannot be combined with an identity token');
    }
    const privateKeyPEM = await readTextLimited(path.resolve(ctx.cwd, flags.key), {
      maxBytes: 64 * 1024,
      what: 'private key',
    });
    registerSecret(privateKeyPEM);
    let passphrase: string | undefined;
    if (flags.keyPassphraseEnv !== undefined) {
      passphrase = ctx.env[flags.keyPassphraseEnv];
      if (passphrase === undefined) {
        throw new CustodyError(
          'USAGE_INVALID',
          `environment variable ${flags.keyPassphraseEnv} (--key-passphrase-env) is not set`
        );
      }
      registerSecret(passphrase);
    }
    return {
      config: {
        ...common,
        identity: {
          kind: 'key',
          privateKeyPEM,
          ...(passphrase === undefined ? {} : { passphrase }),
        },
      },
      identityLabel: `key ${flags.key}`,
    };
  }
  if (flags.tlog === false) {
    throw new CustodyError('USAGE_INVALID', '--no-tlog is only for key-based signing (--key)');
  }
  const tokenFileContents =
    flags.identityTokenFile === undefined
      ? undefined
      : await readTextLimited(path.resolve(ctx.cwd, flags.identityTokenFile), {
          maxBytes: 64 * 1024,
          what: 'identity token file',
        });
  if (flags.identityToken !== undefined) registerSecret(flags.identityToken);
  const { token, source } = await discoverIdentityToken({
    env: ctx.env,
    ...(flags.identityToken === undefined ? {} : { token: flags.identityToken }),
    ...(tokenFileContents === undefined ? {} : { tokenFileContents }),
  });
  const claims = describeToken(token);
  return {
    config: { ...common, identity: { kind: 'keyless', token } },
    identityLabel: `${claims.subject ?? 'OIDC identity'} via ${source}${claims.issuer === undefined ? '' : ` (${claims.issuer})`}`,
  };
}

export function addSignerFlags<T extends { option(flags: string, description: string): T }>(
  command: T
): T {
  return command
    .option(
      '--identity-token <jwt>',
      'OIDC identity token for keyless signing (prefer --identity-token-file)'
    )
    .option('--identity-token-file <file>', 'read the OIDC identity token from a file')
    .option('--instance <name>', 'Sigstore instance: public-good (default) or staging')
    .option(
      '--signing-config <file>',
      'Sigstore signing_config.json choosing Fulcio, Rekor v1/v2 and TSA'
    )
    .option('--fulcio-url <url>', 'Fulcio base URL')
    .option('--rekor-url <url>', 'Rekor v1 base URL')
    .option('--tsa-url <url>', 'RFC 3161 timestamp authority URL')
    .option(
      '--key <pem>',
      'sign with this private key instead of keyless (ECDSA P-256/P-384, Ed25519 for statements)'
    )
    .option('--key-passphrase-env <var>', 'environment variable holding the private key passphrase')
    .option('--no-tlog', 'with --key: do not upload to a transparency log (air-gapped)')
    .option('--timeout <seconds>', 'per-request timeout for Sigstore services (default 10)')
    .option(
      '--retries <n>',
      'retries on 5xx, 429 and network errors, with exponential backoff (default 3)'
    );
}

export const registerSign: CommandRegistrar = (program, ctx) => {
  const command = program
    .command('sign')
    .description(
      'sign files with Sigstore (keyless OIDC or --key), writing <file>.sigstore.json bundles (v0.3)'
    )
    .argument(
      '<files...>',
      'files to sign (artifacts, SHA256SUMS, SBOMs) or images (oci://HOST/REPO@sha256:…, HOST/REPO:TAG, OCI layout, tarball)'
    )
    .option('--bundle <file>', 'bundle output path (only with a single file or image)')
    .option(
      '--trusted-root <file>',
      'verify each new bundle against this trusted_root.json before writing it'
    )
    .option('--recursive', 'images: also sign each platform manifest of a multi-platform index')
    .option('--no-push', 'images: do not attach the signature to the image in its registry');
  addImageFlags(addSignerFlags(command)).action(
    commandAction<[string[], SignOptions]>(ctx, (files, options) => runSign(ctx, files, options))
  );
};

async function runSign(
  ctx: CliContext,
  files: string[],
  options: SignOptions
): Promise<CommandOutput> {
  if (options.bundle !== undefined && files.length !== 1) {
    throw new CustodyError(
      'USAGE_INVALID',
      '--bundle names one output, so it takes exactly one file'
    );
  }
  if (
    options.bundle !== undefined &&
    path.resolve(ctx.cwd, options.bundle) === path.resolve(ctx.cwd, files[0] ?? '')
  ) {
    throw new CustodyError('USAGE_INVALID', '--bundle would overwrite the file being signed');
  }
  const split = await splitImageArguments(ctx, files);
  const { config, identityLabel } = await signerConfigFromFlags(ctx, options);
  if (split.images.length > 0) {
    if (split.files.length > 0) {
      throw new CustodyError('USAGE_INVALID', 'sign files and images in separate calls');
    }
    const signed = await signImages(ctx, split.images, config, options);
    return {
      text: [`signed as ${identityLabel}`, ...signed.lines].join('\n'),
      json: { identity: identityLabel, images: signed.json },
    };
  }
  const trust =
    options.trustedRoot === undefined
      ? undefined
      : await resolveTrust(ctx, { trustedRoot: options.trustedRoot });
  const results: { file: string; bundle: string; sha256: string }[] = [];
  for (const file of files) {
    const absolute = path.resolve(ctx.cwd, file);
    const data = await readFileLimited(absolute, {
      maxBytes: ARTIFACT_LIMIT,
      what: 'file to sign',
    });
    const bundle: SigstoreBundleJSON = await signArtifact(data, config);
    if (trust !== undefined) {
      verifyBundle(bundle, { kind: 'bytes', bytes: data }, trust, selfCheckPolicy(config), {
        requireTransparencyLog: config.tlog !== false,
      });
    }
    const out =
      options.bundle !== undefined
        ? path.resolve(ctx.cwd, options.bundle)
        : `${absolute}.sigstore.json`;
    await writeFileAtomic(out, prettyCanonicalJSON(bundle));
    const digest = bundle.messageSignature?.messageDigest?.digest ?? '';
    results.push({
      file,
      bundle: path.relative(ctx.cwd, out) || out,
      sha256: Buffer.from(digest, 'base64').toString('hex'),
    });
  }
  return {
    text: [`signed as ${identityLabel}`, ...results.map((r) => `  ${r.file} → ${r.bundle}`)].join(
      '\n'
    ),
    json: { identity: identityLabel, signed: results },
  };
}

/** The policy a freshly signed bundle is checked with before it is written. */
export function selfCheckPolicy(config: SignerConfig): IdentityPolicy {
  if (config.identity.kind === 'key') {
    const key = parsePrivateKey(config.identity.privateKeyPEM, config.identity.passphrase);
    return {
      publicKeyPEM: createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString(),
    };
  }
  const token = config.identity.token;
  const claims = typeof token === 'string' ? describeToken(token) : {};
  return { anyIdentity: true, ...(claims.issuer === undefined ? {} : { issuer: claims.issuer }) };
}
