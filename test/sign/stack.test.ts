// Round trips against the local Sigstore stack (real HTTP on 127.0.0.1): custody signs keyless
// (GitHub and GitLab identities) and with a key; @sigstore/verify accepts custody's bundles; custody
// accepts sigstore-js's; and every tampering of a signed bundle is rejected with the right code.
import { createHash } from 'node:crypto';
import { bundleFromJSON, type SerializedBundle } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import {
  FulcioSigner,
  MessageSignatureBundleBuilder,
  RekorWitness,
  TSAWitness,
} from '@sigstore/sign';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  generateKeyPair,
  loadTrustedRoot,
  signArtifact,
  signStatement,
  toBundleV03,
  verifyBundle,
  type IdentityPolicy,
  type SignerConfig,
  type TrustContext,
} from '../../src/sign/index.js';
import { startLocalSigstoreStack, type LocalSigstoreStack } from '../../src/stack/index.js';
import { expectCode } from '../helpers/errors.js';

const GITHUB_SAN = 'https://github.com/acme/hello/.github/workflows/release.yml@refs/tags/v1.0.0';
const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';
const ARTIFACT = Buffer.from('custody release artifact\n');
const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

let stack: LocalSigstoreStack;
let trust: TrustContext;
let keyless: SignerConfig;
let signed: SerializedBundle; // github identity, Rekor + TSA
let tlogOnly: SerializedBundle; // github identity, Rekor only: tampering shows up as a tlog failure
const githubPolicy: IdentityPolicy = { subjectAlternativeName: GITHUB_SAN, issuer: GITHUB_ISSUER };

beforeAll(async () => {
  stack = await startLocalSigstoreStack();
  trust = loadTrustedRoot(stack.trustedRoot);
  keyless = {
    identity: { kind: 'keyless', token: () => Promise.resolve(stack.issueToken('github')) },
    fulcioURL: stack.fulcioURL,
    rekorURL: stack.rekorURL,
    tsaURL: stack.tsaURL,
  };
  signed = await signArtifact(ARTIFACT, keyless);
  tlogOnly = await signArtifact(ARTIFACT, { ...keyless, tsaURL: undefined });
}, 30_000);

afterAll(async () => {
  await stack.close();
});

const clone = (bundle: SerializedBundle): SerializedBundle =>
  JSON.parse(JSON.stringify(bundle)) as SerializedBundle;

function flipBase64(value: string, index = 10): string {
  const bytes = Buffer.from(value, 'base64');
  bytes[index % bytes.length] = (bytes[index % bytes.length] ?? 0) ^ 0x01;
  return bytes.toString('base64');
}

