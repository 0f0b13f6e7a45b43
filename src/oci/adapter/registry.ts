// Adapter: a client for the OCI Distribution API (manifests, blobs, referrers, uploads) with the
// registry token flow (401 + WWW-Authenticate Bearer → token endpoint, or Basic). Every body is
// read with a byte limit and every fetched object is checked against its digest. TLS by default;
// plain HTTP only for a loopback registry or when the caller says so. Credentials and tokens
// are registered as secrets and never appear in messages.
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { CustodyError } from '../../errors.js';
import { registerSecret } from '../../util/redact.js';
import {
  MANIFEST_ACCEPT,
  MANIFEST_LIMIT,
  parseDescriptor,
  parseManifest,
  sha256Digest,
  type Descriptor,
  type ParsedManifest,
} from '../manifest.js';
import { isLoopbackRegistry } from '../reference.js';

export interface RegistryCredentials {
  username?: string;
  password?: string;
  /** A registry bearer token used as is (e.g. a CI job token exchanged already). */
  registryToken?: string;
}

export interface RegistryClientOptions {
  fetch?: typeof fetch;
  credentials?: RegistryCredentials;
  /** Allow plain HTTP to a registry that is not on loopback (--plain-http). */
  plainHttp?: boolean;
  timeoutMs?: number;
}

