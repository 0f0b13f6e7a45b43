// Unit checks of the verification building blocks: trusted-root validation, bundle parsing,
// prehashed signature verification, Fulcio extension parsing, input mismatches.
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { X509Certificate } from '@sigstore/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  certificateIdentity,
  embeddedTrustedRoot,
  loadTrustedRoot,
  parseBundle,
  signArtifact,
  signStatement,
  verifyBundle,
  type SignerConfig,
  type TrustContext,
} from '../../src/sign/index.js';
import { startLocalSigstoreStack, type LocalSigstoreStack } from '../../src/stack/index.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { verifyPrehashed } from '../../src/sign/prehash.js';
import { expectCode } from '../helpers/errors.js';

// Bundles made here, on the local Sigstore stack (a real Fulcio certificate with the GitHub
// Actions extensions, Rekor and TSA); the trust-root mutations start from the embedded root.
const publicGood = JSON.parse(
  readFileSync(path.join(REPO_ROOT, 'src/sign/trusted-roots/public-good.json'), 'utf8')
) as Record<string, unknown>;
const ARTIFACT = Buffer.from('custody unit-test artifact\n');
const IDENTITY = 'https://github.com/acme/hello/.github/workflows/release.yml@refs/tags/v1.0.0';
const policy = {
  subjectAlternativeName: IDENTITY,
  issuer: 'https://token.actions.githubusercontent.com',
};
let stack: LocalSigstoreStack;
let trust: TrustContext;
let happyV03: {
  mediaType: string;
  verificationMaterial: { certificate: { rawBytes: string } };
};
let dsseBundle: unknown;

beforeAll(async () => {
  stack = await startLocalSigstoreStack();
  const config: SignerConfig = {
    identity: { kind: 'keyless', token: stack.issueToken('github') },
    fulcioURL: stack.fulcioURL,
    rekorURL: stack.rekorURL,
    tsaURL: stack.tsaURL,
  };
  trust = loadTrustedRoot(stack.trustedRoot);
  happyV03 = JSON.parse(JSON.stringify(await signArtifact(ARTIFACT, config))) as typeof happyV03;
  dsseBundle = JSON.parse(
    JSON.stringify(
      await signStatement(
        {
          _type: 'https://in-toto.io/Statement/v1',
          subject: [
            {
              name: 'a.txt',
              digest: { sha256: createHash('sha256').update(ARTIFACT).digest('hex') },
            },
          ],
          predicateType: 'https://example.com/predicate/v1',
          predicate: {},
        },
        config
      )
    )
  );
}, 120_000);
afterAll(async () => {
  await stack.close();
});

describe('loadTrustedRoot', () => {
  const mutate = (fn: (root: Record<string, unknown[]>) => void): unknown => {
    const copy = JSON.parse(JSON.stringify(publicGood)) as Record<string, unknown[]>;
    fn(copy);
    return copy;
  };
  it('accepts the embedded roots', () => {
    expect(embeddedTrustedRoot('public-good').name).toBe('public-good');
    expect(embeddedTrustedRoot('staging').caCertificates.length).toBeGreaterThan(0);
  });
  it('rejects non-objects and unknown media types', async () => {
    await expectCode(() => loadTrustedRoot('x'), 'VERIFY_TRUST_ROOT_INVALID');
    await expectCode(
      () => loadTrustedRoot({ ...publicGood, mediaType: 'application/json' }),
      'VERIFY_TRUST_ROOT_INVALID'
    );
  });
  it.each([
    [
      'tlogs',
      (r: Record<string, unknown[]>) =>
        delete (r.tlogs?.[0] as { publicKey: { validFor: { start?: string } } }).publicKey.validFor
          .start,
    ],
    [
      'ctlogs',
      (r: Record<string, unknown[]>) =>
        delete (r.ctlogs?.[0] as { publicKey: { validFor: { start?: string } } }).publicKey.validFor
          .start,
    ],
    [
      'certificateAuthorities',
      (r: Record<string, unknown[]>) =>
        delete (r.certificateAuthorities?.[0] as { validFor: { start?: string } }).validFor.start,
    ],
    [
      'timestampAuthorities',
      (r: Record<string, unknown[]>) =>
        delete (r.timestampAuthorities?.[0] as { validFor: { start?: string } }).validFor.start,
    ],
  ])('requires validFor.start on %s', async (field, fn) => {
    const error = await expectCode(() => loadTrustedRoot(mutate(fn)), 'VERIFY_TRUST_ROOT_INVALID');
    expect(error.message).toContain(field);
    expect(error.message).toContain('validFor.start');
  });
  it('rejects broken certificates, keys and dates', async () => {
    await expectCode(
      () =>
        loadTrustedRoot(
          mutate(
            (r) =>
              ((
                r.certificateAuthorities?.[0] as {
                  certChain: { certificates: { rawBytes: string }[] };
                }
              ).certChain.certificates = [{ rawBytes: 'AAAA' }])
          )
        ),
      'VERIFY_TRUST_ROOT_INVALID'
    );
    await expectCode(
      () =>
        loadTrustedRoot(
          mutate(
            (r) =>
              ((
                r.tlogs?.[0] as { publicKey: { validFor: { start: string } } }
              ).publicKey.validFor.start = 'yesterday')
          )
        ),
      'VERIFY_TRUST_ROOT_INVALID'
    );
    await expectCode(
      () =>
        loadTrustedRoot(
          mutate(
            (r) =>
              ((r.tlogs?.[0] as { publicKey: { rawBytes: string } }).publicKey.rawBytes = 'AAAA')
          )
        ),
      'VERIFY_TRUST_ROOT_INVALID'
    );
  });
});

