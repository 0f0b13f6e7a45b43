// The issue's acceptance test: sigstore-js signs against the stack, @sigstore/verify verifies the
// bundle with the trusted_root.json the stack wrote; both through the written signing config too.
import { bundleFromJSON, bundleToJSON } from '@sigstore/bundle';
import { SigningConfig } from '@sigstore/protobuf-specs';
import { bundleBuilderFromSigningConfig } from '@sigstore/sign';
import { toSignedEntity } from '@sigstore/verify';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalSigstoreStack, type LocalSigstoreStack } from '../../src/stack/index.js';
import { signBlob, signStatement, verifierFor, verifyBundle } from './helpers.js';

let stack: LocalSigstoreStack;
beforeAll(async () => {
  stack = await startLocalSigstoreStack();
});
afterAll(async () => {
  await stack?.close();
});

const statement = {
  _type: 'https://in-toto.io/Statement/v1',
  subject: [{ name: 'hello.tgz', digest: { sha256: 'ab'.repeat(32) } }],
  predicateType: 'https://slsa.dev/provenance/v1',
  predicate: {},
};

describe('sign with sigstore-js, verify with @sigstore/verify', () => {
  it('message signature: hashedrekord entry, verifies with the written trusted root', async () => {
    const data = Buffer.from('hello custody\n');
    const bundle = await signBlob(stack, data);
    expect(bundle.verificationMaterial.tlogEntries[0]?.kindVersion?.kind).toBe('hashedrekord');
    verifyBundle(stack, bundle, data, {
      subjectAlternativeName:
        'https://github.com/acme/hello/.github/workflows/release.yml@refs/tags/v1.0.0',
    });
  });

  it('DSSE with the default dsse entry type: Rekor stores the canonical entry', async () => {
    const bundle = await signStatement(stack, statement);
    const entry = bundle.verificationMaterial.tlogEntries[0]!;
    expect(entry.kindVersion).toEqual({ kind: 'dsse', version: '0.0.1' });
    const body = JSON.parse(Buffer.from(entry.canonicalizedBody, 'base64').toString());
    expect(Object.keys(body.spec).sort()).toEqual(['envelopeHash', 'payloadHash', 'signatures']);
    expect(body.spec.signatures).toHaveLength(1);
    verifyBundle(stack, bundle, undefined);
  });

  it('DSSE with the legacy intoto entry type verifies too', async () => {
    const bundle = await signStatement(stack, statement, { entryType: 'intoto' });
    expect(bundle.verificationMaterial.tlogEntries[0]?.kindVersion?.kind).toBe('intoto');
    verifyBundle(stack, bundle, undefined);
  });

  it('a tampered DSSE payload is rejected', async () => {
    const bundle = await signStatement(stack, statement);
    const tampered = structuredClone(bundle);
    if (tampered.dsseEnvelope === undefined) throw new Error('expected a DSSE bundle');
    tampered.dsseEnvelope.payload = Buffer.from(
      JSON.stringify({ ...statement, predicate: { x: 1 } })
    ).toString('base64');
    expect(() => verifyBundle(stack, tampered, undefined)).toThrow();
  });

  it('TSA timestamps verify every time (whole-second genTime)', async () => {
    for (let i = 0; i < 12; i++) {
      const bundle = await signStatement(stack, statement, { profile: 'gitlab', tsa: true });
      expect(bundle.verificationMaterial.timestampVerificationData?.rfc3161Timestamps).toHaveLength(
        1
      );
      verifyBundle(stack, bundle, undefined);
    }
  });

  it('bundleBuilderFromSigningConfig accepts the written signing config (Fulcio, Rekor, TSA)', async () => {
    const config = JSON.parse(await readFile(stack.signingConfigPath, 'utf8'));
    expect(config.mediaType).toBe('application/vnd.dev.sigstore.signingconfig.v0.2+json');
    for (const bundleType of ['messageSignature', 'dsseEnvelope'] as const) {
      const builder = bundleBuilderFromSigningConfig({
        signingConfig: SigningConfig.fromJSON(config),
        identityProvider: { getToken: () => Promise.resolve(stack.issueToken('plain')) },
        bundleType,
      });
      const data = Buffer.from(JSON.stringify(statement));
      const bundle = bundleToJSON(
        await builder.create({ data, type: 'application/vnd.in-toto+json' })
      );
      expect(bundle.verificationMaterial.tlogEntries).toHaveLength(1);
      expect(bundle.verificationMaterial.timestampVerificationData?.rfc3161Timestamps).toHaveLength(
        1
      );
      const entity = toSignedEntity(
        bundleFromJSON(bundle),
        bundleType === 'messageSignature' ? data : undefined
      );
      const signer = verifierFor(stack).verify(entity, {
        subjectAlternativeName: 'release-manager@example.com',
        extensions: { issuer: stack.oidcURL },
      });
      expect(signer.identity?.subjectAlternativeName).toBe('release-manager@example.com');
    }
  });
});
