// Files, trust material and shutdown: the stack writes what it promises and leaves nothing running.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startLocalSigstoreStack } from '../../src/stack/index.js';

function tcpHandles(): number {
  return process
    .getActiveResourcesInfo()
    .filter((name) => name === 'TCPServerWrap' || name === 'TCPSocketWrap').length;
}

/** Handles of closed sockets are released asynchronously: wait (bounded) for the count to drop. */
async function settle(expected: number): Promise<void> {
  for (let i = 0; i < 50 && tcpHandles() > expected; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('startLocalSigstoreStack', () => {
  it('writes trusted_root.json and signing_config.json into options.dir', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'custody-stack-test-'));
    try {
      const stack = await startLocalSigstoreStack({ dir: path.join(dir, 'nested') });
      try {
        expect(stack.trustedRootPath).toBe(path.join(dir, 'nested', 'trusted_root.json'));
        const root = JSON.parse(await readFile(stack.trustedRootPath, 'utf8'));
        expect(root).toEqual(stack.trustedRoot);
        expect(root.mediaType).toBe('application/vnd.dev.sigstore.trustedroot+json;version=0.1');
        const typed = stack.trustedRoot; // equal to the file, as asserted above
        const starts = [
          ...typed.tlogs.map((t) => t.publicKey.validFor.start),
          ...typed.ctlogs.map((t) => t.publicKey.validFor.start),
          ...typed.certificateAuthorities.map((c) => c.validFor.start),
          ...typed.timestampAuthorities.map((c) => c.validFor.start),
        ];
        expect(starts).toHaveLength(4);
        for (const start of starts) expect(Date.parse(start)).toBeLessThan(Date.now());
        expect(root.tlogs[0].baseUrl).toBe(stack.rekorURL);
        expect(root.certificateAuthorities[0].certChain.certificates).toHaveLength(2);
        const config = JSON.parse(await readFile(stack.signingConfigPath, 'utf8'));
        expect(config).toEqual(stack.signingConfig);
        expect(config.caUrls[0].url).toBe(stack.fulcioURL);
        expect(config.oidcUrls[0].url).toBe(stack.oidcURL);
        expect(config.rekorTlogUrls[0].url).toBe(stack.rekorURL);
        expect(config.tsaUrls[0].url).toBe(`${stack.tsaURL}/api/v1/timestamp`);
        for (const url of [stack.fulcioURL, stack.rekorURL, stack.tsaURL, stack.oidcURL]) {
          expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        }
      } finally {
        await stack.close();
      }
      // A caller-chosen directory is kept after close (bundles still need the root).
      expect((await stat(path.join(dir, 'nested', 'trusted_root.json'))).isFile()).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('close() stops every server, drops keep-alive sockets, removes its temp dir; twice is fine', async () => {
    const before = tcpHandles();
    const stack = await startLocalSigstoreStack();
    // Leave a keep-alive connection open on each service.
    await Promise.all(
      [stack.fulcioURL, stack.rekorURL, stack.tsaURL, stack.oidcURL].map(async (url) => {
        await (await fetch(`${url}/unknown`)).text();
      })
    );
    expect(tcpHandles()).toBeGreaterThan(before);
    await stack.close();
    await stack.close();
    await expect(fetch(`${stack.oidcURL}/.well-known/openid-configuration`)).rejects.toThrow();
    await expect(stat(path.dirname(stack.trustedRootPath))).rejects.toThrow();
    // Client-side sockets close asynchronously once the server side is gone.
    for (let i = 0; i < 50 && tcpHandles() > before; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(tcpHandles()).toBe(before);
  });

  it('fails with a clear code when the directory cannot be written, and cleans up', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'custody-stack-test-'));
    try {
      const file = path.join(dir, 'a-file');
      await import('node:fs/promises').then((fs) => fs.writeFile(file, 'x'));
      const before = tcpHandles();
      await expect(startLocalSigstoreStack({ dir: file })).rejects.toMatchObject({
        code: 'STACK_START_FAILED',
      });
      await settle(before);
      expect(tcpHandles()).toBe(before);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
