import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createProgressLine,
  digestFile,
  digestFiles,
  digestFilesSettled,
  expandPaths,
  formatProgress,
  type DigestProgress,
} from '../../src/digest/index.js';
import { CHUNK_SIZE } from '../../src/digest/hash.js';
import { expectCode } from '../helpers/errors.js';

let dir: string;
const files: string[] = [];

function coreutils(tool: 'sha256sum' | 'sha512sum', paths: string[]): string[] {
  const result = spawnSync(tool, ['--', ...paths], { encoding: 'utf8' });
  expect(result.status).toBe(0);
  return result.stdout
    .trimEnd()
    .split('\n')
    .map((line) => line.slice(0, line.indexOf(' ')));
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'custody-digest-files-'));
  // Sizes around the chunk boundaries, where read loops go wrong.
  const sizes = [0, 1, 4095, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 2 * CHUNK_SIZE + 17];
  for (const [i, size] of sizes.entries()) {
    const file = path.join(dir, `f${i}.bin`);
    await writeFile(file, randomBytes(size));
    files.push(file);
  }
  for (let i = 0; i < 60; i++) {
    const file = path.join(dir, `small-${String(i).padStart(2, '0')}`);
    await writeFile(file, randomBytes(1000 + i * 997));
    files.push(file);
  }
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('digestFile', () => {
  it('agrees with sha256sum and sha512sum at chunk boundaries', async () => {
    const some = files.slice(0, 7);
    const sha256 = await Promise.all(some.map((f) => digestFile(f)));
    expect(sha256).toEqual(coreutils('sha256sum', some));
    const sha512 = await Promise.all(some.map((f) => digestFile(f, 'sha512')));
    expect(sha512).toEqual(coreutils('sha512sum', some));
  });

  it('fails with INPUT_NOT_FOUND / INPUT_UNREADABLE', async () => {
    await expectCode(() => digestFile(path.join(dir, 'nope')), 'INPUT_NOT_FOUND');
    await expectCode(() => digestFile(dir), 'INPUT_UNREADABLE');
  });
});

describe('digestFiles', () => {
  const expected = (): string[] => coreutils('sha256sum', files);

  it('hashes on the main thread only (workers: 0), in input order', async () => {
    const result = await digestFiles(files, 'sha256', { workers: 0 });
    expect(result.map((r) => r.hex)).toEqual(expected());
    expect(result.map((r) => r.path)).toEqual(files);
  });

  it('hashes with worker threads and gives identical results', async () => {
    for (const workers of [1, 2]) {
      const result = await digestFiles(files, 'sha256', { workers, workerThreshold: 0 });
      expect(result.map((r) => r.hex)).toEqual(expected());
    }
    const sha512 = await digestFiles(files, 'sha512', { workers: 2, workerThreshold: 0 });
    expect(sha512.map((r) => r.hex)).toEqual(coreutils('sha512sum', files));
  });

  it('loses no file when a worker crashes or exits', async () => {
    const crashAfterFirstBatch = `
      const { parentPort } = require('node:worker_threads');
      parentPort.on('message', () => { throw new Error('boom'); });`;
    for (const workerSource of [
      'throw new Error("boom")',
      'process.exit(3)',
      crashAfterFirstBatch,
    ]) {
      const result = await digestFiles(files, 'sha256', {
        workers: 2,
        workerThreshold: 0,
        workerSource,
      });
      expect(result.map((r) => r.hex)).toEqual(expected());
    }
  });

  it('reports sizes and progress up to the totals', async () => {
    const seen: DigestProgress[] = [];
    const result = await digestFiles(files, 'sha256', {
      workers: 1,
      workerThreshold: 0,
      onProgress: (p) => seen.push(p),
    });
    const total = result.reduce((sum, r) => sum + r.size, 0);
    const last = seen[seen.length - 1];
    expect(last).toEqual({
      filesDone: files.length,
      filesTotal: files.length,
      bytesDone: total,
      bytesTotal: total,
    });
    expect(seen.every((p, i) => i === 0 || p.bytesDone >= (seen[i - 1]?.bytesDone ?? 0))).toBe(
      true
    );
  });

  it('settles each file on its own, with or without workers', async () => {
    const jobs = [
      { path: files[0] as string, algorithm: 'sha256' as const },
      { path: path.join(dir, 'missing'), algorithm: 'sha256' as const },
      { path: dir, algorithm: 'sha256' as const },
      { path: files[6] as string, algorithm: 'sha512' as const },
    ];
    for (const workers of [0, 1]) {
      const settled = await digestFilesSettled(jobs, { workers, workerThreshold: 0 });
      expect(settled.map((s) => (s.ok ? 'ok' : s.errno))).toEqual(['ok', 'ENOENT', 'EISDIR', 'ok']);
    }
  });

  it('throws for the first unreadable file', async () => {
    await expectCode(
      () => digestFiles([files[0] as string, path.join(dir, 'missing')], 'sha256'),
      'INPUT_NOT_FOUND'
    );
  });

  it('handles an empty list', async () => {
    expect(await digestFiles([], 'sha256')).toEqual([]);
  });
});

