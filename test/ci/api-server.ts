// A loopback HTTP server that answers like the GitHub REST API and the GitLab REST API v4 for
// the endpoints custody's approval clients use, with Link / x-next-page pagination and errors.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export const GOOD_TOKEN = 'ghs_loopbackToken0123456789abcdef';
export const GITLAB_TOKEN = 'glpat-loopbackToken0123456789';
export const SHA_A = '62cdb7020ff920e5aa642c3d4066950dd1f01f4d';
export const SHA_B = '1b6453892473a467d07372d45eb05abc2031647a';
/** A commit only the run's pull request (#19, e.g. from a fork) knows about. */
export const SHA_C = 'fe05bcdcdc4928012781a5f1a2a77cbb5398e106';

export interface ApiServer {
  url: string;
  requests: { method: string; url: string; auth: string | undefined }[];
  close(): Promise<void>;
}

const user = (login: string, id: number, type = 'User') => ({ login, id, type });

function githubReviews(pr: number): object[] {
  if (pr === 17) {
    return [
      {
        id: 1,
        user: user('octocat', 583231),
        state: 'APPROVED',
        submitted_at: '2026-11-19T11:00:00Z',
        commit_id: SHA_A,
        html_url: 'https://github.com/acme/hello/pull/17#pullrequestreview-1',
      },
      {
        id: 2,
        user: user('bob', 2002),
        state: 'COMMENTED',
        submitted_at: '2026-11-19T11:05:00Z',
        commit_id: SHA_A,
        html_url: 'https://github.com/acme/hello/pull/17#pullrequestreview-2',
      },
      {
        id: 3,
        user: user('renovate[bot]', 29139614, 'Bot'),
        state: 'APPROVED',
        submitted_at: '2026-11-19T11:06:00Z',
        commit_id: SHA_A,
        html_url: 'https://github.com/acme/hello/pull/17#pullrequestreview-3',
      },
      {
        id: 4,
        user: user('alice', 1001),
        state: 'APPROVED',
        submitted_at: '2026-11-19T11:10:00Z',
        commit_id: SHA_A,
        html_url: 'https://github.com/acme/hello/pull/17#pullrequestreview-4',
      },
      {
        id: 5,
        user: user('mallory', 3003),
        state: 'APPROVED',
        submitted_at: '2026-11-19T11:11:00Z',
        commit_id: SHA_A,
        html_url: 'https://github.com/acme/hello/pull/17#pullrequestreview-5',
      },
      // page 2 starts here (page size 5)
      {
        id: 6,
        user: user('mallory', 3003),
        state: 'DISMISSED',
        submitted_at: '2026-11-19T11:12:00Z',
        commit_id: SHA_A,
        html_url: 'https://github.com/acme/hello/pull/17#pullrequestreview-6',
      },
      {
        id: 7,
        user: user('octocat', 583231),
        state: 'CHANGES_REQUESTED',
        submitted_at: '2026-11-19T11:20:00Z',
        commit_id: SHA_A,
        html_url: 'https://github.com/acme/hello/pull/17#pullrequestreview-7',
      },
      {
        id: 8,
        user: user('octocat', 583231),
        state: 'APPROVED',
        submitted_at: '2026-11-19T12:00:00Z',
        commit_id: SHA_A,
        html_url: 'https://github.com/acme/hello/pull/17#pullrequestreview-8',
      },
      {
        id: 9,
        user: user('agent-author', 4004),
        state: 'APPROVED',
        submitted_at: '2026-11-19T12:01:00Z',
        commit_id: SHA_A,
        html_url: 'https://github.com/acme/hello/pull/17#pullrequestreview-9',
      },
    ];
  }
  if (pr === 19) {
    return [
      {
        id: 30,
        user: user('carol', 5005),
        state: 'APPROVED',
        submitted_at: '2026-11-19T16:00:00Z',
        commit_id: SHA_C,
        html_url: 'https://github.com/acme/hello/pull/19#pullrequestreview-30',
      },
    ];
  }
  return [
    {
      id: 20,
      user: user('alice', 1001),
      state: 'APPROVED',
      submitted_at: '2026-11-19T13:00:00Z',
      commit_id: SHA_B,
      html_url: 'https://github.com/acme/hello/pull/18#pullrequestreview-20',
    },
  ];
}

/**
 * `anyCommitPR`: every commit not in the fixtures belongs to this GitHub PR (and to GitLab MR !23),
 * for generated histories.
 */
