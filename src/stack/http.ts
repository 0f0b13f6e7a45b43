// A minimal loopback HTTP server for the local services: exact-path routing, bounded request
// bodies, request timeouts, and a close() that also drops idle keep-alive sockets.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CustodyError } from '../errors.js';

/** Larger than any certificate request, Rekor entry or timestamp request a signer sends. */
export const MAX_REQUEST_BODY_BYTES = 1024 * 1024;
const REQUEST_TIMEOUT_MS = 15_000;

export interface ServiceResponse {
  statusCode: number;
  contentType: string;
  body: string | ArrayBufferView;
  headers?: Record<string, string>;
}

export interface ServiceRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}

export type RouteHandler = (request: ServiceRequest) => Promise<ServiceResponse> | ServiceResponse;

export interface Route {
  method: 'GET' | 'POST';
  path: string;
  handler: RouteHandler;
}

export interface LoopbackServer {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  readonly url: string;
  setRoutes(routes: Route[]): void;
  close(): Promise<void>;
}

/** Binds a server on 127.0.0.1 with a random port; routes are attached once URLs are known. */
export async function listenLoopback(name: string): Promise<LoopbackServer> {
  let routes: Route[] = [];
  const server: Server = createServer((req, res) => {
    void serve(routes, req, res);
  });
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.headersTimeout = REQUEST_TIMEOUT_MS;
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => {
      reject(
        new CustodyError('STACK_START_FAILED', `local ${name} could not listen on 127.0.0.1`, {
          cause: error,
        })
      );
    };
    server.once('error', onError);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', onError);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    setRoutes(next) {
      routes = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function serve(routes: Route[], req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const candidates = routes.filter((route) => route.path === url.pathname);
    if (candidates.length === 0) return send(res, jsonError(404, 'not found'));
    const route = candidates.find((candidate) => candidate.method === method);
    if (route === undefined) {
      return send(res, {
        ...jsonError(405, 'method not allowed'),
        headers: { allow: candidates.map((c) => c.method).join(', ') },
      });
    }
    const body = method === 'POST' ? await readBody(req) : '';
    if (body === undefined) {
      return send(res, {
        ...jsonError(413, 'request body too large'),
        headers: { connection: 'close' },
      });
    }
    const response = await route.handler({
      method,
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body,
    });
    send(res, response);
  } catch {
    // Handler bugs must not crash the process or leak details (tokens) into responses.
    send(res, jsonError(500, 'internal error'));
  }
}

/** Reads the body up to the limit; undefined (and the rest discarded) when it is larger. */
async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > MAX_REQUEST_BODY_BYTES) {
    req.resume();
    return undefined;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_REQUEST_BODY_BYTES) {
      req.resume();
      return undefined;
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, response: ServiceResponse): void {
  if (res.headersSent) return;
  res.writeHead(response.statusCode, {
    'content-type': response.contentType,
    'cache-control': 'no-store',
    ...response.headers,
  });
  const body = response.body;
  res.end(
    typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength)
  );
}

export function jsonError(statusCode: number, message: string): ServiceResponse {
  return {
    statusCode,
    contentType: 'application/json',
    body: JSON.stringify({ code: statusCode, message }),
  };
}
