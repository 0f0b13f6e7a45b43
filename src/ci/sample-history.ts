// A small, deterministic git history for `custody demo` and the tests: a human release, two
// agent-authored commits with trailers (kernel-form Assisted-by, Claude's Co-authored-by,
// Agent-Session / Agent-Prompt-SHA256 / Agent-Plan), and a human release commit. Fixed author
// and committer dates and an isolated git configuration make the commit ids the same everywhere.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { CustodyError } from '../errors.js';
import { writeFileAtomic } from '../io/fs.js';

/** The demo's sample prompt. It exists so the demo can show that only its digest is published. */
export const SAMPLE_PROMPT =
  'Fix the off-by-one in the greeting and add a --version flag. (custody demo data)';
export const SAMPLE_PROMPT_SHA256 = createHash('sha256')
  .update(SAMPLE_PROMPT, 'utf8')
  .digest('hex');
export const SAMPLE_SESSION = 'urn:uuid:0c7e4c1a-5d3b-4f2e-9a61-3b8d2f1e6c90';
export const SAMPLE_MODEL = 'claude-opus-4-1';
export const SAMPLE_AGENT = 'claude-code';
export const SAMPLE_PLAN_ID = 'PLAN-1';

export interface SampleHistory {
  repo: string;
  range: string;
  /** The release commit (tagged v1.0.0). */
  release: string;
  /** All commits, oldest first. */
  commits: string[];
  /** The agent-authored ones. */
  agentCommits: string[];
}

interface SampleCommit {
  message: string;
  author: string;
  email: string;
  date: string;
  files: Record<string, string>;
  tag?: string;
  agent?: boolean;
}

const HUMAN = { author: 'Jane Doe', email: 'jane.doe@example.com' };

const COMMITS: readonly SampleCommit[] = [
  {
    ...HUMAN,
    date: '2026-11-01T09:00:00Z',
    message: 'hello 0.9.0\n\nSigned-off-by: Jane Doe <jane.doe@example.com>\n',
    files: { 'hello.sh': '#!/bin/sh\necho "hello, world"\n', VERSION: '0.9.0\n' },
    tag: 'v0.9.0',
  },
  {
    ...HUMAN,
    date: '2026-11-10T14:30:00Z',
    message: [
      'Fix the off-by-one in the greeting',
      '',
      'The greeting dropped the last character of long names.',
      '',
      `Assisted-by: ${SAMPLE_AGENT}:${SAMPLE_MODEL} shellcheck`,
      `Agent-Session: ${SAMPLE_SESSION}`,
      `Agent-Prompt-SHA256: ${SAMPLE_PROMPT_SHA256}`,
      `Agent-Plan: ${SAMPLE_PLAN_ID}`,
      'Signed-off-by: Jane Doe <jane.doe@example.com>',
      '',
    ].join('\n'),
    files: { 'hello.sh': '#!/bin/sh\nprintf "hello, %s\\n" "${1:-world}"\n' },
    agent: true,
  },
  {
    ...HUMAN,
    date: '2026-11-10T15:05:00Z',
    message: [
      'Add a --version flag',
      '',
      `Co-authored-by: Claude <noreply@anthropic.com>`,
      `Agent-Session: ${SAMPLE_SESSION}`,
      `Agent-Prompt-SHA256: ${SAMPLE_PROMPT_SHA256}`,
      'Signed-off-by: Jane Doe <jane.doe@example.com>',
      '',
    ].join('\n'),
    files: {
      'hello.sh':
        '#!/bin/sh\n[ "$1" = --version ] && { cat VERSION; exit 0; }\nprintf "hello, %s\\n" "${1:-world}"\n',
    },
    agent: true,
  },
  {
    author: 'Max Mustermann',
    email: 'max@example.org',
    date: '2026-11-12T10:00:00Z',
    message: 'Release 1.0.0\n\nSigned-off-by: Max Mustermann <max@example.org>\n',
    files: { VERSION: '1.0.0\n' },
    tag: 'v1.0.0',
  },
];

