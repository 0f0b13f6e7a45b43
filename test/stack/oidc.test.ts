// The local OIDC issuer: real signed JWTs, discovery + JWKS, the GitHub Actions token-request
// flow as @actions/core and sigstore-js call it, and a Fulcio that only certifies what it should.
import * as core from '@actions/core';
import { CIContextProvider } from '@sigstore/sign';
import { createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startLocalSigstoreStack, type LocalSigstoreStack } from '../../src/stack/index.js';
import { redact } from '../../src/util/redact.js';
import { expectCode } from '../helpers/errors.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed JSON, shape asserted below
type Json = any;

let stack: LocalSigstoreStack;
beforeAll(async () => {
  stack = await startLocalSigstoreStack();
});
afterAll(async () => {
  await stack?.close();
});

function decode(token: string): { header: Json; claims: Json } {
  const [h, p] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(h!, 'base64url').toString()),
    claims: JSON.parse(Buffer.from(p!, 'base64url').toString()),
  };
}

describe('tokens', () => {
  it('are ES256 JWTs that verify with the published JWKS', async () => {
    const discovery = (await (
      await fetch(`${stack.oidcURL}/.well-known/openid-configuration`)
    ).json()) as Json;
    expect(discovery.issuer).toBe(stack.oidcURL);
    const jwks = (await (await fetch(discovery.jwks_uri)).json()) as Json;
    const token = stack.issueToken('plain');
    const { header, claims } = decode(token);
    expect(header).toMatchObject({ alg: 'ES256', typ: 'JWT' });
    const jwk = jwks.keys.find((k: { kid: string }) => k.kid === header.kid);
    const [h, p, s] = token.split('.');
    const key = createPublicKey({ key: jwk, format: 'jwk' });
    const ok = (input: string) =>
      verify(
        'sha256',
        Buffer.from(input),
        { key, dsaEncoding: 'ieee-p1363' },
        Buffer.from(s!, 'base64url')
      );
    expect(ok(`${h}.${p}`)).toBe(true);
    expect(ok(`${h}.${p}x`)).toBe(false);
    expect(claims).toMatchObject({
      iss: stack.oidcURL,
      aud: 'sigstore',
      email: 'release-manager@example.com',
      email_verified: true,
    });
    expect(claims.exp).toBeGreaterThan(claims.iat);
  });

  it('carry GitHub Actions and GitLab claims, with overrides and removals', () => {
    const github = decode(stack.issueToken('github')).claims;
    expect(github).toMatchObject({
      iss: 'https://token.actions.githubusercontent.com',
      sub: 'repo:acme/hello:ref:refs/tags/v1.0.0',
      aud: 'sigstore',
      repository: 'acme/hello',
      repository_owner: 'acme',
      ref: 'refs/tags/v1.0.0',
      ref_type: 'tag',
      runner_environment: 'github-hosted',
      job_workflow_ref: 'acme/hello/.github/workflows/release.yml@refs/tags/v1.0.0',
    });
    expect(github.sha).toMatch(/^[0-9a-f]{40}$/);
    const gitlab = decode(
      stack.issueToken('gitlab', { environment: 'prod', runner_id: undefined })
    ).claims;
    expect(gitlab).toMatchObject({
      iss: 'https://gitlab.com',
      sub: 'project_path:acme/hello:ref_type:tag:ref:v1.0.0',
      ci_config_ref_uri: 'gitlab.com/acme/hello//.gitlab-ci.yml@refs/tags/v1.0.0',
      runner_environment: 'gitlab-hosted',
      environment: 'prod',
    });
    expect(gitlab).not.toHaveProperty('runner_id');
  });

  it('refuses unknown profiles and malformed claim overrides', async () => {
    await expectCode(() => stack.issueToken('bitbucket' as never), 'STACK_PROFILE_UNKNOWN');
    await expectCode(() => stack.issueToken('github', { iss: 42 }), 'STACK_CLAIMS_INVALID');
    await expectCode(() => stack.issueToken('github', { aud: [1] }), 'STACK_CLAIMS_INVALID');
    await expectCode(() => stack.issueToken('github', { x: () => 1 }), 'STACK_CLAIMS_INVALID');
    await expectCode(() => stack.issueToken('github', [] as never), 'STACK_CLAIMS_INVALID');
  });

  it('are redacted from CLI output', () => {
    const token = stack.issueToken('gitlab');
    expect(redact(`token=${token}`)).toBe('token=***');
    expect(redact(`t=${stack.githubTokenRequest.token}`)).toBe('t=***');
  });
});

