// The real-world bundle corpus (84 cases from nine Sigstore clients' test data, in
// ../shared/conformance/real-world), driven by its own run.mjs against a fresh build of this
// checkout's CLI: every counted case must give the expected result (disputed ones are reported,
// not counted). Covers messageSignature bundles without messageDigest and checkpoints whose
// signer name is not part of the log URL (sigstore-go's rule).
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusPath } from './shared.js';

const run = promisify(execFile);
const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
let out: string;

beforeAll(async () => {
  out = await mkdtemp(path.join(os.tmpdir(), 'custody-real-world-'));
  await run(process.execPath, [path.join(REPO_ROOT, 'scripts/build.mjs'), '--outdir', out], {
    cwd: REPO_ROOT,
  });
}, 300_000);

afterAll(async () => {
  if (out !== undefined) await rm(out, { recursive: true, force: true });
});

describe('real-world Sigstore bundles (run.mjs)', () => {
  it('gives the expected result for every counted case', async () => {
    const runner = corpusPath('conformance', 'real-world', 'run.mjs');
    let stdout: string;
    let code = 0;
    try {
      ({ stdout } = await run(
        process.execPath,
        [runner, process.execPath, path.join(out, 'cli.js')],
        {
          cwd: path.dirname(runner),
          maxBuffer: 16 * 1024 * 1024,
          timeout: 900_000,
        }
      ));
    } catch (error) {
      const e = error as { stdout?: string; code?: number };
      stdout = e.stdout ?? '';
      code = typeof e.code === 'number' ? e.code : 1;
    }
    const lines = stdout.trim().split('\n');
    const mismatches = lines.filter((l) => l.startsWith('MISMATCH'));
    expect(mismatches).toEqual([]);
    const last = /^real-world: (\d+)\/(\d+) cases as expected$/.exec(lines.at(-1) ?? '');
    expect(last, lines.at(-1)).not.toBeNull();
    expect(last![1]).toBe(last![2]);
    expect(code).toBe(0);
  }, 900_000);
});
