// Test helper: a small in-memory OCI registry on 127.0.0.1 that implements what Debian's
// distribution 2.8 lacks — the OCI 1.1 referrers API and the OCI-Subject header — behind the
// registry token flow (401 + WWW-Authenticate: Bearer, a token endpoint taking Basic auth).
import { createHash, randomUUID } from 'node:crypto';
import http from 'node:http';

export interface FakeRegistry {
  host: string;
  username: string;
  password: string;
  tokensIssued: number;
  requests: string[];
  close(): Promise<void>;
}

function sha(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export async function startFakeRegistry(
  options: { referrers?: boolean } = {}
): Promise<FakeRegistry> {
  const username = 'ci-bot';
  const password = 'p4ss-w0rd-never-printed';
  const token = `tok-${randomUUID()}`;
  const blobs = new Map<string, Buffer>();
  const manifests = new Map<string, { bytes: Buffer; mediaType: string }>();
  const tags = new Map<string, string>();
  const referrers = new Map<string, object[]>();
  const state: FakeRegistry = {
    host: '',
    username,
    password,
    tokensIssued: 0,
    requests: [],
    close: async () => {},
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', `http://${state.host}`);
      state.requests.push(`${req.method} ${url.pathname}`);
      if (url.pathname === '/token') {
        const expected = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
        if (req.headers.authorization !== expected) {
          res.writeHead(401).end('{"errors":[{"code":"UNAUTHORIZED"}]}');
          return;
        }
        state.tokensIssued++;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token }));
        return;
      }
      if (req.headers.authorization !== `Bearer ${token}`) {
        const repo = /^\/v2\/(.+?)\/(manifests|blobs|referrers)\//.exec(url.pathname)?.[1] ?? '';
        res
          .writeHead(401, {
            'www-authenticate': `Bearer realm="http://${state.host}/token",service="fake",scope="repository:${repo}:pull"`,
          })
          .end();
        return;
      }
      if (url.pathname === '/v2/') {
        res.writeHead(200).end('{}');
        return;
      }
      const m = /^\/v2\/(.+?)\/(manifests|blobs|referrers)\/(.*)$/.exec(url.pathname);
      if (m === null) {
        res.writeHead(404).end();
        return;
      }
      const [, repo, kind, ref = ''] = m;
      if (kind === 'referrers') {
        if (options.referrers === false) {
          res.writeHead(404).end();
          return;
        }
        const index = {
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.index.v1+json',
          manifests: referrers.get(`${repo}@${ref}`) ?? [],
        };
        res
          .writeHead(200, { 'content-type': 'application/vnd.oci.image.index.v1+json' })
          .end(JSON.stringify(index));
        return;
      }
      if (kind === 'blobs') {
        if (ref === 'uploads/' && req.method === 'POST') {
          res.writeHead(202, { location: `/v2/${repo}/blobs/uploads/${randomUUID()}` }).end();
          return;
        }
        if (ref.startsWith('uploads/') && req.method === 'PUT') {
          const digest = url.searchParams.get('digest') ?? '';
          if (sha(body) !== digest) {
            res.writeHead(400).end('{"errors":[{"code":"DIGEST_INVALID"}]}');
            return;
          }
          blobs.set(digest, body);
          res.writeHead(201, { 'docker-content-digest': digest }).end();
          return;
        }
        const blob = blobs.get(ref);
        if (blob === undefined) {
          res.writeHead(404).end();
          return;
        }
        res.writeHead(200, {
          'content-length': String(blob.byteLength),
          'docker-content-digest': ref,
        });
        res.end(req.method === 'HEAD' ? undefined : blob);
        return;
      }
      // manifests
      if (req.method === 'PUT') {
        const digest = sha(body);
        const mediaType = (req.headers['content-type'] ?? '').split(';')[0] ?? '';
        manifests.set(digest, { bytes: body, mediaType });
        if (!ref.startsWith('sha256:')) tags.set(`${repo}:${ref}`, digest);
        const parsed = JSON.parse(body.toString()) as {
          subject?: { digest: string };
          artifactType?: string;
          annotations?: object;
        };
        const headers: Record<string, string> = { 'docker-content-digest': digest };
        if (parsed.subject !== undefined && options.referrers !== false) {
          const key = `${repo}@${parsed.subject.digest}`;
          const list = referrers.get(key) ?? [];
          list.push({
            mediaType,
            digest,
            size: body.byteLength,
            artifactType: parsed.artifactType,
            annotations: parsed.annotations,
          });
          referrers.set(key, list);
          headers['oci-subject'] = parsed.subject.digest;
        }
        res.writeHead(201, headers).end();
        return;
      }
      const digest = ref.startsWith('sha256:') ? ref : tags.get(`${repo}:${ref}`);
      const found = digest === undefined ? undefined : manifests.get(digest);
      if (found === undefined || digest === undefined) {
        res.writeHead(404).end('{"errors":[{"code":"MANIFEST_UNKNOWN"}]}');
        return;
      }
      res.writeHead(200, {
        'content-type': found.mediaType,
        'content-length': String(found.bytes.byteLength),
        'docker-content-digest': digest,
      });
      res.end(req.method === 'HEAD' ? undefined : found.bytes);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  state.host = `127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}
