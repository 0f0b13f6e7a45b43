// The local Fulcio: a root and an intermediate CA (P-384, like the real one) that issue short-lived
// code-signing certificates for the public key of a request carrying a token from the local OIDC
// issuer, with the SAN and Fulcio extensions real Fulcio derives from the token's claims, and an
// embedded SCT from the local CT log (ctlog.ts). Serves Fulcio's v2 `signingCert` API.
// @peculiar/x509 resolves its ASN.1 schemas through tsyringe, which needs the Reflect polyfill
// loaded first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import {
  createHash,
  createPublicKey,
  randomBytes,
  verify,
  webcrypto,
  type KeyObject,
} from 'node:crypto';
import { SIGSTORE_AUDIENCE } from './claims.js';
import {
  createLocalCTLog,
  derLength,
  OID_SCT_LIST,
  precertificateTBSOf,
  sctListExtensionValue,
  tbsCertificateOf,
} from './ctlog.js';
import {
  certificateIdentityFromClaims,
  type CertificateExtensionValue,
  type CertificateIdentity,
} from './fulcio-identity.js';
import { jsonError, type ServiceResponse } from './http.js';
import { verifyJWT, type JWTSigningKey } from './jwt.js';

export const FULCIO_SIGNING_CERT_PATH = '/api/v2/signingCert';

const CERT_LIFETIME_MS = 10 * 60 * 1000;
const CA_LIFETIME_MS = 365 * 24 * 60 * 60 * 1000;
const SIGNING = { name: 'ECDSA', hash: 'SHA-384' } as const;
type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
const subtle = webcrypto.subtle;
// @peculiar/x509 types its provider as the DOM `Crypto`, which this Node-only build does not
// declare; Node's WebCrypto implements it.
const crypto = webcrypto as never;

export interface LocalFulcio {
  /** DER certificates, leaf-most first: [intermediate, root]. */
  readonly chain: Buffer[];
  readonly ctLog: { publicKey: Buffer; logID: Buffer };
  readonly notBefore: Date;
  handle(body: string, now: Date): Promise<ServiceResponse>;
}

export async function startLocalFulcio(options: {
  oidcKey: JWTSigningKey;
  notBefore: Date;
}): Promise<LocalFulcio> {
  const rootKeys = await generateCAKeys();
  const intermediateKeys = await generateCAKeys();
  const notAfter = new Date(options.notBefore.getTime() + CA_LIFETIME_MS);
  const rootName = 'O=custody.local,CN=custody-local-fulcio-root';
  const intermediateName = 'O=custody.local,CN=custody-local-fulcio-intermediate';
  const root = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomSerial(),
      name: rootName,
      notBefore: options.notBefore,
      notAfter,
      signingAlgorithm: SIGNING,
      keys: rootKeys,
      extensions: [
        new x509.BasicConstraintsExtension(true, 1, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
          true
        ),
        await x509.SubjectKeyIdentifierExtension.create(rootKeys.publicKey, false, crypto),
      ],
    },
    crypto
  );
  const intermediate = await x509.X509CertificateGenerator.create(
    {
      serialNumber: randomSerial(),
      subject: intermediateName,
      issuer: root.subject,
      notBefore: options.notBefore,
      notAfter,
      signingAlgorithm: SIGNING,
      publicKey: intermediateKeys.publicKey,
      signingKey: rootKeys.privateKey,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
          true
        ),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.codeSigning]),
        await x509.SubjectKeyIdentifierExtension.create(intermediateKeys.publicKey, false, crypto),
        await x509.AuthorityKeyIdentifierExtension.create(rootKeys.publicKey, false, crypto),
      ],
    },
    crypto
  );
  const ctLog = createLocalCTLog();
  // Verifiers hash the issuer's SubjectPublicKeyInfo as it appears in its certificate.
  const issuerKeyHash = createHash('sha256')
    .update(Buffer.from(intermediate.publicKey.rawData))
    .digest();
  const chainPEM = [intermediate.toString('pem'), root.toString('pem')];

  async function issue(
    publicKey: KeyObject,
    identity: CertificateIdentity,
    now: Date
  ): Promise<string> {
    const subjectKey = await importSubjectKey(publicKey);
    // X.509 times have whole seconds; the transparency log's integrated time is floored too.
    const notBefore = new Date(Math.floor(now.getTime() / 1000) * 1000);
    const san = identity.subjectAlternativeName;
    const tbs = {
      serialNumber: randomSerial(),
      subject: '',
      issuer: intermediate.subject,
      notBefore,
      notAfter: new Date(notBefore.getTime() + CERT_LIFETIME_MS),
      signingAlgorithm: SIGNING,
      publicKey: subjectKey,
      signingKey: intermediateKeys.privateKey,
      extensions: [
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.codeSigning]),
        await x509.SubjectKeyIdentifierExtension.create(subjectKey, false, crypto),
        await x509.AuthorityKeyIdentifierExtension.create(
          intermediateKeys.publicKey,
          false,
          crypto
        ),
        new x509.SubjectAlternativeNameExtension(
          [{ type: san.type === 'email' ? 'email' : 'url', value: san.value }],
          true
        ),
        ...identity.extensions.map(toX509Extension),
      ],
    };
    // Precertificate → SCT over its TBS bytes as encoded → the final certificate with the SCT
    // embedded. (No poison extension: it would be dropped again before signing anyway.)
    const precert = await x509.X509CertificateGenerator.create(tbs, crypto);
    const precertTBS = tbsCertificateOf(Buffer.from(precert.rawData));
    const sct = ctLog.signPrecertificate({
      tbsCertificate: precertTBS,
      issuerKeyHash,
      timestamp: now,
    });
    tbs.extensions.push(new x509.Extension(OID_SCT_LIST, false, sctListExtensionValue([sct])));
    const leaf = await x509.X509CertificateGenerator.create(tbs, crypto);
    // The SCT verifies only if removing it from the final certificate gives back these exact
    // bytes; never hand out a certificate whose SCT cannot verify.
    if (!precertificateTBSOf(Buffer.from(leaf.rawData)).equals(precertTBS)) {
      throw new Error('the issued certificate does not match its precertificate');
    }
    return JSON.stringify({
      signedCertificateEmbeddedSct: {
        chain: { certificates: [leaf.toString('pem'), ...chainPEM] },
      },
    });
  }

  return {
    chain: [Buffer.from(intermediate.rawData), Buffer.from(root.rawData)],
    ctLog: { publicKey: ctLog.publicKey, logID: ctLog.logID },
    notBefore: options.notBefore,
    async handle(body, now) {
      const request = parseSigningCertRequest(body);
      if (!request.ok) return jsonError(400, request.reason);
      const token = verifyJWT(request.token, options.oidcKey, {
        now,
        audience: SIGSTORE_AUDIENCE,
      });
      if (!token.ok) return jsonError(401, token.reason);
      const identity = certificateIdentityFromClaims(token.claims);
      if (!identity.ok) return jsonError(400, identity.reason);
      // Proof of possession: the client signs the token's subject (email, else sub).
      const challengeSubject =
        typeof token.claims.email === 'string' ? token.claims.email : token.claims.sub;
      if (typeof challengeSubject !== 'string') {
        return jsonError(400, 'identity token has no subject');
      }
      let possessed: boolean;
      try {
        possessed = verify(
          'sha256',
          Buffer.from(challengeSubject),
          request.publicKey,
          request.proofOfPossession
        );
      } catch {
        possessed = false;
      }
      if (!possessed) return jsonError(400, 'proof of possession does not verify');
      return {
        statusCode: 201,
        contentType: 'application/json',
        body: await issue(request.publicKey, identity.identity, now),
      };
    },
  };
}

