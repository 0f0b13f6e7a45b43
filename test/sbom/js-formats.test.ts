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

interface CdxComponent {
  'bom-ref': string;
  type: string;
  name: string;
  group?: string;
  version?: string;
  purl?: string;
  pedigree?: { patches: { type: string; diff?: { url: string } }[] };
  externalReferences?: { type: string; url: string }[];
  properties?: { name: string; value: string }[];
}

async function components(
  text: string,
  fileName: string,
  manifests = new Map<string, ReturnType<typeof toManifest>>()
): Promise<Map<string, CdxComponent>> {
  const sbom = await generateSbom(
    { text, fileName, manifests },
    { ...SBOM_OPTIONS, includeDev: true }
  );
  expect((await validateBom(sbom.document)).errors).toEqual([]);
  const list = sbom.document.components as CdxComponent[];
  return new Map(
    list.map((c) => [
      `${c.group === undefined ? '' : `${c.group}/`}${c.name}@${c.version ?? ''}`,
      c,
    ])
  );
}

const props = (c: CdxComponent | undefined): Record<string, string> =>
  Object.fromEntries((c?.properties ?? []).map((p) => [p.name, p.value]));

const PNPM_IDENTITY = `lockfileVersion: '9.0'

patchedDependencies:
  left-pad@1.3.0: 0123abcd

importers:

  .:
    dependencies:
      left-pad:
        specifier: 1.3.0
        version: 1.3.0(patch_hash=0123abcd)
      node:
        specifier: runtime:22.1.0
        version: runtime:22.1.0
      fsevents:
        specifier: 2.3.3
        version: 2.3.3

packages:

  fsevents@2.3.3:
    resolution: {integrity: sha512-5xoDfX+fL7faATnagmWPpbFtwh/R77WmMMqqHGS65C3vvB0YHrgF+B1YmZ3441tMj5n63k0212XNoJwzlhffQw==}
    engines: {node: ^8.16.0 || ^10.6.0 || >=11.0.0}
    os: [darwin]
    deprecated: use 2.3.4

  left-pad@1.3.0:
    resolution: {integrity: sha512-XI5MPzVNApjAyhQzphX8BkmKsKUxD4LdyK24iZeQEhHqfsJvAaDBDr6h4P2eFx+2f1zB5MUI/zEURzI3f91OOg==}

  node@runtime:22.1.0:
    resolution:
      type: variations
      variants:
        - resolution:
            archive: tarball
            integrity: sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=
            type: binary
            url: https://nodejs.org/download/release/v22.1.0/node-v22.1.0-linux-x64.tar.gz
          targets:
            - cpu: x64
              os: linux
    version: 22.1.0
    hasBin: true

snapshots:

  fsevents@2.3.3: {}

  left-pad@1.3.0(patch_hash=0123abcd): {}

  node@runtime:22.1.0: {}
`;

