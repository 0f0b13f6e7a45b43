// One bundled custody CLI for all GitLab pipeline tests: built from this checkout into a temp
// directory keyed by the sources' paths, sizes and mtimes, so test files running in parallel
// workers (and re-runs on unchanged sources) share one build instead of bundling 22 MB each.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/cli.js';

const PREFIX = 'custody-gitlab-cli-';
const STALE_MS = 24 * 60 * 60 * 1000;

function sourceKey(): string {
  const hash = createHash('sha256');
  const inputs = ['src', 'scripts/build.mjs', 'package.json', 'package-lock.json'];
  for (const input of inputs) {
    const full = path.join(REPO_ROOT, input);
    const files = statSync(full).isDirectory()
      ? readdirSync(full, { recursive: true, withFileTypes: true })
          .filter((entry) => entry.isFile())
          .map((entry) => path.join(entry.parentPath, entry.name))
          .sort()
      : [full];
    for (const file of files) {
      const stat = statSync(file);
      hash.update(`${path.relative(REPO_ROOT, file)}\0${stat.size}\0${stat.mtimeMs}\n`);
    }
  }
  return hash.digest('hex').slice(0, 16);
}

function bundle(outdir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [path.join(REPO_ROOT, 'scripts/build.mjs'), '--outdir', outdir],
      {
        cwd: REPO_ROOT,
        stdio: ['ignore', 'ignore', 'pipe'],
      }
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`custody build failed: ${stderr}`))
    );
  });
}

function removeStaleBuilds(keep: string): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(PREFIX) || name === keep) continue;
    const dir = path.join(tmpdir(), name);
    try {
      if (Date.now() - statSync(dir).mtimeMs > STALE_MS)
        rmSync(dir, { recursive: true, force: true });
    } catch {
      // Another worker removed it first.
    }
  }
}

/** Path of a bundled cli.js built from the current sources. */
export async function builtCli(): Promise<string> {
  const name = `${PREFIX}${sourceKey()}`;
  const dir = path.join(tmpdir(), name);
  const cli = path.join(dir, 'cli.js');
  if (existsSync(cli)) return cli;
  const staging = `${dir}.tmp-${process.pid}-${Date.now()}`;
  await bundle(staging);
  try {
    renameSync(staging, dir); // atomic: readers see a complete build or none
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(cli)) throw error; // not a lost race with another worker
  }
  removeStaleBuilds(name);
  return cli;
}
