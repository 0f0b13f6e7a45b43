// A loopback stand-in for the GitHub REST API: pull-request commits and reviews, releases and
// asset uploads, and the attestations API. It checks the token on every call and records requests.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeCommit {
  sha: string;
  message: string;
  author?: { login: string; type: string } | null;
  authorName?: string;
  authorEmail?: string;
}

export interface FakeReview {
  login: string;
  type?: string;
  state: string;
  commitId: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  authorization: string | undefined;
  contentType: string | undefined;
  body: Buffer;
}

export interface FakeGitHub {
  url: string;
  requests: RecordedRequest[];
  commits: FakeCommit[];
  reviews: FakeReview[];
  releases: { id: number; tag: string; assets: { id: number; name: string; data: Buffer }[] }[];
  attestations: { id: number; bundle: unknown }[];
  /** Endpoints (`METHOD /path-prefix`) that answer 403, to test permission errors. */
  forbidden: string[];
  close(): Promise<void>;
}

export async function startFakeGitHub(options: {
  token: string;
  owner?: string;
  repo?: string;
}): Promise<FakeGitHub> {
  const repoPath = `/repos/${options.owner ?? 'octo-org'}/${options.repo ?? 'widget'}`;
  let nextId = 100;
  const state: Omit<FakeGitHub, 'url' | 'close'> = {
    requests: [],
    commits: [],
    reviews: [],
    releases: [],
    attestations: [],
    forbidden: [],
  };
  let base = '';

  const handle = (req: IncomingMessage, body: Buffer, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', base);
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      authorization: req.headers.authorization,
      contentType: req.headers['content-type'],
      body,
    };
    state.requests.push(record);
    const send = (status: number, value?: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(value === undefined ? '' : JSON.stringify(value));
    };
    if (
      record.authorization !== `token ${options.token}` &&
      record.authorization !== `Bearer ${options.token}`
    ) {
      return send(401, { message: 'Bad credentials' });
    }
    if (state.forbidden.some((f) => `${record.method} ${record.path}`.startsWith(f))) {
      return send(403, { message: 'Resource not accessible by integration' });
    }
    const page = Number(url.searchParams.get('page') ?? '1');
    const perPage = Number(url.searchParams.get('per_page') ?? '30');
    const paged = <T>(items: T[]): T[] => items.slice((page - 1) * perPage, page * perPage);
    const p = record.path;
    let m: RegExpExecArray | null;
    if (
      record.method === 'GET' &&
      (m = new RegExp(`^${repoPath}/pulls/(\\d+)/commits$`).exec(p)) !== null
    ) {
      return send(
        200,
        paged(state.commits).map((c) => ({
          sha: c.sha,
          commit: {
            message: c.message,
            author: {
              name: c.authorName ?? 'Octo Dev',
              email: c.authorEmail ?? 'octo-dev@example.com',
              date: '2026-11-20T10:00:00Z',
            },
          },
          author: c.author === undefined ? { login: 'octo-dev', type: 'User' } : c.author,
        }))
      );
    }
    if (
      record.method === 'GET' &&
      (m = new RegExp(`^${repoPath}/pulls/(\\d+)/reviews$`).exec(p)) !== null
    ) {
      return send(
        200,
        paged(state.reviews).map((r, i) => ({
          id: i + 1,
          user: { login: r.login, type: r.type ?? 'User' },
          state: r.state,
          commit_id: r.commitId,
          submitted_at: '2026-11-20T11:00:00Z',
          html_url: `https://github.com/octo-org/widget/pull/42#pullrequestreview-${i + 1}`,
        }))
      );
    }
    if (
      record.method === 'GET' &&
      (m = new RegExp(`^${repoPath}/releases/tags/(.+)$`).exec(p)) !== null
    ) {
      const release = state.releases.find((r) => r.tag === decodeURIComponent(m![1]!));
      return release === undefined
        ? send(404, { message: 'Not Found' })
        : send(200, releaseJSON(release));
    }
    if (record.method === 'POST' && p === `${repoPath}/releases`) {
      const { tag_name } = JSON.parse(body.toString('utf8')) as { tag_name: string };
      const release = { id: nextId++, tag: tag_name, assets: [] };
      state.releases.push(release);
      return send(201, releaseJSON(release));
    }
    if (
      record.method === 'GET' &&
      (m = new RegExp(`^${repoPath}/releases/(\\d+)/assets$`).exec(p)) !== null
    ) {
      const release = state.releases.find((r) => r.id === Number(m![1]));
      if (release === undefined) return send(404, { message: 'Not Found' });
      return send(
        200,
        paged(release.assets).map((a) => ({ id: a.id, name: a.name }))
      );
    }
    if (
      record.method === 'DELETE' &&
      (m = new RegExp(`^${repoPath}/releases/assets/(\\d+)$`).exec(p)) !== null
    ) {
      for (const release of state.releases)
        release.assets = release.assets.filter((a) => a.id !== Number(m![1]));
      return send(204);
    }
    if (
      record.method === 'POST' &&
      (m = new RegExp(`^/uploads${repoPath}/releases/(\\d+)/assets$`).exec(p)) !== null
    ) {
      const release = state.releases.find((r) => r.id === Number(m![1]));
      const name = url.searchParams.get('name');
      if (release === undefined || name === null) return send(404, { message: 'Not Found' });
      if (release.assets.some((a) => a.name === name))
        return send(422, { message: 'already_exists' });
      const asset = { id: nextId++, name, data: body };
      release.assets.push(asset);
      return send(201, {
        id: asset.id,
        name,
        browser_download_url: `https://github.com/octo-org/widget/releases/download/${release.tag}/${name}`,
      });
    }
    if (record.method === 'POST' && p === `${repoPath}/attestations`) {
      const { bundle } = JSON.parse(body.toString('utf8')) as { bundle: unknown };
      const id = nextId++;
      state.attestations.push({ id, bundle });
      return send(201, { id });
    }
    return send(404, { message: `fake GitHub has no ${record.method} ${p}` });
  };

  const releaseJSON = (release: { id: number; tag: string }): unknown => ({
    id: release.id,
    tag_name: release.tag,
    upload_url: `${base}/uploads${repoPath}/releases/${release.id}/assets{?name,label}`,
  });

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, Buffer.concat(chunks), res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(state, {
    url: base,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
