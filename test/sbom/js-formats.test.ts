// Hand-made lockfiles for the JavaScript formats added after the first parsers: yarn berry
// metadata 6 (yarn 3: ranges without the npm: protocol), pnpm 11 two-document lockfiles, bun.lock
// (text), and the formats custody does not read (bun.lockb, pnpm 5.4).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PackageGraph } from '../../src/sbom/index.js';
import {
  detectLockfileFormat,
  generateSbom,
  lockfileGraph,
  prepareLockfile,
  toManifest,
  validateBom,
} from '../../src/sbom/index.js';
import { REPO_ROOT, runCli } from '../helpers/cli.js';
import { expectCode } from '../helpers/errors.js';

const FIXTURES = path.join(REPO_ROOT, 'fixtures/sbom');

async function fixture(project: string, lockfile: string, workspaces: string[] = []) {
  const dir = path.join(FIXTURES, project);
  const manifests = new Map<string, ReturnType<typeof toManifest>>();
  for (const ws of ['', ...workspaces]) {
    const text = await readFile(path.join(dir, ws, 'package.json'), 'utf8');
    manifests.set(ws, toManifest(JSON.parse(text)));
  }
  return { text: await readFile(path.join(dir, lockfile), 'utf8'), fileName: lockfile, manifests };
}

const id = (graph: PackageGraph, key: string): string => {
  const p = graph.packages.get(key)!;
  return `${p.name}@${p.version ?? ''}`;
};

function summary(graph: PackageGraph) {
  return {
    root: `${graph.root.name}@${graph.root.version ?? ''}`,
    rootDeps: [...graph.rootDependencies].map((k) => id(graph, k)).sort(),
    packages: [...graph.packages.values()]
      .map(
        (p) =>
          `${p.name}@${p.version ?? ''}${p.source === 'registry' ? '' : ` ${p.source}`}${p.dev ? ' dev' : ''}${p.optional ? ' optional' : ''}`
      )
      .sort(),
    edges: [...graph.packages.values()]
      .flatMap((p) =>
        [...p.dependencies].map((d) => `${p.name}@${p.version ?? ''} -> ${id(graph, d)}`)
      )
      .sort(),
  };
}

const SBOM_OPTIONS = { timestamp: new Date('2026-01-01T00:00:00Z') };

describe('yarn berry __metadata.version 6 (yarn 3)', () => {
  it('finds "name@npm:range" entries for ranges written without a protocol, numbers included', async () => {
    const input = await fixture('yarn-berry-v6', 'yarn.lock', ['packages/lib']);
    const graph = lockfileGraph(input);
    expect(graph.lockfileVersion).toBe('6');
    expect(summary(graph)).toEqual({
      root: 'berry-v6-app@1.0.0',
      rootDeps: ['debug@4.3.4', 'left-pad@1.3.0', 'lib@0.2.0'],
      packages: [
        'debug@4.3.4 dev',
        'left-pad@1.3.0',
        'lib@0.2.0 workspace',
        'ms@2.1.2',
        'resolve@1.22.8',
      ],
      edges: ['debug@4.3.4 -> ms@2.1.2', 'lib@0.2.0 -> ms@2.1.2', 'lib@0.2.0 -> resolve@1.22.8'],
    });
    const sbom = await generateSbom(input, SBOM_OPTIONS);
    expect((await validateBom(sbom.document)).errors).toEqual([]);
  });

  it('still fails on a protocol-less range that is in the lockfile under no protocol', async () => {
    const input = await fixture('yarn-berry-v6', 'yarn.lock', ['packages/lib']);
    const broken = {
      ...input,
      text: input.text.replace('    left-pad: ^1.3.0', '    left-pad: ^9.0.0'),
    };
    const error = await expectCode(() => lockfileGraph(broken), 'SBOM_LOCKFILE_INVALID');
    expect(error.message).toContain('left-pad@^9.0.0 is not in the lockfile');
  });
});

