// Reads the signer identity out of a (verified) Fulcio certificate: SAN and the Fulcio
// extensions (sigstore/fulcio docs/oid-info.md). OIDs .8 and later are DER UTF8Strings; the
// deprecated .1 issuer is a raw string.
import { createHash } from 'node:crypto';
import { ASN1Obj, type X509Certificate } from '@sigstore/core';

export interface FulcioExtensions {
  issuer?: string;
  buildSignerURI?: string;
  buildSignerDigest?: string;
  runnerEnvironment?: string;
  sourceRepositoryURI?: string;
  sourceRepositoryDigest?: string;
  sourceRepositoryRef?: string;
  sourceRepositoryIdentifier?: string;
  sourceRepositoryOwnerURI?: string;
  sourceRepositoryOwnerIdentifier?: string;
  buildConfigURI?: string;
  buildConfigDigest?: string;
  buildTrigger?: string;
  runInvocationURI?: string;
  sourceRepositoryVisibilityAtSigning?: string;
  deploymentEnvironment?: string;
}

const FULCIO_OID_PREFIX = '1.3.6.1.4.1.57264.1.';

/** Fulcio extension names and their OID suffix under 1.3.6.1.4.1.57264.1. */
export const FULCIO_EXTENSION_OIDS: Readonly<Record<keyof FulcioExtensions, string>> = {
  issuer: `${FULCIO_OID_PREFIX}8`,
  buildSignerURI: `${FULCIO_OID_PREFIX}9`,
  buildSignerDigest: `${FULCIO_OID_PREFIX}10`,
  runnerEnvironment: `${FULCIO_OID_PREFIX}11`,
  sourceRepositoryURI: `${FULCIO_OID_PREFIX}12`,
  sourceRepositoryDigest: `${FULCIO_OID_PREFIX}13`,
  sourceRepositoryRef: `${FULCIO_OID_PREFIX}14`,
  sourceRepositoryIdentifier: `${FULCIO_OID_PREFIX}15`,
  sourceRepositoryOwnerURI: `${FULCIO_OID_PREFIX}16`,
  sourceRepositoryOwnerIdentifier: `${FULCIO_OID_PREFIX}17`,
  buildConfigURI: `${FULCIO_OID_PREFIX}18`,
  buildConfigDigest: `${FULCIO_OID_PREFIX}19`,
  buildTrigger: `${FULCIO_OID_PREFIX}20`,
  runInvocationURI: `${FULCIO_OID_PREFIX}21`,
  sourceRepositoryVisibilityAtSigning: `${FULCIO_OID_PREFIX}22`,
  deploymentEnvironment: `${FULCIO_OID_PREFIX}23`,
};

const LEGACY_ISSUER_OID = `${FULCIO_OID_PREFIX}1`;
const OTHERNAME_SAN_OID = `${FULCIO_OID_PREFIX}7`;

export interface CertificateIdentity {
  subjectAlternativeName: string | undefined;
  extensions: FulcioExtensions;
  fingerprint: string;
}

export function certificateIdentity(cert: X509Certificate): CertificateIdentity {
  const extensions: FulcioExtensions = {};
  for (const [name, oid] of Object.entries(FULCIO_EXTENSION_OIDS) as [
    keyof FulcioExtensions,
    string,
  ][]) {
    const ext = cert.extension(oid);
    if (ext === undefined) continue;
    const text = derUTF8String(ext.value);
    if (text !== undefined) extensions[name] = text;
  }
  if (extensions.issuer === undefined) {
    const legacy = cert.extension(LEGACY_ISSUER_OID);
    if (legacy !== undefined) extensions.issuer = legacy.value.toString('utf8');
  }
  let san: string | undefined;
  try {
    san = cert.subjectAltName ?? cert.extSubjectAltName?.otherName(OTHERNAME_SAN_OID);
  } catch {
    san = undefined;
  }
  return {
    subjectAlternativeName: san,
    extensions,
    fingerprint: createHash('sha256').update(cert.root.toDER()).digest('hex'),
  };
}

function derUTF8String(value: Buffer): string | undefined {
  try {
    const obj = ASN1Obj.parseBuffer(Buffer.from(value));
    // UTF8String (12); older certificates used other string types, accept any primitive string.
    if (obj.tag.constructed) return undefined;
    return obj.value.toString('utf8');
  } catch {
    return undefined;
  }
}

/** True when `cert` is self-issued and its signature verifies with its own key (a root CA). */
export function isSelfSigned(cert: X509Certificate): boolean {
  if (!cert.issuer.equals(cert.subject)) return false;
  try {
    return cert.verify();
  } catch {
    return false;
  }
}
