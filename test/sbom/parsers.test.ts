// Hand-written lockfiles for the formats and cases the real ones do not cover (npm v1, pnpm v6,
// yarn classic, git/file/link/tarball protocols), and malformed input of every format.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ManifestMap, PackageGraph } from '../../src/sbom/index.js';
import {
  buildGraph,
  detectLockfileFormat,
  generateSbom,
  lockfileGraph,
  parseLockfile,
  toManifest,
  validateBom,
} from '../../src/sbom/index.js';
import { REPO_ROOT } from '../helpers/cli.js';
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

function summary(graph: PackageGraph) {
  const ids = (keys: Iterable<string>) =>
    [...keys].map((k) => {
      const p = graph.packages.get(k)!;
      return `${p.name}@${p.version ?? ''}`;
    });
  return {
    root: `${graph.root.name}@${graph.root.version ?? ''}`,
    rootDeps: ids(graph.rootDependencies).sort(),
    packages: [...graph.packages.values()]
      .map(
        (p) => `${p.name}@${p.version ?? ''}${p.dev ? ' dev' : ''}${p.optional ? ' optional' : ''}`
      )
      .sort(),
    edges: [...graph.packages.values()]
      .flatMap((p) => ids(p.dependencies).map((d) => `${p.name}@${p.version ?? ''} -> ${d}`))
      .sort(),
  };
}

describe('npm package-lock v1', () => {
  it('flattens the nested tree, resolves aliases, takes dev flags from the lock', async () => {
    const graph = lockfileGraph(await fixture('npm-v1', 'package-lock.json'));
    expect(graph.lockfileVersion).toBe('1');
    expect(summary(graph)).toEqual({
      root: 'npm-v1-sample@0.9.0',
      rootDeps: ['debug@4.4.3', 'is-number@7.0.0', 'string-width@4.2.3'],
      packages: ['debug@4.4.3', 'is-number@7.0.0 dev', 'ms@2.1.3', 'string-width@4.2.3'],
      edges: ['debug@4.4.3 -> ms@2.1.3'],
    });
  });
});

describe('npm package-lock v3 with every protocol', () => {
  it('gives git, file, tarball and workspace packages their documented forms', async () => {
    const input = await fixture('npm-protocols', 'package-lock.json', ['packages/tool']);
    const result = await generateSbom(input, {
      timestamp: new Date(0),
      includeDev: true,
    });
    const doc = result.document as {
      components: ({ group?: string; name: string; version?: string } & Record<string, unknown>)[];
    };
    const byName = new Map(
      doc.components.map((c) => [
        `${c.group === undefined ? '' : `${c.group}/`}${c.name}@${c.version ?? ''}`,
        c,
      ])
    );
    const git = byName.get('git-dep@1.0.0')!;
    expect(git.purl).toBe(
      'pkg:npm/git-dep@1.0.0?vcs_url=git%2Bssh%3A%2F%2Fgit%40github.com%2Fexample%2Fgit-dep.git%230123456789abcdef0123456789abcdef01234567'
    );
    expect(git.externalReferences).toEqual([
      {
        type: 'vcs',
        url: 'git+ssh://git@github.com/example/git-dep.git#0123456789abcdef0123456789abcdef01234567',
      },
    ]);
    expect(git.properties).toContainEqual({ name: 'custody:package:source', value: 'git' });
    const tarball = byName.get('tarball-dep@3.0.0')!;
    expect(tarball.purl).toBe(
      'pkg:npm/tarball-dep@3.0.0?download_url=https%3A%2F%2Fexample.com%2Ftarball-dep-3.0.0.tgz'
    );
    expect(tarball.licenses).toEqual([{ expression: '(MIT OR Apache-2.0)' }]);
    const local = byName.get('local-lib@0.0.1')!;
    expect(local.properties).toContainEqual({ name: 'custody:package:source', value: 'file' });
    expect(local.properties).toContainEqual({
      name: 'custody:package:resolved',
      value: 'local-lib',
    });
    const tool = byName.get('@sample/tool@0.1.0')!;
    expect(tool.group).toBe('@sample');
    expect(tool.purl).toBe('pkg:npm/%40sample/tool@0.1.0');
    expect(tool.properties).toContainEqual({ name: 'custody:package:workspace', value: 'true' });
    // ms@2.0.0 is installed twice (under git-dep and under the workspace): one component.
    const ms = byName.get('ms@2.0.0')!;
    expect(
      (ms.properties as { name: string; value: string }[]).filter(
        (p) => p.name === 'cdx:npm:package:path'
      )
    ).toEqual([
      { name: 'cdx:npm:package:path', value: 'node_modules/git-dep/node_modules/ms' },
      { name: 'cdx:npm:package:path', value: 'packages/tool/node_modules/ms' },
    ]);
    expect(ms.hashes).toEqual([
      {
        alg: 'SHA-512',
        content:
          '4e9a7ad0fe885090d3b8eabfe59f1c76c93326e8dfc2a7ce4e4af02308fb211212a679099d3e92c89e0f08f9c63281630bd75d85a979295218b40b7dee2c74e4',
      },
    ]);
    expect(summary(result.graph).edges).toEqual([
      '@sample/tool@0.1.0 -> ms@2.0.0',
      '@types/node@24.13.3 -> undici-types@7.18.2',
      'debug@4.4.3 -> ms@2.1.3',
      'git-dep@1.0.0 -> ms@2.0.0',
    ]);
    expect(summary(result.graph).rootDeps).toEqual([
      '@sample/tool@0.1.0',
      '@types/node@24.13.3',
      'debug@4.4.3',
      'git-dep@1.0.0',
      'is-number@7.0.0',
      'local-lib@0.0.1',
      'tarball-dep@3.0.0',
    ]);
    expect((await validateBom(result.document)).valid).toBe(true);
  });
});