describe('keyless signing on the local stack', () => {
  it('emits bundle v0.3 with a single leaf certificate, a tlog entry and a TSA timestamp', () => {
    expect(signed.mediaType).toBe('application/vnd.dev.sigstore.bundle.v0.3+json');
    expect(signed.verificationMaterial.certificate).toBeDefined();
    expect(signed.verificationMaterial.x509CertificateChain).toBeUndefined();
    expect(signed.verificationMaterial.tlogEntries).toHaveLength(1);
    expect(signed.verificationMaterial.timestampVerificationData?.rfc3161Timestamps).toHaveLength(
      1
    );
  });

  it('verifies with identity, issuer and Fulcio extensions (bytes and digest)', () => {
    const result = verifyBundle(signed, { kind: 'bytes', bytes: ARTIFACT }, trust, {
      ...githubPolicy,
      extensions: {
        sourceRepositoryURI: 'https://github.com/acme/hello',
        sourceRepositoryRef: /^refs\/tags\/v/,
        runnerEnvironment: 'github-hosted',
        buildSignerURI: GITHUB_SAN,
      },
    });
    expect(result.kind).toBe('message-signature');
    expect(result.signer).toMatchObject({
      kind: 'certificate',
      subjectAlternativeName: GITHUB_SAN,
      issuer: GITHUB_ISSUER,
    });
    expect(result.timestamps).toHaveLength(2);
    expect(result.signedAt).toBeInstanceOf(Date);
    verifyBundle(
      signed,
      { kind: 'digest', algorithm: 'sha256', hex: sha256(ARTIFACT) },
      trust,
      githubPolicy
    );
  });

  it('is accepted by @sigstore/verify as is', () => {
    const bundle = bundleFromJSON(signed);
    const verifier = new Verifier(toTrustMaterial(TrustedRoot.fromJSON(stack.trustedRoot)));
    const signer = verifier.verify(toSignedEntity(bundle, ARTIFACT));
    expect(signer.identity?.subjectAlternativeName).toBe(GITHUB_SAN);
  });

  it('signs with a GitLab identity (double-slash SAN, gitlab.com issuer) through the signing config', async () => {
    const bundle = await signArtifact(ARTIFACT, {
      identity: { kind: 'keyless', token: stack.issueToken('gitlab') },
      signingConfig: stack.signingConfig,
    });
    const result = verifyBundle(bundle, { kind: 'bytes', bytes: ARTIFACT }, trust, {
      subjectAlternativeName:
        /^https:\/\/gitlab\.com\/acme\/hello\/\/\.gitlab-ci\.yml@refs\/tags\//,
      issuer: 'https://gitlab.com',
      extensions: {
        runnerEnvironment: 'gitlab-hosted',
        sourceRepositoryURI: 'https://gitlab.com/acme/hello',
      },
    });
    expect(result.tlogEntries).toBe(1);
    await expectCode(
      () => verifyBundle(bundle, { kind: 'bytes', bytes: ARTIFACT }, trust, githubPolicy),
      'VERIFY_IDENTITY_MISMATCH'
    );
  });

  it('signs in-toto statements as DSSE and binds the artifact as a subject', async () => {
    const statement = {
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: 'app.tgz', digest: { sha256: sha256(ARTIFACT) } }],
      predicateType: 'https://slsa.dev/provenance/v1',
      predicate: { buildDefinition: { buildType: 'https://example.com/b' } },
    };
    const bundle = await signStatement(statement, keyless);
    expect(bundle.dsseEnvelope?.payloadType).toBe('application/vnd.in-toto+json');
    const result = verifyBundle(bundle, { kind: 'bytes', bytes: ARTIFACT }, trust, githubPolicy);
    expect(result.kind).toBe('dsse');
    expect(result.statement?.predicateType).toBe('https://slsa.dev/provenance/v1');
    await expectCode(
      () =>
        verifyBundle(bundle, { kind: 'bytes', bytes: Buffer.from('other') }, trust, githubPolicy),
      'VERIFY_SUBJECT_MISMATCH'
    );
    // @sigstore/verify accepts it too
    new Verifier(toTrustMaterial(TrustedRoot.fromJSON(stack.trustedRoot))).verify(
      toSignedEntity(bundleFromJSON(bundle))
    );
  });

  it('verifies bundles made by sigstore-js (v0.2 chain form)', async () => {
    const builder = new MessageSignatureBundleBuilder({
      signer: new FulcioSigner({
        fulcioBaseURL: stack.fulcioURL,
        identityProvider: { getToken: () => Promise.resolve(stack.issueToken('github')) },
      }),
      witnesses: [
        new RekorWitness({ rekorBaseURL: stack.rekorURL }),
        new TSAWitness({ tsaBaseURL: stack.tsaURL }),
      ],
    });
    const bundle = await builder.create({ data: ARTIFACT });
    const json = toBundleV03(bundle); // and custody's v0.3 rewrite of it
    const { bundleToJSON } = await import('@sigstore/bundle');
    const original = bundleToJSON(bundle);
    expect(original.mediaType).toBe('application/vnd.dev.sigstore.bundle+json;version=0.2');
    verifyBundle(original, { kind: 'bytes', bytes: ARTIFACT }, trust, githubPolicy);
    verifyBundle(json, { kind: 'bytes', bytes: ARTIFACT }, trust, githubPolicy);
  });
});

