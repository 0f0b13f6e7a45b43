// Signing with @sigstore/sign: keyless (Fulcio certificate for an OIDC token) or a managed key,
// witnessed by Rekor (v1, or v2 through a signing config) and optionally a TSA. Always emits bundle
// v0.3 with a single leaf `certificate`. Errors never carry the identity token: @sigstore/sign puts
// the whole token into IDENTITY_TOKEN_PARSE_ERROR messages, so those are rewritten.
// @sigstore/sign (and its HTTP stack) is loaded on first use: it is the slowest module custody
// has to start, and verification never needs it.
import {
  BUNDLE_V03_MEDIA_TYPE,
  bundleToJSON,
  type Bundle,
  type SerializedBundle,
} from '@sigstore/bundle';
import { ServiceSelector, SigningConfig } from '@sigstore/protobuf-specs';
import type * as SigstoreSignModule from '@sigstore/sign';
import type { BundleBuilder, IdentityProvider, Signer, Witness } from '@sigstore/sign';
import { INTOTO_PAYLOAD_TYPE, type InTotoStatement } from '../attest/intoto.js';
import { CustodyError, isCustodyError } from '../errors.js';
import { canonicalJSON } from '../util/canonical-json.js';
import { redact, registerSecret } from '../util/redact.js';
import { ManagedKeySigner, parsePrivateKey } from './keys.js';
import { commonJSExports } from '../util/interop.js';

export type SignerIdentity =
  | { kind: 'keyless'; token: string | (() => Promise<string>) }
  | { kind: 'key'; privateKeyPEM: string; passphrase?: string };

export interface SigstoreInstance {
  fulcioURL: string;
  rekorURL: string;
  tsaURL?: string;
}

type SigstoreSign = typeof SigstoreSignModule;

export const INSTANCES: Readonly<Record<'public-good' | 'staging', SigstoreInstance>> = {
  'public-good': {
    fulcioURL: 'https://fulcio.sigstore.dev',
    rekorURL: 'https://rekor.sigstore.dev',
  },
  staging: {
    fulcioURL: 'https://fulcio.sigstage.dev',
    rekorURL: 'https://rekor.sigstage.dev',
  },
};

export interface RetryOptions {
  /** Retries after the first attempt on 5xx, 408, 429 and network errors (default 3). */
  retries?: number;
  /** First backoff delay in ms, doubled each retry (default 500). */
  minTimeoutMs?: number;
  maxTimeoutMs?: number;
}

export interface SignerConfig {
  identity: SignerIdentity;
  /** Default public-good. Ignored when `signingConfig` is given. */
  fulcioURL?: string;
  /** Rekor v1 base URL (default public-good); ignored when `signingConfig` is given. */
  rekorURL?: string;
  /** Upload to a transparency log (default true). `false` only for key-based signing. */
  tlog?: boolean;
  /** RFC 3161 timestamp authority URL (base URL or full timestamp endpoint). */
  tsaURL?: string;
  /** A Sigstore signing_config.json value: chooses Fulcio, Rekor (v1 or v2) and TSA. */
  signingConfig?: unknown;
  /** Rekor v1 entry type for DSSE envelopes (default `dsse`, as the real service expects). */
  rekorEntryType?: 'dsse' | 'intoto';
  /** Per-request timeout in ms (default 10000; with a signing config and a key, Rekor v2 gets at least 20000). */
  timeoutMs?: number;
  retry?: RetryOptions;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const REKOR_V2_TIMEOUT_MS = 20_000;

interface FetchOptions {
  timeout: number;
  retry: { retries: number; factor: number; minTimeout: number; maxTimeout: number };
}

function fetchOptions(config: SignerConfig): FetchOptions {
  return {
    timeout: config.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    retry: {
      retries: config.retry?.retries ?? 3,
      factor: 2,
      minTimeout: config.retry?.minTimeoutMs ?? 500,
      maxTimeout: config.retry?.maxTimeoutMs ?? 8_000,
    },
  };
}

function identityProvider(identity: SignerIdentity & { kind: 'keyless' }): IdentityProvider {
  const { token } = identity;
  return {
    getToken: async () => {
      const value = typeof token === 'string' ? token : await token();
      registerSecret(value);
      return value;
    },
  };
}

function parseSigningConfig(value: unknown): SigningConfig {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new CustodyError('SIGN_CONFIG_INVALID', 'signing config must be a JSON object');
  }
  const mediaType = (value as { mediaType?: unknown }).mediaType;
  if (
    typeof mediaType !== 'string' ||
    !mediaType.startsWith('application/vnd.dev.sigstore.signingconfig')
  ) {
    throw new CustodyError(
      'SIGN_CONFIG_INVALID',
      `unsupported signing config mediaType ${JSON.stringify(mediaType)}`
    );
  }
  try {
    return SigningConfig.fromJSON(value);
  } catch (error) {
    throw new CustodyError('SIGN_CONFIG_INVALID', 'signing config does not parse', {
      cause: error,
    });
  }
}

