// Any predicate (actions/attest parity): `custody attest predicate --type URI --predicate[-path]`
// and subjects given by name and digest. The pure builder: a pass and a fail per check; the CLI:
// the statement it writes, and its usage errors.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildCustomStatement,
  digestSubjects,
  parsePredicateType,
} from '../../src/attest/custom.js';
import { CustodyError } from '../../src/errors.js';
import { runCli } from '../helpers/cli.js';

const SHA = 'ab'.repeat(32);
const subjects = [{ name: 'app.tgz', digest: { sha256: SHA } }];

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof CustodyError ? error.code : 'not a CustodyError';
  }
  return undefined;
}

describe('buildCustomStatement', () => {
  it('builds an in-toto v1 statement with the given type and predicate', () => {
    const statement = buildCustomStatement(
      'https://example.com/test-result/v1',
      '{"passed": true}',
      subjects
    );
    expect(statement).toEqual({
      _type: 'https://in-toto.io/Statement/v1',
      subject: subjects,
      predicateType: 'https://example.com/test-result/v1',
      predicate: { passed: true },
    });
  });

  it.each(['provenance', 'not a uri', 'https://exa mple.com/x', ''])(
    'refuses the predicate type %j',
    (type) => {
      expect(codeOf(() => parsePredicateType(type))).toBe('ATTEST_PREDICATE_INVALID');
    }
  );

  it.each([
    ['not JSON', '{nope'],
    ['an array', '[1, 2]'],
    ['a string', '"text"'],
    ['null', 'null'],
  ])('refuses a predicate that is %s', (_what, text) => {
    expect(codeOf(() => buildCustomStatement('https://example.com/p/v1', text, subjects))).toBe(
      'ATTEST_PREDICATE_INVALID'
    );
  });

  it('refuses a predicate over the 16 MiB store cap', () => {
    const big = JSON.stringify({ blob: 'x'.repeat(16 * 1024 * 1024) });
    expect(codeOf(() => buildCustomStatement('https://example.com/p/v1', big, subjects))).toBe(
      'ATTEST_PREDICATE_INVALID'
    );
  });
});

describe('digestSubjects', () => {
  it('pairs names with digests', () => {
    expect(digestSubjects(['a', 'b'], [`sha256:${SHA}`, `sha512:${'c'.repeat(128)}`])).toEqual([
      { name: 'a', digest: { sha256: SHA } },
      { name: 'b', digest: { sha512: 'c'.repeat(128) } },
    ]);
  });
  it.each([
    ['unpaired', ['a', 'b'], [`sha256:${SHA}`]],
    ['no algorithm', ['a'], [SHA]],
    ['a short digest', ['a'], ['sha256:abcd']],
    ['upper-case hex', ['a'], [`sha256:${SHA.toUpperCase()}`]],
    ['md5', ['a'], [`md5:${'a'.repeat(32)}`]],
    ['an empty name', [' '], [`sha256:${SHA}`]],
  ])('refuses %s', (_what, names, digests) => {
    expect(codeOf(() => digestSubjects(names, digests))).toBe('ATTEST_SUBJECT_INVALID');
  });
});

describe('custody attest predicate', () => {
  let dir: string;
  const env = { PATH: process.env.PATH, SOURCE_DATE_EPOCH: '1795170600' };
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'custody-attest-predicate-'));
    writeFileSync(path.join(dir, 'app.tgz'), 'app\n');
    writeFileSync(path.join(dir, 'result.json'), '{"suite":"unit","passed":true}\n');
  });

  it('writes the statement for a file subject and a subject given by digest', async () => {
    const run = await runCli(
      [
        'attest',
        'predicate',
        '--type',
        'https://example.com/test-result/v1',
        '--predicate-path',
        'result.json',
        '--subject',
        'app.tgz',
        '--subject-name',
        'ghcr.io/acme/app',
        '--subject-digest',
        `sha256:${SHA}`,
        '--name',
        'tests',
        '--statement-only',
      ],
      { cwd: dir, env }
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const statement = JSON.parse(
      readFileSync(path.join(dir, 'tests.attestation.statement.json'), 'utf8')
    ) as { subject: { name: string }[]; predicateType: string; predicate: unknown };
    expect(statement.predicateType).toBe('https://example.com/test-result/v1');
    expect(statement.predicate).toEqual({ suite: 'unit', passed: true });
    expect(statement.subject.map((s) => s.name).sort()).toEqual(['app.tgz', 'ghcr.io/acme/app']);
  });

  it('needs exactly one of --predicate and --predicate-path', async () => {
    for (const extra of [[], ['--predicate', '{}', '--predicate-path', 'result.json']]) {
      const run = await runCli(
        [
          'attest',
          'predicate',
          '--type',
          'https://example.com/p/v1',
          '--subject',
          'app.tgz',
          '--statement-only',
          ...extra,
        ],
        { cwd: dir, env }
      );
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('USAGE_INVALID');
    }
  });

  it('validates a known predicate type against its schema before signing', async () => {
    const run = await runCli(
      [
        'attest',
        'predicate',
        '--type',
        'https://slsa.dev/provenance/v1',
        '--predicate',
        '{"not":"slsa"}',
        '--subject',
        'app.tgz',
        '--statement-only',
      ],
      { cwd: dir, env }
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('ATTEST_STATEMENT_INVALID');
  });
});
