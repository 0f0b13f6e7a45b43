// trusted_root.json and signing_config.json for the local services, in the protobuf-specs JSON
// forms @sigstore/verify and @sigstore/sign read. Every validFor.start is set, and earlier than
// any signature the stack can produce.
export const TRUSTED_ROOT_MEDIA_TYPE = 'application/vnd.dev.sigstore.trustedroot+json;version=0.1';
export const SIGNING_CONFIG_MEDIA_TYPE = 'application/vnd.dev.sigstore.signingconfig.v0.2+json';
const OPERATOR = 'custody.local';

export interface TrustInputs {
  validFrom: Date;
  fulcio: {
    url: string;
    chain: Buffer[];
    ctLog: { url: string; publicKey: Buffer; logID: Buffer };
  };
  rekor: { url: string; publicKey: Buffer; logID: Buffer };
  tsa: { url: string; chain: Buffer[] };
}

export interface TrustedRootJSON {
  mediaType: string;
  tlogs: TransparencyLogJSON[];
  certificateAuthorities: CertificateAuthorityJSON[];
  ctlogs: TransparencyLogJSON[];
  timestampAuthorities: CertificateAuthorityJSON[];
}

interface TransparencyLogJSON {
  baseUrl: string;
  hashAlgorithm: 'SHA2_256';
  publicKey: {
    rawBytes: string;
    keyDetails: 'PKIX_ECDSA_P256_SHA_256';
    validFor: { start: string };
  };
  logId: { keyId: string };
  operator: string;
}

interface CertificateAuthorityJSON {
  subject: { organization: string; commonName: string };
  uri: string;
  certChain: { certificates: { rawBytes: string }[] };
  validFor: { start: string };
  operator: string;
}

export interface ServiceJSON {
  url: string;
  majorApiVersion: number;
  validFor: { start: string };
  operator: string;
}

export interface SigningConfigJSON {
  mediaType: string;
  caUrls: ServiceJSON[];
  oidcUrls: ServiceJSON[];
  rekorTlogUrls: ServiceJSON[];
  rekorTlogConfig: { selector: 'ANY' };
  tsaUrls: ServiceJSON[];
  tsaConfig: { selector: 'ANY' };
}

export function buildTrustedRoot(inputs: TrustInputs): TrustedRootJSON {
  const start = inputs.validFrom.toISOString();
  return {
    mediaType: TRUSTED_ROOT_MEDIA_TYPE,
    tlogs: [transparencyLog(inputs.rekor.url, inputs.rekor.publicKey, inputs.rekor.logID, start)],
    certificateAuthorities: [
      {
        subject: { organization: OPERATOR, commonName: 'custody-local-fulcio' },
        uri: inputs.fulcio.url,
        certChain: { certificates: inputs.fulcio.chain.map(rawBytes) },
        validFor: { start },
        operator: OPERATOR,
      },
    ],
    ctlogs: [
      transparencyLog(
        inputs.fulcio.ctLog.url,
        inputs.fulcio.ctLog.publicKey,
        inputs.fulcio.ctLog.logID,
        start
      ),
    ],
    timestampAuthorities: [
      {
        subject: { organization: OPERATOR, commonName: 'custody-local-tsa' },
        uri: inputs.tsa.url,
        certChain: { certificates: inputs.tsa.chain.map(rawBytes) },
        validFor: { start },
        operator: OPERATOR,
      },
    ],
  };
}

export function buildSigningConfig(inputs: {
  validFrom: Date;
  fulcioURL: string;
  oidcURL: string;
  rekorURL: string;
  tsaTimestampURL: string;
}): SigningConfigJSON {
  const service = (url: string): ServiceJSON => ({
    url,
    majorApiVersion: 1,
    validFor: { start: inputs.validFrom.toISOString() },
    operator: OPERATOR,
  });
  return {
    mediaType: SIGNING_CONFIG_MEDIA_TYPE,
    caUrls: [service(inputs.fulcioURL)],
    oidcUrls: [service(inputs.oidcURL)],
    rekorTlogUrls: [service(inputs.rekorURL)],
    rekorTlogConfig: { selector: 'ANY' },
    tsaUrls: [service(inputs.tsaTimestampURL)],
    tsaConfig: { selector: 'ANY' },
  };
}

function transparencyLog(
  baseUrl: string,
  publicKey: Buffer,
  logID: Buffer,
  start: string
): TransparencyLogJSON {
  return {
    baseUrl,
    hashAlgorithm: 'SHA2_256',
    publicKey: {
      rawBytes: publicKey.toString('base64'),
      keyDetails: 'PKIX_ECDSA_P256_SHA_256',
      validFor: { start },
    },
    logId: { keyId: logID.toString('base64') },
    operator: OPERATOR,
  };
}

function rawBytes(der: Buffer): { rawBytes: string } {
  return { rawBytes: der.toString('base64') };
}
