// The demo's signing step: every artifact and SHA256SUMS gets a verified v0.3 bundle, and the
// stack's trusted root is shipped in the release as trusted_root.json.
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { loadTrustedRoot, verifyBundle } from '../../src/sign/index.js';
import { runCli } from '../helpers/cli.js';

it('custody demo signs and verifies every artifact and SHA256SUMS', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'custody-demo-sign-'));
  try {
    const run = await runCli(['--json', 'demo', '--out', 'release'], { cwd: dir });
    const out = path.join(dir, 'release');
    const json = JSON.parse(run.stdout) as { steps: string[]; artifacts: string[]; log: string[] };
    expect(json.steps).toContain('sign');
    const trust = loadTrustedRoot(
      JSON.parse(await readFile(path.join(out, 'trusted_root.json'), 'utf8'))
    );
    const files = [...json.artifacts, 'SHA256SUMS'];
    const present = await readdir(out);
    for (const file of files) {
      expect(present).toContain(`${file}.sigstore.json`);
      const bundle = JSON.parse(
        await readFile(path.join(out, `${file}.sigstore.json`), 'utf8')
      ) as unknown;
      const verified = verifyBundle(
        bundle,
        { kind: 'bytes', bytes: await readFile(path.join(out, file)) },
        trust,
        {
          subjectAlternativeName: /^https:\/\/github\.com\//,
          issuer: 'https://token.actions.githubusercontent.com',
        }
      );
      expect(verified.kind).toBe('message-signature');
      expect(
        json.log.some((line) => line.startsWith(`signed ${file} → ${file}.sigstore.json`))
      ).toBe(true);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}, 60_000);
