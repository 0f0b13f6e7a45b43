// Human approvals from GitLab: the merge requests that brought commits in
// (GET /projects/:id/repository/commits/:sha/merge_requests, paginated with x-next-page) and their
// approvals (GET /projects/:id/merge_requests/:iid/approvals), over plain fetch. Approvals come
// from the platform, never from the agent. The token is registered as a secret and never printed.
import { createHash } from 'node:crypto';
import type { HumanApproval } from '../../attest/agent.js';
import { CustodyError } from '../../errors.js';
import { canonicalJSON } from '../../util/canonical-json.js';
import { registerSecret } from '../../util/redact.js';
import { toRFC3339 } from '../../util/time.js';

export interface GitLabApprovalsOptions {
  token: string;
  /** 'private' sends PRIVATE-TOKEN (personal/project access token), 'job' sends JOB-TOKEN (CI_JOB_TOKEN). */
  tokenKind: 'private' | 'job';
  /** REST API v4 base, e.g. https://gitlab.com/api/v4 (CI_API_V4_URL). */
  apiUrl: string;
  /** Numeric project id (CI_PROJECT_ID). */
  projectId: string;
  timeoutMs?: number;
  /** Pagination stops with CI_API_FAILED beyond this many pages (default 50). */
  maxPages?: number;
}

interface MergeRequestInfo {
  iid: number;
  webUrl: string;
  authorId: number | undefined;
}

interface ApprovalUser {
  id: number;
  username: string;
  web_url?: string;
  bot?: boolean;
}

export async function gitlabApprovalsForCommits(
  commits: readonly string[],
  options: GitLabApprovalsOptions
): Promise<HumanApproval[]> {
  registerSecret(options.token);
  const byIid = new Map<number, { mr: MergeRequestInfo; commits: Set<string> }>();
  for (const sha of [...commits].sort()) {
    if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(sha)) {
      throw new CustodyError(
        'ATTEST_AGENT_INPUT_INVALID',
        `not a commit id: ${JSON.stringify(sha)}`
      );
    }
    for (const mr of await mergeRequestsForCommit(sha, options)) {
      const entry = byIid.get(mr.iid) ?? { mr, commits: new Set<string>() };
      entry.commits.add(sha);
      byIid.set(mr.iid, entry);
    }
  }
  const approvals: HumanApproval[] = [];
  for (const { mr, commits: mrCommits } of [...byIid.values()].sort(
    (a, b) => a.mr.iid - b.mr.iid
  )) {
    const record = await getJSON(
      `${projectBase(options)}/merge_requests/${mr.iid}/approvals`,
      options,
      `approvals of merge request !${mr.iid}`
    );
    const approvedBy = (record.body as { approved_by?: unknown } | null)?.approved_by;
    if (!Array.isArray(approvedBy)) throw malformed('approvals');
    for (const entry of approvedBy as unknown[]) {
      const user = (entry as { user?: Partial<ApprovalUser> } | null)?.user;
      if (typeof user?.id !== 'number' || typeof user.username !== 'string') {
        throw malformed('approval');
      }
      const approver = user as ApprovalUser;
      if (isBot(approver) || approver.id === mr.authorId) continue;
      const approvedAt = (entry as { approved_at?: unknown }).approved_at;
      approvals.push({
        approver: {
          id: approver.web_url ?? `${serverFromApi(options.apiUrl)}/${approver.username}`,
          login: approver.username,
          platformId: String(approver.id),
        },
        method: 'mr-approval',
        ...(typeof approvedAt === 'string' && !Number.isNaN(Date.parse(approvedAt))
          ? { timestamp: toRFC3339(new Date(approvedAt)) }
          : {}),
        evidence: {
          uri: mr.webUrl,
          digest: {
            sha256: createHash('sha256')
              .update(
                canonicalJSON({
                  merge_request: mr.iid,
                  user: { id: approver.id, username: approver.username },
                  approved_at: approvedAt ?? null,
                })
              )
              .digest('hex'),
          },
        },
        changeRequest: { uri: mr.webUrl, number: mr.iid },
        commits: [...mrCommits].sort(),
      });
    }
  }
  return approvals;
}

