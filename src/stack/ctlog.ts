// The local Certificate Transparency log of the local Fulcio: RFC 6962 signed certificate
// timestamps (SCTs) for precertificates, signed over the precertificate's TBS bytes exactly as the
// CA encoded them. (@sigstore/mock's CT log re-encodes the certificate with pkijs before signing,
// so what it signs is only as faithful as that second encoder.) `precertificateTBSOf` rebuilds
// those bytes from a final certificate the way @sigstore/verify does, so the CA can check every
// certificate before handing it out.
import { EXTENSION_OID_SCT, X509Certificate } from '@sigstore/core';
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

export const OID_SCT_LIST = EXTENSION_OID_SCT;

const SCT_VERSION_V1 = 0;
const SIGNATURE_TYPE_CERTIFICATE_TIMESTAMP = 0;
const LOG_ENTRY_TYPE_PRECERT = 1;
const HASH_SHA256 = 4;
const SIGNATURE_ECDSA = 3;

export interface PrecertificateEntry {
  /** DER TBSCertificate of the precertificate (without the SCT list extension). */
  tbsCertificate: Buffer;
  /** SHA-256 of the issuing CA's DER SubjectPublicKeyInfo. */
  issuerKeyHash: Buffer;
  timestamp: Date;
}

export interface LocalCTLog {
  /** DER SubjectPublicKeyInfo (ECDSA P-256). */
  readonly publicKey: Buffer;
  /** SHA-256 of `publicKey` (RFC 6962 LogID). */
  readonly logID: Buffer;
  /** A TLS-serialized SignedCertificateTimestamp (RFC 6962 §3.2), without a length prefix. */
  signPrecertificate(entry: PrecertificateEntry): Buffer;
}

export function createLocalCTLog(): LocalCTLog {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  const logID = createHash('sha256').update(spki).digest();
  return {
    publicKey: spki,
    logID,
    signPrecertificate: (entry) => signedCertificateTimestamp(entry, logID, privateKey),
  };
}

function signedCertificateTimestamp(
  entry: PrecertificateEntry,
  logID: Buffer,
  privateKey: KeyObject
): Buffer {
  if (entry.issuerKeyHash.length !== 32) throw new Error('issuer key hash must be 32 bytes');
  const timestamp = uint64(entry.timestamp.getTime());
  const noExtensions = uint16(0);
  // digitally-signed struct of RFC 6962 §3.2 for a precert_entry
  const signedData = Buffer.concat([
    Buffer.from([SCT_VERSION_V1, SIGNATURE_TYPE_CERTIFICATE_TIMESTAMP]),
    timestamp,
    uint16(LOG_ENTRY_TYPE_PRECERT),
    entry.issuerKeyHash,
    uint24(entry.tbsCertificate.length),
    entry.tbsCertificate,
    noExtensions,
  ]);
  // node:crypto writes a strict-DER ECDSA-Sig-Value, which verifiers (OpenSSL) insist on.
  const signature = sign('sha256', signedData, privateKey);
  return Buffer.concat([
    Buffer.from([SCT_VERSION_V1]),
    logID,
    timestamp,
    noExtensions,
    Buffer.from([HASH_SHA256, SIGNATURE_ECDSA]),
    uint16(signature.length),
    signature,
  ]);
}

/** The extnValue contents of the SignedCertificateTimestampList extension: an OCTET STRING. */
export function sctListExtensionValue(scts: readonly Buffer[]): Buffer {
  const serialized = Buffer.concat(scts.map((sct) => Buffer.concat([uint16(sct.length), sct])));
  const list = Buffer.concat([uint16(serialized.length), serialized]);
  return Buffer.concat([Buffer.from([0x04]), derLength(list.length), list]);
}

/**
 * The TBSCertificate an embedded SCT must have been signed over, rebuilt from the final
 * certificate as @sigstore/verify does (verifySCTs): parse, drop the SCT list extension,
 * re-encode the TBS to DER.
 */
export function precertificateTBSOf(certificateDER: Uint8Array): Buffer {
  const certificate = X509Certificate.parse(Buffer.from(certificateDER)).clone();
  const extensions = certificate.extensions;
  const index = extensions.findIndex((ext) => ext.subs[0]?.toOID() === OID_SCT_LIST);
  if (index >= 0) extensions.splice(index, 1);
  return certificate.tbsCertificate.toDER();
}

/** The DER TBSCertificate bytes of a certificate, sliced out as encoded (no re-encoding). */
export function tbsCertificateOf(certificateDER: Buffer): Buffer {
  const outer = derHeader(certificateDER, 0);
  if (certificateDER[0] !== 0x30 || outer.end !== certificateDER.length) {
    throw new Error('not a DER certificate');
  }
  const tbs = derHeader(certificateDER, outer.contentStart);
  if (certificateDER[outer.contentStart] !== 0x30 || tbs.end > outer.end) {
    throw new Error('not a DER certificate');
  }
  return certificateDER.subarray(outer.contentStart, tbs.end);
}

function derHeader(der: Buffer, offset: number): { contentStart: number; end: number } {
  const first = der[offset + 1];
  if (first === undefined) throw new Error('truncated DER');
  if (first < 0x80) return { contentStart: offset + 2, end: offset + 2 + first };
  const count = first & 0x7f;
  if (count === 0 || count > 4) throw new Error('unsupported DER length');
  let length = 0;
  for (let i = 0; i < count; i++) {
    const byte = der[offset + 2 + i];
    if (byte === undefined) throw new Error('truncated DER');
    length = length * 256 + byte;
  }
  const contentStart = offset + 2 + count;
  if (contentStart + length > der.length) throw new Error('truncated DER');
  return { contentStart, end: contentStart + length };
}

export function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const octets: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) octets.unshift(rest % 256);
  return Buffer.from([0x80 | octets.length, ...octets]);
}

function uint16(value: number): Buffer {
  const buffer = Buffer.alloc(2);
  buffer.writeUInt16BE(value);
  return buffer;
}

function uint24(value: number): Buffer {
  if (value >= 2 ** 24) throw new Error('TBSCertificate too large for an SCT');
  const buffer = Buffer.alloc(3);
  buffer.writeUIntBE(value, 0, 3);
  return buffer;
}

function uint64(value: number): Buffer {
  const buffer = Buffer.alloc(8);
  buffer.writeBigUInt64BE(BigInt(value));
  return buffer;
}
