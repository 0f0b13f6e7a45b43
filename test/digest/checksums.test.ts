import { describe, expect, it } from 'vitest';
import {
  displayChecksumName,
  formatChecksums,
  parseChecksums,
  verifyChecksums,
  type ProvidedDigest,
} from '../../src/digest/index.js';
import { parseDigestAlgorithm } from '../../src/digest/algorithms.js';
import { expectCode } from '../helpers/errors.js';

const H256 = 'a'.repeat(64);
const H384 = 'b'.repeat(96);
const H512 = 'c'.repeat(128);

describe('parseChecksums', () => {
  it('reads GNU text and binary lines, BSD lines, comments, blanks and CRLF', () => {
    const text = [
      `# release 1.0`,
      `${H256}  app.tar.gz`,
      ``,
      `${H256.toUpperCase()} *bin/app.exe`,
      `SHA512 (docs/readme file.txt) = ${H512}`,
      `SHA384 (odd ) = name) = ${H384}\r`,
      `   ${H256}  ./lead/../x`.replace('../', ''),
    ].join('\n');
    const entries = parseChecksums(text, { source: 'SUMS' });
    expect(entries.map((e) => [e.line, e.algorithm, e.name, e.path, e.format, e.binary])).toEqual([
      [2, 'sha256', 'app.tar.gz', 'app.tar.gz', 'gnu', false],
      [4, 'sha256', 'bin/app.exe', 'bin/app.exe', 'gnu', true],
      [5, 'sha512', 'docs/readme file.txt', 'docs/readme file.txt', 'bsd', false],
      [6, 'sha384', 'odd ) = name', 'odd ) = name', 'bsd', false],
      [7, 'sha256', './lead/x', 'lead/x', 'gnu', false],
    ]);
    expect(entries[1]?.hex).toBe(H256); // lower-cased
  });

  it('undoes GNU escapes in names (leading backslash), also in BSD lines', () => {
    const entries = parseChecksums(`\\${H256}  a\\\\b\\nc\\rd\n\\SHA256 (x\\ny) = ${H256}\n`);
    expect(entries.map((e) => e.name)).toEqual(['a\\b\nc\rd', 'x\ny']);
    expect(displayChecksumName('a\\b\nc')).toBe('\\a\\\\b\\nc');
    expect(displayChecksumName('a\\b')).toBe('a\\b'); // sha256sum -c escapes only line breaks
    expect(displayChecksumName('a\rb')).toBe('\\a\\rb');
  });

  it('keeps names with leading and inner spaces verbatim', () => {
    const [entry] = parseChecksums(`${H256}   two  spaces \n`);
    expect(entry?.name).toBe(' two  spaces ');
  });

  const invalid: [string, string, number][] = [
    ['no name', `${H256}\n`, 1],
    ['single space separator', `x\n${H256} name\n`.replace('x\n', ''), 1],
    ['tab separator', `${H256}\tname\n`, 1],
    ['non-hex digest', `${'g'.repeat(64)}  name\n`, 1],
    ['truncated digest', `${H256}  ok\n${H256.slice(0, 40)}`, 2],
    ['digest of no algorithm length', `${'a'.repeat(40)}  sha1.txt\n`, 1],
    ['BSD digest of the wrong length', `SHA256 (f) = ${H512}\n`, 1],
    ['unknown BSD tag', `MD5 (f) = ${'a'.repeat(32)}\n`, 1],
    ['bad escape', `\\${H256}  a\\tb\n`, 1],
    ['empty name', `${H256}  \n`, 1],
    ['garbage', `# ok\n\nhello world\n`, 3],
  ];
  for (const [what, text, line] of invalid) {
    it(`rejects a malformed line (${what}) with its line number`, async () => {
      const error = await expectCode(
        () => parseChecksums(text, { source: 'SUMS' }),
        'CHECKSUMS_LINE_INVALID'
      );
      expect(error.message).toContain(`SUMS:${line}:`);
      expect(error.details).toMatchObject({ line });
      expect(error.exitStatus).toBe(2);
    });
  }

  const unsafe: [string, string][] = [
    ['absolute path', '/etc/passwd'],
    ['Windows absolute path', 'C:\\Windows\\x'],
    ['.. segment', '../outside'],
    ['inner .. segment', 'a/../../b'],
    ['backslash ..', 'a\\..\\b'],
    ['directory itself', './'],
  ];
  for (const [what, name] of unsafe) {
    it(`rejects an unsafe name (${what}) with its line number`, async () => {
      const error = await expectCode(
        () => parseChecksums(`${H256}  fine\n${H256}  ${name}\n`, { source: 'S' }),
        'CHECKSUMS_PATH_UNSAFE'
      );
      expect(error.message).toContain('S:2:');
      expect(error.exitStatus).toBe(2);
    });
  }

  it('rejects duplicate names, also when spelled differently', async () => {
    const error = await expectCode(
      () => parseChecksums(`${H256}  a/b\n${H256}  c\nSHA256 (./a//b) = ${H256}\n`),
      'CHECKSUMS_DUPLICATE_NAME'
    );
    expect(error.details).toMatchObject({ line: 3, previousLine: 1 });
  });

  it('rejects a file without checksum lines', async () => {
    await expectCode(() => parseChecksums(''), 'CHECKSUMS_EMPTY');
    await expectCode(() => parseChecksums('# only a comment\n\n'), 'CHECKSUMS_EMPTY');
  });

  it('parses a large file quickly and in order', () => {
    const lines = Array.from({ length: 50_000 }, (_, i) => `${H256}  f${i}\n`).join('');
    const entries = parseChecksums(lines);
    expect(entries).toHaveLength(50_000);
    expect(entries[49_999]?.line).toBe(50_000);
  });
});

