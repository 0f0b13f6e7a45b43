// Fulcio/Rekor failures (5xx with retries, hanging servers with timeouts), identity-token discovery,
// and the guarantee that no token reaches an error message.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  discoverIdentityToken,
  generateKeyPair,
  signArtifact,
  type SignerConfig,
} from '../../src/sign/index.js';
import { startLocalSigstoreStack, type LocalSigstoreStack } from '../../src/stack/index.js';
import { expectCode } from '../helpers/errors.js';

interface FakeService {
  url: string;
  hits: () => number;
  close: () => Promise<void>;
}

async function fakeService(mode: 'error' | 'hang'): Promise<FakeService> {
  let hits = 0;
  const open = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    hits += 1;
    req.resume();
    if (mode === 'error') {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end('{"message":"internal error"}');
    } else {
      open.add(res); // never answers
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits: () => hits,
    close: async () => {
      for (const res of open) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let stack: LocalSigstoreStack;
beforeAll(async () => {
  stack = await startLocalSigstoreStack();
}, 30_000);
afterAll(async () => {
  await stack.close();
});

const fastRetry = { retries: 2, minTimeoutMs: 5, maxTimeoutMs: 20 };

describe('service failures', () => {
  it('Fulcio answering 500 is retried, then SIGN_SERVICE_FAILED', async () => {
    const fulcio = await fakeService('error');
    try {
      const error = await expectCode(
        () =>
          signArtifact(Buffer.from('x'), {
            identity: { kind: 'keyless', token: stack.issueToken('github') },
            fulcioURL: fulcio.url,
            rekorURL: stack.rekorURL,
            retry: fastRetry,
          }),
        'SIGN_SERVICE_FAILED'
      );
      expect(fulcio.hits()).toBe(3); // first attempt + 2 retries
      expect(error.message).toMatch(/500|certificate/i);
    } finally {
      await fulcio.close();
    }
  });

  it('Rekor answering 500 is retried, then SIGN_SERVICE_FAILED', async () => {
    const rekor = await fakeService('error');
    try {
      await expectCode(
        () =>
          signArtifact(Buffer.from('x'), {
            identity: { kind: 'key', privateKeyPEM: generateKeyPair().privateKeyPEM },
            rekorURL: rekor.url,
            retry: fastRetry,
          }),
        'SIGN_SERVICE_FAILED'
      );
      expect(rekor.hits()).toBe(3);
    } finally {
      await rekor.close();
    }
  });

  it('a hanging Rekor times out', async () => {
    const rekor = await fakeService('hang');
    try {
      const started = Date.now();
      await expectCode(
        () =>
          signArtifact(Buffer.from('x'), {
            identity: { kind: 'keyless', token: stack.issueToken('github') },
            fulcioURL: stack.fulcioURL,
            rekorURL: rekor.url,
            timeoutMs: 300,
            retry: { retries: 0 },
          }),
        'SIGN_SERVICE_FAILED'
      );
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await rekor.close();
    }
  });

  it('a hanging Fulcio times out', async () => {
    const fulcio = await fakeService('hang');
    try {
      await expectCode(
        () =>
          signArtifact(Buffer.from('x'), {
            identity: { kind: 'keyless', token: stack.issueToken('github') },
            fulcioURL: fulcio.url,
            rekorURL: stack.rekorURL,
            timeoutMs: 300,
            retry: { retries: 1, minTimeoutMs: 5 },
          }),
        'SIGN_SERVICE_FAILED'
      );
      expect(fulcio.hits()).toBe(2); // the timed-out request is retried once
    } finally {
      await fulcio.close();
    }
  });

  it('a hanging TSA times out too', async () => {
    const tsa = await fakeService('hang');
    try {
      await expectCode(
        () =>
          signArtifact(Buffer.from('x'), {
            identity: { kind: 'keyless', token: stack.issueToken('github') },
            fulcioURL: stack.fulcioURL,
            rekorURL: stack.rekorURL,
            tsaURL: tsa.url,
            timeoutMs: 300,
            retry: { retries: 0 },
          }),
        'SIGN_SERVICE_FAILED'
      );
    } finally {
      await tsa.close();
    }
  });

  it('a malformed signing config is SIGN_CONFIG_INVALID', async () => {
    const base: SignerConfig = {
      identity: { kind: 'keyless', token: stack.issueToken('github') },
    };
    await expectCode(
      () => signArtifact(Buffer.from('x'), { ...base, signingConfig: [] }),
      'SIGN_CONFIG_INVALID'
    );
    await expectCode(
      () => signArtifact(Buffer.from('x'), { ...base, signingConfig: { mediaType: 'text/plain' } }),
      'SIGN_CONFIG_INVALID'
    );
    await expectCode(
      () =>
        signArtifact(Buffer.from('x'), {
          ...base,
          signingConfig: { ...stack.signingConfig, caUrls: [] },
          rekorEntryType: 'intoto',
        }),
      'SIGN_CONFIG_INVALID'
    );
  });
});

describe('identity tokens never leak', () => {
  it('a token with an unverified email claim is refused without echoing it', async () => {
    const token = stack.issueToken('plain', { email: 'dev@example.com', email_verified: false });
    const error = await expectCode(
      () =>
        signArtifact(Buffer.from('x'), {
          identity: { kind: 'keyless', token },
          fulcioURL: stack.fulcioURL,
          rekorURL: stack.rekorURL,
        }),
      'SIGN_IDENTITY_INVALID'
    );
    const everything = JSON.stringify({
      m: error.message,
      h: error.hint,
      d: error.details,
      c: String(error.cause),
    });
    expect(everything).not.toContain(token);
    expect(everything).not.toContain(token.split('.')[1]);
  });

  it('keyless signing refuses --no-tlog', async () => {
    await expectCode(
      () =>
        signArtifact(Buffer.from('x'), {
          identity: { kind: 'keyless', token: 'a.b.c' },
          tlog: false,
        }),
      'SIGN_CONFIG_INVALID'
    );
  });
});

describe('identity discovery', () => {
  it('prefers an explicit token, then SIGSTORE_ID_TOKEN (GitLab), then GitHub Actions', async () => {
    const token = stack.issueToken('github');
    expect(await discoverIdentityToken({ env: {}, token })).toEqual({ token, source: 'flag' });
    expect(await discoverIdentityToken({ env: {}, tokenFileContents: `${token}\n` })).toEqual({
      token,
      source: 'file',
    });
    const gitlab = stack.issueToken('gitlab');
    expect(
      await discoverIdentityToken({ env: { SIGSTORE_ID_TOKEN: gitlab, GITLAB_CI: 'true' } })
    ).toEqual({ token: gitlab, source: 'gitlab' });
    const fromActions = await discoverIdentityToken({
      env: {
        ACTIONS_ID_TOKEN_REQUEST_URL: stack.githubTokenRequest.url,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: stack.githubTokenRequest.token,
      },
    });
    expect(fromActions.source).toBe('github-actions');
    const claims = JSON.parse(
      Buffer.from(fromActions.token.split('.')[1] ?? '', 'base64url').toString()
    ) as {
      aud: unknown;
      iss: unknown;
    };
    expect(claims.aud).toBe('sigstore');
    expect(claims.iss).toBe('https://token.actions.githubusercontent.com');
  });

  it('names the fix when no token is available', async () => {
    const github = await expectCode(
      () => discoverIdentityToken({ env: { GITHUB_ACTIONS: 'true' } }),
      'SIGN_IDENTITY_UNAVAILABLE'
    );
    expect(github.message).toContain('id-token: write');
    expect(github.hint).toContain('permissions: id-token: write');
    expect(github.hint).toContain('id_tokens:');
    const gitlab = await expectCode(
      () => discoverIdentityToken({ env: { GITLAB_CI: 'true' } }),
      'SIGN_IDENTITY_UNAVAILABLE'
    );
    expect(gitlab.message).toContain('id_tokens:');
  });

  it('a failing GitHub token endpoint is SIGN_IDENTITY_UNAVAILABLE without the request token', async () => {
    const endpoint = await fakeService('error');
    try {
      const error = await expectCode(
        () =>
          discoverIdentityToken({
            env: {
              ACTIONS_ID_TOKEN_REQUEST_URL: `${endpoint.url}/token?api-version=2.0`,
              ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'request-secret-123',
            },
          }),
        'SIGN_IDENTITY_UNAVAILABLE'
      );
      expect(error.message).toContain('HTTP 500');
      expect(JSON.stringify(error)).not.toContain('request-secret-123');
    } finally {
      await endpoint.close();
    }
  });

  it('rejects a token that is not a JWT', async () => {
    await expectCode(
      () => discoverIdentityToken({ env: {}, token: 'not a jwt' }),
      'SIGN_IDENTITY_INVALID'
    );
  });
});
