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

function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

type JSONValue = null | boolean | number | string | JSONValue[] | { [key: string]: JSONValue };

function paths(value: JSONValue, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  }
  return out;
}

function mutate(root: JSONValue, where: (string | number)[], random: () => number): JSONValue {
  const copy = JSON.parse(JSON.stringify(root)) as JSONValue;
  if (where.length === 0) return copy;
  let parent = copy as Record<string | number, JSONValue>;
  for (const key of where.slice(0, -1)) parent = parent[key] as Record<string | number, JSONValue>;
  const last = where[where.length - 1] as string | number;
  const current = parent[last];
  const choice = Math.floor(random() * 6);
  if (choice === 0) delete parent[last];
  else if (choice === 1) parent[last] = null;
  else if (choice === 2) parent[last] = 42;
  else if (choice === 3) parent[last] = ['x'];
  else if (choice === 4) parent[last] = { a: 1 };
  else if (typeof current === 'string' && current.length > 4) {
    parent[last] = current.slice(0, 2) + (current[2] === 'A' ? 'B' : 'A') + current.slice(3);
  } else parent[last] = 'AAAA';
  return copy;
}

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
