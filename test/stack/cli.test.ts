// `custody stack start`: runs in the foreground, publishes stack.json (0600) when ready, serves
// real signing, and stops at its TTL, removing the token files.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LocalSigstoreStack } from '../../src/stack/index.js';
import { runCli } from '../helpers/cli.js';
import { signBlob, verifyBundle } from './helpers.js';

let cwd: string;
beforeEach(async () => {
  cwd = await mkdtemp(path.join(os.tmpdir(), 'custody-stack-cli-'));
});
afterEach(async () => {
  await rm(cwd, { recursive: true, force: true });
});

async function waitForFile(file: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await stat(file);
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`${file} did not appear`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

describe('custody stack start', () => {
  it('serves signing until the TTL, then stops and removes stack.json', async () => {
    const run = runCli(['stack', 'start', '--dir', 'st', '--ttl', '3', '--print-env'], { cwd });
    const stackFile = path.join(cwd, 'st', 'stack.json');
    await waitForFile(stackFile);
    expect((await stat(stackFile)).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(cwd, 'st', 'stack.env'))).mode & 0o777).toBe(0o600);
    const info = JSON.parse(await readFile(stackFile, 'utf8'));
    expect(Object.keys(info.tokens).sort()).toEqual(['github', 'gitlab', 'plain']);
    expect(info.env.ACTIONS_ID_TOKEN_REQUEST_URL).toBe(info.githubTokenRequest.url);
    // Another process would sign with what stack.json says: do exactly that.
    const remote = {
      fulcioURL: info.fulcioURL,
      rekorURL: info.rekorURL,
      tsaURL: info.tsaURL,
      trustedRootPath: info.trustedRootPath,
      issueToken: (profile: 'github' | 'gitlab' | 'plain') => info.tokens[profile] as string,
    } as unknown as LocalSigstoreStack;
    const data = Buffer.from('artifact');
    const bundle = await signBlob(remote, data, { profile: 'gitlab', tsa: true });
    verifyBundle(remote, bundle, data, {
      subjectAlternativeName: 'https://gitlab.com/acme/hello//.gitlab-ci.yml@refs/tags/v1.0.0',
    });
    const token = await fetch(info.githubTokenRequest.url + '&audience=sigstore', {
      headers: { authorization: `Bearer ${info.githubTokenRequest.token}` },
    });
    expect(token.status).toBe(200);

    const result = await run;
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`SIGSTORE_FULCIO_URL=${info.fulcioURL}`);
    expect(result.stdout).toContain(`SIGSTORE_TRUSTED_ROOT=${info.trustedRootPath}`);
    expect(result.stdout).toContain('stopped (ttl of 3 s reached)');
    // No secret reaches stdout.
    expect(result.stdout).not.toContain(info.githubTokenRequest.token);
    expect(result.stdout).not.toMatch(/eyJ[\w-]+\./);
    await expect(stat(stackFile)).rejects.toThrow();
    await expect(stat(path.join(cwd, 'st', 'stack.env'))).rejects.toThrow();
    expect((await stat(path.join(cwd, 'st', 'trusted_root.json'))).isFile()).toBe(true);
    await expect(fetch(`${info.oidcURL}/.well-known/openid-configuration`)).rejects.toThrow();
  });

  it('rejects a bad --ttl with a usage error', async () => {
    for (const ttl of ['0', '-5', 'abc', '999999']) {
      const result = await runCli(['stack', 'start', '--ttl', ttl], { cwd });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('error[USAGE_INVALID]');
    }
  });

  it('--json prints a summary after stopping', async () => {
    const result = await runCli(['--json', 'stack', 'start', '--dir', 'j', '--ttl', '1'], { cwd });
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.stopped).toBe('ttl of 1 s reached');
    expect(json.trustedRootPath).toBe(path.join(cwd, 'j', 'trusted_root.json'));
  });
});
