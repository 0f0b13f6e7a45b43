// Test helper: Debian's docker-registry (the CNCF distribution registry) on 127.0.0.1 with a
// random free port, a temporary storage directory and its own config file. When the binary is
// missing it is installed with apt when the tests run as root; otherwise the helper fails with
// the one command to run. skopeo (Debian) pushes test images into it.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const REGISTRY_BIN = '/usr/bin/docker-registry';
export const SKOPEO_BIN = '/usr/bin/skopeo';

function ensurePackage(bin: string, pkg: string): void {
  if (existsSync(bin)) return;
  if (process.getuid?.() === 0) {
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', pkg], {
      stdio: 'ignore',
      timeout: 300_000,
    });
    if (existsSync(bin)) return;
  }
  throw new Error(
    `${bin} is missing: run  sudo apt-get install -y ${pkg}  (the image tests need a real registry)`
  );
}

export function ensureRegistryTools(): void {
  ensurePackage(REGISTRY_BIN, 'docker-registry');
  ensurePackage(SKOPEO_BIN, 'skopeo');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface LocalRegistry {
  /** host:port, e.g. 127.0.0.1:41234 */
  host: string;
  dir: string;
  close(): Promise<void>;
}

export async function startRegistry(): Promise<LocalRegistry> {
  ensureRegistryTools();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'custody-registry-'));
  const port = await freePort();
  const config = [
    'version: 0.1',
    'log:',
    '  level: error',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${path.join(dir, 'storage')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    '',
  ].join('\n');
  const configFile = path.join(dir, 'config.yml');
  await writeFile(configFile, config);
  const child: ChildProcess = spawn(REGISTRY_BIN, ['serve', configFile], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const host = `127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited: ${stderr}`);
    const ok = await fetch(`http://${host}/v2/`).then(
      (r) => r.status === 200,
      () => false
    );
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`docker-registry did not start on ${host}: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    host,
    dir,
    async close() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Pushes an OCI layout image into the registry with skopeo (plain HTTP to loopback). */
export function skopeoPush(layoutDir: string, tag: string, target: string, all = false): void {
  execFileSync(
    SKOPEO_BIN,
    [
      'copy',
      '--quiet',
      '--insecure-policy',
      '--dest-tls-verify=false',
      ...(all ? ['--all'] : []),
      `oci:${layoutDir}:${tag}`,
      `docker://${target}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 }
  );
}
