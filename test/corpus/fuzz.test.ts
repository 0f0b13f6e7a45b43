// Malformed bundles never escape as anything but a CustodyError: deterministic mutations of real
// bundles (wrong types, removed fields, flipped bytes) through verifyBundle.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { corpusPath } from './shared.js';
import { isCustodyError } from '../../src/errors.js';
import { mutate, paths, prng, type JSONValue } from '../helpers/mutate.js';
import { embeddedTrustedRoot, loadTrustedRoot, verifyBundle } from '../../src/sign/index.js';

const DIR = corpusPath('conformance');
const CASES = [
  'happy-path-v0.1',
  'happy-path-v0.3',
  'happy-path-intoto-in-dsse-v3',
  'rekor2-happy-path',
  'rekor2-dsse-happy-path',
  'managed-key-happy-path',
];

it('mutated bundles fail with CustodyError codes only', () => {
  const random = prng(20261121);
  const escapes: string[] = [];
  let rejected = 0;
  for (const name of CASES) {
    const dir = path.join(DIR, 'bundle-verify', name);
    const bundle = JSON.parse(
      readFileSync(path.join(dir, 'bundle.sigstore.json'), 'utf8')
    ) as JSONValue;
    let trust = embeddedTrustedRoot('public-good');
    try {
      trust = loadTrustedRoot(
        JSON.parse(readFileSync(path.join(dir, 'trusted_root.json'), 'utf8'))
      );
    } catch {
      // no case-specific root
    }
    let key: string | undefined;
    try {
      key = readFileSync(path.join(dir, 'key.pub'), 'utf8');
    } catch {
      key = undefined;
    }
    const artifact = readFileSync(path.join(DIR, 'bundle-verify/a.txt'));
    const all = paths(bundle);
    for (let i = 0; i < 80; i++) {
      const where = all[Math.floor(random() * all.length)] ?? [];
      const mutated = mutate(bundle, where, random);
      try {
        verifyBundle(
          mutated,
          { kind: 'bytes', bytes: artifact },
          trust,
          key === undefined ? { anyIdentity: true } : { publicKeyPEM: key }
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

it('mutated trusted roots fail with VERIFY_TRUST_ROOT_INVALID only', () => {
  const random = prng(42);
  const root = JSON.parse(
    readFileSync(path.join(DIR, 'trusted-roots/staging.json'), 'utf8')
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