describe('parseBundle', () => {
  it('malformed JSON text is INPUT_JSON_INVALID', async () => {
    await expectCode(() => parseBundle('{"mediaType": '), 'INPUT_JSON_INVALID');
  });
  it('unknown media types and wrong shapes are VERIFY_BUNDLE_INVALID', async () => {
    await expectCode(
      () =>
        parseBundle({ ...happyV03, mediaType: 'application/vnd.dev.sigstore.bundle.v0.4+json' }),
      'VERIFY_BUNDLE_INVALID'
    );
    await expectCode(() => parseBundle([]), 'VERIFY_BUNDLE_INVALID');
    await expectCode(() => parseBundle({ mediaType: happyV03.mediaType }), 'VERIFY_BUNDLE_INVALID');
  });
  it('a DSSE envelope must have exactly one signature', async () => {
    const bundle = dsseBundle as { dsseEnvelope: { signatures: unknown[] } };
    const first = bundle.dsseEnvelope.signatures[0];
    const error = await expectCode(
      () =>
        parseBundle({
          ...bundle,
          dsseEnvelope: { ...bundle.dsseEnvelope, signatures: [first, first] },
        }),
      'VERIFY_BUNDLE_INVALID'
    );
    expect(error.message).toContain('exactly one signature');
  });
});

describe('verifyBundle input checks', () => {
  it('a message signature needs its artifact', async () => {
    await expectCode(
      () => verifyBundle(happyV03, undefined, trust, policy),
      'VERIFY_SUBJECT_MISMATCH'
    );
  });
  it('the digest algorithm and value must match the message digest', async () => {
    const hex = createHash('sha256').update(ARTIFACT).digest('hex');
    verifyBundle(
      happyV03,
      { kind: 'digest', algorithm: 'sha256', hex: hex.toUpperCase() },
      trust,
      policy
    );
    await expectCode(
      () =>
        verifyBundle(
          happyV03,
          {
            kind: 'digest',
            algorithm: 'sha512',
            hex: createHash('sha512').update(ARTIFACT).digest('hex'),
          },
          trust,
          policy
        ),
      'VERIFY_SUBJECT_MISMATCH'
    );
    await expectCode(
      () =>
        verifyBundle(happyV03, { kind: 'digest', algorithm: 'sha256', hex: 'zz' }, trust, policy),
      'VERIFY_SUBJECT_MISMATCH'
    );
  });
  it('a key cannot verify a certificate-signed bundle', async () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await expectCode(
      () =>
        verifyBundle(happyV03, { kind: 'bytes', bytes: ARTIFACT }, trust, {
          publicKeyPEM: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        }),
      'VERIFY_IDENTITY_MISMATCH'
    );
  });
  it('a RegExp SAN matches; exact strings are not patterns', async () => {
    verifyBundle(happyV03, { kind: 'bytes', bytes: ARTIFACT }, trust, {
      ...policy,
      subjectAlternativeName: /^https:\/\/github\.com\/acme\//,
    });
    await expectCode(
      () =>
        verifyBundle(happyV03, { kind: 'bytes', bytes: ARTIFACT }, trust, {
          ...policy,
          subjectAlternativeName: 'https://github.com/acme/.*',
        }),
      'VERIFY_IDENTITY_MISMATCH'
    );
  });
});

