// Default identity-token claims of the local OIDC issuer's profiles. `github` mirrors a GitHub
// Actions ID token of a tag-triggered release workflow, `gitlab` a GitLab CI `id_tokens` token of a
// tag pipeline, `plain` an interactive e-mail identity issued by the local issuer itself.
import { randomUUID } from 'node:crypto';
import { CustodyError } from '../errors.js';

export type TokenProfile = 'github' | 'gitlab' | 'plain';
export const TOKEN_PROFILES: readonly TokenProfile[] = ['github', 'gitlab', 'plain'];

export type Claims = Record<string, unknown>;

export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';
export const GITLAB_ISSUER = 'https://gitlab.com';
/** Audience every profile's token carries by default: what Fulcio requires. */
export const SIGSTORE_AUDIENCE = 'sigstore';
/** Lifetime of an issued token unless `exp` is overridden. */
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 3600;

/** The commit the sample identities were built from (same for both CI profiles). */
export const SAMPLE_COMMIT_SHA = '5e1f0c3a9b2d4e6f8a7c9b0d1e2f3a4b5c6d7e8f';
export const SAMPLE_CONFIG_SHA = 'c0ffee0123456789abcdef0123456789abcdef01';

export function isTokenProfile(value: unknown): value is TokenProfile {
  return typeof value === 'string' && (TOKEN_PROFILES as readonly string[]).includes(value);
}

export function assertTokenProfile(value: unknown): TokenProfile {
  if (!isTokenProfile(value)) {
    throw new CustodyError(
      'STACK_PROFILE_UNKNOWN',
      `unknown token profile ${JSON.stringify(value)}: use github, gitlab or plain`
    );
  }
  return value;
}

/**
 * The full claim set of a token: profile defaults, then `overrides` (a key set to `undefined`
 * removes that claim). Times are whole seconds from `now`.
 */
export function buildClaims(
  profile: TokenProfile,
  overrides: Claims | undefined,
  context: { now: Date; localIssuer: string }
): Claims {
  const iat = Math.floor(context.now.getTime() / 1000);
  const times = { iat, nbf: iat, exp: iat + DEFAULT_TOKEN_LIFETIME_SECONDS, jti: randomUUID() };
  const defaults = profileDefaults(assertTokenProfile(profile), context.localIssuer);
  const claims: Claims = { ...defaults, ...times };
  for (const [key, value] of Object.entries(validateOverrides(overrides))) {
    if (value === undefined) delete claims[key];
    else claims[key] = value;
  }
  return claims;
}

function profileDefaults(profile: TokenProfile, localIssuer: string): Claims {
  switch (profile) {
    case 'github': {
      const workflowRef = 'acme/hello/.github/workflows/release.yml@refs/tags/v1.0.0';
      return {
        iss: GITHUB_ISSUER,
        sub: 'repo:acme/hello:ref:refs/tags/v1.0.0',
        aud: SIGSTORE_AUDIENCE,
        ref: 'refs/tags/v1.0.0',
        ref_type: 'tag',
        ref_protected: 'false',
        sha: SAMPLE_COMMIT_SHA,
        repository: 'acme/hello',
        repository_id: '100000001',
        repository_owner: 'acme',
        repository_owner_id: '200000002',
        repository_visibility: 'public',
        actor: 'octocat',
        actor_id: '300000003',
        workflow: 'release',
        workflow_ref: workflowRef,
        workflow_sha: SAMPLE_COMMIT_SHA,
        job_workflow_ref: workflowRef,
        job_workflow_sha: SAMPLE_COMMIT_SHA,
        event_name: 'push',
        head_ref: '',
        base_ref: '',
        run_id: '9000000001',
        run_number: '42',
        run_attempt: '1',
        runner_environment: 'github-hosted',
      };
    }
    case 'gitlab':
      return {
        iss: GITLAB_ISSUER,
        sub: 'project_path:acme/hello:ref_type:tag:ref:v1.0.0',
        aud: SIGSTORE_AUDIENCE,
        namespace_id: '400000004',
        namespace_path: 'acme',
        project_id: '500000005',
        project_path: 'acme/hello',
        project_visibility: 'public',
        user_id: '600000006',
        user_login: 'release-bot',
        user_access_level: 'maintainer',
        pipeline_id: '700000007',
        pipeline_source: 'push',
        job_id: '800000008',
        ref: 'v1.0.0',
        ref_type: 'tag',
        ref_path: 'refs/tags/v1.0.0',
        ref_protected: 'true',
        sha: SAMPLE_COMMIT_SHA,
        runner_id: 12345,
        runner_environment: 'gitlab-hosted',
        ci_config_ref_uri: 'gitlab.com/acme/hello//.gitlab-ci.yml@refs/tags/v1.0.0',
        ci_config_sha: SAMPLE_CONFIG_SHA,
      };
    case 'plain':
      return {
        iss: localIssuer,
        sub: 'release-manager@example.com',
        aud: SIGSTORE_AUDIENCE,
        email: 'release-manager@example.com',
        email_verified: true,
      };
  }
}

function validateOverrides(overrides: unknown): Claims {
  if (overrides === undefined) return {};
  if (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides)) {
    throw new CustodyError('STACK_CLAIMS_INVALID', 'token claim overrides must be an object');
  }
  const claims = overrides as Claims;
  for (const [key, value] of Object.entries(claims)) {
    if (value === undefined) continue;
    if (!isJSONValue(value)) {
      throw new CustodyError(
        'STACK_CLAIMS_INVALID',
        `token claim ${JSON.stringify(key)} is not a JSON value`
      );
    }
    if ((key === 'iss' || key === 'sub') && typeof value !== 'string') {
      throw new CustodyError('STACK_CLAIMS_INVALID', `token claim ${key} must be a string`);
    }
    if (
      key === 'aud' &&
      typeof value !== 'string' &&
      !(Array.isArray(value) && value.every((item) => typeof item === 'string'))
    ) {
      throw new CustodyError(
        'STACK_CLAIMS_INVALID',
        'token claim aud must be a string or a list of strings'
      );
    }
  }
  return claims;
}

function isJSONValue(value: unknown, depth = 0): boolean {
  if (depth > 16) return false;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((item) => isJSONValue(item, depth + 1));
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) return false;
    return Object.values(value).every((item) => isJSONValue(item, depth + 1));
  }
  return false;
}