interface ServiceChoice {
  url: string;
  majorApiVersion: number;
}

// Same selection rules as @sigstore/sign's bundleBuilderFromSigningConfig: supported API
// versions, still valid, newest start first.
function chooseService(
  services: SigningConfig['rekorTlogUrls'],
  maxApiVersion: number,
  now: Date
): ServiceChoice | undefined {
  const usable = services
    .filter((s) => s.majorApiVersion <= maxApiVersion)
    .filter((s) => s.validFor?.end === undefined || s.validFor.end >= now)
    .sort((a, b) => (b.validFor?.start?.getTime() ?? 0) - (a.validFor?.start?.getTime() ?? 0));
  const first = usable[0];
  return first === undefined
    ? undefined
    : { url: first.url, majorApiVersion: first.majorApiVersion };
}

function witnessesFor(lib: SigstoreSign, config: SignerConfig, options: FetchOptions): Witness[] {
  const witnesses: Witness[] = [];
  if (config.signingConfig !== undefined) {
    const signingConfig = parseSigningConfig(config.signingConfig);
    const now = new Date();
    if (config.tlog !== false && signingConfig.rekorTlogConfig !== undefined) {
      if (signingConfig.rekorTlogConfig.selector !== ServiceSelector.ANY) {
        throw new CustodyError('SIGN_CONFIG_INVALID', 'only the ANY Rekor selector is supported');
      }
      const tlog = chooseService(signingConfig.rekorTlogUrls, 2, now);
      if (tlog === undefined)
        throw new CustodyError('SIGN_CONFIG_INVALID', 'no usable Rekor in the signing config');
      witnesses.push(
        new lib.RekorWitness({
          rekorBaseURL: tlog.url,
          majorApiVersion: tlog.majorApiVersion,
          ...(config.rekorEntryType === undefined ? {} : { entryType: config.rekorEntryType }),
          retry: options.retry,
          timeout:
            tlog.majorApiVersion === 2
              ? Math.max(options.timeout, REKOR_V2_TIMEOUT_MS)
              : options.timeout,
        })
      );
    }
    if (signingConfig.tsaConfig !== undefined) {
      const tsa = chooseService(signingConfig.tsaUrls, 1, now);
      if (tsa === undefined)
        throw new CustodyError('SIGN_CONFIG_INVALID', 'no usable TSA in the signing config');
      witnesses.push(
        new lib.TSAWitness({ tsaBaseURL: tsa.url, retry: options.retry, timeout: options.timeout })
      );
    }
    return witnesses;
  }
  if (config.tlog !== false) {
    witnesses.push(
      new lib.RekorWitness({
        rekorBaseURL: config.rekorURL ?? INSTANCES['public-good'].rekorURL,
        ...(config.rekorEntryType === undefined ? {} : { entryType: config.rekorEntryType }),
        retry: options.retry,
        timeout: options.timeout,
      })
    );
  }
  if (config.tsaURL !== undefined) {
    witnesses.push(
      new lib.TSAWitness({
        tsaBaseURL: config.tsaURL,
        retry: options.retry,
        timeout: options.timeout,
      })
    );
  }
  return witnesses;
}

function fulcioURLFromSigningConfig(value: unknown): string {
  const signingConfig = parseSigningConfig(value);
  const ca = chooseService(signingConfig.caUrls, 1, new Date());
  if (ca === undefined)
    throw new CustodyError('SIGN_CONFIG_INVALID', 'no usable Fulcio in the signing config');
  return ca.url;
}

function builderFor(
  lib: SigstoreSign,
  config: SignerConfig,
  bundleType: 'messageSignature' | 'dsseEnvelope'
): BundleBuilder {
  const options = fetchOptions(config);
  let signer: Signer;
  if (config.identity.kind === 'keyless') {
    if (config.tlog === false) {
      throw new CustodyError(
        'SIGN_CONFIG_INVALID',
        'keyless signing needs a transparency log (short-lived certificates are only verifiable with a log or timestamp)',
        { hint: 'drop --no-tlog, or sign with --key' }
      );
    }
    if (config.signingConfig !== undefined && config.rekorEntryType === undefined) {
      // The upstream helper, so Rekor v2 / TSA selection behaves exactly like sigstore-js.
      return lib.bundleBuilderFromSigningConfig({
        signingConfig: parseSigningConfig(config.signingConfig),
        identityProvider: identityProvider(config.identity),
        bundleType,
        fetchOptions: options,
      });
    }
    signer = new lib.FulcioSigner({
      fulcioBaseURL:
        config.signingConfig !== undefined
          ? fulcioURLFromSigningConfig(config.signingConfig)
          : (config.fulcioURL ?? INSTANCES['public-good'].fulcioURL),
      identityProvider: identityProvider(config.identity),
      retry: options.retry,
      timeout: options.timeout,
    });
  } else {
    const key = parsePrivateKey(config.identity.privateKeyPEM, config.identity.passphrase);
    if (bundleType === 'messageSignature' && key.asymmetricKeyType === 'ed25519') {
      // hashedrekord signs a digest; pure Ed25519 cannot, and verifiers would reject the bundle.
      throw new CustodyError(
        'SIGN_KEY_INVALID',
        'Ed25519 keys can sign in-toto statements (DSSE) but not files as message signatures',
        { hint: 'use an ECDSA key for files: custody keygen --algorithm ecdsa-p256' }
      );
    }
    signer = new ManagedKeySigner(key);
  }
  const witnesses = witnessesFor(lib, config, options);
  return bundleType === 'messageSignature'
    ? new lib.MessageSignatureBundleBuilder({ signer, witnesses })
    : new lib.DSSEBundleBuilder({ signer, witnesses, certificateChain: false });
}