describe('expandPaths', () => {
  let tree: string;
  beforeAll(async () => {
    tree = path.join(dir, 'tree');
    await mkdir(path.join(tree, 'a', 'b'), { recursive: true });
    await mkdir(path.join(tree, 'Z'), { recursive: true });
    for (const name of ['a-b', 'a/b/c', 'a/x', 'Z/z', 'é', 'e', '_u']) {
      await writeFile(path.join(tree, name), name);
    }
    await writeFile(path.join(dir, 'outside.txt'), 'outside');
    await symlink('../outside.txt', path.join(tree, 'link-out'));
    await symlink('a/x', path.join(tree, 'link-in'));
    await symlink('a', path.join(tree, 'link-dir'));
    await symlink('..', path.join(tree, 'a', 'b', 'loop'));
    await symlink('does-not-exist', path.join(tree, 'dangling'));
  });

  it('walks in byte order of relative POSIX paths, following only links inside the root', async () => {
    const { files: found, skipped } = await expandPaths(['tree/'], dir);
    expect(found.map((f) => f.display)).toEqual([
      'tree/Z/z',
      'tree/_u',
      'tree/a-b',
      'tree/a/b/c',
      'tree/a/x',
      'tree/e',
      'tree/link-dir/b/c',
      'tree/link-dir/x',
      'tree/link-in',
      'tree/é',
    ]);
    expect(skipped).toEqual([
      { path: 'tree/a/b/loop', reason: 'symlink-cycle' },
      { path: 'tree/dangling', reason: 'dangling-symlink' },
      { path: 'tree/link-dir/b/loop', reason: 'symlink-cycle' },
      { path: 'tree/link-out', reason: 'symlink-leaves-root' },
    ]);
    expect(found.every((f) => f.walked)).toBe(true);
  });

  it('takes named files as given and follows named symlinks (like sha256sum)', async () => {
    const { files: found } = await expandPaths(['tree/link-out', './tree/e'], dir);
    expect(found.map((f) => [f.display, f.walked])).toEqual([
      ['tree/link-out', false],
      ['./tree/e', false],
    ]);
  });

  it('fails for a missing path', async () => {
    await expectCode(() => expandPaths(['nope'], dir), 'INPUT_NOT_FOUND');
  });
});

describe('progress line', () => {
  const progress = { filesDone: 3, filesTotal: 10, bytesDone: 5e8, bytesTotal: 2e9 };

  it('stays silent for short work and when stderr is not a TTY', () => {
    let clock = 0;
    const out: string[] = [];
    const line = createProgressLine({ enabled: true, write: (t) => out.push(t), now: () => clock });
    clock = 900;
    line.update(progress);
    line.done();
    expect(out).toEqual([]);
    const off = createProgressLine({ enabled: false, write: (t) => out.push(t), now: () => 5000 });
    off.update(progress);
    expect(out).toEqual([]);
  });

  it('draws after a second, throttled, and erases itself', () => {
    let clock = 0;
    const out: string[] = [];
    const line = createProgressLine({ enabled: true, write: (t) => out.push(t), now: () => clock });
    clock = 1100;
    line.update(progress);
    clock = 1200;
    line.update(progress); // throttled
    clock = 1400;
    line.update(progress);
    line.done();
    expect(out).toHaveLength(3);
    expect(out[0]).toContain(formatProgress(progress, 'hashing'));
    expect(out[2]).toBe('\r\x1b[K');
    expect(formatProgress(progress, 'hashing')).toBe('hashing: 3/10 files, 0.50/2.00 GB (25%)');
  });
});