describe('pnpm 11 two-document lockfile', () => {
  it('reads the graph from the last document and marks the environment document packages', async () => {
    const input = await fixture('pnpm-multidoc', 'pnpm-lock.yaml');
    const graph = lockfileGraph(input);
    expect(summary(graph)).toEqual({
      root: 'multidoc-app@2.0.0',
      rootDeps: ['is-number@7.0.0', 'is-odd@3.0.1', 'pnpm@11.0.0'],
      packages: [
        '@pnpm/exe.linux-x64@11.0.0 dev',
        'is-number@6.0.0',
        'is-number@7.0.0 dev',
        'is-odd@3.0.1',
        'pnpm@11.0.0 dev',
      ],
      edges: ['is-odd@3.0.1 -> is-number@6.0.0', 'pnpm@11.0.0 -> @pnpm/exe.linux-x64@11.0.0'],
    });
    const environment = [...graph.packages.values()]
      .filter((p) => p.environment)
      .map((p) => p.name);
    expect(environment.sort()).toEqual(['@pnpm/exe.linux-x64', 'pnpm']);
    const all = await generateSbom(input, { ...SBOM_OPTIONS, includeDev: true });
    expect((await validateBom(all.document)).errors).toEqual([]);
    const components = all.document.components as {
      name: string;
      properties?: { name: string; value: string }[];
    }[];
    const marked = components.filter((c) =>
      c.properties?.some((p) => p.name === 'custody:package:environment' && p.value === 'true')
    );
    expect(marked.map((c) => c.name).sort()).toEqual(['exe.linux-x64', 'pnpm']);
  });

  it('rejects a third document and a damaged environment document', async () => {
    const input = await fixture('pnpm-multidoc', 'pnpm-lock.yaml');
    await expectCode(
      () => lockfileGraph({ ...input, text: `${input.text}\n---\nlockfileVersion: '9.0'\n` }),
      'SBOM_LOCKFILE_INVALID'
    );
    const damaged = input.text.replace(
      '  pnpm@11.0.0:\n    optionalDependencies:',
      '  pnpm@11.0.0:\n    optionalDependencies: ['
    );
    const error = await expectCode(
      () => lockfileGraph({ ...input, text: damaged }),
      'SBOM_LOCKFILE_INVALID'
    );
    expect(error.message).toContain('environment document');
  });
});

