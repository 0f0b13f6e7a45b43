// The local Fulcio certifies what real Fulcio would for each profile: SAN, issuer and the
// Fulcio extensions, read back through @sigstore/verify after a full sign/verify round trip.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SAMPLE_COMMIT_SHA,
  SAMPLE_CONFIG_SHA,
  startLocalSigstoreStack,
  type LocalSigstoreStack,
} from '../../src/stack/index.js';
import {
  derUTF8,
  fulcioExtensions,
  oid,
  signBlob,
  signStatement,
  verifyBundle,
} from './helpers.js';

let stack: LocalSigstoreStack;
beforeAll(async () => {
  stack = await startLocalSigstoreStack();
});
afterAll(async () => {
  await stack?.close();
});

const data = new TextEncoder().encode('release artifact\n');
const GITHUB_SAN = 'https://github.com/acme/hello/.github/workflows/release.yml@refs/tags/v1.0.0';
const GITLAB_SAN = 'https://gitlab.com/acme/hello//.gitlab-ci.yml@refs/tags/v1.0.0';

describe('github profile', () => {
  it('gets the SAN, issuer and every Fulcio extension GitHub claims map to', async () => {
    const bundle = await signBlob(stack, data, { profile: 'github' });
    const signer = verifyBundle(stack, bundle, data, {
      subjectAlternativeName: GITHUB_SAN,
      extensions: { issuer: 'https://token.actions.githubusercontent.com' },
    });
    expect(signer.identity?.subjectAlternativeName).toBe(GITHUB_SAN);
    expect(fulcioExtensions(signer)).toEqual({
      [oid(1)]: 'https://token.actions.githubusercontent.com',
      [oid(2)]: 'push',
      [oid(3)]: SAMPLE_COMMIT_SHA,
      [oid(4)]: 'release',
      [oid(5)]: 'acme/hello',
      [oid(6)]: 'refs/tags/v1.0.0',
      [oid(8)]: 'https://token.actions.githubusercontent.com',
      [oid(9)]: GITHUB_SAN,
      [oid(10)]: SAMPLE_COMMIT_SHA,
      [oid(11)]: 'github-hosted',
      [oid(12)]: 'https://github.com/acme/hello',
      [oid(13)]: SAMPLE_COMMIT_SHA,
      [oid(14)]: 'refs/tags/v1.0.0',
      [oid(15)]: '100000001',
      [oid(16)]: 'https://github.com/acme',
      [oid(17)]: '200000002',
      [oid(18)]: GITHUB_SAN,
      [oid(19)]: SAMPLE_COMMIT_SHA,
      [oid(20)]: 'push',
      [oid(21)]: 'https://github.com/acme/hello/actions/runs/9000000001/attempts/1',
      [oid(22)]: 'public',
    });
  });

  it('derives the identity from overridden claims (reusable workflow, environment)', async () => {
    const bundle = await signBlob(stack, data, {
      profile: 'github',
      claims: {
        job_workflow_ref: 'acme/builders/.github/workflows/build.yml@refs/tags/v2',
        environment: 'production',
        runner_environment: 'self-hosted',
      },
    });
    const signer = verifyBundle(stack, bundle, data, {
      subjectAlternativeName:
        'https://github.com/acme/builders/.github/workflows/build.yml@refs/tags/v2',
    });
    const extensions = fulcioExtensions(signer);
    expect(extensions[oid(9)]).toBe(
      'https://github.com/acme/builders/.github/workflows/build.yml@refs/tags/v2'
    );
    expect(extensions[oid(18)]).toBe(GITHUB_SAN); // the caller workflow stays the build config
    expect(extensions[oid(11)]).toBe('self-hosted');
    expect(extensions[oid(23)]).toBe('production');
  });

  it('rejects a wrong expected SAN, issuer or extension value', async () => {
    const bundle = await signBlob(stack, data, { profile: 'github' });
    expect(() =>
      verifyBundle(stack, bundle, data, {
        subjectAlternativeName:
          'https://github.com/evil/hello/.github/workflows/release.yml@refs/tags/v1.0.0',
      })
    ).toThrow(/certificate identity error/);
    expect(() =>
      verifyBundle(stack, bundle, data, { extensions: { issuer: 'https://gitlab.com' } })
    ).toThrow(/invalid certificate extension/);
    expect(() =>
      verifyBundle(stack, bundle, data, {
        oids: [{ oid: { id: oid(14).split('.').map(Number) }, value: derUTF8('refs/heads/main') }],
      })
    ).toThrow(/oid/i);
    // …and the same policy with the right value passes: the negative above is not vacuous.
    verifyBundle(stack, bundle, data, {
      oids: [{ oid: { id: oid(14).split('.').map(Number) }, value: derUTF8('refs/tags/v1.0.0') }],
    });
  });

  it('rejects a tampered artifact', async () => {
    const bundle = await signBlob(stack, data, { profile: 'github' });
    expect(() => verifyBundle(stack, bundle, new TextEncoder().encode('other\n'), {})).toThrow();
  });
});