describe('GitHub Actions token request', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
    vi.restoreAllMocks();
  });

  it('serves @actions/core getIDToken', async () => {
    // @actions/core announces the token on stdout (`::add-mask::<jwt>`): keep it out of the log.
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    process.env.ACTIONS_ID_TOKEN_REQUEST_URL = stack.githubTokenRequest.url;
    process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN = stack.githubTokenRequest.token;
    const token = await core.getIDToken('sigstore');
    expect(decode(token).claims).toMatchObject({
      iss: 'https://token.actions.githubusercontent.com',
      aud: 'sigstore',
    });
    const defaultAudience = await core.getIDToken();
    expect(decode(defaultAudience).claims.aud).toBe('https://github.com/acme');
    expect(written.join('')).toContain('::add-mask::');
  });

  it("serves sigstore-js's CI identity provider", async () => {
    delete process.env.SIGSTORE_ID_TOKEN;
    process.env.ACTIONS_ID_TOKEN_REQUEST_URL = stack.githubTokenRequest.url;
    process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN = stack.githubTokenRequest.token;
    const token = await new CIContextProvider('sigstore').getToken();
    expect(decode(token).claims.aud).toBe('sigstore');
  });

  it('answers 401 without the right bearer token', async () => {
    const url = `${stack.githubTokenRequest.url}&audience=sigstore`;
    expect((await fetch(url)).status).toBe(401);
    const wrong = await fetch(url, { headers: { authorization: 'Bearer not-the-token' } });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).not.toContain('eyJ');
    const basic = await fetch(url, {
      headers: { authorization: `Basic ${stack.githubTokenRequest.token}` },
    });
    expect(basic.status).toBe(401);
    const right = await fetch(url, {
      headers: { authorization: `bearer ${stack.githubTokenRequest.token}` },
    });
    expect(right.status).toBe(200);
    expect(((await right.json()) as Json).value).toMatch(/^eyJ/);
  });
});

