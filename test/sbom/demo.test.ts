import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sbomDemoStep } from '../../src/cli/commands/sbom.js';
import type { DemoState } from '../../src/cli/demo/state.js';
import { DEMO_STEPS } from '../../src/cli/demo/steps.js';
import { validateBom } from '../../src/sbom/index.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function runUpToSbom(): Promise<DemoState> {
  const outDir = await mkdtemp(path.join(os.tmpdir(), 'custody-demo-sbom-'));
  dirs.push(outDir);
  const state: DemoState = {
    ctx: {
      io: { stdout: () => undefined, stderr: () => undefined, stderrIsTTY: false },
      env: { SOURCE_DATE_EPOCH: '1767225600' },
      cwd: outDir,
      now: () => new Date(0),
    },
    outDir,
    artifacts: [],
    facts: new Map(),
    cleanups: [],
    log: () => undefined,
  };
  const names = DEMO_STEPS.map((step) => step.name);
  expect(names).toContain('sbom');
  expect(names.indexOf('sbom')).toBeLessThan(names.indexOf('attest'));
  for (const step of DEMO_STEPS.slice(0, names.indexOf('sbom'))) await step.run(state);
  await sbomDemoStep.run(state);
  return state;
}

describe('demo sbom step', () => {
  it('writes a valid, reproducible hello.cdx.json naming the sample packages and the artifacts', async () => {
    const first = await runUpToSbom();
    const file = first.facts.get('sbom') as string;
    expect(file).toBe(path.join(first.outDir, 'hello.cdx.json'));
    const text = await readFile(file, 'utf8');
    const doc = JSON.parse(text) as {
      metadata: { component: { name: string; version: string } };
      components: { type: string; name: string; version?: string }[];
    };
    expect((await validateBom(doc)).errors).toEqual([]);
    expect(doc.metadata.component).toMatchObject({ name: 'hello', version: '1.0.0' });
    expect(
      doc.components
        .filter((c) => c.type === 'file')
        .map((c) => c.name)
        .sort()
    ).toEqual([...first.artifacts].sort());
    // typescript is a dev dependency of the sample: not in the default SBOM.
    expect(
      doc.components.filter((c) => c.type === 'library').map((c) => `${c.name}@${c.version}`)
    ).toEqual([
      'ansi-styles@4.3.0',
      'chalk@4.0.0',
      'color-convert@2.0.1',
      'color-name@1.1.4',
      'debug@4.4.3',
      'has-flag@4.0.0',
      'ms@2.1.3',
      'supports-color@7.2.0',
    ]);
    const second = await runUpToSbom();
    expect(await readFile(second.facts.get('sbom') as string, 'utf8')).toBe(text);
  });
});