describe('key-based signing on the local stack', () => {
  it('signs with ECDSA keys through Rekor and verifies only with the right key', async () => {
    for (const algorithm of ['ecdsa-p256', 'ecdsa-p384'] as const) {
      const pair = generateKeyPair(algorithm);
      const bundle = await signArtifact(ARTIFACT, {
        identity: { kind: 'key', privateKeyPEM: pair.privateKeyPEM },
        rekorURL: stack.rekorURL,
      });
      expect(bundle.verificationMaterial.publicKey?.hint).toBe(pair.keyHint);
      const result = verifyBundle(bundle, { kind: 'bytes', bytes: ARTIFACT }, trust, {
        publicKeyPEM: pair.publicKeyPEM,
      });
      expect(result.signer).toEqual({ kind: 'key', keyHint: pair.keyHint });
      verifyBundle(bundle, { kind: 'digest', algorithm: 'sha256', hex: sha256(ARTIFACT) }, trust, {
        publicKeyPEM: pair.publicKeyPEM,
      });
      await expectCode(
        () =>
          verifyBundle(bundle, { kind: 'bytes', bytes: ARTIFACT }, trust, {
            publicKeyPEM: generateKeyPair(algorithm).publicKeyPEM,
          }),
        'VERIFY_SIGNATURE_INVALID'
      );
    }
  });

  it('signs statements with Ed25519 and refuses Ed25519 message signatures', async () => {
    const pair = generateKeyPair('ed25519');
    const config: SignerConfig = {
      identity: { kind: 'key', privateKeyPEM: pair.privateKeyPEM },
      tlog: false,
    };
    const bundle = await signStatement(
      {
        _type: 'https://in-toto.io/Statement/v1',
        subject: [{ name: 'a', digest: { sha256: sha256(ARTIFACT) } }],
        predicateType: 'https://example.com/p',
      },
      config
    );
    const verified = verifyBundle(
      bundle,
      { kind: 'digest', algorithm: 'sha256', hex: sha256(ARTIFACT) },
      trust,
      { publicKeyPEM: pair.publicKeyPEM },
      { requireTransparencyLog: false }
    );
    expect(verified.tlogEntries).toBe(0);
    // without the explicit opt-out a log entry is required
    await expectCode(
      () => verifyBundle(bundle, undefined, trust, { publicKeyPEM: pair.publicKeyPEM }),
      'VERIFY_TIMESTAMP_INVALID'
    );
    await expectCode(() => signArtifact(ARTIFACT, config), 'SIGN_KEY_INVALID');
  });
});