describe('gitlab profile', () => {
  it('gets the SAN, issuer and every Fulcio extension GitLab claims map to (DSSE + TSA)', async () => {
    const bundle = await signStatement(
      stack,
      { _type: 'https://in-toto.io/Statement/v1' },
      {
        profile: 'gitlab',
        tsa: true,
      }
    );
    const signer = verifyBundle(stack, bundle, undefined, {
      subjectAlternativeName: GITLAB_SAN,
      extensions: { issuer: 'https://gitlab.com' },
    });
    expect(signer.identity?.subjectAlternativeName).toBe(GITLAB_SAN);
    expect(fulcioExtensions(signer)).toEqual({
      [oid(1)]: 'https://gitlab.com',
      [oid(8)]: 'https://gitlab.com',
      [oid(9)]: GITLAB_SAN,
      [oid(10)]: SAMPLE_CONFIG_SHA,
      [oid(11)]: 'gitlab-hosted',
      [oid(12)]: 'https://gitlab.com/acme/hello',
      [oid(13)]: SAMPLE_COMMIT_SHA,
      [oid(14)]: 'refs/tags/v1.0.0',
      [oid(15)]: '500000005',
      [oid(16)]: 'https://gitlab.com/acme',
      [oid(17)]: '400000004',
      [oid(18)]: GITLAB_SAN,
      [oid(19)]: SAMPLE_CONFIG_SHA,
      [oid(20)]: 'push',
      [oid(21)]: 'https://gitlab.com/acme/hello/-/jobs/800000008',
      [oid(22)]: 'public',
    });
  });

  it('maps a branch pipeline to refs/heads/', async () => {
    const bundle = await signBlob(stack, data, {
      profile: 'gitlab',
      claims: {
        ref: 'main',
        ref_type: 'branch',
        ci_config_ref_uri: 'gitlab.com/acme/hello//.gitlab-ci.yml@refs/heads/main',
      },
    });
    const signer = verifyBundle(stack, bundle, data, {
      subjectAlternativeName: 'https://gitlab.com/acme/hello//.gitlab-ci.yml@refs/heads/main',
    });
    expect(fulcioExtensions(signer)[oid(14)]).toBe('refs/heads/main');
  });
});

describe('plain profile', () => {
  it('certifies the verified email with the local issuer', async () => {
    const bundle = await signBlob(stack, data, { profile: 'plain' });
    const signer = verifyBundle(stack, bundle, data, {
      subjectAlternativeName: 'release-manager@example.com',
      extensions: { issuer: stack.oidcURL },
    });
    expect(signer.identity?.subjectAlternativeName).toBe('release-manager@example.com');
    expect(fulcioExtensions(signer)).toEqual({ [oid(1)]: stack.oidcURL, [oid(8)]: stack.oidcURL });
  });
});