export async function startApiServer(options: { anyCommitPR?: number } = {}): Promise<ApiServer> {
  const requests: ApiServer['requests'] = [];
  let base = '';
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', base);
    const auth = (req.headers.authorization ??
      req.headers['private-token'] ??
      req.headers['job-token']) as string | undefined;
    requests.push({ method: req.method ?? 'GET', url: url.pathname + url.search, auth });
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    let m: RegExpExecArray | null;
    // ---- GitHub ----
    if (url.pathname.startsWith('/repos/')) {
      if (req.headers.authorization !== `token ${GOOD_TOKEN}`)
        return json(401, { message: 'Bad credentials' });
      if (url.pathname.startsWith('/repos/acme/missing/'))
        return json(404, { message: 'Not Found' });
      if (url.pathname.startsWith('/repos/acme/broken/'))
        return json(500, { message: 'Server Error' });
      if (url.pathname.startsWith('/repos/acme/garbage/')) return json(200, { not: 'an array' });
      if ((m = /^\/repos\/acme\/hello\/commits\/([0-9a-f]{40})\/pulls$/.exec(url.pathname))) {
        const pr = (n: number) => ({
          number: n,
          html_url: `https://github.com/acme/hello/pull/${n}`,
          user: user('agent-author', 4004),
          merged_at: '2026-11-19T14:00:00Z',
        });
        return json(
          200,
          m[1] === SHA_A
            ? [pr(17)]
            : m[1] === SHA_B
              ? [pr(17), pr(18)]
              : options.anyCommitPR !== undefined
                ? [pr(options.anyCommitPR)]
                : []
        );
      }
      if ((m = /^\/repos\/acme\/hello\/pulls\/(\d+)$/.exec(url.pathname))) {
        const n = Number(m[1]);
        const author = n === 19 ? user('fork-author', 6006) : user('agent-author', 4004);
        return json(200, {
          number: n,
          html_url: `https://github.com/acme/hello/pull/${n}`,
          user: author,
        });
      }
      if (
        (m = /^\/repos\/acme\/hello\/pulls\/(\d+)\/commits$/.exec(url.pathname)) &&
        m[1] !== '19'
      ) {
        return json(200, []);
      }
      if (url.pathname === '/repos/acme/hello/pulls/19/commits') {
        if ((url.searchParams.get('page') ?? '1') === '1') {
          const next = new URL(url.toString());
          next.searchParams.set('page', '2');
          return json(200, [{ sha: '0'.repeat(40) }], { link: `<${next.toString()}>; rel="next"` });
        }
        return json(200, [{ sha: SHA_C }]);
      }
      if ((m = /^\/repos\/acme\/hello\/pulls\/(\d+)\/reviews$/.exec(url.pathname))) {
        const all = githubReviews(Number(m[1]));
        const page = Number(url.searchParams.get('page') ?? '1');
        const size = 5;
        const slice = all.slice((page - 1) * size, page * size);
        const headers: Record<string, string> = {};
        if (page * size < all.length) {
          const next = new URL(url.toString());
          next.searchParams.set('page', String(page + 1));
          headers.link = `<${next.toString()}>; rel="next", <${next.toString()}>; rel="last"`;
        }
        return json(200, slice, headers);
      }
      return json(404, { message: 'Not Found' });
    }
    // ---- GitLab ----
    if (url.pathname.startsWith('/api/v4/')) {
      if (
        req.headers['private-token'] !== GITLAB_TOKEN &&
        req.headers['job-token'] !== GITLAB_TOKEN
      ) {
        return json(401, { message: '401 Unauthorized' });
      }
      if (url.pathname.startsWith('/api/v4/projects/404/'))
        return json(404, { message: '404 Project Not Found' });
      if (url.pathname.startsWith('/api/v4/projects/500/'))
        return json(502, { message: 'Bad Gateway' });
      if (url.pathname.startsWith('/api/v4/projects/777/')) {
        return json(200, [{ iid: 1, web_url: 'https://gitlab.example/x/-/merge_requests/1' }], {
          'x-next-page': '2',
        });
      }
      if (
        (m =
          /^\/api\/v4\/projects\/48151623\/repository\/commits\/([0-9a-f]{40})\/merge_requests$/.exec(
            url.pathname
          ))
      ) {
        const page = url.searchParams.get('page') ?? '1';
        const mr = (iid: number) => ({
          iid,
          web_url: `https://gitlab.com/acme-group/hello/-/merge_requests/${iid}`,
          author: { id: 4004, username: 'agent-author' },
        });
        if (m[1] === SHA_B && page === '1')
          return json(200, [mr(23)], { 'x-next-page': '2', 'x-page': '1' });
        if (m[1] === SHA_B && page === '2')
          return json(200, [mr(24)], { 'x-next-page': '', 'x-page': '2' });
        const other = options.anyCommitPR !== undefined ? [mr(23)] : [];
        return json(200, m[1] === SHA_A ? [mr(23)] : other, { 'x-next-page': '' });
      }
      if (
        (m = /^\/api\/v4\/projects\/48151623\/merge_requests\/(\d+)\/approvals$/.exec(url.pathname))
      ) {
        const u = (id: number, username: string) => ({
          id,
          username,
          name: username,
          web_url: `https://gitlab.com/${username}`,
        });
        if (m[1] === '23') {
          return json(200, {
            id: 400123456,
            iid: 23,
            approved: true,
            approved_by: [
              { user: u(1234, 'jdoe'), approved_at: '2026-11-19T15:00:00.000Z' },
              { user: u(9001, 'project_48151623_bot_5f2a') },
              { user: u(4004, 'agent-author') },
            ],
          });
        }
        return json(200, { iid: Number(m[1]), approved_by: [] });
      }
      return json(404, { message: '404 Not found' });
    }
    json(404, { message: 'Not Found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  base = `http://127.0.0.1:${port}`;
  return {
    url: base,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