describe('pnpm-lock.yaml v6', () => {
  it('reads /name@version(peers) keys, merges peer variants, takes dev from reachability', async () => {
    const graph = lockfileGraph(await fixture('pnpm-v6', 'pnpm-lock.yaml'));
    expect(graph.format).toBe('pnpm');
    expect(summary(graph)).toEqual({
      root: 'pnpm-v6-sample@2.0.0',
      rootDeps: ['@types/node@24.13.3', 'debug@4.4.3', 'is-number@7.0.0'],
      packages: [
        '@types/node@24.13.3',
        'debug@4.4.3',
        'has-flag@4.0.0',
        'is-number@7.0.0 dev',
        'ms@2.1.3',
        'supports-color@7.2.0',
        'undici-types@7.18.2',
      ],
      edges: [
        '@types/node@24.13.3 -> undici-types@7.18.2',
        'debug@4.4.3 -> ms@2.1.3',
        'debug@4.4.3 -> supports-color@7.2.0',
        'supports-color@7.2.0 -> has-flag@4.0.0',
      ],
    });
  });
});

describe('yarn.lock v1 (classic)', () => {
  it('parses the v1 syntax, aliases, workspaces from manifests, dev from package.json', async () => {
    const graph = lockfileGraph(await fixture('yarn-classic', 'yarn.lock', ['packages/app']));
    expect(graph.format).toBe('yarn-classic');
    expect(summary(graph)).toEqual({
      root: 'yarn-classic-sample@1.0.0',
      rootDeps: ['@sample/app@0.3.0', 'debug@4.4.3', 'string-width@4.2.3', 'supports-color@7.2.0'],
      packages: [
        '@sample/app@0.3.0',
        'debug@4.4.3',
        'has-flag@4.0.0 dev',
        'ms@2.0.0',
        'ms@2.1.3',
        'string-width@4.2.3',
        'supports-color@7.2.0 dev',
      ],
      edges: [
        '@sample/app@0.3.0 -> debug@4.4.3',
        '@sample/app@0.3.0 -> ms@2.0.0',
        'debug@4.4.3 -> ms@2.1.3',
        'supports-color@7.2.0 -> has-flag@4.0.0',
      ],
    });
    const ms = graph.packages.get('ms@2.0.0')!;
    expect(ms.resolved).toBe('https://registry.yarnpkg.com/ms/-/ms-2.0.0.tgz');
    expect([...ms.integrity.keys()]).toEqual(['sha512']);
  });

  it('uses the sha1 in a resolved URL fragment when there is no integrity', () => {
    const text =
      '# yarn lockfile v1\n\nleft-pad@^1.3.0:\n  version "1.3.0"\n  resolved "https://registry.yarnpkg.com/left-pad/-/left-pad-1.3.0.tgz#5b8a3a7765dfe001261dde915589e782f8c94d1e"\n';
    const graph = lockfileGraph({ text, fileName: 'yarn.lock' });
    const pkg = graph.packages.get('left-pad@1.3.0')!;
    expect(Buffer.from(pkg.integrity.get('sha1')!, 'base64').toString('hex')).toBe(
      '5b8a3a7765dfe001261dde915589e782f8c94d1e'
    );
  });
});

