// Offline, synchronous verification of one Sigstore bundle with @sigstore/verify, plus the checks
// sigstore-js leaves to its callers: the artifact must be a subject of a DSSE statement, a
// message digest must match the artifact (or the given digest, verified as a prehash), the
// bundle's chain must not carry a root CA, a DSSE envelope has exactly one signature, and the
// identity policy matches exactly (sigstore-js treats a SAN string as a regular expression).
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import {
  BUNDLE_V01_MEDIA_TYPE,
  BUNDLE_V02_MEDIA_TYPE,
  BUNDLE_V03_LEGACY_MEDIA_TYPE,
  BUNDLE_V03_MEDIA_TYPE,
  bundleFromJSON,
  type Bundle,
  type SerializedBundle,
} from '@sigstore/bundle';
import { X509Certificate } from '@sigstore/core';
import { HashAlgorithm } from '@sigstore/protobuf-specs';
import { toSignedEntity, Verifier, type SignedEntity, type TrustMaterial } from '@sigstore/verify';
import { INTOTO_PAYLOAD_TYPE, parseStatement, type InTotoStatement } from '../attest/intoto.js';
import { CustodyError, isCustodyError, type ErrorCode } from '../errors.js';
import { parseJSONText } from '../io/fs.js';
import { certificateIdentity, isSelfSigned, type FulcioExtensions } from './certificate.js';
import { verifyPrehashed, type DigestAlgorithm } from './prehash.js';
import type { TrustContext } from './trust.js';

export type SigstoreBundleJSON = SerializedBundle;

export const BUNDLE_MEDIA_TYPES: readonly string[] = [
  BUNDLE_V01_MEDIA_TYPE,
  BUNDLE_V02_MEDIA_TYPE,
  BUNDLE_V03_LEGACY_MEDIA_TYPE,
  BUNDLE_V03_MEDIA_TYPE,
];

export type ArtifactInput =
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'digest'; algorithm: DigestAlgorithm; hex: string };

export type Matcher = string | RegExp;

export interface IdentityPolicy {
  /** Exact SAN (URI or e-mail), or a RegExp tested against it (anchor it yourself). */
  subjectAlternativeName?: Matcher;
  /** Exact OIDC issuer (Fulcio extension .8, or legacy .1). */
  issuer?: string;
  extensions?: Partial<Record<keyof FulcioExtensions, Matcher>>;
  /** Verify with this PEM public key instead of a certificate identity (managed keys). */
  publicKeyPEM?: string;
  /**
   * Accept any certificate identity. Without it, a certificate-signed bundle needs
   * `subjectAlternativeName` (a chain to Fulcio alone says nothing about who signed).
   */
  anyIdentity?: boolean;
}

export interface VerifyOptions {
  /** Require a transparency-log entry and a verified timestamp (default true; false only for `--key` bundles). */
  requireTransparencyLog?: boolean;
}

export type VerifiedSigner =
  | {
      kind: 'certificate';
      subjectAlternativeName: string;
      issuer?: string;
      extensions: FulcioExtensions;
      certificateFingerprint: string;
    }
  | { kind: 'key'; keyHint?: string };

export interface VerifiedBundle {
  kind: 'message-signature' | 'dsse';
  signer: VerifiedSigner;
  mediaType: string;
  payloadType?: string;
  /** The verified DSSE payload bytes. */
  payload?: Uint8Array;
  statement?: InTotoStatement;
  signedAt?: Date;
  tlogEntries: number;
  timestamps: Date[];
}

const HASH_NAMES: Partial<Record<HashAlgorithm, DigestAlgorithm>> = {
  [HashAlgorithm.SHA2_256]: 'sha256',
  [HashAlgorithm.SHA2_384]: 'sha384',
  [HashAlgorithm.SHA2_512]: 'sha512',
};

