// The GitHub REST calls the actions make, behind one small interface so run functions can be given
// a fake. The client is @actions/github's Octokit, loaded lazily (it pulls in undici) and pointed at
// GITHUB_API_URL, which is also how tests aim it at a loopback server.
import path from 'node:path';
import type { getOctokit } from '@actions/github';
import { CustodyError } from '../../../errors.js';
import { readFileLimited } from '../../../io/fs.js';

export interface RepoRef {
  readonly owner: string;
  readonly repo: string;
}

export interface GitHubUser {
  readonly login: string;
  /** 'User', 'Bot', 'Organization'... as the API reports it. */
  readonly type: string;
}

export interface PullRequestCommit {
  readonly sha: string;
  readonly message: string;
  /** The linked GitHub account of the git author, when GitHub could match the email. */
  readonly author: GitHubUser | undefined;
  readonly authorName: string;
  readonly authorEmail: string;
  readonly authorDate: string;
}

export interface PullRequestReview {
  readonly id: number;
  readonly user: GitHubUser | undefined;
  /** APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED, PENDING. */
  readonly state: string;
  readonly commitId: string | undefined;
  readonly submittedAt: string | undefined;
  readonly url: string | undefined;
}

export interface UploadedAsset {
  readonly name: string;
  readonly url: string;
  readonly replaced: boolean;
}

export interface GitHubApi {
  listPullRequestCommits(repo: RepoRef, pullNumber: number): Promise<PullRequestCommit[]>;
  listPullRequestReviews(repo: RepoRef, pullNumber: number): Promise<PullRequestReview[]>;
  /** Uploads files to the release of `tag` (created when missing), replacing same-named assets. */
  uploadReleaseAssets(
    repo: RepoRef,
    tag: string,
    files: readonly string[]
  ): Promise<UploadedAsset[]>;
  /** POST /repos/{owner}/{repo}/attestations with a Sigstore bundle. */
  createAttestation(repo: RepoRef, bundle: unknown): Promise<{ id: string; url: string }>;
}

/** Release assets are capped at 2 GiB by GitHub. */
const ASSET_LIMIT = 2 * 1024 * 1024 * 1024 - 1;
const PAGE = 100;
/** A pull request lists at most 250 commits through the API; reviews are paged the same way. */
const MAX_PAGES = 30;

type Octokit = ReturnType<typeof getOctokit>;

export async function createGitHubApi(options: {
  token: string;
  apiURL: string;
  serverURL: string;
}): Promise<GitHubApi> {
  const { getOctokit: makeOctokit } = await import('@actions/github');
  const octokit = makeOctokit(options.token, { baseUrl: options.apiURL });
  return new OctokitGitHubApi(octokit, options.serverURL);
}

class OctokitGitHubApi implements GitHubApi {
  constructor(
    private readonly octokit: Octokit,
    private readonly serverURL: string
  ) {}

  async listPullRequestCommits(repo: RepoRef, pullNumber: number): Promise<PullRequestCommit[]> {
    const out: PullRequestCommit[] = [];
    for (let page = 1; page <= MAX_PAGES; page++) {
      const response = await this.call('list pull request commits', 'pull-requests: read', () =>
        this.octokit.rest.pulls.listCommits({
          ...repo,
          pull_number: pullNumber,
          per_page: PAGE,
          page,
        })
      );
      for (const item of response.data) {
        out.push({
          sha: item.sha,
          message: item.commit.message,
          author: toUser(item.author),
          authorName: item.commit.author?.name ?? '',
          authorEmail: item.commit.author?.email ?? '',
          authorDate: item.commit.author?.date ?? '',
        });
      }
      if (response.data.length < PAGE) break;
    }
    return out;
  }

  async listPullRequestReviews(repo: RepoRef, pullNumber: number): Promise<PullRequestReview[]> {
    const out: PullRequestReview[] = [];
    for (let page = 1; page <= MAX_PAGES; page++) {
      const response = await this.call('list pull request reviews', 'pull-requests: read', () =>
        this.octokit.rest.pulls.listReviews({
          ...repo,
          pull_number: pullNumber,
          per_page: PAGE,
          page,
        })
      );
      for (const item of response.data) {
        out.push({
          id: item.id,
          user: toUser(item.user),
          state: item.state,
          commitId: item.commit_id ?? undefined,
          submittedAt: item.submitted_at,
          url: item.html_url,
        });
      }
      if (response.data.length < PAGE) break;
    }
    return out;
  }

