import { bundleFromJSON, bundleToJSON } from '@sigstore/bundle';
import { SigningConfig, TrustedRoot } from '@sigstore/protobuf-specs';
import {
  bundleBuilderFromSigningConfig,
  DSSEBundleBuilder,
  FulcioSigner,
  MessageSignatureBundleBuilder,
  RekorWitness,
  TSAWitness,
} from '@sigstore/sign';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startLocalSigstoreStack,
  type LocalSigstoreStack,
  type TokenProfile,
} from '../../src/stack/index.js';

let stack: LocalSigstoreStack;

beforeAll(async () => {
  stack = await startLocalSigstoreStack();
});
afterAll(async () => {
  await stack?.close();
});

function builderOptions(profile: TokenProfile, claims?: Record<string, unknown>, tsa = false) {
  const signer = new FulcioSigner({
    fulcioBaseURL: stack.fulcioURL,
    identityProvider: { getToken: () => Promise.resolve(stack.issueToken(profile, claims)) },
  });
  const witnesses = [
    new RekorWitness({ rekorBaseURL: stack.rekorURL }),
    ...(tsa ? [new TSAWitness({ tsaBaseURL: stack.tsaURL })] : []),
  ];
  return { signer, witnesses };
}

async function verifier(): Promise<Verifier> {
  const json = JSON.parse(await readFile(stack.trustedRootPath, 'utf8'));
  return new Verifier(toTrustMaterial(TrustedRoot.fromJSON(json)), {
    tlogThreshold: 1,
    ctlogThreshold: 1,
  });
}

describe('local Sigstore stack: sign with sigstore-js, verify with @sigstore/verify', () => {
  it('signs a blob (message signature, hashedrekord) that verifies with the written trusted root', async () => {
    const data = Buffer.from('hello custody\n');
    const bundle = await new MessageSignatureBundleBuilder(builderOptions('github')).create({
      data,
    });
    const json = bundleToJSON(bundle);
    const entity = toSignedEntity(bundleFromJSON(json), data);
    const signer = (await verifier()).verify(entity, {
      subjectAlternativeName:
        'https://github.com/acme/hello/.github/workflows/release.yml@refs/tags/v1.0.0',
      extensions: { issuer: 'https://token.actions.githubusercontent.com' },
    });
    expect(signer.identity?.subjectAlternativeName).toBe(
      'https://github.com/acme/hello/.github/workflows/release.yml@refs/tags/v1.0.0'
    );
    expect(json.verificationMaterial?.tlogEntries?.[0]?.kindVersion?.kind).toBe('hashedrekord');
  });

  it('signs a DSSE statement with the default dsse entry type, and with a TSA timestamp', async () => {
    const statement = Buffer.from(
      JSON.stringify({ _type: 'https://in-toto.io/Statement/v1', subject: [], predicateType: 'x' })
    );
    const bundle = await new DSSEBundleBuilder(builderOptions('gitlab', undefined, true)).create({
      data: statement,
      type: 'application/vnd.in-toto+json',
    });
    const json = bundleToJSON(bundle);
    expect(json.verificationMaterial?.tlogEntries?.[0]?.kindVersion?.kind).toBe('dsse');
    expect(json.verificationMaterial?.timestampVerificationData?.rfc3161Timestamps).toHaveLength(1);
    const signer = (await verifier()).verify(toSignedEntity(bundleFromJSON(json)), {
      subjectAlternativeName: 'https://gitlab.com/acme/hello//.gitlab-ci.yml@refs/tags/v1.0.0',
      extensions: { issuer: 'https://gitlab.com' },
    });
    expect(signer.identity?.extensions?.issuer).toBe('https://gitlab.com');
  });

  it('works through bundleBuilderFromSigningConfig with the written signing config', async () => {
    const config = JSON.parse(await readFile(stack.signingConfigPath, 'utf8'));
    expect(config.mediaType).toBe('application/vnd.dev.sigstore.signingconfig.v0.2+json');
    const builder = bundleBuilderFromSigningConfig({
      signingConfig: SigningConfig.fromJSON(config),
      identityProvider: { getToken: () => Promise.resolve(stack.issueToken('plain')) },
      bundleType: 'messageSignature',
    });
    const data = Buffer.from('plain identity');
    const json = bundleToJSON(await builder.create({ data }));
    const signer = (await verifier()).verify(toSignedEntity(bundleFromJSON(json), data), {
      subjectAlternativeName: 'release-manager@example.com',
      extensions: { issuer: stack.oidcURL },
    });
    expect(signer.identity?.subjectAlternativeName).toBe('release-manager@example.com');
  });
});
