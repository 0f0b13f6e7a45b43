// Embedded SCTs of the local Fulcio, checked with @sigstore/verify's own code: verifySCTs (the
// function its Verifier calls) for hundreds of fresh certificates, the full Verifier for a subset
// of sigstore-js bundles, and rejections for SCTs that must not verify.
import { ASN1Obj, X509Certificate } from '@sigstore/core';
import { verifySCTs } from '@sigstore/verify/dist/key/sct.js';
import { createHash, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildClaims, TOKEN_PROFILES } from '../../src/stack/claims.js';
import {
  createLocalCTLog,
  derLength,
  OID_SCT_LIST,
  precertificateTBSOf,
  sctListExtensionValue,
  tbsCertificateOf,
} from '../../src/stack/ctlog.js';
import { startLocalFulcio, type LocalFulcio } from '../../src/stack/fulcio.js';
import { startLocalSigstoreStack, type LocalSigstoreStack } from '../../src/stack/index.js';
import { signJWT, signingKeyFrom, type JWTSigningKey } from '../../src/stack/jwt.js';
import { signBlob, signStatement, verifyBundle } from './helpers.js';

// Enough issuances that even a 1-in-100 encoding fault shows up with probability > 0.9; the
// reported field failure (2 in ~15 test runs) would need far fewer.
const ISSUANCES = 240;
const CURVES = ['P-256', 'P-384', 'P-521'] as const;
type TLogAuthority = Parameters<typeof verifySCTs>[2][number];
const parseCertificate = (der: Uint8Array): X509Certificate =>
  X509Certificate.parse(Buffer.from(der));

interface Issuer {
  fulcio: LocalFulcio;
  oidcKey: JWTSigningKey;
  intermediate: X509Certificate;
  ctlogs: TLogAuthority[];
}

async function startIssuer(): Promise<Issuer> {
  const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const oidcKey = signingKeyFrom(keys.privateKey, keys.publicKey);
  const notBefore = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
  const fulcio = await startLocalFulcio({ oidcKey, notBefore });
  return {
    fulcio,
    oidcKey,
    intermediate: parseCertificate(fulcio.chain[0]!),
    ctlogs: [ctlogAuthority(fulcio.ctLog, notBefore)],
  };
}

function ctlogAuthority(log: { publicKey: Buffer; logID: Buffer }, start: Date): TLogAuthority {
  return {
    baseURL: 'http://127.0.0.1/ct',
    logID: log.logID,
    publicKey: createPublicKey({ key: log.publicKey, format: 'der', type: 'spki' }),
    validFor: { start, end: new Date(8.64e15) },
  };
}