describe('verifyPrehashed', () => {
  const digest = createHash('sha256').update('message').digest();
  it.each(['P-256', 'P-384'])('ECDSA %s over a SHA-256 digest', (namedCurve) => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve });
    const signature = sign('sha256', Buffer.from('message'), privateKey);
    expect(verifyPrehashed(publicKey, 'sha256', digest, signature)).toBe(true);
    expect(
      verifyPrehashed(publicKey, 'sha256', createHash('sha256').update('other').digest(), signature)
    ).toBe(false);
  });
  it('RSA PKCS#1 v1.5', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const signature = sign('sha256', Buffer.from('message'), privateKey);
    expect(verifyPrehashed(publicKey, 'sha256', digest, signature)).toBe(true);
    expect(verifyPrehashed(publicKey, 'sha384', digest, signature)).toBe(false);
  });
  it('Ed25519 cannot be verified over a digest', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    expect(verifyPrehashed(publicKey, 'sha256', digest, sign(null, digest, privateKey))).toBe(
      false
    );
  });
});

describe('certificateIdentity', () => {
  it('reads SAN and every Fulcio extension of a GitHub Actions certificate', () => {
    const cert = X509Certificate.parse(
      Buffer.from(happyV03.verificationMaterial.certificate.rawBytes, 'base64')
    );
    const identity = certificateIdentity(cert);
    expect(identity.subjectAlternativeName).toBe(IDENTITY);
    expect(identity.extensions).toMatchObject({
      issuer: 'https://token.actions.githubusercontent.com',
      buildSignerURI: IDENTITY,
      runnerEnvironment: 'github-hosted',
      sourceRepositoryURI: 'https://github.com/acme/hello',
      sourceRepositoryRef: 'refs/tags/v1.0.0',
      sourceRepositoryVisibilityAtSigning: 'public',
      buildTrigger: 'push',
    });
    expect(identity.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('DSSE with a non-in-toto payload type', () => {
  it('binds the artifact to the payload bytes', async () => {
    const { generateKeyPair, signPayload } = await import('../../src/sign/index.js');
    const pair = generateKeyPair('ed25519');
    const payload = Buffer.from('{"hello":"world"}');
    const bundle = await signPayload(payload, 'application/json', {
      identity: { kind: 'key', privateKeyPEM: pair.privateKeyPEM },
      tlog: false,
    });
    const trust = embeddedTrustedRoot('public-good');
    const keyPolicy = { publicKeyPEM: pair.publicKeyPEM };
    const lenient = { requireTransparencyLog: false };
    const result = verifyBundle(
      bundle,
      { kind: 'bytes', bytes: payload },
      trust,
      keyPolicy,
      lenient
    );
    expect(result.payloadType).toBe('application/json');
    expect(result.statement).toBeUndefined();
    const hex = createHash('sha256').update(payload).digest('hex');
    verifyBundle(bundle, { kind: 'digest', algorithm: 'sha256', hex }, trust, keyPolicy, lenient);
    await expectCode(
      () =>
        verifyBundle(
          bundle,
          { kind: 'bytes', bytes: Buffer.from('other') },
          trust,
          keyPolicy,
          lenient
        ),
      'VERIFY_SUBJECT_MISMATCH'
    );
    // no log here, so a changed payload reaches the signature check itself
    const tampered = JSON.parse(JSON.stringify(bundle)) as typeof bundle;
    if (tampered.dsseEnvelope === undefined) throw new Error('no envelope');
    tampered.dsseEnvelope.payload = Buffer.from('{"hello":"there"}').toString('base64');
    await expectCode(
      () => verifyBundle(tampered, undefined, trust, keyPolicy, lenient),
      'VERIFY_SIGNATURE_INVALID'
    );
  });
});