describe('identity: patches, runtimes, git/tarball sources, install facts', () => {
  it('pnpm: patchedDependencies → pedigree.patches; runtime: is a platform, not pkg:npm; os/deprecated', async () => {
    const c = await components(PNPM_IDENTITY, 'pnpm-lock.yaml');
    const leftPad = c.get('left-pad@1.3.0')!;
    expect(leftPad.pedigree).toEqual({ patches: [{ type: 'unofficial' }] });
    expect(props(leftPad)).toMatchObject({
      'custody:package:patched': 'true',
      'custody:package:patch:hash': '0123abcd',
    });
    const node = c.get('node@22.1.0')!;
    expect([node.type, node.purl]).toEqual(['platform', 'pkg:generic/node@22.1.0']);
    expect(props(node)['custody:package:source']).toBe('runtime');
    expect(props(c.get('fsevents@2.3.3'))).toMatchObject({
      'custody:package:os': 'darwin',
      'custody:package:deprecated': 'use 2.3.4',
    });
    // A v6 patchedDependencies entry names its file: it becomes the patch's diff URL.
    const v6 = `lockfileVersion: '6.0'

patchedDependencies:
  left-pad@1.3.0:
    hash: 0123abcd
    path: patches/left-pad@1.3.0.patch

dependencies:
  left-pad:
    specifier: 1.3.0
    version: 1.3.0(patch_hash=0123abcd)

packages:

  /left-pad@1.3.0(patch_hash=0123abcd):
    resolution: {integrity: sha512-XI5MPzVNApjAyhQzphX8BkmKsKUxD4LdyK24iZeQEhHqfsJvAaDBDr6h4P2eFx+2f1zB5MUI/zEURzI3f91OOg==}
    requiresBuild: true
    dev: false
`;
    const c6 = await components(v6, 'pnpm-lock.yaml');
    expect(c6.get('left-pad@1.3.0')!.pedigree).toEqual({
      patches: [{ type: 'unofficial', diff: { url: 'patches/left-pad@1.3.0.patch' } }],
    });
    expect(props(c6.get('left-pad@1.3.0'))['custody:package:install-script']).toBe('true');
  });

  it('yarn berry: builtin and file patches', async () => {
    const input = await fixture('yarn-berry-v6', 'yarn.lock', ['packages/lib']);
    const c = await components(input.text, input.fileName, input.manifests);
    expect(c.get('resolve@1.22.8')!.pedigree).toEqual({ patches: [{ type: 'unofficial' }] });
    expect(props(c.get('resolve@1.22.8'))['custody:package:patch:builtin']).toBe('compat/resolve');
    const withFile = input.text.replace(
      '"resolve@patch:resolve@npm%3A1.22.8#~builtin<compat/resolve>::version=1.22.8&hash=c3c19d"',
      '"resolve@patch:resolve@npm%3A1.22.8#./.yarn/patches/resolve-npm-1.22.8-0a.patch::version=1.22.8&hash=c3c19d&locator=berry-v6-app%40workspace%3A."'
    );
    const c2 = await components(withFile, input.fileName, input.manifests);
    expect(c2.get('resolve@1.22.8')!.pedigree).toEqual({
      patches: [{ type: 'unofficial', diff: { url: '.yarn/patches/resolve-npm-1.22.8-0a.patch' } }],
    });
  });

  it('git: codeload tarballs and github: shorthands become the repository git URL', async () => {
    const classic = `# yarn lockfile v1


tooling@webpack/tooling#v1:
  version "1.2.3"
  resolved "https://codeload.github.com/webpack/tooling/tar.gz/4c13a00ac84cf0e2dd57c457cd1ce46faa9e456a"
`;
    const c = await components(classic, 'yarn.lock');
    const tooling = c.get('tooling@1.2.3')!;
    const url =
      'git+https://github.com/webpack/tooling.git#4c13a00ac84cf0e2dd57c457cd1ce46faa9e456a';
    expect(tooling.purl).toBe(`pkg:npm/tooling@1.2.3?vcs_url=${encodeURIComponent(url)}`);
    expect(tooling.externalReferences).toEqual([{ type: 'vcs', url }]);

    const bun = await fixture('bun', 'bun.lock', ['packages/util']);
    const tiny = (await components(bun.text, bun.fileName, bun.manifests)).get(
      'tiny@0123456789abcdef0123456789abcdef01234567'
    )!;
    expect(tiny.externalReferences).toEqual([
      {
        type: 'vcs',
        url: 'git+https://github.com/example/tiny.git#0123456789abcdef0123456789abcdef01234567',
      },
    ]);
  });

  it('npm: hasInstallScript, deprecated, os/cpu; a workspace never shares a registry purl', async () => {
    const lock = {
      lockfileVersion: 3,
      packages: {
        '': {
          name: 'app',
          version: '1.0.0',
          workspaces: ['packages/*'],
          dependencies: { esbuild: '^0.20.0' },
        },
        'packages/lib': { name: 'lib', version: '2.0.0' },
        'node_modules/lib': { resolved: 'packages/lib', link: true },
        'node_modules/other/node_modules/lib': {
          version: '2.0.0',
          resolved: 'https://registry.npmjs.org/lib/-/lib-2.0.0.tgz',
          integrity: 'sha512-AAAA',
        },
        'node_modules/other': { version: '1.0.0', dependencies: { lib: '2.0.0' } },
        'node_modules/esbuild': {
          version: '0.20.2',
          hasInstallScript: true,
          deprecated: 'please upgrade',
          optionalDependencies: {},
        },
        'node_modules/@esbuild/linux-x64': {
          version: '0.20.2',
          optional: true,
          os: ['linux'],
          cpu: ['x64'],
        },
      },
    };
    const c = await components(JSON.stringify(lock), 'package-lock.json');
    expect(props(c.get('esbuild@0.20.2'))).toMatchObject({
      'custody:package:install-script': 'true',
      'custody:package:deprecated': 'please upgrade',
    });
    expect(props(c.get('@esbuild/linux-x64@0.20.2'))).toMatchObject({
      'custody:package:os': 'linux',
      'custody:package:cpu': 'x64',
    });
    const sbom = await generateSbom(
      { text: JSON.stringify(lock), fileName: 'package-lock.json' },
      SBOM_OPTIONS
    );
    const libs = (sbom.document.components as CdxComponent[]).filter((x) => x.name === 'lib');
    expect(libs.length).toBe(2);
    expect(libs.map((x) => [props(x)['custody:package:workspace'] ?? 'registry', x.purl])).toEqual(
      expect.arrayContaining([
        ['true', undefined],
        ['registry', 'pkg:npm/lib@2.0.0'],
      ])
    );
  });
});