describe('formatChecksums', () => {
  it('writes GNU lines and escapes like coreutils', () => {
    expect(
      formatChecksums([
        { hex: H256, name: 'a b' },
        { hex: H256.toUpperCase(), name: 'x\\y\nz' },
      ])
    ).toBe(`${H256}  a b\n\\${H256}  x\\\\y\\nz\n`);
  });

  it('writes BSD lines with the tag from the hex length', () => {
    expect(formatChecksums([{ hex: H512, name: 'f' }], { format: 'bsd' })).toBe(
      `SHA512 (f) = ${H512}\n`
    );
  });

  it('round-trips through parseChecksums', () => {
    const names = ['plain', 'with space', 'back\\slash', 'new\nline', 'carriage\rreturn'];
    const text = formatChecksums(names.map((name) => ({ hex: H256, name })));
    expect(parseChecksums(text).map((e) => e.name)).toEqual(names);
    const bsd = formatChecksums(
      names.map((name) => ({ hex: H384, name })),
      { format: 'bsd' }
    );
    expect(parseChecksums(bsd).map((e) => [e.name, e.algorithm])).toEqual(
      names.map((n) => [n, 'sha384'])
    );
  });
});

describe('verifyChecksums', () => {
  it('reports ok, mismatch and missing per entry, in order', async () => {
    const entries = parseChecksums(`${H256}  good\n${H256}  changed\n${H512}  gone\n`);
    const digests = new Map<string, ProvidedDigest>([
      ['good', { hex: H256.toUpperCase() }],
      ['changed', { hex: 'd'.repeat(64) }],
      ['gone', { error: 'No such file or directory' }],
    ]);
    const result = await verifyChecksums(entries, (requests) =>
      Promise.resolve(requests.map((r) => digests.get(r.path) ?? { error: 'none' }))
    );
    expect(result.ok).toBe(false);
    expect(result.results.map((r) => r.status)).toEqual(['ok', 'mismatch', 'missing']);
    expect(result.counts).toEqual({ ok: 1, mismatch: 1, missing: 1 });
    expect(result.failed).toEqual(['changed', 'gone']);
    expect(result.results[1]).toMatchObject({ expected: H256, actual: 'd'.repeat(64), line: 2 });
  });

  it('asks the provider for the algorithm of each entry', async () => {
    const entries = parseChecksums(`${H256}  a\n${H512}  b\n`);
    const seen: string[] = [];
    const result = await verifyChecksums(entries, (requests) => {
      seen.push(...requests.map((r) => `${r.path}:${r.algorithm}`));
      return Promise.resolve([{ hex: H256 }, { hex: H512 }]);
    });
    expect(seen).toEqual(['a:sha256', 'b:sha512']);
    expect(result.ok).toBe(true);
  });

  it('refuses a provider that answers the wrong number of digests', async () => {
    const entries = parseChecksums(`${H256}  a\n`);
    await expect(verifyChecksums(entries, () => Promise.resolve([]))).rejects.toThrow(TypeError);
  });
});

describe('parseDigestAlgorithm', () => {
  it('accepts spellings of supported algorithms and rejects others', async () => {
    expect(parseDigestAlgorithm('SHA-512')).toBe('sha512');
    expect(parseDigestAlgorithm('sha384')).toBe('sha384');
    await expectCode(() => parseDigestAlgorithm('md5'), 'DIGEST_ALGORITHM_UNSUPPORTED');
  });
});
