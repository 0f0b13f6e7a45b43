// Shared helpers of the stack tests: sign with sigstore-js against a stack, verify with
// @sigstore/verify against the trusted root the stack wrote.
import { bundleFromJSON, bundleToJSON, type SerializedBundle } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import {
  DSSEBundleBuilder,
  FulcioSigner,
  MessageSignatureBundleBuilder,
  RekorWitness,
  TSAWitness,
} from '@sigstore/sign';
import { toSignedEntity, toTrustMaterial, Verifier, type Signer } from '@sigstore/verify';
import type { VerificationPolicy } from '@sigstore/verify';
import { readFileSync } from 'node:fs';
import type { LocalSigstoreStack, TokenProfile } from '../../src/stack/index.js';

export interface SignOptions {
  profile?: TokenProfile;
  claims?: Record<string, unknown>;
  tsa?: boolean;
  entryType?: 'dsse' | 'intoto';
}

function builderOptions(stack: LocalSigstoreStack, options: SignOptions) {
  const signer = new FulcioSigner({
    fulcioBaseURL: stack.fulcioURL,
    identityProvider: {
      getToken: () =>
        Promise.resolve(stack.issueToken(options.profile ?? 'github', options.claims)),
    },
    retry: 0,
  });
  const witnesses = [
    new RekorWitness({ rekorBaseURL: stack.rekorURL, entryType: options.entryType, retry: 0 }),
    ...(options.tsa === true ? [new TSAWitness({ tsaBaseURL: stack.tsaURL, retry: 0 })] : []),
  ];
  return { signer, witnesses };
}

export async function signBlob(
  stack: LocalSigstoreStack,
  data: Uint8Array,
  options: SignOptions = {}
): Promise<SerializedBundle> {
  const builder = new MessageSignatureBundleBuilder(builderOptions(stack, options));
  return bundleToJSON(await builder.create({ data: Buffer.from(data) }));
}

export async function signStatement(
  stack: LocalSigstoreStack,
  statement: unknown,
  options: SignOptions = {}
): Promise<SerializedBundle> {
  const builder = new DSSEBundleBuilder(builderOptions(stack, options));
  return bundleToJSON(
    await builder.create({
      data: Buffer.from(JSON.stringify(statement)),
      type: 'application/vnd.in-toto+json',
    })
  );
}

/** A verifier built only from the trusted_root.json file the stack wrote. */
export function verifierFor(stack: LocalSigstoreStack): Verifier {
  const json: unknown = JSON.parse(readFileSync(stack.trustedRootPath, 'utf8'));
  return new Verifier(toTrustMaterial(TrustedRoot.fromJSON(json)), {
    tlogThreshold: 1,
    ctlogThreshold: 1,
  });
}

export function verifyBundle(
  stack: LocalSigstoreStack,
  bundle: SerializedBundle,
  data: Uint8Array | undefined,
  policy: VerificationPolicy = {}
): Signer {
  const entity = toSignedEntity(
    bundleFromJSON(bundle),
    data === undefined ? undefined : Buffer.from(data)
  );
  return verifierFor(stack).verify(entity, policy);
}

/** Fulcio extension values (1.3.6.1.4.1.57264.1.N → decoded string) of a verified signer. */
export function fulcioExtensions(signer: Signer): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of signer.identity?.oids ?? []) {
    const oid = pair.oid?.id.join('.') ?? '';
    if (!oid.startsWith('1.3.6.1.4.1.57264.1.')) continue;
    const n = Number(oid.split('.').pop());
    out[oid] = n <= 6 ? pair.value.toString('utf8') : decodeUTF8String(pair.value);
  }
  return out;
}

function decodeUTF8String(der: Buffer): string {
  if (der[0] !== 0x0c) throw new Error(`not a DER UTF8String: tag ${der[0]}`);
  let length = der[1]!;
  let offset = 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + der[2 + i]!;
    offset = 2 + count;
  }
  if (offset + length !== der.length) throw new Error('DER length mismatch');
  return der.subarray(offset).toString('utf8');
}

/** DER UTF8String of `text`, for @sigstore/verify `oids` policies. */
export function derUTF8(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length >= 0x80) throw new Error('test helper handles short strings only');
  return Buffer.concat([Buffer.from([0x0c, bytes.length]), bytes]);
}

export const oid = (n: number): string => `1.3.6.1.4.1.57264.1.${n}`;