type ParsedRequest =
  | { ok: true; token: string; publicKey: KeyObject; proofOfPossession: Buffer }
  | { ok: false; reason: string };

function parseSigningCertRequest(body: string): ParsedRequest {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'request body is not JSON' };
  }
  const request = json as {
    credentials?: { oidcIdentityToken?: unknown };
    publicKeyRequest?: { publicKey?: { content?: unknown }; proofOfPossession?: unknown };
  } | null;
  const token = request?.credentials?.oidcIdentityToken;
  const keyPEM = request?.publicKeyRequest?.publicKey?.content;
  const proof = request?.publicKeyRequest?.proofOfPossession;
  if (typeof token !== 'string' || token.length === 0) {
    return { ok: false, reason: 'credentials.oidcIdentityToken is required' };
  }
  if (typeof keyPEM !== 'string' || typeof proof !== 'string') {
    return {
      ok: false,
      reason: 'publicKeyRequest with publicKey.content and proofOfPossession is required',
    };
  }
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey(keyPEM);
  } catch {
    return { ok: false, reason: 'publicKey.content is not a PEM public key' };
  }
  if (
    publicKey.asymmetricKeyType !== 'ec' ||
    webCryptoCurve(publicKey.asymmetricKeyDetails?.namedCurve) === undefined
  ) {
    return { ok: false, reason: 'only ECDSA P-256, P-384 or P-521 public keys are supported' };
  }
  return { ok: true, token, publicKey, proofOfPossession: Buffer.from(proof, 'base64') };
}

function importSubjectKey(publicKey: KeyObject): Promise<CryptoKey> {
  const namedCurve = webCryptoCurve(publicKey.asymmetricKeyDetails?.namedCurve);
  return subtle.importKey(
    'spki',
    publicKey.export({ format: 'der', type: 'spki' }),
    { name: 'ECDSA', namedCurve },
    true,
    ['verify']
  );
}

const WEBCRYPTO_CURVES: Record<string, string> = {
  prime256v1: 'P-256',
  secp384r1: 'P-384',
  secp521r1: 'P-521',
};

function webCryptoCurve(opensslName: string | undefined): string | undefined {
  return opensslName === undefined ? undefined : WEBCRYPTO_CURVES[opensslName];
}

function generateCAKeys(): Promise<CryptoKeyPair> {
  return subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, true, ['sign', 'verify']);
}

/** 20 random bytes with the top bit clear, so the DER INTEGER stays positive (RFC 5280). */
function randomSerial(): string {
  const bytes = randomBytes(20);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return bytes.toString('hex');
}

function toX509Extension(extension: CertificateExtensionValue): x509.Extension {
  const value =
    extension.legacy === true
      ? Buffer.from(extension.value, 'utf8')
      : derUTF8String(extension.value);
  return new x509.Extension(extension.oid, false, value);
}

function derUTF8String(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  return Buffer.concat([Buffer.from([0x0c]), derLength(bytes.length), bytes]);
}
