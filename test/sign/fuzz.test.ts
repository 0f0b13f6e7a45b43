// Malformed bundles never escape as anything but a CustodyError: deterministic mutations of
// bundles signed here on the local stack (keyless message signature, keyless DSSE, key-signed
// without a log) — wrong types, removed fields, flipped bytes — through verifyBundle; and of the
// embedded staging trusted root through loadTrustedRoot. (The same over the conformance corpus's
// bundles is test/corpus/fuzz.test.ts.)
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { isCustodyError } from '../../src/errors.js';
import { mutate, paths, prng, type JSONValue } from '../helpers/mutate.js';
import {
  generateKeyPair,
  loadTrustedRoot,
  signArtifact,
  signStatement,
  verifyBundle,
  type SignerConfig,
  type TrustContext,
} from '../../src/sign/index.js';
import { startLocalSigstoreStack, type LocalSigstoreStack } from '../../src/stack/index.js';
import { REPO_ROOT } from '../helpers/cli.js';

const ARTIFACT = Buffer.from('fuzzed artifact\n');
let stack: LocalSigstoreStack;
let trust: TrustContext;
const cases: { name: string; bundle: JSONValue; key?: string }[] = [];

beforeAll(async () => {
  stack = await startLocalSigstoreStack();
  trust = loadTrustedRoot(stack.trustedRoot);
  const keyless: SignerConfig = {
    identity: { kind: 'keyless', token: stack.issueToken('github') },
    fulcioURL: stack.fulcioURL,
    rekorURL: stack.rekorURL,
    tsaURL: stack.tsaURL,
  };
  const pair = generateKeyPair('ecdsa-p256');
  const json = (value: unknown): JSONValue => JSON.parse(JSON.stringify(value)) as JSONValue;
  cases.push({
    name: 'keyless message signature',
    bundle: json(await signArtifact(ARTIFACT, keyless)),
  });
  const statement = {
    _type: 'https://in-toto.io/Statement/v1' as const,
    subject: [
      { name: 'a', digest: { sha256: createHash('sha256').update(ARTIFACT).digest('hex') } },
    ],
    predicateType: 'https://example.com/p/v1',
    predicate: { a: 1 },
  };
  cases.push({ name: 'keyless DSSE', bundle: json(await signStatement(statement, keyless)) });
  cases.push({
    name: 'key-signed DSSE, no log',
    bundle: json(
      await signStatement(statement, {
        identity: { kind: 'key', privateKeyPEM: pair.privateKeyPEM },
        tlog: false,
      })
    ),
    key: pair.publicKeyPEM,
  });
}, 120_000);
afterAll(async () => {
  await stack.close();
});

it('mutated bundles fail with CustodyError codes only', () => {
  const random = prng(20261203);
  const escapes: string[] = [];
  let rejected = 0;
  for (const { name, bundle, key } of cases) {
    const all = paths(bundle);
    for (let i = 0; i < 120; i++) {
      const where = all[Math.floor(random() * all.length)] ?? [];
      try {
        verifyBundle(
          mutate(bundle, where, random),
          { kind: 'bytes', bytes: ARTIFACT },
          trust,
          key === undefined ? { anyIdentity: true } : { publicKeyPEM: key },
          { requireTransparencyLog: key === undefined }
        );
      } catch (error) {
        if (isCustodyError(error)) rejected += 1;
        else escapes.push(`${name} ${where.join('.')}: ${String(error)}`);
      }
    }
  }
  expect(escapes).toEqual([]);
  expect(rejected).toBeGreaterThan(150);
});

it('the unmutated bundles verify (the mutations are what fails)', () => {
  for (const { bundle, key } of cases) {
    verifyBundle(
      bundle,
      { kind: 'bytes', bytes: ARTIFACT },
      trust,
      key === undefined ? { anyIdentity: true } : { publicKeyPEM: key },
      { requireTransparencyLog: key === undefined }
    );
  }
});

it('mutated trusted roots fail with VERIFY_TRUST_ROOT_INVALID only', () => {
  const random = prng(7);
  const root = JSON.parse(
    readFileSync(path.join(REPO_ROOT, 'src/sign/trusted-roots/staging.json'), 'utf8')
  ) as JSONValue;
  const all = paths(root);
  const escapes: string[] = [];
  for (let i = 0; i < 300; i++) {
    const where = all[Math.floor(random() * all.length)] ?? [];
    try {
      loadTrustedRoot(mutate(root, where, random));
    } catch (error) {
      if (!isCustodyError(error) || error.code !== 'VERIFY_TRUST_ROOT_INVALID') {
        escapes.push(`${where.join('.')}: ${String(error)}`);
      }
    }
  }
  expect(escapes).toEqual([]);
});