/** A certificate straight from the Fulcio handler (no HTTP), for a fresh key on `curve`. */
async function issueCertificate(issuer: Issuer, index: number): Promise<Buffer> {
  const profile = TOKEN_PROFILES[index % TOKEN_PROFILES.length]!;
  const curve = CURVES[Math.floor(index / TOKEN_PROFILES.length) % CURVES.length]!;
  const now = new Date();
  const claims = buildClaims(profile, undefined, { now, localIssuer: 'http://127.0.0.1:1' });
  const subject = String(claims.email ?? claims.sub);
  const key = generateKeyPairSync('ec', { namedCurve: curve });
  const response = await issuer.fulcio.handle(
    JSON.stringify({
      credentials: { oidcIdentityToken: signJWT(claims, issuer.oidcKey) },
      publicKeyRequest: {
        publicKey: { content: key.publicKey.export({ format: 'pem', type: 'spki' }) },
        proofOfPossession: sign('sha256', Buffer.from(subject), key.privateKey).toString('base64'),
      },
    }),
    now
  );
  const text =
    typeof response.body === 'string'
      ? response.body
      : Buffer.from(
          response.body.buffer,
          response.body.byteOffset,
          response.body.byteLength
        ).toString();
  expect(response.statusCode, text).toBe(201);
  const body = JSON.parse(text) as {
    signedCertificateEmbeddedSct: { chain: { certificates: string[] } };
  };
  const pem = body.signedCertificateEmbeddedSct.chain.certificates[0]!;
  return Buffer.from(pem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64');
}

/** `der` with its SCT list replaced by `scts` (the CA signature is left as is: SCTs ignore it). */
function withSCTs(der: Buffer, scts: Buffer[]): Buffer {
  const certificate = parseCertificate(der);
  const extension = certificate.extensions.find((ext) => ext.subs[0]?.toOID() === OID_SCT_LIST);
  if (extension === undefined) throw new Error('no SCT extension');
  const value = sctListExtensionValue(scts);
  extension.subs[extension.subs.length - 1] = ASN1Obj.parseBuffer(
    Buffer.concat([Buffer.from([0x04]), derLength(value.length), value])
  );
  return certificate.root.toDER();
}

describe('embedded SCTs of the local Fulcio', () => {
  let issuer: Issuer;
  let sample: Buffer;
  beforeAll(async () => {
    issuer = await startIssuer();
  });

  it(`every SCT of ${ISSUANCES} fresh certificates verifies with @sigstore/verify (all profiles, P-256/384/521 keys)`, async () => {
    const failures: number[] = [];
    for (let index = 0; index < ISSUANCES; index++) {
      const der = await issueCertificate(issuer, index);
      sample ??= der;
      try {
        const logs = verifySCTs(parseCertificate(der), issuer.intermediate, issuer.ctlogs);
        expect(logs).toEqual([issuer.fulcio.ctLog.logID]);
      } catch {
        failures.push(index);
      }
    }
    expect(failures).toEqual([]);
  });

  it('the SCT covers exactly the TBS @sigstore/verify rebuilds from the final certificate', async () => {
    const der = await issueCertificate(issuer, 0);
    const rebuilt = precertificateTBSOf(der);
    expect(rebuilt.equals(tbsCertificateOf(der))).toBe(false); // the SCT list is gone
    expect(parseCertificate(der).tbsCertificate.toDER().equals(tbsCertificateOf(der))).toBe(true);
    expect(rebuilt.length).toBeLessThan(tbsCertificateOf(der).length);
  });

  it('rejects an SCT with a flipped signature bit, from another CT log, or over other bytes', async () => {
    const der = sample ?? (await issueCertificate(issuer, 0));
    const verifies = (cert: Buffer, ctlogs = issuer.ctlogs): boolean => {
      try {
        verifySCTs(parseCertificate(cert), issuer.intermediate, ctlogs);
        return true;
      } catch {
        return false;
      }
    };
    expect(verifies(der)).toBe(true);

    const sct = parseCertificate(der).extSCT!.signedCertificateTimestamps[0]!;
    const at = der.indexOf(sct.signature);
    const flipped = Buffer.from(der);
    flipped[at + sct.signature.length - 1]! ^= 0x01;
    expect(verifies(flipped)).toBe(false);

    const otherLog = createLocalCTLog();
    expect(verifies(der, [ctlogAuthority(otherLog, new Date(0))])).toBe(false);

    // A well-formed SCT from a log the verifier trusts, over the right TBS: verifies; over a
    // TBS that differs in one byte (what an encoding mismatch looks like): rejected.
    const log = createLocalCTLog();
    const trusted = [ctlogAuthority(log, new Date(0))];
    const entry = {
      tbsCertificate: precertificateTBSOf(der),
      issuerKeyHash: createHash('sha256').update(issuer.intermediate.publicKey).digest(),
      timestamp: new Date(),
    };
    expect(verifies(withSCTs(der, [log.signPrecertificate(entry)]), trusted)).toBe(true);
    const otherBytes = Buffer.from(entry.tbsCertificate);
    otherBytes[otherBytes.length - 1]! ^= 0x01;
    const skewed = log.signPrecertificate({ ...entry, tbsCertificate: otherBytes });
    expect(verifies(withSCTs(der, [skewed]), trusted)).toBe(false);
    const wrongIssuer = log.signPrecertificate({ ...entry, issuerKeyHash: Buffer.alloc(32) });
    expect(verifies(withSCTs(der, [wrongIssuer]), trusted)).toBe(false);
  });
});

describe('sigstore-js bundles from the local stack verify with the full Verifier', () => {
  let stack: LocalSigstoreStack;
  beforeAll(async () => {
    stack = await startLocalSigstoreStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('10 bundles (message signatures and DSSE, every token profile)', async () => {
    for (let index = 0; index < 10; index++) {
      const profile = TOKEN_PROFILES[index % TOKEN_PROFILES.length]!;
      if (index % 2 === 0) {
        const data = Buffer.from(`artifact ${index}\n`);
        verifyBundle(stack, await signBlob(stack, data, { profile }), data);
      } else {
        const statement = {
          _type: 'https://in-toto.io/Statement/v1',
          subject: [{ name: `a${index}.tgz`, digest: { sha256: 'cd'.repeat(32) } }],
          predicateType: 'https://slsa.dev/provenance/v1',
          predicate: {},
        };
        verifyBundle(stack, await signStatement(stack, statement, { profile }), undefined);
      }
    }
  });
});