describe('bun.lock (text, bun >= 1.2)', () => {
  it('resolves nested install keys, workspaces, dev, git; hashes from the lock', async () => {
    const input = await fixture('bun', 'bun.lock', ['packages/util']);
    expect(detectLockfileFormat(input.text, 'bun.lock')).toBe('bun');
    expect(detectLockfileFormat(input.text, 'some/other.lock')).toBe('bun');
    expect(prepareLockfile(input.text, 'bun.lock').workspaceDirs).toEqual(['packages/util']);
    const graph = lockfileGraph(input);
    expect(summary(graph)).toEqual({
      root: 'bun-app@0.3.0',
      rootDeps: [
        'chalk@4.1.2',
        'tiny@0123456789abcdef0123456789abcdef01234567',
        'typescript@5.4.5',
        'util-ws@1.1.0',
      ],
      packages: [
        'ansi-styles@3.2.1',
        'ansi-styles@4.3.0',
        'chalk@4.1.2',
        'color-convert@1.9.3',
        'color-convert@2.0.1',
        'color-name@1.1.3',
        'color-name@1.1.4',
        'has-flag@4.0.0',
        'supports-color@7.2.0',
        'tiny@0123456789abcdef0123456789abcdef01234567 git',
        'typescript@5.4.5 dev',
        'util-ws@1.1.0 workspace',
      ],
      edges: [
        'ansi-styles@3.2.1 -> color-convert@1.9.3',
        'ansi-styles@4.3.0 -> color-convert@2.0.1',
        'chalk@4.1.2 -> ansi-styles@4.3.0',
        'chalk@4.1.2 -> supports-color@7.2.0',
        'color-convert@1.9.3 -> color-name@1.1.3',
        'color-convert@2.0.1 -> color-name@1.1.4',
        'supports-color@7.2.0 -> has-flag@4.0.0',
        'tiny@0123456789abcdef0123456789abcdef01234567 -> color-name@1.1.4',
        'util-ws@1.1.0 -> ansi-styles@3.2.1',
      ],
    });
    const chalk = [...graph.packages.values()].find((p) => p.name === 'chalk')!;
    expect(chalk.integrity.get('sha512')).toMatch(/^oKnbhFyRIXpU/);
    const sbom = await generateSbom(input, { ...SBOM_OPTIONS, includeDev: true });
    expect((await validateBom(sbom.document)).errors).toEqual([]);
  });

  it('reads trailing commas and comments, never inside strings', async () => {
    const input = await fixture('bun', 'bun.lock', ['packages/util']);
    const text = input.text
      .replace('"lockfileVersion": 1,', '// written by bun\n  "lockfileVersion": 1, /* v1 */')
      .replace('"name": "bun-app",', '"name": "bun-app",');
    expect(lockfileGraph({ ...input, text }).root.name).toBe('bun-app');
    const tricky = input.text.replace(
      '"name": "util-ws",',
      '"name": "util-ws",\n      "description": "a, ] // not a comment",'
    );
    expect(lockfileGraph({ ...input, text: tricky }).packages.size).toBe(12);
  });

  it('fails closed on a dependency that is not installed and on broken JSON', async () => {
    const input = await fixture('bun', 'bun.lock', ['packages/util']);
    const missing = input.text.replace(
      '"has-flag": "^4.0.0"',
      '"has-flag": "^4.0.0", "nope": "^1.0.0"'
    );
    const error = await expectCode(
      () => lockfileGraph({ ...input, text: missing }),
      'SBOM_LOCKFILE_INVALID'
    );
    expect(error.message).toContain('dependency nope is not in the lockfile');
    await expectCode(
      () => lockfileGraph({ ...input, text: input.text.slice(0, 400) }),
      'SBOM_LOCKFILE_INVALID'
    );
    await expectCode(
      () =>
        lockfileGraph({
          ...input,
          text: input.text.replace('"lockfileVersion": 1', '"lockfileVersion": 7'),
        }),
      'SBOM_LOCKFILE_UNSUPPORTED'
    );
  });

  it('is found in a project directory by custody sbom', async () => {
    const run = await runCli(['sbom', path.join(FIXTURES, 'bun'), '--json'], {
      env: { SOURCE_DATE_EPOCH: '1767225600' },
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as { format: string; components: number };
    expect([out.format, out.components]).toEqual(['bun', 11]);
  });
});

describe('formats custody does not read', () => {
  it('bun.lockb: unsupported, says the file may be fine and what to run', async () => {
    const dir = path.join(FIXTURES, 'unsupported/bun-lockb');
    const text = await readFile(path.join(dir, 'bun.lockb'), 'latin1');
    const error = await expectCode(
      () => prepareLockfile(text, 'bun.lockb'),
      'SBOM_LOCKFILE_UNSUPPORTED'
    );
    expect(error.message).toContain('may be fine');
    expect(error.hint).toContain('--save-text-lockfile');
    const run = await runCli(['sbom', dir], {});
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('SBOM_LOCKFILE_UNSUPPORTED');
    expect(run.stderr).not.toContain('damaged');
  });

  it('pnpm 5.4: unsupported, not "damaged"', async () => {
    const dir = path.join(FIXTURES, 'unsupported/pnpm-5.4');
    const text = await readFile(path.join(dir, 'pnpm-lock.yaml'), 'utf8');
    const error = await expectCode(
      () => lockfileGraph({ text, fileName: 'pnpm-lock.yaml' }),
      'SBOM_LOCKFILE_UNSUPPORTED'
    );
    expect(error.message).toContain('"5.4"');
    expect(error.message).toContain('may be fine');
    expect(error.hint).toContain('pnpm 8 or newer');
  });
});