export interface FetchedManifest {
  bytes: Uint8Array;
  mediaType: string;
  digest: string;
  manifest: ParsedManifest;
  descriptor: Descriptor;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const TOKEN_LIMIT = 1024 * 1024;
const ERROR_BODY_LIMIT = 8 * 1024;

/** Reads a response body up to `limit` bytes; more is an error, not a silent truncation. */
export async function readBodyLimited(
  response: Response,
  limit: number,
  what: string
): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    await response.body?.cancel();
    throw new CustodyError(
      'OCI_BLOB_INVALID',
      `${what} is ${declared} bytes, over its ${limit}-byte limit`
    );
  }
  if (response.body === null) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let total = 0;
  const stream = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
  for await (const chunk of stream) {
    const value = chunk as Uint8Array;
    total += value.byteLength;
    if (total > limit) {
      stream.destroy();
      throw new CustodyError('OCI_BLOB_INVALID', `${what} is over its ${limit}-byte limit`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

interface Challenge {
  scheme: 'bearer' | 'basic';
  params: Record<string, string>;
}

function parseChallenge(header: string | null): Challenge | undefined {
  if (header === null) return undefined;
  const match = /^\s*(Bearer|Basic)\b\s*(.*)$/i.exec(header);
  if (match === null) return undefined;
  const params: Record<string, string> = {};
  for (const m of (match[2] ?? '').matchAll(/([A-Za-z_]+)="([^"]*)"/g)) {
    if (m[1] !== undefined) params[m[1].toLowerCase()] = m[2] ?? '';
  }
  return { scheme: (match[1] ?? '').toLowerCase() === 'bearer' ? 'bearer' : 'basic', params };
}

export class RegistryClient {
  readonly registry: string;
  readonly repository: string;
  readonly baseURL: string;
  readonly #fetch: typeof fetch;
  readonly #credentials: RegistryCredentials | undefined;
  readonly #timeoutMs: number;
  readonly #plainHttp: boolean;
  #authorization: string | undefined;
  #triedAuthFor = new Set<string>();

  constructor(registry: string, repository: string, options: RegistryClientOptions = {}) {
    this.registry = registry;
    this.repository = repository;
    this.#fetch = options.fetch ?? fetch;
    this.#credentials = options.credentials;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const loopback = isLoopbackRegistry(registry);
    this.#plainHttp = loopback || options.plainHttp === true;
    const host = registry === 'docker.io' ? 'registry-1.docker.io' : registry;
    this.baseURL = `${this.#plainHttp ? 'http' : 'https'}://${host}`;
    for (const secret of [options.credentials?.password, options.credentials?.registryToken]) {
      registerSecret(secret);
    }
    if (options.credentials?.registryToken !== undefined) {
      this.#authorization = `Bearer ${options.credentials.registryToken}`;
    }
  }

  #url(path: string): string {
    return `${this.baseURL}/v2/${this.repository}/${path}`;
  }

  async #send(url: string, init: RequestInit, what: string): Promise<Response> {
    try {
      return await this.#fetch(url, {
        ...init,
        redirect: 'follow',
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      throw new CustodyError(
        'OCI_REGISTRY_FAILED',
        `${what}: ${init.method ?? 'GET'} ${url} failed (${error instanceof Error ? error.message : String(error)})`,
        {
          cause: error,
          hint: 'check that the registry is reachable; custody speaks TLS unless the registry is on loopback or --plain-http is given',
        }
      );
    }
  }

  /** One request with the auth dance: on 401, obtain a token (or Basic) for the scope and retry once. */
  async request(
    path: string,
    init: RequestInit & { headers?: Record<string, string> },
    what: string,
    push = false
  ): Promise<Response> {
    const url = path.startsWith('http') ? path : this.#url(path);
    const headers = {
      ...(init.headers ?? {}),
      ...(this.#authorization === undefined ? {} : { authorization: this.#authorization }),
    };
    const response = await this.#send(url, { ...init, headers }, what);
    if (response.status !== 401) return response;
    const scope = `repository:${this.repository}:${push ? 'pull,push' : 'pull'}`;
    if (this.#triedAuthFor.has(scope)) return response;
    this.#triedAuthFor.add(scope);
    await response.body?.cancel();
    await this.#authenticate(parseChallenge(response.headers.get('www-authenticate')), scope);
    return this.#send(
      url,
      {
        ...init,
        headers: {
          ...(init.headers ?? {}),
          ...(this.#authorization === undefined ? {} : { authorization: this.#authorization }),
        },
      },
      what
    );
  }

  async #authenticate(challenge: Challenge | undefined, scope: string): Promise<void> {
    const creds = this.#credentials;
    const basic =
      creds?.username !== undefined && creds.password !== undefined
        ? Buffer.from(`${creds.username}:${creds.password}`).toString('base64')
        : undefined;
    if (basic !== undefined) registerSecret(basic);
    if (challenge === undefined) {
      throw new CustodyError(
        'OCI_AUTH_FAILED',
        `${this.registry} answered 401 without a usable WWW-Authenticate challenge`
      );
    }
    if (challenge.scheme === 'basic') {
      if (basic === undefined) {
        throw new CustodyError(
          'OCI_AUTH_FAILED',
          `${this.registry} needs credentials (Basic) and none are configured`,
          {
            hint: 'log in (docker login / skopeo login) or set the CI registry variables',
          }
        );
      }
      this.#authorization = `Basic ${basic}`;
      return;
    }
    const realm = challenge.params.realm;
    if (realm === undefined)
      throw new CustodyError(
        'OCI_AUTH_FAILED',
        `${this.registry}: Bearer challenge without a realm`
      );
    let tokenURL: URL;
    try {
      tokenURL = new URL(realm);
    } catch {
      throw new CustodyError('OCI_AUTH_FAILED', `${this.registry}: Bearer realm is not a URL`);
    }
    // Why: credentials go to the token realm; over plain HTTP off loopback anyone on the path
    // would read them, so that realm is refused unless plain HTTP was asked for.
    if (
      tokenURL.protocol !== 'https:' &&
      !(tokenURL.protocol === 'http:' && (isLoopbackRegistry(tokenURL.host) || this.#plainHttp))
    ) {
      throw new CustodyError(
        'OCI_REGISTRY_INSECURE',
        `${this.registry}: token realm ${tokenURL.origin} is not HTTPS`
      );
    }
    if (challenge.params.service !== undefined)
      tokenURL.searchParams.set('service', challenge.params.service);
    tokenURL.searchParams.set('scope', challenge.params.scope ?? scope);
    const response = await this.#send(
      tokenURL.href,
      { headers: basic === undefined ? {} : { authorization: `Basic ${basic}` } },
      'registry token'
    );
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new CustodyError(
        'OCI_AUTH_FAILED',
        `${this.registry}: the token endpoint answered ${response.status} for ${scope}`,
        {
          hint:
            basic === undefined
              ? 'no credentials are configured for this registry'
              : 'the configured credentials were refused',
        }
      );
    }
    const body = await readBodyLimited(response, TOKEN_LIMIT, 'registry token response');
    let token: unknown;
    try {
      const json = JSON.parse(new TextDecoder().decode(body)) as Record<string, unknown>;
      token = json.token ?? json.access_token;
    } catch {
      token = undefined;
    }
    if (typeof token !== 'string' || token === '') {
      throw new CustodyError(
        'OCI_AUTH_FAILED',
        `${this.registry}: the token endpoint returned no token`
      );
    }
    registerSecret(token);
    this.#authorization = `Bearer ${token}`;
  }

  async #failure(response: Response, what: string, notFoundOk = false): Promise<never> {
    const text = new TextDecoder().decode(
      await readBodyLimited(response, ERROR_BODY_LIMIT, 'error body').catch(() => new Uint8Array())
    );
    const detail = text.replace(/\s+/g, ' ').slice(0, 300);
    if (response.status === 404 && !notFoundOk) {
      throw new CustodyError(
        'OCI_NOT_FOUND',
        `${what}: ${this.registry}/${this.repository} answered 404`,
        { details: { status: 404 } }
      );
    }
    if (response.status === 401 || response.status === 403) {
      throw new CustodyError(
        'OCI_AUTH_FAILED',
        `${what}: ${this.registry}/${this.repository} answered ${response.status}`,
        {
          hint: 'check the registry credentials (~/.docker/config.json, DOCKER_CONFIG, CI registry variables) and their scope',
        }
      );
    }
    throw new CustodyError(
      'OCI_REGISTRY_FAILED',
      `${what}: ${this.registry}/${this.repository} answered ${response.status}${detail === '' ? '' : ` (${detail})`}`,
      {
        details: { status: response.status },
      }
    );
  }

  /** HEAD a manifest: its descriptor (digest, media type, size) without the body. */
  async headManifest(reference: string): Promise<Descriptor | undefined> {
    const response = await this.request(
      `manifests/${reference}`,
      { method: 'HEAD', headers: { accept: MANIFEST_ACCEPT } },
      `manifest ${reference}`
    );
    if (response.status === 404) return undefined;
    if (response.status !== 200) return this.#failure(response, `manifest ${reference}`);
    const digest = response.headers.get('docker-content-digest');
    const mediaType = response.headers.get('content-type')?.split(';')[0]?.trim();
    const size = Number(response.headers.get('content-length'));
    if (digest === null || mediaType === undefined || !Number.isSafeInteger(size)) {
      // Some registries omit the digest on HEAD: fall back to GET and hash the bytes.
      return (await this.getManifest(reference)).descriptor;
    }
    return parseDescriptor(
      { mediaType, digest, size },
      `${this.registry}/${this.repository}`,
      `manifest ${reference}`
    );
  }

  /** GET a manifest; by digest the bytes must hash to it, by tag the digest is computed here. */
  async getManifest(reference: string): Promise<FetchedManifest> {
    const what = `manifest ${reference}`;
    const response = await this.request(
      `manifests/${reference}`,
      { headers: { accept: MANIFEST_ACCEPT } },
      what
    );
    if (response.status !== 200) return this.#failure(response, what);
    const bytes = await readBodyLimited(response, MANIFEST_LIMIT, what);
    const digest = sha256Digest(bytes);
    // Why: a registry (or anyone in between) can serve other bytes than the digest names; the
    // digest is the identity everything is signed over, so it is recomputed, never taken on trust.
    if (reference.startsWith('sha256:') && digest !== reference) {
      throw new CustodyError(
        'OCI_MANIFEST_INVALID',
        `${what}: the registry served bytes with digest ${digest}`,
        {
          details: { expected: reference, found: digest },
        }
      );
    }
    const source = `${this.registry}/${this.repository}@${digest}`;
    const manifest = parseManifest(
      bytes,
      response.headers.get('content-type') ?? undefined,
      source
    );
    return {
      bytes,
      mediaType: manifest.mediaType,
      digest,
      manifest,
      descriptor: { mediaType: manifest.mediaType, digest, size: bytes.byteLength },
    };
  }

  /** GET a blob into memory (bundles, configs, small layers), digest-checked. */
  async getBlob(digest: string, limit: number, what = `blob ${digest}`): Promise<Uint8Array> {
    const response = await this.request(`blobs/${digest}`, {}, what);
    if (response.status !== 200) return this.#failure(response, what);
    const bytes = await readBodyLimited(response, limit, what);
    const found = sha256Digest(bytes);
    if (found !== digest) {
      throw new CustodyError(
        'OCI_BLOB_INVALID',
        `${what}: the registry served bytes with digest ${found}`,
        { details: { expected: digest, found } }
      );
    }
    return bytes;
  }

  /** GET a blob as a stream (layers); the caller hashes what it reads. */
  async openBlob(digest: string, what = `blob ${digest}`): Promise<ReadableStream<Uint8Array>> {
    const response = await this.request(`blobs/${digest}`, {}, what);
    if (response.status !== 200 || response.body === null) return this.#failure(response, what);
    return response.body;
  }

  /** The referrers API; `undefined` when the registry does not implement it (404 on the endpoint). */
  async referrers(digest: string): Promise<Descriptor[] | undefined> {
    const what = `referrers of ${digest}`;
    const response = await this.request(
      `referrers/${digest}`,
      { headers: { accept: 'application/vnd.oci.image.index.v1+json' } },
      what
    );
    if (response.status === 404 || response.status === 405 || response.status === 400) {
      await response.body?.cancel();
      return undefined;
    }
    if (response.status !== 200) return this.#failure(response, what);
    const bytes = await readBodyLimited(response, MANIFEST_LIMIT, what);
    const index = parseManifest(
      bytes,
      response.headers.get('content-type') ?? undefined,
      `${this.registry}/${this.repository} ${what}`
    );
    if (index.kind !== 'index')
      throw new CustodyError(
        'OCI_MANIFEST_INVALID',
        `${what}: the referrers API did not return an index`
      );
    return index.manifests;
  }

  async hasBlob(digest: string): Promise<boolean> {
    const response = await this.request(
      `blobs/${digest}`,
      { method: 'HEAD' },
      `blob ${digest}`,
      true
    );
    await response.body?.cancel();
    return response.status === 200;
  }

  /** Monolithic upload (POST then PUT ?digest=); skipped when the blob exists. */
  async putBlob(bytes: Uint8Array): Promise<Descriptor> {
    const digest = sha256Digest(bytes);
    if (await this.hasBlob(digest))
      return { mediaType: 'application/octet-stream', digest, size: bytes.byteLength };
    const what = `upload of blob ${digest}`;
    const start = await this.request(
      'blobs/uploads/',
      { method: 'POST', headers: { 'content-length': '0' } },
      what,
      true
    );
    if (start.status !== 202) return this.#failure(start, what);
    await start.body?.cancel();
    const location = start.headers.get('location');
    if (location === null)
      throw new CustodyError(
        'OCI_REGISTRY_FAILED',
        `${what}: the registry gave no upload location`
      );
    const target = new URL(location, this.baseURL + '/');
    // Why: the upload location comes from the registry; following it to another origin would
    // hand that host our credentials, so uploads stay on the registry's own origin.
    if (target.origin !== new URL(this.baseURL).origin) {
      throw new CustodyError(
        'OCI_REGISTRY_FAILED',
        `${what}: the registry sent the upload to another origin (${target.origin})`
      );
    }
    target.searchParams.set('digest', digest);
    const put = await this.request(
      target.href,
      { method: 'PUT', body: bytes, headers: { 'content-type': 'application/octet-stream' } },
      what,
      true
    );
    if (put.status !== 201) return this.#failure(put, what);
    await put.body?.cancel();
    return { mediaType: 'application/octet-stream', digest, size: bytes.byteLength };
  }

  /** PUT a manifest under a digest or tag; returns the OCI-Subject header when the registry sent one. */
  async putManifest(
    reference: string,
    bytes: Uint8Array,
    mediaType: string
  ): Promise<{ digest: string; subject?: string }> {
    const what = `upload of manifest ${reference}`;
    const response = await this.request(
      `manifests/${reference}`,
      { method: 'PUT', body: bytes, headers: { 'content-type': mediaType } },
      what,
      true
    );
    if (response.status !== 201) return this.#failure(response, what);
    await response.body?.cancel();
    const subject = response.headers.get('oci-subject');
    return { digest: sha256Digest(bytes), ...(subject === null ? {} : { subject }) };
  }
}
