import { readFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import type { DemoState } from '../../src/cli/demo/state.js';
import { DEMO_STEPS } from '../../src/cli/demo/steps.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('demo checksums step', () => {
  it('runs right after the artifacts step, writes SHA256SUMS that sha256sum -c accepts', async () => {
    const names = DEMO_STEPS.map((step) => step.name);
    expect(names.indexOf('checksums')).toBe(names.indexOf('artifacts') + 1);
    const outDir = await mkdtemp(path.join(os.tmpdir(), 'custody-demo-digest-'));
    dirs.push(outDir);
    const log: string[] = [];
    const state: DemoState = {
      ctx: {
        io: { stdout: () => undefined, stderr: () => undefined, stderrIsTTY: false },
        env: {},
        cwd: outDir,
        now: () => new Date(0),
      },
      outDir,
      artifacts: [],
      facts: new Map(),
      cleanups: [],
      log: (line) => log.push(line),
    };
    for (const step of DEMO_STEPS.slice(0, names.indexOf('checksums') + 1)) await step.run(state);
    const sums = path.join(outDir, 'SHA256SUMS');
    expect(state.facts.get('checksums')).toBe(sums);
    const text = await readFile(sums, 'utf8');
    expect(
      text
        .trimEnd()
        .split('\n')
        .map((line) => line.slice(66))
    ).toEqual(state.artifacts);
    expect(spawnSync('sha256sum', ['-c', '--strict', 'SHA256SUMS'], { cwd: outDir }).status).toBe(
      0
    );
    expect(log).toContain('verified SHA256SUMS: 3 OK');
  });
});
