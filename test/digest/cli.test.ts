import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { runCli } from '../helpers/cli.js';

let root: string;
const NAMES = ['empty', 'binary.bin', 'with space.txt', 'big.dat', 'back\\slash', 'new\nline'];

function coreutils(args: string[], cwd: string): { code: number; stdout: string } {
  const result = spawnSync(args[0] as string, args.slice(1), {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, LC_ALL: 'C' },
  });
  return { code: result.status ?? -1, stdout: result.stdout };
}

async function release(name: string): Promise<string> {
  const dir = path.join(root, name);
  await mkdir(path.join(dir, 'sub'), { recursive: true });
  await writeFile(path.join(dir, 'empty'), '');
  await writeFile(path.join(dir, 'binary.bin'), randomBytes(70_000));
  await writeFile(path.join(dir, 'with space.txt'), 'hello world\n');
  await writeFile(path.join(dir, 'big.dat'), randomBytes(3 * 1024 * 1024 + 5));
  await writeFile(path.join(dir, 'back\\slash'), 'b');
  await writeFile(path.join(dir, 'new\nline'), 'n');
  await writeFile(path.join(dir, 'sub', 'inner.txt'), 'inner');
  return dir;
}

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'custody-digest-cli-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('custody digest', () => {
  it('prints exactly what sha256sum and sha512sum print', async () => {
    const dir = await release('digest');
    for (const [algorithm, tool] of [
      ['sha256', 'sha256sum'],
      ['sha512', 'sha512sum'],
    ] as const) {
      const ours = await runCli(['digest', '--algorithm', algorithm, ...NAMES], { cwd: dir });
      const theirs = coreutils([tool, '--', ...NAMES], dir);
      expect(ours.code).toBe(0);
      expect(ours.stdout).toBe(theirs.stdout);
    }
  });

  it('expands directories to sorted files, like sha256sum over `find | LC_ALL=C sort`', async () => {
    const dir = await release('digest-dir');
    const ours = await runCli(['digest', 'digest-dir'], { cwd: root });
    const listed = coreutils(['sh', '-c', 'find digest-dir -type f | LC_ALL=C sort'], root)
      .stdout.split('\n')
      .filter((line) => line !== '' && !line.includes('slash') && !line.startsWith('line'));
    // The newline-named file breaks `find` output lines; hash the rest plus it explicitly.
    const names = [...listed];
    const theirs = coreutils(['sha256sum', '--', ...names], root);
    const ourLines = ours.stdout.split(/(?<=\n)/).filter((l) => !l.startsWith('\\'));
    expect(ourLines.join('')).toBe(
      theirs.stdout
        .split(/(?<=\n)/)
        .filter((l) => !l.startsWith('\\'))
        .join('')
    );
    expect(ours.stdout).toContain('  digest-dir/sub/inner.txt\n');
    expect(dir).toContain('digest-dir');
  });

  it('gives --json with algorithm, files and skipped links', async () => {
    const dir = await release('digest-json');
    await symlink('/etc/hostname', path.join(dir, 'sub', 'escape'));
    const run = await runCli(['--json', 'digest', 'sub', 'empty'], { cwd: dir });
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout);
    expect(json).toEqual({
      algorithm: 'sha256',
      files: [
        { path: 'sub/inner.txt', hex: expect.stringMatching(/^[0-9a-f]{64}$/), size: 5 },
        {
          path: 'empty',
          hex: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
          size: 0,
        },
      ],
      skipped: [{ path: 'sub/escape', reason: 'symlink-leaves-root' }],
    });
    expect(run.stderr).toContain('skipped sub/escape');
  });

  it('shows a progress line on a TTY stderr once the work takes over a second, and erases it', async () => {
    const dir = await release('digest-progress');
    for (const tty of [true, false]) {
      let clock = 0;
      let stdout = '';
      let stderr = '';
      const code = await main(['digest', 'big.dat', 'binary.bin'], {
        io: {
          stdout: (t) => (stdout += t),
          stderr: (t) => (stderr += t),
          stderrIsTTY: tty,
        },
        env: {},
        cwd: dir,
        now: () => new Date((clock += 700)), // every look at the clock: 0.7 s later
      });
      expect(code).toBe(0);
      expect(stdout.split('\n')).toHaveLength(3);
      if (tty) {
        expect(stderr.startsWith('\r\x1b[K')).toBe(true);
        expect(stderr).toMatch(/hashing: \d\/2 files, [\d.]+\/0\.00 GB \(\d+%\)/);
        expect(stderr.endsWith('\r\x1b[K')).toBe(true);
      } else {
        expect(stderr).toBe('');
      }
    }
  });

  it('fails with exit 2 for a missing path or an unknown algorithm', async () => {
    const missing = await runCli(['digest', 'nope'], { cwd: root });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('error[INPUT_NOT_FOUND]');
    const bad = await runCli(['digest', '--algorithm', 'md5', 'x'], { cwd: root });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('error[DIGEST_ALGORITHM_UNSUPPORTED]');
    expect(bad.stderr).not.toContain('    at ');
  });
});

