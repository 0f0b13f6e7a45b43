// The rsync stand-in used where rsync is not installed: the invocations gitlab-ci-local makes.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';

const SHIM = path.join(REPO_ROOT, 'test/gitlab/rsync-shim.ts');

function listTree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}

describe('rsync shim', () => {
  let work: string;
  const rsync = (args: string[], cwd: string): number =>
    spawnSync(process.execPath, [SHIM, ...args], { cwd, encoding: 'utf8' }).status ?? -1;

  beforeEach(() => {
    work = mkdtempSync(path.join(tmpdir(), 'custody-rsync-'));
    const src = path.join(work, 'src');
    for (const [file, text] of Object.entries({
      'a/b/f': '1',
      top: '2',
      untracked: '3',
      '.gitlab-ci-local/x/y': '4',
      'custody.env': 'A=1\n',
    })) {
      mkdirSync(path.dirname(path.join(src, file)), { recursive: true });
      writeFileSync(path.join(src, file), text);
    }
    writeFileSync(path.join(work, 'exclude'), '/untracked\n');
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  it('mirrors a tree with exclusions and deletes what the source lacks', () => {
    const args = [
      '-a',
      '--delete-excluded',
      '--delete',
      `--exclude-from=${path.join(work, 'exclude')}`,
      '--exclude',
      '.gitlab-ci-local/',
      './',
      '../dst/',
    ];
    expect(rsync(args, path.join(work, 'src'))).toBe(0);
    writeFileSync(path.join(work, 'dst/stale'), 'x');
    expect(rsync(args, path.join(work, 'src'))).toBe(0);
    expect(listTree(path.join(work, 'dst'))).toEqual(['a/b/f', 'custody.env', 'top']);
  });

  it('copies listed paths relative to the source, recursing into directories', () => {
    writeFileSync(path.join(work, 'list'), './a/\n./top\n./missing\n');
    const status = rsync(
      [
        '--exclude',
        '.gitlab-ci-local/**',
        '-rRa',
        `--files-from=${path.join(work, 'list')}`,
        '.',
        '../art/.',
      ],
      path.join(work, 'src')
    );
    expect(status).toBe(0);
    expect(listTree(path.join(work, 'art'))).toEqual(['a/b/f', 'top']);
  });

  it('copies one file with its relative path, and a directory’s contents', () => {
    expect(rsync(['-Ra', './custody.env', '../reports/.'], path.join(work, 'src'))).toBe(0);
    expect(readFileSync(path.join(work, 'reports/custody.env'), 'utf8')).toBe('A=1\n');
    expect(rsync(['-a', `${path.join(work, 'src/a')}/.`, path.join(work, 'copy')], work)).toBe(0);
    expect(listTree(path.join(work, 'copy'))).toEqual(['b/f']);
  });

  it('refuses options it does not implement', () => {
    expect(rsync(['--checksum', 'a', 'b'], work)).not.toBe(0);
  });
});