const SIGSTORE_ERROR_CODES: Record<string, ErrorCode> = {
  CERTIFICATE_ERROR: 'VERIFY_CERTIFICATE_INVALID',
  SIGNATURE_ERROR: 'VERIFY_SIGNATURE_INVALID',
  TIMESTAMP_ERROR: 'VERIFY_TIMESTAMP_INVALID',
  TLOG_ERROR: 'VERIFY_TLOG_INVALID',
  TLOG_BODY_ERROR: 'VERIFY_TLOG_INVALID',
  TLOG_INCLUSION_PROOF_ERROR: 'VERIFY_TLOG_INVALID',
  TLOG_INCLUSION_PROMISE_ERROR: 'VERIFY_TLOG_INVALID',
  TLOG_MISSING_INCLUSION_ERROR: 'VERIFY_TLOG_INVALID',
  PUBLIC_KEY_ERROR: 'VERIFY_IDENTITY_MISMATCH',
  UNTRUSTED_SIGNER_ERROR: 'VERIFY_IDENTITY_MISMATCH',
};

function sigstoreErrorCode(error: unknown): string | undefined {
  if (error !== null && typeof error === 'object' && 'code' in error) {
    const { code } = error;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Maps an error from @sigstore/* to a VERIFY_* CustodyError, keeping it as the cause. */
export function toVerifyError(error: unknown): CustodyError {
  if (isCustodyError(error)) return error;
  const lower = sigstoreErrorCode(error);
  const code =
    (lower !== undefined ? SIGSTORE_ERROR_CODES[lower] : undefined) ?? 'VERIFY_BUNDLE_INVALID';
  const detail = errorText(error);
  const nested = (error as { cause?: unknown } | null)?.cause;
  const nestedText = nested instanceof Error ? `: ${nested.message}` : '';
  return new CustodyError(
    code,
    `bundle verification failed${lower === undefined ? '' : ` (${lower})`}: ${detail}${nestedText}`,
    { cause: error, ...(lower === undefined ? {} : { details: { sigstoreCode: lower } }) }
  );
}

function bundleInvalid(message: string, cause?: unknown): CustodyError {
  return new CustodyError('VERIFY_BUNDLE_INVALID', message, cause === undefined ? {} : { cause });
}

/** Parses and structurally validates a bundle (JSON text, bytes, or a parsed value). */
export function parseBundle(input: unknown): Bundle {
  let value = input;
  if (typeof input === 'string' || input instanceof Uint8Array) {
    const text = typeof input === 'string' ? input : Buffer.from(input).toString('utf8');
    value = parseJSONText(text, 'bundle');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw bundleInvalid('bundle must be a JSON object');
  }
  const mediaType = (value as { mediaType?: unknown }).mediaType;
  if (typeof mediaType !== 'string' || !BUNDLE_MEDIA_TYPES.includes(mediaType)) {
    throw bundleInvalid(`unsupported bundle mediaType ${JSON.stringify(mediaType)}`);
  }
  const envelope = (value as { dsseEnvelope?: unknown }).dsseEnvelope;
  if (envelope !== undefined) {
    const signatures =
      envelope !== null && typeof envelope === 'object' && 'signatures' in envelope
        ? envelope.signatures
        : undefined;
    const count = Array.isArray(signatures) ? signatures.length : 0;
    if (count !== 1) {
      throw bundleInvalid(
        `a Sigstore DSSE envelope must have exactly one signature, found ${count}`
      );
    }
  }
  let bundle: Bundle;
  try {
    bundle = bundleFromJSON(value);
  } catch (error) {
    const fields = (error as { fields?: unknown }).fields;
    throw bundleInvalid(
      `invalid bundle: ${errorText(error)}${Array.isArray(fields) ? ` (${fields.join(', ')})` : ''}`,
      error
    );
  }
  return bundle;
}

function digestOf(algorithm: DigestAlgorithm, bytes: Uint8Array): string {
  return createHash(algorithm).update(bytes).digest('hex');
}

function leafAndChain(bundle: Bundle): X509Certificate[] {
  const content = bundle.verificationMaterial.content;
  switch (content.$case) {
    case 'x509CertificateChain':
      return content.x509CertificateChain.certificates.map((c) =>
        X509Certificate.parse(Buffer.from(c.rawBytes))
      );
    case 'certificate':
      return [X509Certificate.parse(Buffer.from(content.certificate.rawBytes))];
    case 'publicKey':
      return [];
  }
}

// Signers must not put a root CA into a bundle (sigstore_bundle.proto): trust has to come from the
// trusted root, and a client that used the bundle's copy would accept any self-made CA. Old v0.1
// bundles (npm, early slsa-github-generator) carry the *trusted* root as a superfluous extra; the
// spec tells verifiers to ignore those, so only a root that is not in the trusted root is fatal.
// The chain must also be in issuing order and start with a leaf, as the spec requires.
function checkBundleChain(chain: readonly X509Certificate[], trust: TrustContext): void {
  const reject = (message: string): never => {
    throw new CustodyError('VERIFY_CERTIFICATE_INVALID', message, {
      hint: 'a bundle carries only the leaf (and at most intermediates); roots come from the trusted root',
    });
  };
  const leaf = chain[0];
  if (leaf === undefined) return;
  if (leaf.isCA) reject('the bundle signing certificate is a CA certificate, not a leaf');
  chain.forEach((cert, index) => {
    if (index === 0 || !isSelfSigned(cert)) return;
    if (!trust.caCertificates.some((ca) => ca.equals(cert))) {
      reject(
        `bundle certificate chain includes a root CA certificate (position ${index}) that is not in the trusted root`
      );
    }
  });
  for (let index = 0; index + 1 < chain.length; index++) {
    const cert = chain[index] as X509Certificate;
    const issuer = chain[index + 1] as X509Certificate;
    let issued: boolean;
    try {
      issued = cert.issuer.equals(issuer.subject) && cert.verify(issuer);
    } catch {
      issued = false;
    }
    if (!issued) {
      reject(
        `bundle certificate chain is not in issuing order: certificate ${index + 1} did not issue certificate ${index}`
      );
    }
  }
}

// sigstore-js recomputes the Merkle root from the proof and compares it with the signed checkpoint,
// but never looks at the proof's own rootHash/treeSize. A bundle whose proof fields disagree with
// its checkpoint is inconsistent, so it is rejected rather than silently repaired.
function checkInclusionProofs(bundle: Bundle): void {
  const count = (value: string | undefined): bigint | undefined =>
    value !== undefined && /^\d+$/.test(value) ? BigInt(value) : undefined;
  bundle.verificationMaterial.tlogEntries.forEach((entry, index) => {
    const proof = entry.inclusionProof;
    if (proof === undefined) return;
    const reject = (why: string): never => {
      throw new CustodyError('VERIFY_TLOG_INVALID', `transparency-log entry ${index}: ${why}`);
    };
    const envelope = proof.checkpoint?.envelope ?? '';
    if (envelope.length === 0) reject('inclusion proof has no checkpoint');
    const [, sizeLine, rootLine] = envelope.split('\n');
    const checkpointSize = count(sizeLine);
    const treeSize = count(proof.treeSize);
    const logIndex = count(proof.logIndex);
    if (checkpointSize === undefined || rootLine === undefined) {
      reject('checkpoint header is incomplete');
    }
    if (treeSize === undefined || treeSize !== checkpointSize) {
      reject('inclusion proof tree size differs from its checkpoint');
    }
    if (!Buffer.from(rootLine ?? '', 'base64').equals(Buffer.from(proof.rootHash))) {
      reject('inclusion proof root hash differs from its checkpoint');
    }
    if (logIndex === undefined || treeSize === undefined || logIndex >= treeSize) {
      reject('inclusion proof log index is outside the tree');
    }
  });
}

function messageDigestOf(bundle: Bundle): { algorithm: DigestAlgorithm; hex: string } {
  if (bundle.content.$case !== 'messageSignature') throw bundleInvalid('not a message signature');
  const md = bundle.content.messageSignature.messageDigest;
  const algorithm = HASH_NAMES[md.algorithm];
  if (algorithm === undefined) {
    throw bundleInvalid(`unsupported message digest algorithm ${HashAlgorithm[md.algorithm]}`);
  }
  return { algorithm, hex: Buffer.from(md.digest).toString('hex') };
}

function signedEntityFor(bundle: Bundle, artifact: ArtifactInput | undefined): SignedEntity {
  if (bundle.content.$case === 'dsseEnvelope') return toSignedEntity(bundle);
  if (artifact === undefined) {
    throw new CustodyError(
      'VERIFY_SUBJECT_MISMATCH',
      'a message-signature bundle can only be verified against its artifact or digest'
    );
  }
  const bundleDigest = messageDigestOf(bundle);
  if (artifact.kind === 'bytes') {
    const actual = digestOf(bundleDigest.algorithm, artifact.bytes);
    if (actual !== bundleDigest.hex) {
      throw new CustodyError(
        'VERIFY_SUBJECT_MISMATCH',
        `artifact ${bundleDigest.algorithm} digest ${actual} differs from the bundle's message digest ${bundleDigest.hex}`,
        { details: { expected: bundleDigest.hex, actual } }
      );
    }
    return toSignedEntity(bundle, Buffer.from(artifact.bytes));
  }
  const given = artifact.hex.toLowerCase();
  if (artifact.algorithm !== bundleDigest.algorithm || given !== bundleDigest.hex) {
    throw new CustodyError(
      'VERIFY_SUBJECT_MISMATCH',
      `digest ${artifact.algorithm}:${given} differs from the bundle's message digest ${bundleDigest.algorithm}:${bundleDigest.hex}`,
      {
        details: {
          expected: `${bundleDigest.algorithm}:${bundleDigest.hex}`,
          actual: `${artifact.algorithm}:${given}`,
        },
      }
    );
  }
  // Same entity as for bytes, but the signature is checked over the digest (prehash).
  const entity = toSignedEntity(bundle, Buffer.alloc(0));
  const digestBytes = Buffer.from(given, 'hex');
  const signature = entity.signature;
  return {
    ...entity,
    signature: {
      signature: signature.signature,
      compareSignature: (sig) => signature.compareSignature(sig),
      compareDigest: (d) => d.equals(digestBytes),
      compareSignedDigest: (d) => d.equals(digestBytes),
      verifySignature: (key) =>
        verifyPrehashed(key, artifact.algorithm, digestBytes, signature.signature),
    },
  };
}

function matches(matcher: Matcher, value: string | undefined): boolean {
  if (value === undefined) return false;
  return typeof matcher === 'string' ? matcher === value : matcher.test(value);
}

function describe(matcher: Matcher): string {
  return typeof matcher === 'string' ? JSON.stringify(matcher) : String(matcher);
}

function checkIdentity(
  policy: IdentityPolicy,
  san: string | undefined,
  extensions: FulcioExtensions
): void {
  const mismatch = (what: string, expected: Matcher, actual: string | undefined): never => {
    throw new CustodyError(
      'VERIFY_IDENTITY_MISMATCH',
      `certificate ${what} ${actual === undefined ? 'is absent' : JSON.stringify(actual)}, expected ${describe(expected)}`,
      { details: { field: what, expected: String(expected), actual } }
    );
  };
  if (policy.subjectAlternativeName !== undefined) {
    if (!matches(policy.subjectAlternativeName, san)) {
      mismatch('identity (SAN)', policy.subjectAlternativeName, san);
    }
  } else if (policy.anyIdentity !== true) {
    throw new CustodyError(
      'VERIFY_IDENTITY_MISMATCH',
      'no expected certificate identity given: a valid Fulcio certificate alone does not say who signed',
      {
        hint: 'pass --certificate-identity (or --certificate-identity-regexp) and --certificate-oidc-issuer',
      }
    );
  }
  if (policy.issuer !== undefined && policy.issuer !== extensions.issuer) {
    mismatch('OIDC issuer', policy.issuer, extensions.issuer);
  }
  for (const [name, expected] of Object.entries(policy.extensions ?? {}) as [
    keyof FulcioExtensions,
    Matcher | undefined,
  ][]) {
    if (expected !== undefined && !matches(expected, extensions[name])) {
      mismatch(`extension ${name}`, expected, extensions[name]);
    }
  }
}

function checkSubject(statement: InTotoStatement, artifact: ArtifactInput): void {
  const wanted: { algorithm: DigestAlgorithm; hex: string }[] =
    artifact.kind === 'digest'
      ? [{ algorithm: artifact.algorithm, hex: artifact.hex.toLowerCase() }]
      : (['sha256', 'sha384', 'sha512'] as const).map((algorithm) => ({
          algorithm,
          hex: digestOf(algorithm, artifact.bytes),
        }));
  const found = statement.subject.some((subject) =>
    wanted.some(({ algorithm, hex }) => {
      const value = subject.digest?.[algorithm];
      return typeof value === 'string' && value.toLowerCase() === hex;
    })
  );
  if (!found) {
    const shown =
      artifact.kind === 'digest'
        ? `${artifact.algorithm}:${artifact.hex}`
        : `sha256:${wanted[0]?.hex ?? ''}`;
    throw new CustodyError(
      'VERIFY_SUBJECT_MISMATCH',
      `the artifact (${shown}) is not a subject of the signed in-toto statement`,
      { details: { artifact: shown, subjects: statement.subject.length } }
    );
  }
}

function keyFromPEM(pem: string): KeyObject {
  try {
    const key = createPublicKey(pem);
    if (key.type !== 'public') throw new Error('not a public key');
    return key;
  } catch (error) {
    throw new CustodyError(
      'SIGN_KEY_INVALID',
      `the verification key is not a valid PEM public key: ${errorText(error)}`,
      {
        cause: error,
      }
    );
  }
}

function verifiedTimestamps(entity: SignedEntity): Date[] {
  const times: Date[] = [];
  for (const ts of entity.timestamps) {
    if (ts.$case === 'timestamp-authority') times.push(ts.timestamp.signingTime);
    else if (ts.tlogEntry.inclusionPromise !== undefined) {
      times.push(new Date(Number(ts.tlogEntry.integratedTime) * 1000));
    }
  }
  return times.sort((a, b) => a.getTime() - b.getTime());
}

/**
 * Verifies one Sigstore bundle offline against `trust`, the artifact (bytes or digest; for DSSE
 * bundles a subject of the statement; may be omitted for DSSE) and the identity policy.
 * Throws CustodyError with a VERIFY_* code; the @sigstore error is kept as `cause`.
 */
export function verifyBundle(
  bundleInput: unknown,
  artifact: ArtifactInput | undefined,
  trust: TrustContext,
  policy: IdentityPolicy,
  options: VerifyOptions = {}
): VerifiedBundle {
  const bundle = parseBundle(bundleInput);
  if (artifact?.kind === 'digest' && !/^[0-9a-fA-F]+$/.test(artifact.hex)) {
    throw new CustodyError('VERIFY_SUBJECT_MISMATCH', 'the given digest is not hexadecimal');
  }
  let chain: X509Certificate[];
  try {
    chain = leafAndChain(bundle);
  } catch (error) {
    throw bundleInvalid(`bundle certificate does not parse: ${errorText(error)}`, error);
  }
  const usesKey = bundle.verificationMaterial.content.$case === 'publicKey';
  if (policy.publicKeyPEM !== undefined && !usesKey) {
    throw new CustodyError(
      'VERIFY_IDENTITY_MISMATCH',
      'a public key was given, but the bundle is signed with a certificate',
      {
        hint: 'verify certificate-signed bundles with --certificate-identity and --certificate-oidc-issuer',
      }
    );
  }
  if (usesKey && policy.publicKeyPEM === undefined) {
    throw new CustodyError(
      'VERIFY_IDENTITY_MISMATCH',
      'the bundle is signed with a managed key, but no public key was given',
      { hint: 'pass --key <public key PEM>' }
    );
  }
  checkBundleChain(chain, trust);
  checkInclusionProofs(bundle);

  let material: TrustMaterial = trust.material;
  if (policy.publicKeyPEM !== undefined) {
    const key = keyFromPEM(policy.publicKeyPEM);
    material = { ...trust.material, publicKey: () => ({ publicKey: key, validFor: () => true }) };
  }
  const requireTlog = options.requireTransparencyLog !== false || policy.publicKeyPEM === undefined;
  const verifier = new Verifier(
    material,
    requireTlog ? {} : { tlogThreshold: 0, timestampThreshold: 0 }
  );

  let entity: SignedEntity;
  try {
    entity = signedEntityFor(bundle, artifact);
  } catch (error) {
    throw isCustodyError(error)
      ? error
      : bundleInvalid(`bundle cannot be read: ${errorText(error)}`, error);
  }
  try {
    verifier.verify(entity);
  } catch (error) {
    throw toVerifyError(error);
  }

  let signer: VerifiedSigner;
  const leaf = chain[0];
  if (leaf !== undefined) {
    const identity = certificateIdentity(leaf);
    checkIdentity(policy, identity.subjectAlternativeName, identity.extensions);
    signer = {
      kind: 'certificate',
      subjectAlternativeName: identity.subjectAlternativeName ?? '',
      ...(identity.extensions.issuer === undefined ? {} : { issuer: identity.extensions.issuer }),
      extensions: identity.extensions,
      certificateFingerprint: identity.fingerprint,
    };
  } else {
    const hint =
      bundle.verificationMaterial.content.$case === 'publicKey'
        ? bundle.verificationMaterial.content.publicKey.hint
        : undefined;
    signer = { kind: 'key', ...(hint ? { keyHint: hint } : {}) };
  }

  const timestamps = verifiedTimestamps(entity);
  const result: VerifiedBundle = {
    kind: bundle.content.$case === 'dsseEnvelope' ? 'dsse' : 'message-signature',
    signer,
    mediaType: bundle.mediaType,
    tlogEntries: bundle.verificationMaterial.tlogEntries.length,
    timestamps,
    ...(timestamps[0] === undefined ? {} : { signedAt: timestamps[0] }),
  };
  if (bundle.content.$case === 'dsseEnvelope') {
    const envelope = bundle.content.dsseEnvelope;
    result.payloadType = envelope.payloadType;
    result.payload = new Uint8Array(envelope.payload);
    if (envelope.payloadType === INTOTO_PAYLOAD_TYPE) {
      let statement: InTotoStatement;
      try {
        statement = parseStatement(envelope.payload);
      } catch (error) {
        throw bundleInvalid(
          `the signed DSSE payload is not an in-toto statement: ${errorText(error)}`,
          error
        );
      }
      result.statement = statement;
      if (artifact !== undefined) checkSubject(statement, artifact);
    } else if (artifact !== undefined) {
      const isPayload =
        artifact.kind === 'bytes'
          ? Buffer.from(artifact.bytes).equals(Buffer.from(envelope.payload))
          : digestOf(artifact.algorithm, envelope.payload) === artifact.hex.toLowerCase();
      if (!isPayload) {
        throw new CustodyError(
          'VERIFY_SUBJECT_MISMATCH',
          `the artifact is not the signed DSSE payload (payload type ${envelope.payloadType})`
        );
      }
    }
  }
  return result;
}