export async function mergeRequestsForCommit(
  sha: string,
  options: GitLabApprovalsOptions
): Promise<MergeRequestInfo[]> {
  const items = await getAllPages(
    `${projectBase(options)}/repository/commits/${sha}/merge_requests`,
    options,
    `merge requests of commit ${sha}`
  );
  return items.map((raw) => {
    const mr = raw as { iid?: unknown; web_url?: unknown; author?: { id?: unknown } | null };
    if (typeof mr.iid !== 'number' || typeof mr.web_url !== 'string')
      throw malformed('merge request');
    return {
      iid: mr.iid,
      webUrl: mr.web_url,
      authorId: typeof mr.author?.id === 'number' ? mr.author.id : undefined,
    };
  });
}

async function getAllPages(
  url: string,
  options: GitLabApprovalsOptions,
  what: string
): Promise<unknown[]> {
  const maxPages = options.maxPages ?? 50;
  const items: unknown[] = [];
  let page = '1';
  for (let count = 0; ; count++) {
    if (count >= maxPages) {
      throw new CustodyError('CI_API_FAILED', `GitLab API: more than ${maxPages} pages of ${what}`);
    }
    const response = await getJSON(
      `${url}?per_page=100&page=${encodeURIComponent(page)}`,
      options,
      what
    );
    if (!Array.isArray(response.body)) throw malformed(what);
    items.push(...(response.body as unknown[]));
    const next = response.headers.get('x-next-page');
    if (next === null || next.trim() === '') return items;
    if (!/^\d+$/.test(next.trim())) throw malformed('x-next-page header');
    page = next.trim();
  }
}

async function getJSON(
  url: string,
  options: GitLabApprovalsOptions,
  what: string
): Promise<{ body: unknown; headers: Headers }> {
  let response: Response;
  try {
    response = await fetch(url, {
      headers: {
        Accept: 'application/json',
        [options.tokenKind === 'job' ? 'JOB-TOKEN' : 'PRIVATE-TOKEN']: options.token,
      },
      redirect: 'error',
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
    });
  } catch (error) {
    throw new CustodyError('CI_API_FAILED', `GitLab API unreachable reading ${what}`, {
      cause: error,
      hint: 'check CI_API_V4_URL and the network',
    });
  }
  if (response.status === 401 || response.status === 403) {
    throw new CustodyError(
      'CI_API_UNAUTHORIZED',
      `GitLab refused the token reading ${what} (HTTP ${response.status})`,
      {
        hint: 'use a token with read_api scope (GITLAB_TOKEN), or allow CI_JOB_TOKEN access',
      }
    );
  }
  if (response.status === 404) {
    throw new CustodyError('CI_API_NOT_FOUND', `GitLab answered 404 reading ${what}`, {
      hint: 'check the project id and that the token can see it',
    });
  }
  if (!response.ok) {
    throw new CustodyError(
      'CI_API_FAILED',
      `GitLab API failed reading ${what} (HTTP ${response.status})`,
      {
        hint: 'retry later',
      }
    );
  }
  const text = await response.text();
  try {
    return { body: JSON.parse(text) as unknown, headers: response.headers };
  } catch (error) {
    throw new CustodyError('CI_API_FAILED', `GitLab API returned invalid JSON for ${what}`, {
      cause: error,
    });
  }
}

function projectBase(options: GitLabApprovalsOptions): string {
  if (!/^\d+$/.test(options.projectId)) {
    throw new CustodyError('CI_CONTEXT_INCOMPLETE', 'the GitLab project id must be numeric');
  }
  return `${options.apiUrl.replace(/\/+$/, '')}/projects/${options.projectId}`;
}

function serverFromApi(apiUrl: string): string {
  return apiUrl.replace(/\/+$/, '').replace(/\/api\/v4$/, '');
}

/** Project and group access tokens act as bot users named project_<id>_bot…/group_<id>_bot…. */
function isBot(user: ApprovalUser): boolean {
  return user.bot === true || /^(project|group)_\d+_bot/.test(user.username);
}

function malformed(what: string): CustodyError {
  return new CustodyError('CI_API_FAILED', `GitLab API returned a malformed ${what}`);
}
