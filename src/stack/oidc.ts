// The local OIDC issuer: discovery document, JWKS, and GitHub Actions' ID-token request endpoint
// (`GET <ACTIONS_ID_TOKEN_REQUEST_URL>&audience=...` with `Authorization: bearer <request token>`,
// answering `{"value": "<jwt>"}`), which @actions/core and sigstore-js's CI provider call.
import { timingSafeEqual } from 'node:crypto';
import type { Route, ServiceResponse } from './http.js';
import { jsonError } from './http.js';
import { jwksOf, type JWTSigningKey } from './jwt.js';

export const GITHUB_TOKEN_PATH = '/github/id-token';
export const JWKS_PATH = '/.well-known/jwks';
export const DISCOVERY_PATH = '/.well-known/openid-configuration';

export function oidcRoutes(options: {
  issuerURL: string;
  key: JWTSigningKey;
  requestToken: string;
  /** Issues a GitHub-profile token for `audience` (default audience when undefined). */
  issueGithubToken(audience: string | undefined): string;
}): Route[] {
  const discovery = {
    issuer: options.issuerURL,
    jwks_uri: `${options.issuerURL}${JWKS_PATH}`,
    response_types_supported: ['id_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['ES256'],
    claims_supported: ['iss', 'sub', 'aud', 'exp', 'iat', 'nbf', 'jti', 'email', 'email_verified'],
  };
  return [
    { method: 'GET', path: DISCOVERY_PATH, handler: () => json(200, discovery) },
    { method: 'GET', path: JWKS_PATH, handler: () => json(200, jwksOf(options.key)) },
    {
      method: 'GET',
      path: GITHUB_TOKEN_PATH,
      handler: (request) => {
        if (!bearerMatches(request.headers.authorization, options.requestToken)) {
          return {
            ...jsonError(401, 'bad credentials'),
            headers: { 'www-authenticate': 'Bearer' },
          };
        }
        const audience = request.query.get('audience') ?? undefined;
        return json(200, {
          value: options.issueGithubToken(audience === '' ? undefined : audience),
        });
      },
    },
  ];
}

function bearerMatches(header: string | undefined, expected: string): boolean {
  const match = /^bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (match === null) return false;
  const given = Buffer.from(match[1]!);
  const wanted = Buffer.from(expected);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

function json(statusCode: number, value: unknown): ServiceResponse {
  return { statusCode, contentType: 'application/json', body: JSON.stringify(value) };
}
