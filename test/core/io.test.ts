import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJSONFile, readFileLimited, resolveInside, writeFileAtomic } from '../../src/io/fs.js';
import { canonicalJSON } from '../../src/util/canonical-json.js';
import { redact, registerSecret } from '../../src/util/redact.js';
import { resolveBuildTime } from '../../src/util/time.js';
import { expectCode } from '../helpers/errors.js';

const dir = mkdtempSync(path.join(tmpdir(), 'custody-io-'));

describe('io adapter', () => {
  it('writes atomically and leaves no temp files', async () => {
    const target = path.join(dir, 'out', 'file.txt');
    await writeFileAtomic(target, 'one');
    await writeFileAtomic(target, 'two');
    expect(readFileSync(target, 'utf8')).toBe('two');
    expect(readdirSync(path.dirname(target))).toEqual(['file.txt']);
  });

  it('keeps the old output when a write fails', async () => {
    const target = path.join(dir, 'keep.txt');
    writeFileSync(target, 'old');
    await expectCode(() => writeFileAtomic(path.join(target, 'child'), 'x'), 'OUTPUT_WRITE_FAILED');
    expect(readFileSync(target, 'utf8')).toBe('old');
  });

  it('rejects missing, oversized, truncated and malformed inputs with codes', async () => {
    await expectCode(() => readFileLimited(path.join(dir, 'nope')), 'INPUT_NOT_FOUND');
    writeFileSync(path.join(dir, 'big'), Buffer.alloc(100));
    await expectCode(
      () => readFileLimited(path.join(dir, 'big'), { maxBytes: 10 }),
      'INPUT_TOO_LARGE'
    );
    writeFileSync(path.join(dir, 'trunc.json'), '{"a": [1, 2');
    await expectCode(() => readJSONFile(path.join(dir, 'trunc.json')), 'INPUT_JSON_INVALID');
    await expectCode(() => readFileLimited(dir), 'INPUT_UNREADABLE');
  });

  it('refuses absolute, dot-dot and escaping symlink paths', async () => {
    const base = path.join(dir, 'base');
    mkdirSync(base, { recursive: true });
    symlinkSync('/etc', path.join(base, 'escape'));
    await expectCode(() => resolveInside(base, '/etc/passwd'), 'INPUT_PATH_UNSAFE');
    await expectCode(() => resolveInside(base, 'a/../../b'), 'INPUT_PATH_UNSAFE');
    await expectCode(() => resolveInside(base, 'escape/passwd'), 'INPUT_PATH_UNSAFE');
    expect(await resolveInside(base, 'ok/file')).toBe(path.join(base, 'ok/file'));
  });
});

describe('util', () => {
  it('canonicalizes key order deterministically', () => {
    expect(canonicalJSON({ b: 1, a: { d: [2, { z: 1, y: 0 }], c: undefined } })).toBe(
      '{"a":{"d":[2,{"y":0,"z":1}]},"b":1}'
    );
  });

  it('redacts registered secrets and JWT-shaped strings', () => {
    registerSecret('super-secret-value');
    expect(redact('token super-secret-value here')).toBe('token *** here');
    expect(redact('eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4eHh4eHgifQ.c2lnbmF0dXJl')).toBe('***');
  });

  it('takes the build time from SOURCE_DATE_EPOCH and rejects garbage', async () => {
    expect(resolveBuildTime('1700000000', new Date(0)).toISOString()).toBe(
      '2023-11-14T22:13:20.000Z'
    );
    expect(resolveBuildTime(undefined, new Date(5)).getTime()).toBe(5);
    await expectCode(() => resolveBuildTime('yesterday', new Date()), 'INPUT_SCHEMA_INVALID');
  });
});