const SERVICE_ERROR_CODES = new Set([
  'CA_CREATE_SIGNING_CERTIFICATE_ERROR',
  'TLOG_CREATE_ENTRY_ERROR',
  'TLOG_FETCH_ENTRY_ERROR',
  'TSA_CREATE_TIMESTAMP_ERROR',
]);

/** Turns an @sigstore/sign error into a CustodyError whose message and cause hold no token. */
export function toSignError(error: unknown): CustodyError {
  if (isCustodyError(error)) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const message = redact(error instanceof Error ? error.message : String(error));
  if (code === 'IDENTITY_TOKEN_PARSE_ERROR' || code === 'IDENTITY_TOKEN_READ_ERROR') {
    // The original message embeds the token; keep only a safe description.
    return new CustodyError(
      'SIGN_IDENTITY_INVALID',
      code === 'IDENTITY_TOKEN_READ_ERROR'
        ? 'the OIDC identity token could not be obtained'
        : 'the OIDC identity token is not a usable JWT (it needs a subject, and an email claim needs email_verified: true)',
      { hint: 'check the token source; the token itself is never printed' }
    );
  }
  if (typeof code === 'string' && SERVICE_ERROR_CODES.has(code)) {
    const inner = (error as { cause?: unknown }).cause;
    const innerText = inner instanceof Error ? `: ${redact(inner.message)}` : '';
    return new CustodyError('SIGN_SERVICE_FAILED', `${message}${innerText}`, {
      cause: new Error(`${message}${innerText}`),
      details: { sigstoreCode: code },
      hint: 'the service failed after retries (5xx, network error or timeout); retry later or check the URLs',
    });
  }
  return new CustodyError('SIGN_FAILED', `signing failed: ${message}`, {
    cause: new Error(message),
    ...(typeof code === 'string' ? { details: { sigstoreCode: code } } : {}),
  });
}

/** Rewrites a freshly built bundle into the v0.3 shape: new media type, single leaf certificate. */
export function toBundleV03(bundle: Bundle): SerializedBundle {
  const content = bundle.verificationMaterial.content;
  const leaf =
    content.$case === 'x509CertificateChain'
      ? content.x509CertificateChain.certificates[0]
      : undefined;
  const v03: Bundle = {
    ...bundle,
    mediaType: BUNDLE_V03_MEDIA_TYPE,
    verificationMaterial: {
      ...bundle.verificationMaterial,
      content: leaf === undefined ? content : { $case: 'certificate', certificate: leaf },
    },
  };
  return bundleToJSON(v03);
}

async function build(
  config: SignerConfig,
  bundleType: 'messageSignature' | 'dsseEnvelope',
  data: Uint8Array,
  payloadType?: string
): Promise<SerializedBundle> {
  if (config.identity.kind === 'keyless' && typeof config.identity.token === 'string') {
    registerSecret(config.identity.token);
  }
  let bundle: Bundle;
  try {
    const lib = commonJSExports(await import('@sigstore/sign'), 'bundleBuilderFromSigningConfig');
    bundle = await builderFor(lib, config, bundleType).create({
      data: Buffer.from(data),
      ...(payloadType === undefined ? {} : { type: payloadType }),
    });
  } catch (error) {
    throw toSignError(error);
  }
  return toBundleV03(bundle);
}

/** Signs bytes as a message signature; returns a v0.3 bundle (JSON form). */
export function signArtifact(data: Uint8Array, config: SignerConfig): Promise<SerializedBundle> {
  return build(config, 'messageSignature', data);
}

/** Signs an in-toto statement (canonical JSON) as a DSSE envelope of type application/vnd.in-toto+json. */
export function signStatement(
  statement: InTotoStatement,
  config: SignerConfig
): Promise<SerializedBundle> {
  return signPayload(Buffer.from(canonicalJSON(statement), 'utf8'), INTOTO_PAYLOAD_TYPE, config);
}

/** Signs exact payload bytes as a DSSE envelope (e.g. a statement that must stay byte-identical). */
export function signPayload(
  payload: Uint8Array,
  payloadType: string,
  config: SignerConfig
): Promise<SerializedBundle> {
  return build(config, 'dsseEnvelope', payload, payloadType);
}