  async uploadReleaseAssets(
    repo: RepoRef,
    tag: string,
    files: readonly string[]
  ): Promise<UploadedAsset[]> {
    const release = await this.releaseForTag(repo, tag);
    const existing = new Map<string, number>();
    for (let page = 1; page <= MAX_PAGES; page++) {
      const response = await this.call('list release assets', 'contents: read', () =>
        this.octokit.rest.repos.listReleaseAssets({
          ...repo,
          release_id: release.id,
          per_page: PAGE,
          page,
        })
      );
      for (const asset of response.data) existing.set(asset.name, asset.id);
      if (response.data.length < PAGE) break;
    }
    const uploaded: UploadedAsset[] = [];
    for (const file of files) {
      const name = path.basename(file);
      const assetId = existing.get(name);
      if (assetId !== undefined) {
        // Re-runs replace their own assets instead of failing with "already_exists".
        await this.call('delete release asset', 'contents: write', () =>
          this.octokit.rest.repos.deleteReleaseAsset({ ...repo, asset_id: assetId })
        );
      }
      const data = await readFileLimited(file, { maxBytes: ASSET_LIMIT, what: 'release asset' });
      const response = await this.call('upload release asset', 'contents: write', () =>
        this.octokit.request({
          method: 'POST',
          url: release.uploadURL,
          name,
          headers: { 'content-type': contentType(name) },
          data,
        })
      );
      const body = response.data as { browser_download_url?: unknown };
      uploaded.push({
        name,
        url: typeof body.browser_download_url === 'string' ? body.browser_download_url : '',
        replaced: assetId !== undefined,
      });
    }
    return uploaded;
  }

  async createAttestation(repo: RepoRef, bundle: unknown): Promise<{ id: string; url: string }> {
    const response = await this.call('create attestation', 'attestations: write', () =>
      this.octokit.request('POST /repos/{owner}/{repo}/attestations', {
        ...repo,
        bundle: bundle as Record<string, never>,
      })
    );
    const id = (response.data as { id?: unknown }).id;
    if (typeof id !== 'number' && typeof id !== 'string') {
      throw new CustodyError('CI_API_FAILED', 'create attestation: the response has no id');
    }
    return {
      id: String(id),
      url: `${this.serverURL}/${repo.owner}/${repo.repo}/attestations/${String(id)}`,
    };
  }

  private async releaseForTag(
    repo: RepoRef,
    tag: string
  ): Promise<{ id: number; uploadURL: string }> {
    try {
      const response = await this.octokit.rest.repos.getReleaseByTag({ ...repo, tag });
      return { id: response.data.id, uploadURL: uploadURL(response.data.upload_url) };
    } catch (error) {
      if (statusOf(error) !== 404) throw apiError('get release by tag', 'contents: read', error);
    }
    const created = await this.call('create release', 'contents: write', () =>
      this.octokit.rest.repos.createRelease({ ...repo, tag_name: tag, name: tag })
    );
    return { id: created.data.id, uploadURL: uploadURL(created.data.upload_url) };
  }

  private async call<R>(what: string, permission: string, fn: () => Promise<R>): Promise<R> {
    try {
      return await fn();
    } catch (error) {
      throw apiError(what, permission, error);
    }
  }
}

function toUser(user: unknown): GitHubUser | undefined {
  if (user === null || typeof user !== 'object') return undefined;
  const { login, type } = user as { login?: unknown; type?: unknown };
  if (typeof login !== 'string') return undefined;
  return { login, type: typeof type === 'string' ? type : 'User' };
}

/** upload_url is an RFC 6570 template ("...assets{?name,label}"); Octokit fills `name` itself. */
function uploadURL(template: string): string {
  return `${template.replace(/\{\?[^}]*\}$/, '')}{?name}`;
}

function contentType(name: string): string {
  if (name.endsWith('.json')) return 'application/json';
  if (name.endsWith('.jsonl')) return 'application/jsonl';
  if (name.endsWith('.txt') || /SUMS$/i.test(name)) return 'text/plain; charset=utf-8';
  return 'application/octet-stream';
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' ? status : undefined;
}

function apiError(what: string, permission: string, error: unknown): CustodyError {
  if (error instanceof CustodyError) return error;
  const status = statusOf(error);
  const answeredAt = (error as { response?: unknown } | undefined)?.response !== undefined;
  if (
    answeredAt &&
    (status === 401 || status === 403 || (status === 404 && permission.endsWith('write')))
  ) {
    return new CustodyError(
      'GITHUB_PERMISSION_DENIED',
      `${what}: GitHub answered ${status}; the token lacks "${permission}"`,
      {
        cause: error,
        hint: `add "permissions: ${permission}" to the job (and pass github-token)`,
        details: { status, permission },
      }
    );
  }
  // Octokit reports network failures as status 500 without a response: say what really happened.
  const answered = (error as { response?: unknown } | undefined)?.response !== undefined;
  const reason = status === undefined || !answered ? describe(error) : `HTTP ${status}`;
  return new CustodyError('CI_API_FAILED', `${what} failed: ${reason}`, {
    cause: error,
    details: status === undefined ? {} : { status },
  });
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    const code = (cause as { code?: unknown } | undefined)?.code;
    return typeof code === 'string' ? `${error.message} (${code})` : error.message;
  }
  return String(error);
}