describe('local Fulcio', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const keyPEM = publicKey.export({ format: 'pem', type: 'spki' }).toString();
  async function request(token: string, subject: string, body?: unknown): Promise<Response> {
    const proof = sign('sha256', Buffer.from(subject), privateKey).toString('base64');
    return fetch(`${stack.fulcioURL}/api/v2/signingCert`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(
        body ?? {
          credentials: { oidcIdentityToken: token },
          publicKeyRequest: {
            publicKey: { algorithm: 'ECDSA', content: keyPEM },
            proofOfPossession: proof,
          },
        }
      ),
    });
  }
  const githubSub = 'repo:acme/hello:ref:refs/tags/v1.0.0';

  it('issues a certificate chain for a valid request', async () => {
    const response = await request(stack.issueToken('github'), githubSub);
    expect(response.status).toBe(201);
    const chain = ((await response.json()) as Json).signedCertificateEmbeddedSct.chain.certificates;
    expect(chain).toHaveLength(3);
  });

  it('rejects a token not signed by the local issuer', async () => {
    const genuine = stack.issueToken('github').split('.');
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const forgedSig = sign('sha256', Buffer.from(`${genuine[0]}.${genuine[1]}`), {
      key: other,
      dsaEncoding: 'ieee-p1363',
    }).toString('base64url');
    const response = await request(`${genuine[0]}.${genuine[1]}.${forgedSig}`, githubSub);
    expect(response.status).toBe(401);
    expect(((await response.json()) as Json).message).toMatch(/signature is invalid/);
  });

  it('rejects expired tokens, wrong audiences and garbage', async () => {
    const expired = stack.issueToken('github', { exp: Math.floor(Date.now() / 1000) - 3600 });
    expect((await request(expired, githubSub)).status).toBe(401);
    const wrongAudience = stack.issueToken('github', { aud: 'not-sigstore' });
    expect((await request(wrongAudience, githubSub)).status).toBe(401);
    expect((await request('not.a.jwt', githubSub)).status).toBe(401);
    expect((await request('', githubSub)).status).toBe(400);
  });

  it('rejects a bad proof of possession, missing claims and unverified email', async () => {
    expect((await request(stack.issueToken('github'), 'someone-else')).status).toBe(400);
    const noWorkflow = stack.issueToken('github', { job_workflow_ref: undefined });
    const response = await request(noWorkflow, githubSub);
    expect(response.status).toBe(400);
    expect(((await response.json()) as Json).message).toMatch(/job_workflow_ref/);
    const unverified = stack.issueToken('plain', { email_verified: false });
    expect((await request(unverified, 'release-manager@example.com')).status).toBe(400);
    expect((await request('', '', { nope: true })).status).toBe(400);
  });

  it('rejects tokens not valid yet, other algorithms, non-EC keys and unknown GitLab ref types', async () => {
    const future = stack.issueToken('github', { nbf: Math.floor(Date.now() / 1000) + 3600 });
    expect((await request(future, githubSub)).status).toBe(401);
    const [, payload, signature] = stack.issueToken('github').split('.');
    const noneHeader = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString(
      'base64url'
    );
    expect((await request(`${noneHeader}.${payload}.${signature}`, githubSub)).status).toBe(401);
    expect((await request(`${noneHeader}.${payload}.`, githubSub)).status).toBe(401);
    const badRef = stack.issueToken('gitlab', { ref_type: 'merge_request' });
    const refResponse = await request(badRef, 'project_path:acme/hello:ref_type:tag:ref:v1.0.0');
    expect(refResponse.status).toBe(400);
    expect(((await refResponse.json()) as Json).message).toMatch(/ref_type/);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const rsaResponse = await request('', '', {
      credentials: { oidcIdentityToken: stack.issueToken('github') },
      publicKeyRequest: {
        publicKey: { content: rsa.publicKey.export({ format: 'pem', type: 'spki' }).toString() },
        proofOfPossession: sign('sha256', Buffer.from(githubSub), rsa.privateKey).toString(
          'base64'
        ),
      },
    });
    expect(rsaResponse.status).toBe(400);
    expect(((await rsaResponse.json()) as Json).message).toMatch(/ECDSA/);
    const k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
    const k1Response = await request('', '', {
      credentials: { oidcIdentityToken: stack.issueToken('github') },
      publicKeyRequest: {
        publicKey: { content: k1.publicKey.export({ format: 'pem', type: 'spki' }).toString() },
        proofOfPossession: sign('sha256', Buffer.from(githubSub), k1.privateKey).toString('base64'),
      },
    });
    expect(k1Response.status).toBe(400);
  });

  it('bounds request bodies (declared or streamed) and answers unknown routes', async () => {
    const target = new URL(`${stack.fulcioURL}/api/v2/signingCert`);
    const post = (headers: Record<string, string | number>, body: Buffer): Promise<number> =>
      new Promise((resolve, reject) => {
        const req = httpRequest(
          {
            host: target.hostname,
            port: target.port,
            path: target.pathname,
            method: 'POST',
            headers,
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          }
        );
        req.on('error', reject);
        req.end(body);
      });
    // Declared too large: refused before reading.
    expect(await post({ 'content-length': 2 * 1024 * 1024 }, Buffer.alloc(0))).toBe(413);
    // Streamed (chunked) past the limit: refused once the limit is crossed.
    expect(
      await post({ 'transfer-encoding': 'chunked' }, Buffer.alloc(1024 * 1024 + 1, 0x20))
    ).toBe(413);
    expect((await fetch(target)).status).toBe(405);
    expect((await fetch(`${stack.fulcioURL}/nope`)).status).toBe(404);
  });
});
