// `custody trace --rekor-url`: a loopback Rekor v1 (index/retrieve + log/entries) serving the
// real log entries of a release built on the local stack. Logged artifact signatures are rebuilt
// into bundles and verified; logged DSSE attestations not given locally are gaps.
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Trace } from '../../src/trace/types.js';
import { runCli } from '../helpers/cli.js';
import { buildTracedRelease, type TracedRelease } from './release.js';

let release: TracedRelease;
const scratch: string[] = [];

beforeAll(async () => {
  release = await buildTracedRelease();
});
afterAll(async () => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
  await release?.close();
});

interface TlogEntry {
  canonicalizedBody: string;
  integratedTime: string;
  logIndex?: string;
  logId: { keyId: string };
  inclusionPromise: { signedEntryTimestamp: string };
  inclusionProof: {
    checkpoint: { envelope: string };
    hashes?: string[];
    logIndex?: string;
    rootHash: string;
    treeSize: string;
  };
}

const hex = (b64: string): string => Buffer.from(b64, 'base64').toString('hex');

/** A Rekor API entry from a bundle's tlog entry (the inverse of what the client rebuilds). */
function rekorEntry(bundle: { verificationMaterial: { tlogEntries: TlogEntry[] } }): {
  uuid: string;
  entry: Record<string, unknown>;
} {
  const t = bundle.verificationMaterial.tlogEntries[0]!;
  const uuid = createHash('sha256')
    .update(Buffer.from(t.canonicalizedBody, 'base64'))
    .digest('hex');
  return {
    uuid,
    entry: {
      body: t.canonicalizedBody,
      integratedTime: Number(t.integratedTime),
      logID: hex(t.logId.keyId),
      logIndex: Number(t.logIndex ?? 0),
      verification: {
        signedEntryTimestamp: t.inclusionPromise.signedEntryTimestamp,
        inclusionProof: {
          checkpoint: t.inclusionProof.checkpoint.envelope,
          hashes: (t.inclusionProof.hashes ?? []).map(hex),
          logIndex: Number(t.inclusionProof.logIndex ?? 0),
          rootHash: hex(t.inclusionProof.rootHash),
          treeSize: Number(t.inclusionProof.treeSize),
        },
      },
    },
  };
}

async function fakeRekor(
  digest: string,
  entries: { uuid: string; entry: Record<string, unknown> }[],
  options: { status?: number } = {}
): Promise<{ url: string; requests: string[]; close: () => Promise<void> }> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      requests.push(`${req.method ?? ''} ${req.url ?? ''}`);
      res.setHeader('content-type', 'application/json');
      if (options.status !== undefined) {
        res.statusCode = options.status;
        res.end('{"message":"boom"}');
        return;
      }
      if (req.method === 'POST' && req.url === '/api/v1/index/retrieve') {
        const { hash } = JSON.parse(body) as { hash: string };
        res.end(JSON.stringify(hash === `sha256:${digest}` ? entries.map((e) => e.uuid) : []));
        return;
      }
      const found = entries.find((e) => req.url === `/api/v1/log/entries/${e.uuid}`);
      if (req.method === 'GET' && found !== undefined) {
        res.end(JSON.stringify({ [found.uuid]: found.entry }));
        return;
      }
      res.statusCode = 404;
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function trace(
  dir: string,
  args: string[]
): Promise<{ code: number; trace?: Trace; stderr: string }> {
  const run = await runCli(
    ['--json', 'trace', 'hello-linux-amd64', '--trusted-root', release.trustedRoot, ...args],
    { cwd: dir }
  );
  return {
    code: run.code,
    stderr: run.stderr,
    ...(run.code === 0 ? { trace: JSON.parse(run.stdout) as Trace } : {}),
  };
}