describe('format detection', () => {
  it('detects by content and refuses what is not a lockfile', async () => {
    expect(detectLockfileFormat('{"lockfileVersion":3}', 'x')).toBe('npm');
    expect(detectLockfileFormat("lockfileVersion: '9.0'\n", 'x')).toBe('pnpm');
    expect(detectLockfileFormat('# yarn lockfile v1\n', 'x')).toBe('yarn-classic');
    expect(detectLockfileFormat('__metadata:\n  version: 8\n', 'x')).toBe('yarn-berry');
    await expectCode(
      () => detectLockfileFormat('hello: world\n', 'Gemfile.lock'),
      'SBOM_LOCKFILE_UNSUPPORTED'
    );
  });
});

describe('malformed lockfiles: each rejected with its code, never a crash', () => {
  // Lockfiles written by npm, pnpm 9 and yarn 4 for one small project (fixtures/sbom/small-*).
  const ownText = (project: string, file: string) =>
    readFile(path.join(REPO_ROOT, 'fixtures/sbom', project, file), 'utf8');
  const parse = (text: string, fileName: string, manifests?: ManifestMap) => () =>
    buildGraph(parseLockfile({ text, fileName, manifests }));

  it('truncated package-lock.json', async () => {
    const text = await ownText('small-npm', 'package-lock.json');
    await expectCode(
      parse(text.slice(0, text.length / 2), 'package-lock.json'),
      'SBOM_LOCKFILE_INVALID'
    );
  });

  it('truncated pnpm-lock.yaml (dangling references)', async () => {
    const text = await ownText('small-pnpm', 'pnpm-lock.yaml');
    const error = await expectCode(
      parse(
        text.slice(0, text.lastIndexOf('\n', Math.floor(text.length * 0.7)) + 1),
        'pnpm-lock.yaml'
      ),
      'SBOM_LOCKFILE_INVALID'
    );
    expect(error.message).toMatch(/not in the lockfile|no entry in packages/);
  });

  it('truncated yarn berry lockfile', async () => {
    const text = await ownText('small-yarn-berry', 'yarn.lock');
    await expectCode(
      parse(text.slice(0, Math.floor(text.length * 0.4)), 'yarn.lock'),
      'SBOM_LOCKFILE_INVALID'
    );
  });

  it('truncated yarn v1 lockfile (entry cut before its version)', async () => {
    const text = (await fixture('yarn-classic', 'yarn.lock')).text;
    const cut = text.slice(0, text.indexOf('  version "2.0.0"'));
    await expectCode(parse(cut, 'yarn.lock'), 'SBOM_LOCKFILE_INVALID');
  });

  it('YAML syntax errors', async () => {
    await expectCode(
      parse("lockfileVersion: '9.0'\nimporters: [unclosed\n", 'pnpm-lock.yaml'),
      'SBOM_LOCKFILE_INVALID'
    );
  });

  it('wrong lockfileVersion', async () => {
    await expectCode(
      parse('{"lockfileVersion": 4, "packages": {"": {}}}', 'package-lock.json'),
      'SBOM_LOCKFILE_UNSUPPORTED'
    );
    await expectCode(parse('{"packages": {}}', 'package-lock.json'), 'SBOM_LOCKFILE_INVALID');
    await expectCode(
      parse("lockfileVersion: '5.4'\n", 'pnpm-lock.yaml'),
      'SBOM_LOCKFILE_UNSUPPORTED'
    );
    await expectCode(
      parse('__metadata:\n  version: 2000\n', 'yarn.lock'),
      'SBOM_LOCKFILE_UNSUPPORTED'
    );
  });

  it('wrong field types', async () => {
    await expectCode(
      parse(
        '{"lockfileVersion": 3, "packages": {"": {}, "node_modules/a": {"version": 1}}}',
        'package-lock.json'
      ),
      'SBOM_LOCKFILE_INVALID'
    );
    await expectCode(
      parse(
        '{"lockfileVersion": 3, "packages": {"": {}, "node_modules/a": {"version": "1.0.0", "dependencies": ["b"]}}}',
        'package-lock.json'
      ),
      'SBOM_LOCKFILE_INVALID'
    );
    await expectCode(
      parse(
        '{"lockfileVersion": 3, "packages": {"": {}, "node_modules/a": {}}}',
        'package-lock.json'
      ),
      'SBOM_LOCKFILE_INVALID'
    );
    await expectCode(parse('[1,2]', 'package-lock.json'), 'SBOM_LOCKFILE_INVALID');
  });

  it('conflicting entries: same name@version, different integrity', async () => {
    const lock = {
      lockfileVersion: 3,
      packages: {
        '': { dependencies: { a: '1', b: '1' } },
        'node_modules/a': { version: '1.0.0', integrity: 'sha512-AAAA' },
        'node_modules/b': { version: '1.0.0', dependencies: { a: '1' } },
        'node_modules/b/node_modules/a': { version: '1.0.0', integrity: 'sha512-BBBB' },
      },
    };
    const error = await expectCode(
      parse(JSON.stringify(lock), 'package-lock.json'),
      'SBOM_LOCKFILE_CONFLICT'
    );
    expect(error.message).toContain('a@1.0.0');
  });

  it('conflicting entries: one yarn descriptor listed for two packages', async () => {
    const text =
      '# yarn lockfile v1\n\na@^1:\n  version "1.0.0"\n\n"a@^1", a@^1.1:\n  version "1.1.0"\n';
    await expectCode(parse(text, 'yarn.lock'), 'SBOM_LOCKFILE_CONFLICT');
  });

  it('unknown or local protocols get a documented component form, not an error', () => {
    const text = [
      '# yarn lockfile v1',
      '',
      '"a@git+https://github.com/x/a.git#abc":',
      '  version "1.0.0"',
      '  resolved "git+https://github.com/x/a.git#0123456789abcdef0123456789abcdef01234567"',
      '',
      '"b@file:../b":',
      '  version "2.0.0"',
      '',
    ].join('\n');
    const manifests = new Map([
      [
        '',
        toManifest({
          name: 'r',
          dependencies: { a: 'git+https://github.com/x/a.git#abc', b: 'file:../b', c: 'link:../c' },
        }),
      ],
    ]);
    const graph = buildGraph(parseLockfile({ text, fileName: 'yarn.lock', manifests }));
    const forms = [...graph.packages.values()]
      .map((p) => `${p.name}@${p.version ?? ''} ${p.source}`)
      .sort();
    expect(forms).toEqual(['a@1.0.0 git', 'b@ file', 'c@ link']);
  });

  it('a yarn v1 dependency missing from the lockfile', async () => {
    const manifests = new Map([['', toManifest({ name: 'r', dependencies: { nope: '^1.0.0' } })]]);
    await expectCode(
      parse('# yarn lockfile v1\n', 'yarn.lock', manifests),
      'SBOM_LOCKFILE_INVALID'
    );
  });

  it('bad yarn v1 syntax', async () => {
    await expectCode(
      parse('# yarn lockfile v1\n\na@^1:\n      version "1"\n', 'yarn.lock'),
      'SBOM_LOCKFILE_INVALID'
    );
    await expectCode(
      parse('# yarn lockfile v1\n\n"a@^1:\n  version "1"\n', 'yarn.lock'),
      'SBOM_LOCKFILE_INVALID'
    );
  });
});

