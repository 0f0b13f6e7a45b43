// Finds the OIDC identity token for keyless signing the way users expect, in this order:
// an explicit token (flag or file), SIGSTORE_ID_TOKEN (GitLab `id_tokens:`, or set by hand), then
// GitHub Actions' token endpoint with audience `sigstore`. The environment and fetch are injected;
// every token found is registered as a secret so no output can show it.
import { CustodyError } from '../errors.js';
import { registerSecret } from '../util/redact.js';

export type IdentitySource = 'flag' | 'file' | 'gitlab' | 'env' | 'github-actions';

export interface IdentityToken {
  token: string;
  source: IdentitySource;
}

export interface DiscoverIdentityOptions {
  env: Readonly<Record<string, string | undefined>>;
  /** --identity-token */
  token?: string;
  /** contents of --identity-token-file */
  tokenFileContents?: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

export const IDENTITY_UNAVAILABLE_HINT =
  'GitHub Actions: add `permissions: id-token: write` to the job. GitLab CI: add\n' +
  '        id_tokens:\n          SIGSTORE_ID_TOKEN:\n            aud: sigstore\n' +
  '  to the job. Elsewhere: pass --identity-token-file FILE (or set SIGSTORE_ID_TOKEN), or sign with --key.';

function checkShape(token: string, source: IdentitySource): IdentityToken {
  const trimmed = token.trim();
  registerSecret(trimmed);
  if (!/^[\w-]+\.[\w-]+\.[\w-]*$/.test(trimmed)) {
    throw new CustodyError(
      'SIGN_IDENTITY_INVALID',
      `the identity token from ${source} is not a JWT (three base64url parts)`,
      { hint: 'pass the raw OIDC ID token, without quotes or a Bearer prefix' }
    );
  }
  return { token: trimmed, source };
}

export async function discoverIdentityToken(
  options: DiscoverIdentityOptions
): Promise<IdentityToken> {
  const { env } = options;
  if (options.token !== undefined && options.token.length > 0)
    return checkShape(options.token, 'flag');
  if (options.tokenFileContents !== undefined) return checkShape(options.tokenFileContents, 'file');
  const fromEnv = env.SIGSTORE_ID_TOKEN;
  if (fromEnv !== undefined && fromEnv.trim().length > 0) {
    return checkShape(fromEnv, env.GITLAB_CI === 'true' ? 'gitlab' : 'env');
  }
  const requestURL = env.ACTIONS_ID_TOKEN_REQUEST_URL;
  const requestToken = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
  if (requestURL !== undefined && requestToken !== undefined && requestURL.length > 0) {
    registerSecret(requestToken);
    return checkShape(await fetchGitHubToken(requestURL, requestToken, options), 'github-actions');
  }
  const where =
    env.GITHUB_ACTIONS === 'true'
      ? 'GitHub Actions did not provide ACTIONS_ID_TOKEN_REQUEST_URL (the job lacks `permissions: id-token: write`)'
      : env.GITLAB_CI === 'true'
        ? 'GitLab CI did not provide SIGSTORE_ID_TOKEN (the job has no `id_tokens:` block)'
        : 'no OIDC identity token found';
  throw new CustodyError('SIGN_IDENTITY_UNAVAILABLE', `${where}: keyless signing needs one`, {
    hint: IDENTITY_UNAVAILABLE_HINT,
  });
}

async function fetchGitHubToken(
  requestURL: string,
  requestToken: string,
  options: DiscoverIdentityOptions
): Promise<string> {
  let url: URL;
  try {
    url = new URL(requestURL);
  } catch (error) {
    throw new CustodyError(
      'SIGN_IDENTITY_UNAVAILABLE',
      'ACTIONS_ID_TOKEN_REQUEST_URL is not a URL',
      {
        cause: error,
        hint: IDENTITY_UNAVAILABLE_HINT,
      }
    );
  }
  url.searchParams.set('audience', 'sigstore');
  const doFetch = options.fetch ?? fetch;
  let response: Response;
  try {
    response = await doFetch(url, {
      headers: { Authorization: `bearer ${requestToken}`, Accept: 'application/json' },
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
  } catch (error) {
    throw new CustodyError(
      'SIGN_IDENTITY_UNAVAILABLE',
      `could not request the GitHub Actions OIDC token: ${error instanceof Error ? error.name : 'network error'}`,
      { hint: 'rerun the job; if it persists check GitHub status' }
    );
  }
  if (!response.ok) {
    throw new CustodyError(
      'SIGN_IDENTITY_UNAVAILABLE',
      `the GitHub Actions OIDC token request failed with HTTP ${response.status}`,
      { hint: IDENTITY_UNAVAILABLE_HINT }
    );
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  const value = (body as { value?: unknown } | undefined)?.value;
  if (typeof value !== 'string' || value.length === 0) {
    throw new CustodyError(
      'SIGN_IDENTITY_UNAVAILABLE',
      'the GitHub Actions OIDC token response has no `value`',
      { hint: IDENTITY_UNAVAILABLE_HINT }
    );
  }
  registerSecret(value);
  return value;
}

/** Reads the unverified `iss` and `sub`/`email` of a JWT for display (never the token itself). */
export function describeToken(token: string): { issuer?: string; subject?: string } {
  const part = token.split('.')[1];
  if (part === undefined) return {};
  try {
    const claims = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
    const subject = typeof claims.email === 'string' ? claims.email : claims.sub;
    return {
      ...(typeof claims.iss === 'string' ? { issuer: claims.iss } : {}),
      ...(typeof subject === 'string' ? { subject } : {}),
    };
  } catch {
    return {};
  }
}
