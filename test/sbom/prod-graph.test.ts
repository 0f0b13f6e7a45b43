// The production graph (the SBOM without --include-dev) is what `cyclonedx-npm --omit dev`
// reports: no dev edges even to packages that are production through another path, no edges
// that only a dev install copy has, and a project's dev dependency wins over its peer one.
import { describe, expect, it } from 'vitest';
import { generateSbom, lockfileGraph } from '../../src/sbom/index.js';
import { runCli } from '../helpers/cli.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

const LOCK = {
  name: 'graph-app',
  version: '1.0.0',
  lockfileVersion: 3,
  requires: true,
  packages: {
    '': {
      name: 'graph-app',
      version: '1.0.0',
      dependencies: { a: '^1.0.0', e: '^1.0.0' },
      devDependencies: { x: '^1.0.0', c: '^1.0.0', d: '^1.0.0' },
      peerDependencies: { c: '^1.0.0' },
    },
    'node_modules/a': { version: '1.0.0', dependencies: { x: '^1.0.0', y: '^1.0.0' } },
    'node_modules/x': { version: '1.0.0' },
    'node_modules/y': { version: '1.0.0' },
    'node_modules/c': { version: '1.0.0', dev: true },
    'node_modules/d': { version: '1.0.0', dev: true, dependencies: { a: '1.0.0' } },
    // A second copy of a@1.0.0, installed for development only, resolving y to 2.0.0.
    'node_modules/d/node_modules/a': {
      version: '1.0.0',
      dev: true,
      dependencies: { x: '^1.0.0', y: '^2.0.0' },
    },
    'node_modules/d/node_modules/y': { version: '2.0.0', dev: true },
    'node_modules/e': { version: '1.0.0', dependencies: { y: '^2.0.0' } },
    'node_modules/e/node_modules/y': { version: '2.0.0' },
  },
};

const input = { text: JSON.stringify(LOCK), fileName: 'package-lock.json' };
const OPTIONS = { timestamp: new Date('2026-01-01T00:00:00Z') };

interface Doc {
  metadata: { component: { 'bom-ref': string } };
  components: { 'bom-ref': string; name: string; version: string; scope: string }[];
  dependencies: { ref: string; dependsOn?: string[] }[];
}

/** "from -> to" edges by name@version, the root as ROOT. */
function edges(doc: Doc): string[] {
  const id = new Map(doc.components.map((c) => [c['bom-ref'], `${c.name}@${c.version}`]));
  id.set(doc.metadata.component['bom-ref'], 'ROOT');
  return doc.dependencies
    .flatMap((d) => (d.dependsOn ?? []).map((to) => `${id.get(d.ref)} -> ${id.get(to)}`))
    .sort();
}

describe('production graph', () => {
  it('drops dev edges and the edges of dev-only install copies; keeps them with --include-dev', async () => {
    const prod = (await generateSbom(input, OPTIONS)).document as unknown as Doc;
    expect(prod.components.map((c) => `${c.name}@${c.version}`).sort()).toEqual([
      'a@1.0.0',
      'e@1.0.0',
      'x@1.0.0',
      'y@1.0.0',
      'y@2.0.0',
    ]);
    // Not ROOT -> x (a dev edge; x is production through a), not a -> y@2.0.0 (only the dev copy
    // of a resolves y to 2.0.0).
    expect(edges(prod)).toEqual([
      'ROOT -> a@1.0.0',
      'ROOT -> e@1.0.0',
      'a@1.0.0 -> x@1.0.0',
      'a@1.0.0 -> y@1.0.0',
      'e@1.0.0 -> y@2.0.0',
    ]);
    const all = (await generateSbom(input, { ...OPTIONS, includeDev: true }))
      .document as unknown as Doc;
    expect(edges(all)).toEqual([
      'ROOT -> a@1.0.0',
      'ROOT -> c@1.0.0',
      'ROOT -> d@1.0.0',
      'ROOT -> e@1.0.0',
      'ROOT -> x@1.0.0',
      'a@1.0.0 -> x@1.0.0',
      'a@1.0.0 -> y@1.0.0',
      'a@1.0.0 -> y@2.0.0',
      'd@1.0.0 -> a@1.0.0',
      'e@1.0.0 -> y@2.0.0',
    ]);
  });

  it("a project's dev dependency that is also its peer is dev, not a required peer", () => {
    const graph = lockfileGraph(input);
    expect(graph.packages.get('c@1.0.0')!.dev).toBe(true);
    expect([...graph.rootProdDependencies].sort()).toEqual(['a@1.0.0', 'e@1.0.0']);
  });

  it('--dev-scope excluded marks dev packages "excluded"; anything else is refused', async () => {
    const all = (await generateSbom(input, { ...OPTIONS, includeDev: true, devScope: 'excluded' }))
      .document as unknown as Doc;
    const scopes = Object.fromEntries(
      all.components.map((c) => [`${c.name}@${c.version}`, c.scope])
    );
    expect(scopes).toEqual({
      'a@1.0.0': 'required',
      'c@1.0.0': 'excluded',
      'd@1.0.0': 'excluded',
      'e@1.0.0': 'required',
      'x@1.0.0': 'required',
      'y@1.0.0': 'required',
      'y@2.0.0': 'required',
    });
    const byDefault = (await generateSbom(input, { ...OPTIONS, includeDev: true }))
      .document as unknown as Doc;
    expect(byDefault.components.find((c) => c.name === 'c')!.scope).toBe('optional');

    const dir = await mkdtemp(path.join(tmpdir(), 'custody-dev-scope-'));
    try {
      await writeFile(path.join(dir, 'package-lock.json'), input.text);
      const ok = await runCli(['sbom', dir, '--include-dev', '--dev-scope', 'excluded'], {});
      expect(ok.code).toBe(0);
      expect(ok.stdout).toContain('"scope": "excluded"');
      const bad = await runCli(['sbom', dir, '--dev-scope', 'ignored'], {});
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('USAGE_INVALID');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