/** Creates the sample repository in `dir` (which must be empty or absent). */
export async function createSampleHistory(
  dir: string,
  env: Readonly<Record<string, string | undefined>>
): Promise<SampleHistory> {
  const base: Record<string, string> = {
    HOME: dir, // no user configuration leaks in
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: path.join(dir, '.no-global-gitconfig'),
    LC_ALL: 'C',
    TZ: 'UTC',
  };
  if (env.PATH !== undefined) base.PATH = env.PATH;
  const git = (
    args: string[],
    extra: Record<string, string> = {},
    stdin?: string
  ): Promise<string> =>
    runGit(
      ['-C', dir, '-c', 'commit.gpgsign=false', '-c', 'tag.gpgsign=false', ...args],
      { ...base, ...extra },
      stdin
    );
  await git(['init', '-q', '-b', 'main']);
  await git(['remote', 'add', 'origin', 'https://github.com/acme/hello.git']);
  const commits: string[] = [];
  const agentCommits: string[] = [];
  for (const commit of COMMITS) {
    for (const [name, content] of Object.entries(commit.files)) {
      await writeFileAtomic(path.join(dir, name), content);
    }
    await git(['add', '--', ...Object.keys(commit.files)]);
    const who = {
      GIT_AUTHOR_NAME: commit.author,
      GIT_AUTHOR_EMAIL: commit.email,
      GIT_AUTHOR_DATE: commit.date,
      GIT_COMMITTER_NAME: commit.author,
      GIT_COMMITTER_EMAIL: commit.email,
      GIT_COMMITTER_DATE: commit.date,
    };
    await git(
      ['commit', '-q', '--no-verify', '--cleanup=verbatim', '-F', '-'],
      who,
      commit.message
    );
    const sha = (await git(['rev-parse', 'HEAD'])).trim();
    commits.push(sha);
    if (commit.agent === true) agentCommits.push(sha);
    if (commit.tag !== undefined) await git(['tag', commit.tag], who);
  }
  return {
    repo: dir,
    range: 'v0.9.0..v1.0.0',
    release: commits[commits.length - 1] ?? '',
    commits,
    agentCommits,
  };
}

function runGit(args: string[], env: Record<string, string>, stdin?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('git', args, { env, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error === null) {
        resolve(stdout);
        return;
      }
      const reason = stderr.trim().split('\n')[0] ?? '';
      reject(
        new CustodyError('ATTEST_GIT_FAILED', `git failed creating the sample history: ${reason}`, {
          cause: error,
        })
      );
    });
    // git may exit before reading stdin; the exit status says what happened, not EPIPE.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(stdin);
  });
}

/** The GitHub Actions variables of the demo's release run, matching the stack's github token. */
export function sampleGitHubEnv(release: string): Record<string, string> {
  return {
    GITHUB_ACTIONS: 'true',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: 'https://api.github.com',
    GITHUB_REPOSITORY: 'acme/hello',
    GITHUB_REPOSITORY_ID: '100000001',
    GITHUB_REPOSITORY_OWNER: 'acme',
    GITHUB_REPOSITORY_OWNER_ID: '200000002',
    GITHUB_REF: 'refs/tags/v1.0.0',
    GITHUB_REF_NAME: 'v1.0.0',
    GITHUB_REF_TYPE: 'tag',
    GITHUB_SHA: release,
    GITHUB_EVENT_NAME: 'push',
    GITHUB_WORKFLOW_REF: 'acme/hello/.github/workflows/release.yml@refs/tags/v1.0.0',
    GITHUB_WORKFLOW_SHA: release,
    GITHUB_RUN_ID: '9000000001',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_RUN_NUMBER: '42',
    RUNNER_ENVIRONMENT: 'github-hosted',
  };
}