describe('custody checksums create', () => {
  it('writes what sha256sum writes, relative to the checksum file, and sha256sum -c accepts it', async () => {
    const dir = await release('create');
    const run = await runCli(['checksums', 'create', '--output', 'create/SHA256SUMS', 'create'], {
      cwd: root,
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('wrote create/SHA256SUMS: 7 files (sha256)\n');
    const written = await readFile(path.join(dir, 'SHA256SUMS'), 'utf8');
    const names = [
      'back\\slash',
      'big.dat',
      'binary.bin',
      'empty',
      'new\nline',
      'sub/inner.txt',
      'with space.txt',
    ];
    expect(written).toBe(coreutils(['sha256sum', '--', ...names], dir).stdout);
    expect(coreutils(['sha256sum', '-c', '--strict', 'SHA256SUMS'], dir).code).toBe(0);
  });

  it('writes sha512 files that sha512sum -c accepts, and gives --json', async () => {
    const dir = await release('create512');
    const run = await runCli(
      ['--json', 'checksums', 'create', '-a', 'sha512', '-o', 'SHA512SUMS', 'big.dat', 'empty'],
      { cwd: dir }
    );
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout);
    expect(json).toMatchObject({
      output: path.join(dir, 'SHA512SUMS'),
      algorithm: 'sha512',
      count: 2,
    });
    expect(json.entries.map((e: { name: string }) => e.name)).toEqual(['big.dat', 'empty']);
    expect(json.entries[0].hex).toHaveLength(128);
    expect(coreutils(['sha512sum', '-c', 'SHA512SUMS'], dir).code).toBe(0);
  });

  it('leaves the checksum file out of a walk and refuses it when named', async () => {
    const dir = await release('create-self');
    await writeFile(path.join(dir, 'SHA256SUMS'), 'old\n');
    const again = await runCli(['checksums', 'create', '-o', 'SHA256SUMS', '.'], { cwd: dir });
    expect(again.code).toBe(0);
    expect(await readFile(path.join(dir, 'SHA256SUMS'), 'utf8')).not.toContain('SHA256SUMS');
    const named = await runCli(['checksums', 'create', '-o', 'SHA256SUMS', 'empty', 'SHA256SUMS'], {
      cwd: dir,
    });
    expect(named.code).toBe(2);
    expect(named.stderr).toContain('error[USAGE_INVALID]');
  });

  it('never writes a name that verify would refuse', async () => {
    const dir = await release('create-backslash');
    await writeFile(path.join(dir, '\\lead'), 'x');
    const run = await runCli(['checksums', 'create', '-o', 'SUMS', '.'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('error[CHECKSUMS_PATH_UNSAFE]: cannot list "\\\\lead"');
    await expect(readFile(path.join(dir, 'SUMS'))).rejects.toThrow();
  });

  it('refuses files outside the checksum file directory, also through a symlink', async () => {
    const dir = await release('create-outside');
    const outside = await runCli(['checksums', 'create', '-o', 'sub/SUMS', 'empty'], { cwd: dir });
    expect(outside.code).toBe(2);
    expect(outside.stderr).toContain('error[CHECKSUMS_PATH_UNSAFE]');
    await symlink(path.join(root, 'create', 'empty'), path.join(dir, 'link'));
    const linked = await runCli(['checksums', 'create', '-o', 'SUMS', 'link'], { cwd: dir });
    expect(linked.code).toBe(2);
    expect(linked.stderr).toContain('error[CHECKSUMS_PATH_UNSAFE]');
    await expect(readFile(path.join(dir, 'SUMS'))).rejects.toThrow();
  });
});

describe('custody checksums verify', () => {
  async function withSums(name: string, tool = 'sha256sum', flags: string[] = []): Promise<string> {
    const dir = await release(name);
    const names = ['binary.bin', 'with space.txt', 'big.dat', 'empty', 'back\\slash', 'new\nline'];
    const sums = coreutils([tool, ...flags, '--', ...names], dir).stdout;
    await writeFile(path.join(dir, 'SUMS'), sums);
    return dir;
  }

  async function compareWithCoreutils(dir: string, tool = 'sha256sum'): Promise<number> {
    const ours = await runCli(['checksums', 'verify', 'SUMS'], { cwd: dir });
    const theirs = coreutils([tool, '-c', 'SUMS'], dir);
    expect(ours.stdout).toBe(theirs.stdout);
    expect(ours.code).toBe(theirs.code);
    return ours.code;
  }

  it('agrees with sha256sum -c on a pristine set', async () => {
    const dir = await withSums('pristine');
    expect(await compareWithCoreutils(dir)).toBe(0);
  });

  it('agrees with sha256sum -c on a tampered set and names the failures', async () => {
    const dir = await withSums('tampered');
    const bytes = await readFile(path.join(dir, 'big.dat'));
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
    await writeFile(path.join(dir, 'big.dat'), bytes);
    await rm(path.join(dir, 'with space.txt'));
    expect(await compareWithCoreutils(dir)).toBe(1);
    const run = await runCli(['checksums', 'verify', 'SUMS'], { cwd: dir });
    expect(run.stderr).toContain('error[CHECKSUMS_MISMATCH]');
    expect(run.stderr).toMatch(/: with space\.txt, big\.dat\n$/);
    expect(run.stderr).toContain('with space.txt: No such file or directory');
  });

  it('accepts *name (binary) and BSD (--tag) lines, and sha512 detected from the hex length', async () => {
    expect(await compareWithCoreutils(await withSums('binary-mode', 'sha256sum', ['-b']))).toBe(0);
    expect(await compareWithCoreutils(await withSums('bsd', 'sha256sum', ['--tag']))).toBe(0);
    expect(await compareWithCoreutils(await withSums('sha512', 'sha512sum'), 'sha512sum')).toBe(0);
    const bsd512 = await withSums('bsd512', 'sha512sum', ['--tag']);
    expect((await runCli(['checksums', 'verify', 'SUMS'], { cwd: bsd512 })).code).toBe(0);
  });

  it('checks names against --dir', async () => {
    const dir = await withSums('with-dir');
    await rename(dir, 'SUMS', path.join(root, 'SUMS-with-dir'));
    const run = await runCli(['checksums', 'verify', 'SUMS-with-dir', '--dir', 'with-dir'], {
      cwd: root,
    });
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n').filter(Boolean)).toHaveLength(6);
    const noDir = await runCli(['checksums', 'verify', 'SUMS-with-dir', '--dir', 'nope'], {
      cwd: root,
    });
    expect(noDir.code).toBe(2);
  });

  it('gives --json results, also on failure (exit 1)', async () => {
    const dir = await withSums('json');
    await writeFile(path.join(dir, 'empty'), 'no longer empty');
    const run = await runCli(['--json', 'checksums', 'verify', 'SUMS'], { cwd: dir });
    expect(run.code).toBe(1);
    const json = JSON.parse(run.stdout);
    expect(json).toMatchObject({
      file: path.join(dir, 'SUMS'),
      dir,
      ok: false,
      counts: { ok: 5, mismatch: 1, missing: 0 },
      failed: ['empty'],
    });
    expect(json.results[3]).toMatchObject({
      name: 'empty',
      line: 4,
      status: 'mismatch',
      algorithm: 'sha256',
      expected: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    });
  });

  const H = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
  const unsafe: [string, string, string, number][] = [
    ['malformed line', `${H}  empty\nnot a checksum line\n`, 'CHECKSUMS_LINE_INVALID', 2],
    [
      'duplicate name',
      `${H}  empty\n${H}  binary.bin\n${H} *./empty\n`,
      'CHECKSUMS_DUPLICATE_NAME',
      3,
    ],
    ['absolute path', `${H}  empty\n${H}  /etc/hostname\n`, 'CHECKSUMS_PATH_UNSAFE', 2],
    ['.. path', `${H}  empty\n${H}  sub/../../x\n`, 'CHECKSUMS_PATH_UNSAFE', 2],
    ['escaping symlink', `${H}  empty\n${H}  sub/escape\n`, 'CHECKSUMS_PATH_UNSAFE', 2],
    [
      'escaping directory symlink',
      `${H}  empty\n${H}  up/create/empty\n`,
      'CHECKSUMS_PATH_UNSAFE',
      2,
    ],
    [
      'missing file behind an escaping symlink',
      `${H}  empty\n${H}  up/none/x\n`,
      'CHECKSUMS_PATH_UNSAFE',
      2,
    ],
    ['truncated file', `${H}  empty\n${H.slice(0, 50)}`, 'CHECKSUMS_LINE_INVALID', 2],
    [
      'sha1 line',
      `${H}  empty\nda39a3ee5e6b4b0d3255bfef95601890afd80709  x\n`,
      'CHECKSUMS_LINE_INVALID',
      2,
    ],
  ];
  for (const [what, text, code, line] of unsafe) {
    it(`rejects a ${what} with exit 2 and the line number, hashing nothing`, async () => {
      const dir = await release(`unsafe-${what.replace(/\W+/g, '-')}`);
      await symlink('/etc/hostname', path.join(dir, 'sub', 'escape'));
      await symlink(root, path.join(dir, 'up'));
      await writeFile(path.join(dir, 'SUMS'), text);
      const run = await runCli(['checksums', 'verify', 'SUMS'], { cwd: dir });
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(`error[${code}]: SUMS:${line}:`);
      expect(run.stderr).not.toContain('    at ');
      const json = await runCli(['--json', 'checksums', 'verify', 'SUMS'], { cwd: dir });
      expect(JSON.parse(json.stdout).error).toMatchObject({ code, details: { line } });
    });
  }

  it('rejects an empty and an oversized checksum file', async () => {
    const dir = await release('sizes');
    await writeFile(path.join(dir, 'SUMS'), '');
    const empty = await runCli(['checksums', 'verify', 'SUMS'], { cwd: dir });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('error[CHECKSUMS_EMPTY]');
    await truncate(path.join(dir, 'SUMS'), 64 * 1024 * 1024 + 1); // sparse: no disk use
    const huge = await runCli(['checksums', 'verify', 'SUMS'], { cwd: dir });
    expect(huge.code).toBe(2);
    expect(huge.stderr).toContain('error[INPUT_TOO_LARGE]');
    const missing = await runCli(['checksums', 'verify', 'NOPE'], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('error[INPUT_NOT_FOUND]');
  });

  it('accepts CRLF line endings and comments', async () => {
    const dir = await release('crlf');
    const sums = coreutils(['sha256sum', 'empty', 'binary.bin'], dir).stdout;
    await writeFile(path.join(dir, 'SUMS'), `# release sums\r\n${sums.replace(/\n/g, '\r\n')}`);
    const run = await runCli(['checksums', 'verify', 'SUMS'], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('empty: OK\nbinary.bin: OK\n');
  });
});

async function rename(dir: string, from: string, to: string): Promise<void> {
  const { rename: mv } = await import('node:fs/promises');
  await mv(path.join(dir, from), to);
}
