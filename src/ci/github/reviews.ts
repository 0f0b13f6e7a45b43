// Human approvals from GitHub: the pull requests that brought commits in
// (GET /repos/{o}/{r}/commits/{sha}/pulls) and their reviews (GET /repos/{o}/{r}/pulls/{n}/reviews),
// through @actions/github's Octokit with Link-header pagination. Approvals come from the platform,
// never from the agent's own report. The token is registered as a secret and never printed.
import type * as GitHubModule from '@actions/github';
import { createHash } from 'node:crypto';
import type { HumanApproval } from '../../attest/agent.js';
import { CustodyError } from '../../errors.js';
import { canonicalJSON } from '../../util/canonical-json.js';
import { registerSecret } from '../../util/redact.js';
import { toRFC3339 } from '../../util/time.js';

export interface GitHubApprovalsOptions {
  token: string;
  /** REST API base, e.g. https://api.github.com (GITHUB_API_URL); tests use a loopback server. */
  apiUrl: string;
  /** Web base for approver ids, e.g. https://github.com. */
  serverUrl: string;
  /** owner/name */
  repository: string;
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number;
  /**
   * The pull request of the run (pull_request events, from GITHUB_EVENT_PATH). Its commits are
   * matched too, for commits the commit→pulls lookup does not associate (e.g. from forks).
   */
  pullRequest?: number;
}

interface PullRequestInfo {
  number: number;
  htmlUrl: string;
  authorLogin: string | undefined;
}

interface ReviewRecord {
  id: number;
  user: { login: string; id: number; type?: string } | null;
  state: string;
  submitted_at?: string | null;
  commit_id?: string | null;
  html_url: string;
}

// @actions/github is loaded on first use: importing it builds a process-wide `context` from the
// environment, which the CLI should not do at start-up.
type Octokit = ReturnType<typeof GitHubModule.getOctokit>;

const SILENT_LOG = {
  debug: (): void => undefined,
  info: (): void => undefined,
  warn: (): void => undefined,
  error: (): void => undefined,
};

export async function githubClient(options: GitHubApprovalsOptions): Promise<Octokit> {
  registerSecret(options.token);
  const timeoutMs = options.timeoutMs ?? 30_000;
  const { getOctokit } = await import('@actions/github');
  return getOctokit(options.token, {
    baseUrl: options.apiUrl.replace(/\/+$/, ''),
    log: SILENT_LOG,
    request: {
      fetch: (url: string | URL | Request, init?: RequestInit) =>
        fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) }),
    },
  });
}

/**
 * Approvals of the pull requests that contain `commits`: for every reviewer whose latest
 * deciding review (APPROVED / CHANGES_REQUESTED / DISMISSED) is APPROVED, one HumanApproval.
 * Bot reviewers and the pull request's author are not counted.
 */
export async function githubApprovalsForCommits(
  commits: readonly string[],
  options: GitHubApprovalsOptions
): Promise<HumanApproval[]> {
  const [owner, repo] = splitRepository(options.repository);
  const client = await githubClient(options);
  const commitsByPR = new Map<number, { pr: PullRequestInfo; commits: Set<string> }>();
  const associate = (pr: PullRequestInfo, sha: string): void => {
    const entry = commitsByPR.get(pr.number) ?? { pr, commits: new Set<string>() };
    entry.commits.add(sha);
    commitsByPR.set(pr.number, entry);
  };
  for (const sha of [...commits].sort()) {
    for (const pr of await pullRequestsForCommit(client, owner, repo, sha)) associate(pr, sha);
  }
  if (options.pullRequest !== undefined) {
    const pr = await pullRequest(client, owner, repo, options.pullRequest);
    const inPR = new Set(await pullRequestCommits(client, owner, repo, pr.number));
    for (const sha of commits) if (inPR.has(sha)) associate(pr, sha);
  }
  const approvals: HumanApproval[] = [];
  for (const { pr, commits: prCommits } of [...commitsByPR.values()].sort(
    (a, b) => a.pr.number - b.pr.number
  )) {
    const reviews = await reviewsForPullRequest(client, owner, repo, pr.number);
    for (const review of approvedReviews(reviews, pr.authorLogin)) {
      const user = review.user as { login: string; id: number };
      approvals.push({
        approver: {
          id: `${options.serverUrl.replace(/\/+$/, '')}/${user.login}`,
          login: user.login,
          platformId: String(user.id),
        },
        method: 'pr-review',
        ...(typeof review.submitted_at === 'string'
          ? { timestamp: toRFC3339(new Date(review.submitted_at)) }
          : {}),
        evidence: { uri: review.html_url, digest: { sha256: reviewDigest(review) } },
        changeRequest: { uri: pr.htmlUrl, number: pr.number },
        commits: [...prCommits].sort(),
        ...(typeof review.commit_id === 'string' ? { reviewedCommit: review.commit_id } : {}),
      });
    }
  }
  return approvals;
}

export async function pullRequestsForCommit(
  client: Octokit,
  owner: string,
  repo: string,
  sha: string
): Promise<PullRequestInfo[]> {
  const pulls = await call(`pull requests of commit ${sha}`, () =>
    client.paginate(client.rest.repos.listPullRequestsAssociatedWithCommit, {
      owner,
      repo,
      commit_sha: sha,
      per_page: 100,
    })
  );
  return asArray(pulls, 'pull requests').map(toPullRequestInfo);
}