it('finds logged evidence missing from the given files: signatures verified, attestations flagged', async () => {
  const digest = release.digests['hello-linux-amd64']!;
  const signature = JSON.parse(
    readFileSync(path.join(release.dir, 'hello-linux-amd64.sigstore.json'), 'utf8')
  );
  const lines = readFileSync(path.join(release.dir, 'hello.intoto.jsonl'), 'utf8')
    .trim()
    .split('\n');
  const sbom = JSON.parse(lines[0]!);
  const logged = [rekorEntry(signature), rekorEntry(sbom)];
  const rekor = await fakeRekor(digest, logged);
  try {
    // All evidence at hand: the log adds nothing, and nothing is counted twice.
    const full = await trace(release.dir, ['--rekor-url', rekor.url]);
    expect(full.code, full.stderr).toBe(0);
    expect(full.trace!.complete).toBe(true);
    expect(full.trace!.artifacts[0]!.signatures).toHaveLength(1);
    expect(rekor.requests).toContain('POST /api/v1/index/retrieve');
    expect(rekor.requests).toContain(`GET /api/v1/log/entries/${logged[0]!.uuid}`);

    // The signature file and the SBOM attestation withheld.
    const dir = mkdtempSync(path.join(tmpdir(), 'custody-trace-rekor-'));
    scratch.push(dir);
    cpSync(release.dir, dir, { recursive: true });
    rmSync(path.join(dir, 'hello-linux-amd64.sigstore.json'));
    writeFileSync(path.join(dir, 'hello.intoto.jsonl'), `${lines.slice(1).join('\n')}\n`);
    const offline = await trace(dir, []);
    expect(offline.trace!.artifacts[0]!.signatures).toEqual([]);
    const online = await trace(dir, ['--rekor-url', rekor.url]);
    const trail = online.trace!.artifacts[0]!;
    expect(trail.signatures.map((s) => s.attestation.source)).toEqual([`rekor:${logged[0]!.uuid}`]);
    expect(trail.signatures[0]!.attestation.signer.identity).toMatch(
      /release\.yml@refs\/tags\/v1\.0\.0$/
    );
    const notProvided = trail.gaps.find((g) => g.code === 'ATTESTATION_NOT_PROVIDED');
    expect(notProvided).toMatchObject({
      attestation: `rekor:${logged[1]!.uuid}`,
      severity: 'error',
    });
    expect(notProvided?.message).toMatch(/release\.yml@refs\/tags\/v1\.0\.0/);
    expect(trail.gaps.map((g) => g.code)).toEqual(
      expect.arrayContaining(['SBOM_MISSING', 'BYPRODUCT_NOT_FOUND'])
    );
    expect(online.trace!.complete).toBe(false);
  } finally {
    await rekor.close();
  }
});

it('a logged entry that does not verify is a gap; a failing log is an environment error', async () => {
  const digest = release.digests['hello-linux-amd64']!;
  const signature = JSON.parse(
    readFileSync(path.join(release.dir, 'hello-linux-amd64.sigstore.json'), 'utf8')
  );
  const forged = rekorEntry(signature);
  forged.entry.integratedTime = Number(forged.entry.integratedTime) - 3600; // breaks the SET
  const dir = mkdtempSync(path.join(tmpdir(), 'custody-trace-rekor-'));
  scratch.push(dir);
  cpSync(release.dir, dir, { recursive: true });
  rmSync(path.join(dir, 'hello-linux-amd64.sigstore.json'));
  const rekor = await fakeRekor(digest, [forged]);
  try {
    const run = await trace(dir, ['--rekor-url', rekor.url]);
    const gap = run.trace!.artifacts[0]!.gaps.find((g) => g.attestation === `rekor:${forged.uuid}`);
    expect(gap).toMatchObject({ code: 'ATTESTATION_UNVERIFIED', link: 'signature' });
    expect(gap?.reason).toMatch(/^VERIFY_/);
    expect(run.trace!.artifacts[0]!.signatures).toEqual([]);
  } finally {
    await rekor.close();
  }
  const broken = await fakeRekor(digest, [], { status: 500 });
  try {
    const run = await trace(dir, ['--rekor-url', broken.url]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('TRACE_REKOR_LOOKUP_FAILED');
  } finally {
    await broken.close();
  }
  const usage = await trace(dir, ['--rekor-url', 'ftp://rekor.example']);
  expect(usage.code).toBe(2);
});
