// Runs gitlab-ci-local against a throwaway git repository that holds this checkout's components,
// so `include: component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/<name>@$CI_COMMIT_SHA` resolves offline
// from the working tree (gitlab-ci-local reads a component locally when its project path equals the
// `origin` remote's and its ref equals HEAD's SHA; any other ref would need the network).
import { spawn } from 'node:child_process';
import {
  accessSync,
  chmodSync,
  constants,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/cli.js';

export const GCL_BIN = path.join(REPO_ROOT, 'node_modules/gitlab-ci-local/dist/index.js');
export const ORIGIN = 'https://gitlab.com/acme/hello.git';
/** How the example pipelines name the custody component project. */
export const EXAMPLE_COMPONENT_PREFIXES = [
  '$CI_SERVER_FQDN/custody/custody/',
  '$CI_SERVER_FQDN/tools/custody/',
];

export interface GclRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface TestRepo {
  dir: string;
  sha: string;
  cleanup(): void;
}

const GIT_ENV = {
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z',
  GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z',
};

async function run(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }
): Promise<GclRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...GIT_ENV, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => {
      // Kill the whole process group: gitlab-ci-local spawns bash jobs of its own.
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} timed out\n${stdout}\n${stderr}`));
    }, options.timeoutMs ?? 30_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

async function git(dir: string, ...args: string[]): Promise<string> {
  const result = await run('git', args, { cwd: dir });
  if (result.code !== 0) throw new Error(`git ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout.trim();
}

/**
 * A git repository with `origin` = acme/hello on gitlab.com, this checkout's `templates/`, the
 * given files (`dest` → text or `{ from }` a path under the checkout) and one commit.
 */
export async function createTestRepo(
  files: Record<string, string | { from: string }>
): Promise<TestRepo> {
  const dir = mkdtempSync(path.join(tmpdir(), 'custody-gcl-'));
  cpSync(path.join(REPO_ROOT, 'templates'), path.join(dir, 'templates'), { recursive: true });
  for (const [dest, source] of Object.entries(files)) {
    const target = path.join(dir, dest);
    mkdirSync(path.dirname(target), { recursive: true });
    if (typeof source === 'string') writeFileSync(target, source);
    else cpSync(path.join(REPO_ROOT, source.from), target, { recursive: true });
  }
  await git(dir, 'init', '-q', '-b', 'main');
  await git(dir, 'remote', 'add', 'origin', ORIGIN);
  await git(dir, 'add', '-A');
  await git(dir, 'commit', '-q', '-m', 'test pipeline');
  // A default branch for gitlab-ci-local, without any fetch.
  await git(dir, 'update-ref', 'refs/remotes/origin/main', 'HEAD');
  await git(dir, 'symbolic-ref', 'refs/remotes/origin/HEAD', 'refs/remotes/origin/main');
  const sha = await git(dir, 'rev-parse', 'HEAD');
  return { dir, sha, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** An example pipeline with its component addresses pointed at the test repository itself. */
export function selfReferencing(pipelineYAML: string): string {
  let text = pipelineYAML;
  for (const prefix of EXAMPLE_COMPONENT_PREFIXES) {
    text = text.replaceAll(
      new RegExp(`${escapeRegExp(prefix)}([a-z]+)@[0-9A-Za-z.~-]+`, 'g'),
      '$CI_SERVER_FQDN/$CI_PROJECT_PATH/$1@$CI_COMMIT_SHA'
    );
  }
  return text;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function readRepoFile(relative: string): string {
  return readFileSync(path.join(REPO_ROOT, relative), 'utf8');
}

function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => {
    try {
      accessSync(path.join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

let shimDir: string | undefined;
/**
 * gitlab-ci-local copies the work tree and artifacts with rsync. Where rsync is not installed, a
 * directory holding test/gitlab/rsync-shim.ts as `rsync` goes first on the PATH.
 */
function pathWithRsync(): string {
  const systemPath = process.env.PATH ?? '';
  if (onPath('rsync')) return systemPath;
  if (shimDir === undefined) {
    shimDir = mkdtempSync(path.join(tmpdir(), 'custody-rsync-shim-'));
    const shim = path.join(shimDir, 'rsync');
    const script = path.join(REPO_ROOT, 'test/gitlab/rsync-shim.ts');
    writeFileSync(shim, `#!/bin/sh\nexec '${process.execPath}' '${script}' "$@"\n`);
    chmodSync(shim, 0o755);
  }
  return `${shimDir}${path.delimiter}${systemPath}`;
}

/** Runs gitlab-ci-local on Node 24 with an isolated home (no user variables leak in). */
export async function gitlabCiLocal(
  repo: TestRepo,
  args: string[],
  options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}
): Promise<GclRun> {
  const home = path.join(repo.dir, '.gcl-home');
  mkdirSync(home, { recursive: true });
  return run(process.execPath, [GCL_BIN, '--home', home, '--no-color', ...args], {
    cwd: repo.dir,
    env: { NO_COLOR: '1', FORCE_COLOR: '0', PATH: pathWithRsync(), ...options.env },
    timeoutMs: options.timeoutMs,
  });
}

/** Preview output made stable: commit SHAs and temp paths replaced, timing lines dropped. */
export function normalizePreview(text: string, repo: TestRepo): string {
  return text
    .split('\n')
    .filter((line) => !/ in \d+ ms\.?$/.test(line) && !/^(parsing|json schema)/.test(line))
    .join('\n')
    .replaceAll(repo.dir, '<REPO>')
    .replaceAll(repo.sha, '<SHA>')
    .trimEnd()
    .concat('\n');
}