export async function pullRequest(
  client: Octokit,
  owner: string,
  repo: string,
  pullNumber: number
): Promise<PullRequestInfo> {
  const response = await call(`pull request #${pullNumber}`, () =>
    client.rest.pulls.get({ owner, repo, pull_number: pullNumber })
  );
  return toPullRequestInfo(response.data);
}

/** The commit ids of a pull request (all pages). */
export async function pullRequestCommits(
  client: Octokit,
  owner: string,
  repo: string,
  pullNumber: number
): Promise<string[]> {
  const commits = await call(`commits of pull request #${pullNumber}`, () =>
    client.paginate(client.rest.pulls.listCommits, {
      owner,
      repo,
      pull_number: pullNumber,
      per_page: 100,
    })
  );
  return asArray(commits, 'pull request commits').map((raw) => {
    const sha = (raw as { sha?: unknown }).sha;
    if (typeof sha !== 'string') throw malformed('pull request commit');
    return sha;
  });
}

function toPullRequestInfo(raw: unknown): PullRequestInfo {
  const pr = raw as { number?: unknown; html_url?: unknown; user?: { login?: unknown } | null };
  if (typeof pr.number !== 'number' || typeof pr.html_url !== 'string') {
    throw malformed('pull request');
  }
  return {
    number: pr.number,
    htmlUrl: pr.html_url,
    authorLogin: typeof pr.user?.login === 'string' ? pr.user.login : undefined,
  };
}

export async function reviewsForPullRequest(
  client: Octokit,
  owner: string,
  repo: string,
  pullNumber: number
): Promise<ReviewRecord[]> {
  const reviews = await call(`reviews of pull request #${pullNumber}`, () =>
    client.paginate(client.rest.pulls.listReviews, {
      owner,
      repo,
      pull_number: pullNumber,
      per_page: 100,
    })
  );
  return asArray(reviews, 'reviews').map((raw) => {
    const review = raw as Partial<ReviewRecord>;
    if (
      typeof review.id !== 'number' ||
      typeof review.state !== 'string' ||
      typeof review.html_url !== 'string'
    ) {
      throw malformed('review');
    }
    return review as ReviewRecord;
  });
}

/** The reviews that count as a human approval at the end (latest deciding state per reviewer). */
export function approvedReviews(
  reviews: readonly ReviewRecord[],
  authorLogin: string | undefined
): ReviewRecord[] {
  const latest = new Map<string, ReviewRecord>();
  for (const review of reviews) {
    const login = review.user?.login;
    if (login === undefined) continue;
    if (review.state === 'COMMENTED' || review.state === 'PENDING') continue;
    latest.set(login, review);
  }
  return [...latest.values()]
    .filter((r) => r.state === 'APPROVED')
    .filter((r) => r.user !== null && !isBot(r.user) && r.user.login !== authorLogin)
    .sort((a, b) => a.id - b.id);
}

function isBot(user: { login: string; type?: string }): boolean {
  return user.type === 'Bot' || user.login.endsWith('[bot]');
}

function reviewDigest(review: ReviewRecord): string {
  const record = {
    id: review.id,
    user: review.user === null ? null : { login: review.user.login, id: review.user.id },
    state: review.state,
    submitted_at: review.submitted_at ?? null,
    commit_id: review.commit_id ?? null,
    html_url: review.html_url,
  };
  return createHash('sha256').update(canonicalJSON(record)).digest('hex');
}

async function call<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw apiError(error, what);
  }
}

function apiError(error: unknown, what: string): CustodyError {
  if (error instanceof CustodyError) return error;
  const status = (error as { status?: unknown } | null)?.status;
  if (status === 401 || status === 403) {
    return new CustodyError(
      'CI_API_UNAUTHORIZED',
      `GitHub refused the token reading ${what} (HTTP ${status})`,
      {
        cause: error,
        hint: 'the token needs pull-requests: read (GITHUB_TOKEN with permissions: pull-requests: read)',
      }
    );
  }
  if (status === 404) {
    return new CustodyError('CI_API_NOT_FOUND', `GitHub answered 404 reading ${what}`, {
      cause: error,
      hint: 'check the repository name and that the token can see it',
    });
  }
  const reason = typeof status === 'number' ? `HTTP ${status}` : 'a network error';
  return new CustodyError('CI_API_FAILED', `GitHub API failed reading ${what} (${reason})`, {
    cause: error,
    hint: 'retry later',
  });
}

function asArray(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw malformed(what);
  return value as unknown[];
}

function malformed(what: string): CustodyError {
  return new CustodyError('CI_API_FAILED', `GitHub API returned a malformed ${what}`);
}

function splitRepository(repository: string): [string, string] {
  const [owner, repo, ...rest] = repository.split('/');
  if (owner === undefined || repo === undefined || rest.length > 0 || owner === '' || repo === '') {
    throw new CustodyError(
      'CI_CONTEXT_INCOMPLETE',
      `repository must be owner/name, got ${JSON.stringify(repository)}`
    );
  }
  return [owner, repo];
}