describe('duplicate YAML keys', () => {
  it('are conflicting entries in pnpm and yarn berry lockfiles', async () => {
    const pnpm = [
      "lockfileVersion: '9.0'",
      'importers:',
      '  .:',
      '    dependencies:',
      '      a:',
      '        specifier: ^1',
      '        version: 1.0.0',
      'packages:',
      '  a@1.0.0:',
      '    resolution: {integrity: sha512-AAAA}',
      "  'a@1.0.0':",
      '    resolution: {integrity: sha512-BBBB}',
      'snapshots:',
      '  a@1.0.0: {}',
      '',
    ].join('\n');
    const error = await expectCode(
      () => parseLockfile({ text: pnpm, fileName: 'pnpm-lock.yaml' }),
      'SBOM_LOCKFILE_INVALID'
    );
    expect(error.message).toContain('duplicate key "packages.a@1.0.0"');
    const berry =
      '__metadata:\n  version: 8\n\n"a@npm:^1":\n  version: 1.0.0\n  resolution: "a@npm:1.0.0"\n\n"a@npm:^1":\n  version: 1.0.1\n  resolution: "a@npm:1.0.1"\n';
    await expectCode(
      () => parseLockfile({ text: berry, fileName: 'yarn.lock' }),
      'SBOM_LOCKFILE_INVALID'
    );
  });
});