describe('tampered or mismatching bundles are rejected', () => {
  const check = (
    bundle: SerializedBundle,
    policy: IdentityPolicy = githubPolicy,
    t = trust
  ): unknown => verifyBundle(bundle, { kind: 'bytes', bytes: ARTIFACT }, t, policy);

  it('tampered signature', async () => {
    const withTsa = clone(signed);
    const tsaSigned = withTsa.messageSignature;
    if (tsaSigned === undefined) throw new Error('no message signature');
    tsaSigned.signature = flipBase64(tsaSigned.signature, 20);
    // the TSA timestamp was taken over the original signature
    await expectCode(() => check(withTsa), 'VERIFY_TIMESTAMP_INVALID');
    const bundle = clone(tlogOnly);
    const ms = bundle.messageSignature;
    if (ms === undefined) throw new Error('no message signature');
    ms.signature = flipBase64(ms.signature, 20);
    // the tlog body no longer matches the bundle signature
    await expectCode(() => check(bundle), 'VERIFY_TLOG_INVALID');
  });

  it('tampered artifact', async () => {
    await expectCode(
      () =>
        verifyBundle(signed, { kind: 'bytes', bytes: Buffer.from('evil') }, trust, githubPolicy),
      'VERIFY_SUBJECT_MISMATCH'
    );
  });

  it('tampered DSSE payload', async () => {
    const statement = {
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: 'app.tgz', digest: { sha256: sha256(ARTIFACT) } }],
      predicateType: 'https://slsa.dev/provenance/v1',
      predicate: { builder: 'honest' },
    };
    const bundle = await signStatement(statement, { ...keyless, tsaURL: undefined });
    verifyBundle(bundle, { kind: 'bytes', bytes: ARTIFACT }, trust, githubPolicy);
    const tampered = clone(bundle);
    const envelope = tampered.dsseEnvelope;
    if (envelope === undefined) throw new Error('no envelope');
    envelope.payload = Buffer.from(
      Buffer.from(envelope.payload, 'base64').toString('utf8').replace('honest', 'evil!!')
    ).toString('base64');
    // the log entry records the envelope: the body check fails before the signature would
    await expectCode(() => check(tampered), 'VERIFY_TLOG_INVALID');
  });

  it('tampered inclusion proof and checkpoint', async () => {
    const proofHash = clone(tlogOnly);
    const entry = proofHash.verificationMaterial.tlogEntries[0];
    const proof = entry?.inclusionProof;
    if (proof === undefined) throw new Error('no inclusion proof');
    proof.rootHash = flipBase64(proof.rootHash, 3);
    await expectCode(() => check(proofHash), 'VERIFY_TLOG_INVALID');
    const checkpoint = clone(tlogOnly);
    const cp = checkpoint.verificationMaterial.tlogEntries[0]?.inclusionProof?.checkpoint;
    if (cp === undefined) throw new Error('no checkpoint');
    cp.envelope = cp.envelope.replace(/\n(\d+)\n/, (_m, size: string) => `\n${Number(size) + 1}\n`);
    await expectCode(() => check(checkpoint), 'VERIFY_TLOG_INVALID');
    // the checkpoint signature itself
    const signature = clone(tlogOnly);
    const sigCp = signature.verificationMaterial.tlogEntries[0]?.inclusionProof?.checkpoint;
    if (sigCp === undefined) throw new Error('no checkpoint');
    sigCp.envelope = sigCp.envelope.replace(
      /— (\S+) (\S+)\n$/,
      (_m, name: string, sig: string) => `— ${name} ${flipBase64(sig, 12)}\n`
    );
    expect(sigCp.envelope).not.toBe(
      tlogOnly.verificationMaterial.tlogEntries[0]?.inclusionProof?.checkpoint.envelope
    );
    await expectCode(() => check(signature), 'VERIFY_TLOG_INVALID');
    // a sibling hash of the proof
    const sibling = clone(tlogOnly);
    const hashes = sibling.verificationMaterial.tlogEntries[0]?.inclusionProof?.hashes;
    if (hashes !== undefined && hashes.length > 0) {
      hashes[0] = flipBase64(hashes[0] ?? '', 1);
      await expectCode(() => check(sibling), 'VERIFY_TLOG_INVALID');
    }
  });

  it('tampered integrated time (signed entry timestamp)', async () => {
    const bundle = clone(tlogOnly);
    const entry = bundle.verificationMaterial.tlogEntries[0];
    if (entry === undefined) throw new Error('no entry');
    entry.integratedTime = String(Number(entry.integratedTime) + 1);
    await expectCode(() => check(bundle), 'VERIFY_TLOG_INVALID');
  });

  it('tampered RFC 3161 timestamp', async () => {
    const bundle = clone(signed);
    const ts = bundle.verificationMaterial.timestampVerificationData?.rfc3161Timestamps[0];
    if (ts === undefined) throw new Error('no timestamp');
    const bytes = Buffer.from(ts.signedTimestamp, 'base64');
    bytes[bytes.length - 5] = (bytes[bytes.length - 5] ?? 0) ^ 0x01; // inside the TSA signature
    ts.signedTimestamp = bytes.toString('base64');
    await expectCode(() => check(bundle), 'VERIFY_TIMESTAMP_INVALID');
  });

  it('missing transparency-log entries', async () => {
    const bundle = clone(signed);
    bundle.verificationMaterial.tlogEntries = [];
    await expectCode(() => check(bundle), 'VERIFY_TLOG_INVALID');
  });

  it('a certificate from another CA, and a CA outside its validity window', async () => {
    const other = await startLocalSigstoreStack();
    try {
      await expectCode(
        () => check(tlogOnly, githubPolicy, loadTrustedRoot(other.trustedRoot)),
        'VERIFY_CERTIFICATE_INVALID'
      );
    } finally {
      await other.close();
    }
    const expired = JSON.parse(JSON.stringify(stack.trustedRoot)) as {
      certificateAuthorities: { validFor: { start: string; end?: string } }[];
    };
    for (const ca of expired.certificateAuthorities) {
      ca.validFor = { start: '2020-01-01T00:00:00Z', end: '2021-01-01T00:00:00Z' };
    }
    await expectCode(
      () => check(tlogOnly, githubPolicy, loadTrustedRoot(expired)),
      'VERIFY_CERTIFICATE_INVALID'
    );
  });

  it('a timestamp taken over another signature', async () => {
    // (Expired certificates are covered by the conformance cases intoto-expired-certificate_fail
    // and *-outside-*-validity_fail.)
    const second = await signArtifact(ARTIFACT, keyless);
    const bundle = clone(signed);
    bundle.verificationMaterial.timestampVerificationData =
      clone(second).verificationMaterial.timestampVerificationData;
    await expectCode(() => check(bundle), 'VERIFY_TIMESTAMP_INVALID');
  });

  it('wrong issuer or identity, and a token from another issuer', async () => {
    await expectCode(
      () => check(signed, { ...githubPolicy, issuer: 'https://gitlab.com' }),
      'VERIFY_IDENTITY_MISMATCH'
    );
    await expectCode(
      () => check(signed, { ...githubPolicy, subjectAlternativeName: `${GITHUB_SAN}x` }),
      'VERIFY_IDENTITY_MISMATCH'
    );
    await expectCode(
      () =>
        check(signed, { ...githubPolicy, extensions: { sourceRepositoryRef: 'refs/heads/main' } }),
      'VERIFY_IDENTITY_MISMATCH'
    );
    await expectCode(() => check(signed, {}), 'VERIFY_IDENTITY_MISMATCH'); // no identity at all
    const plain = await signArtifact(ARTIFACT, {
      ...keyless,
      identity: { kind: 'keyless', token: stack.issueToken('plain') },
    });
    await expectCode(() => check(plain), 'VERIFY_IDENTITY_MISMATCH');
  });

  it('a chain that carries an untrusted self-signed root (synthetic v0.2 bundle from the stack)', async () => {
    const builder = new MessageSignatureBundleBuilder({
      signer: new FulcioSigner({
        fulcioBaseURL: stack.fulcioURL,
        identityProvider: { getToken: () => Promise.resolve(stack.issueToken('github')) },
      }),
      witnesses: [new RekorWitness({ rekorBaseURL: stack.rekorURL })],
    });
    const { bundleToJSON } = await import('@sigstore/bundle');
    const v02 = bundleToJSON(await builder.create({ data: ARTIFACT }));
    const chain = v02.verificationMaterial.x509CertificateChain?.certificates;
    if (chain === undefined) throw new Error('expected a chain');
    const cas = stack.trustedRoot.certificateAuthorities[0]?.certChain.certificates ?? [];
    // leaf + the trusted intermediate(s) + trusted root: tolerated (old non-complying bundles)
    const withTrusted = clone(v02);
    withTrusted.verificationMaterial.x509CertificateChain = { certificates: [...chain, ...cas] };
    verifyBundle(withTrusted, { kind: 'bytes', bytes: ARTIFACT }, trust, githubPolicy);
    // the same chain ending in a self-signed root the trusted root does not contain: rejected,
    // although everything else about the bundle verifies
    const other = await startLocalSigstoreStack();
    try {
      const foreignRoot =
        other.trustedRoot.certificateAuthorities[0]?.certChain.certificates.at(-1);
      if (foreignRoot === undefined) throw new Error('no root');
      const withForeign = clone(v02);
      withForeign.verificationMaterial.x509CertificateChain = {
        certificates: [...chain, ...cas.slice(0, -1), foreignRoot],
      };
      const error = await expectCode(
        () => verifyBundle(withForeign, { kind: 'bytes', bytes: ARTIFACT }, trust, githubPolicy),
        'VERIFY_CERTIFICATE_INVALID'
      );
      expect(error.message).toMatch(/root CA certificate/);
    } finally {
      await other.close();
    }
  });
});
