// The git adapter: runs `git` with execFile (no shell), a fixed argument list and a minimal
// environment, and turns its output into data. Ranges are validated and passed after
// --end-of-options, so a value can never be read as an option.
import { execFile } from 'node:child_process';
import type { CommitRecord } from '../attest/scan.js';
import { CustodyError } from '../errors.js';

type Env = Readonly<Record<string, string | undefined>>;

/** Commits read from one range at most; a release range is far smaller. */
export const MAX_COMMITS = 10_000;
const FIELD = '\u001f';

export interface GitOptions {
  /** The repository (working tree) directory. */
  repo: string;
  /** Environment to take PATH and HOME from (git needs nothing else). */
  env: Env;
}

/** Commits of `range` (A..B, A...B or a single revision), oldest first. */
export async function gitLog(range: string, options: GitOptions): Promise<CommitRecord[]> {
  checkRevision(range);
  const format = ['%H', '%an', '%ae', '%aI', '%cn', '%ce', '%B'].join('%x1f');
  const out = await runGit(
    [
      '-c',
      'log.showSignature=false',
      'log',
      '--no-color',
      '--reverse',
      `--max-count=${MAX_COMMITS}`,
      '--encoding=UTF-8',
      `--format=${format}`,
      '-z',
      '--end-of-options',
      range,
      '--',
    ],
    options
  );
  const commits: CommitRecord[] = [];
  for (const record of out.split('\u0000')) {
    if (record.trim() === '') continue;
    const [sha, an, ae, aDate, cn, ce, ...message] = record.split(FIELD);
    if (sha === undefined || !/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(sha)) {
      throw new CustodyError('ATTEST_GIT_FAILED', 'unexpected git log output');
    }
    commits.push({
      sha,
      author: { name: an ?? '', email: (ae ?? '').toLowerCase() },
      committer: { name: cn ?? '', email: (ce ?? '').toLowerCase() },
      authorDate: normalizeDate(aDate ?? ''),
      message: message.join(FIELD),
    });
  }
  return commits;
}

/** HEAD's commit id, the symbolic ref (refs/heads/x) when on a branch, and origin's URL. */
export async function gitSource(
  options: GitOptions
): Promise<{ commit: string; ref: string | undefined; uri: string | undefined }> {
  const commit = (await runGit(['rev-parse', '--verify', 'HEAD^{commit}'], options)).trim();
  const ref = (await runGit(['symbolic-ref', '-q', 'HEAD'], options).catch(() => '')).trim();
  const remote = (await runGit(['remote', 'get-url', 'origin'], options).catch(() => '')).trim();
  return {
    commit,
    ref: ref === '' ? undefined : ref,
    uri: remote === '' ? undefined : sanitizeRemoteURL(remote),
  };
}

/**
 * A remote URL fit to publish: credentials removed (https://user:token@host → https://host),
 * scp-style `git@host:o/r.git` turned into https://host/o/r.git.
 */
export function sanitizeRemoteURL(remote: string): string | undefined {
  const scp = /^[\w.-]+@([\w.-]+):(?!\/)(.+)$/.exec(remote);
  if (scp !== null) return `https://${scp[1] ?? ''}/${scp[2] ?? ''}`;
  try {
    const url = new URL(remote);
    if (url.protocol === 'file:') return undefined; // local paths say nothing and may leak names
    url.username = '';
    url.password = '';
    url.search = '';
    url.hash = '';
    return url.toString();
  } catch {
    return undefined;
  }
}

function checkRevision(range: string): void {
  const revision = '[A-Za-z0-9_][A-Za-z0-9_./~^@{}+-]*';
  if (range.length > 500 || !new RegExp(`^${revision}(\\.\\.\\.?${revision})?$`).test(range)) {
    throw new CustodyError(
      'USAGE_INVALID',
      `--range must look like A..B (revisions, branch or tag names), got ${JSON.stringify(range)}`
    );
  }
}

function normalizeDate(value: string): string {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function runGit(args: string[], options: GitOptions): Promise<string> {
  const env: Record<string, string> = {
    LC_ALL: 'C',
    GIT_TERMINAL_PROMPT: '0',
    GIT_OPTIONAL_LOCKS: '0',
  };
  if (options.env.PATH !== undefined) env.PATH = options.env.PATH;
  if (options.env.HOME !== undefined) env.HOME = options.env.HOME;
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      ['-C', options.repo, ...args],
      { env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, windowsHide: true },
      (error, stdout, stderr) => {
        if (error === null) {
          resolve(stdout);
          return;
        }
        const code = (error as NodeJS.ErrnoException).code;
        const firstLine = stderr.split('\n').find((l) => l.trim() !== '') ?? '';
        reject(
          new CustodyError(
            'ATTEST_GIT_FAILED',
            code === 'ENOENT'
              ? 'git is not installed or not on PATH'
              : `git ${args.find((a) => !a.startsWith('-') && !a.includes('=')) ?? ''} failed in ${options.repo}: ${firstLine.replace(/^fatal: /, '')}`,
            {
              cause: error,
              hint: 'check --repo and --range (fetch full history in CI: fetch-depth: 0)',
            }
          )
        );
      }
    );
  });
}
