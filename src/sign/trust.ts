// Trusted roots: parsed and validated up front, stricter than sigstore-js (which treats a missing
// validFor.start as the beginning of time): every authority must say when it became valid.
import { X509Certificate } from '@sigstore/core';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toTrustMaterial, type TrustMaterial } from '@sigstore/verify';
import { CustodyError } from '../errors.js';
import publicGoodRoot from './trusted-roots/public-good.json' with { type: 'json' };
import stagingRoot from './trusted-roots/staging.json' with { type: 'json' };

export const TRUSTED_ROOT_MEDIA_TYPES: readonly string[] = [
  'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
  'application/vnd.dev.sigstore.trustedroot.v0.2+json',
];

export interface TrustContext {
  /** `public-good`, `staging`, or `custom` for a root loaded from a file or a value. */
  readonly name: string;
  readonly trustedRoot: TrustedRoot;
  readonly material: TrustMaterial;
  /** Root and intermediate CA certificates of the trusted root, for the root-in-chain check. */
  readonly caCertificates: readonly X509Certificate[];
  /** The trusted root as JSON (for copying into a release). */
  readonly json: Readonly<Record<string, unknown>>;
}

type JSONObject = Record<string, unknown>;

function isObject(value: unknown): value is JSONObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function invalid(message: string, cause?: unknown): CustodyError {
  return new CustodyError('VERIFY_TRUST_ROOT_INVALID', `trusted root: ${message}`, {
    ...(cause === undefined ? {} : { cause }),
    hint: 'use a trusted_root.json from the Sigstore instance (TUF target trusted_root.json) or `cosign trusted-root create`',
  });
}

function requireStart(validFor: unknown, where: string): void {
  const start = isObject(validFor) ? validFor.start : undefined;
  if (typeof start !== 'string' || start.length === 0) {
    throw invalid(`${where} has no validFor.start`);
  }
  if (Number.isNaN(Date.parse(start))) throw invalid(`${where} has an invalid validFor.start`);
  const end = isObject(validFor) ? validFor.end : undefined;
  if (
    end !== undefined &&
    end !== null &&
    (typeof end !== 'string' || Number.isNaN(Date.parse(end)))
  ) {
    throw invalid(`${where} has an invalid validFor.end`);
  }
}

function arrayField(root: JSONObject, field: string): unknown[] {
  const value = root[field];
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw invalid(`${field} must be an array`);
  return value;
}

/** Validates a trusted_root.json value and prepares it for verification. */
export function loadTrustedRoot(json: unknown, name = 'custom'): TrustContext {
  if (!isObject(json)) throw invalid('must be a JSON object');
  if (typeof json.mediaType !== 'string' || !TRUSTED_ROOT_MEDIA_TYPES.includes(json.mediaType)) {
    throw invalid(`unsupported mediaType ${JSON.stringify(json.mediaType)}`);
  }
  for (const field of ['tlogs', 'ctlogs'] as const) {
    arrayField(json, field).forEach((entry, index) => {
      const where = `${field}[${index}]`;
      if (!isObject(entry) || !isObject(entry.publicKey))
        throw invalid(`${where} has no publicKey`);
      if (typeof entry.publicKey.rawBytes !== 'string') {
        throw invalid(`${where}.publicKey has no rawBytes`);
      }
      requireStart(entry.publicKey.validFor, `${where}.publicKey`);
      if (!isObject(entry.logId) || typeof entry.logId.keyId !== 'string') {
        throw invalid(`${where} has no logId.keyId`);
      }
    });
  }
  const caCertificates: X509Certificate[] = [];
  for (const field of ['certificateAuthorities', 'timestampAuthorities'] as const) {
    arrayField(json, field).forEach((entry, index) => {
      const where = `${field}[${index}]`;
      if (!isObject(entry)) throw invalid(`${where} must be an object`);
      requireStart(entry.validFor, where);
      const certs = isObject(entry.certChain) ? entry.certChain.certificates : undefined;
      if (!Array.isArray(certs) || certs.length === 0) {
        throw invalid(`${where} has no certChain.certificates`);
      }
      for (const cert of certs) {
        const raw = isObject(cert) ? cert.rawBytes : undefined;
        if (typeof raw !== 'string') throw invalid(`${where} has a certificate without rawBytes`);
        let parsed: X509Certificate;
        try {
          parsed = X509Certificate.parse(Buffer.from(raw, 'base64'));
        } catch (error) {
          throw invalid(`${where} has a certificate that does not parse`, error);
        }
        if (field === 'certificateAuthorities') caCertificates.push(parsed);
      }
    });
  }
  let trustedRoot: TrustedRoot;
  let material: TrustMaterial;
  try {
    trustedRoot = TrustedRoot.fromJSON(json);
    material = toTrustMaterial(trustedRoot);
  } catch (error) {
    throw invalid(
      `cannot be used: ${error instanceof Error ? error.message : String(error)}`,
      error
    );
  }
  return { name, trustedRoot, material, caCertificates, json };
}

const embeddedCache = new Map<string, TrustContext>();

/** The public-good or staging trusted root snapshot bundled with custody (offline). */
export function embeddedTrustedRoot(name: 'public-good' | 'staging'): TrustContext {
  let trust = embeddedCache.get(name);
  if (trust === undefined) {
    trust = loadTrustedRoot(name === 'public-good' ? publicGoodRoot : stagingRoot, name);
    embeddedCache.set(name, trust);
  }
  return trust;
}
