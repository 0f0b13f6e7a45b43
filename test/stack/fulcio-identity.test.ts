// The pure claims → certificate identity mapping, checked without any server.
import { describe, expect, it } from 'vitest';
import { buildClaims } from '../../src/stack/claims.js';
import {
  certificateIdentityFromClaims,
  FULCIO_EXTENSION_OIDS,
} from '../../src/stack/fulcio-identity.js';

const context = { now: new Date('2026-01-02T03:04:05Z'), localIssuer: 'http://127.0.0.1:1' };

function extensionsOf(claims: Record<string, unknown>) {
  const result = certificateIdentityFromClaims(claims);
  if (!result.ok) throw new Error(result.reason);
  return {
    san: result.identity.subjectAlternativeName,
    byOid: Object.fromEntries(result.identity.extensions.map((e) => [e.oid, e])),
  };
}

describe('certificateIdentityFromClaims', () => {
  it('stringifies numeric claims and marks only .1–.6 as raw (legacy)', () => {
    const { byOid } = extensionsOf(
      buildClaims('github', { repository_id: 123, run_id: 77 }, context)
    );
    expect(byOid[FULCIO_EXTENSION_OIDS.sourceRepositoryIdentifier]?.value).toBe('123');
    expect(byOid[FULCIO_EXTENSION_OIDS.runInvocationURI]?.value).toBe(
      'https://github.com/acme/hello/actions/runs/77/attempts/1'
    );
    for (const extension of Object.values(byOid)) {
      const n = Number(extension.oid.split('.').pop());
      expect(extension.legacy === true, extension.oid).toBe(n <= 6);
    }
  });

  it('leaves out optional extensions whose claims are absent', () => {
    const { byOid } = extensionsOf(
      buildClaims(
        'gitlab',
        { project_visibility: undefined, runner_environment: undefined },
        context
      )
    );
    expect(byOid[FULCIO_EXTENSION_OIDS.sourceRepositoryVisibilityAtSigning]).toBeUndefined();
    expect(byOid[FULCIO_EXTENSION_OIDS.runnerEnvironment]).toBeUndefined();
    expect(byOid[FULCIO_EXTENSION_OIDS.deploymentEnvironment]).toBeUndefined();
  });

  it('names every missing required claim', () => {
    const result = certificateIdentityFromClaims(
      buildClaims('github', { sha: undefined, run_attempt: undefined, ref: '' }, context)
    );
    expect(result).toEqual({
      ok: false,
      reason: 'token lacks required claims: sha, ref, run_attempt',
    });
    const gitlab = certificateIdentityFromClaims(
      buildClaims('gitlab', { ci_config_ref_uri: undefined }, context)
    );
    expect(gitlab.ok).toBe(false);
  });

  it('gives other issuers an e-mail identity only with a verified email', () => {
    expect(extensionsOf(buildClaims('plain', undefined, context)).san).toEqual({
      type: 'email',
      value: 'release-manager@example.com',
    });
    expect(
      certificateIdentityFromClaims(buildClaims('plain', { email: undefined }, context)).ok
    ).toBe(false);
    expect(
      certificateIdentityFromClaims(buildClaims('plain', { email_verified: 'true' }, context)).ok
    ).toBe(false);
    expect(certificateIdentityFromClaims({}).ok).toBe(false);
  });

  it('buildClaims sets times from the clock and keeps overrides last', () => {
    const claims = buildClaims('github', { iat: 5, sub: 'custom' }, context);
    expect(claims.iat).toBe(5);
    expect(claims.nbf).toBe(Date.parse('2026-01-02T03:04:05Z') / 1000);
    expect(claims.exp).toBe(Date.parse('2026-01-02T03:04:05Z') / 1000 + 3600);
    expect(claims.sub).toBe('custom');
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
  });
});
