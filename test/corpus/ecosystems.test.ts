// The non-JavaScript readers on real lockfiles from public repositories (../shared/bench/ecosystems,
// sources in its SOURCES.md): every resolved package, schema-valid CycloneDX and SPDX.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readEcosystemGraph } from '../../src/sbom/adapter/discover.js';
import type { PackageGraph } from '../../src/sbom/index.js';
import { buildSpdx, generateSbomFromGraph, validateSpdx } from '../../src/sbom/index.js';
import { corpusPath } from './shared.js';

async function graph(dir: string, file: string): Promise<PackageGraph> {
  return readEcosystemGraph(corpusPath('bench/ecosystems', dir, file), file);
}

function purls(g: PackageGraph): string[] {
  return [...g.packages.values()].map((p) => p.purl ?? '').sort();
}

function count(
  g: PackageGraph,
  predicate: (
    p: PackageGraph['packages'] extends ReadonlyMap<string, infer P> ? P : never
  ) => boolean
): number {
  return [...g.packages.values()].filter(predicate).length;
}

async function bothFormatsValid(g: PackageGraph, file: string): Promise<void> {
  const cdx = await generateSbomFromGraph(g, {
    timestamp: new Date(0),
    includeDev: true,
    lockfilePath: file,
  });
  expect(cdx.componentCount).toBe(g.packages.size);
  const spdx = buildSpdx(g, { timestamp: new Date(0), includeDev: true, lockfilePath: file });
  const result = await validateSpdx(spdx);
  expect(result.errors).toEqual([]);
  expect((spdx.packages as unknown[]).length).toBe(g.packages.size + 1);
}

describe('Python', () => {
  it('uv (astral-sh/uv): 88 packages besides the project, all through dev groups (uv has no runtime deps)', async () => {
    const g = await graph('uv-uvlock', 'uv.lock');
    expect(g.root.purl).toBe('pkg:pypi/uv@0.12.5');
    expect(g.packages.size).toBe(88);
    expect(count(g, (p) => p.dev)).toBe(88);
    expect(count(g, (p) => p.integrity.has('sha256'))).toBe(88);
    await bothFormatsValid(g, 'uv.lock');
  });

  it('poetry (python-poetry/poetry): 78 packages, 25 outside the main group', async () => {
    const g = await graph('poetry-poetrylock', 'poetry.lock');
    expect(g.packages.size).toBe(78);
    expect(count(g, (p) => p.dev)).toBe(25);
    expect(purls(g)).toContain('pkg:pypi/backports-tarfile@1.2.0');
    await bothFormatsValid(g, 'poetry.lock');
  });

  it('Pipfile.lock (pypa/pipenv): 105 name@version, packaging and pygments at two versions', async () => {
    const g = await graph('pipenv-pipfilelock', 'Pipfile.lock');
    expect(g.packages.size).toBe(105);
    expect(count(g, (p) => !p.dev)).toBe(10);
    expect(purls(g).filter((p) => p.startsWith('pkg:pypi/packaging@'))).toHaveLength(2);
    expect(purls(g)).toContain('pkg:pypi/jaraco-classes@3.4.0');
    await bothFormatsValid(g, 'Pipfile.lock');
  });

  it('pylock.toml (pypa/pipenv): 103 packages, the dev group marked', async () => {
    const g = await graph('pipenv-pylock', 'pylock.toml');
    expect(g.packages.size).toBe(103);
    expect(count(g, (p) => !p.dev)).toBe(1);
    await bothFormatsValid(g, 'pylock.toml');
  });

  it('requirements.txt with hashes (sigstore/sigstore-python): 32 pins, all hashed', async () => {
    const g = await graph('sigstore-python-requirements', 'requirements.txt');
    expect(g.packages.size).toBe(32);
    expect(count(g, (p) => p.integrity.has('sha256'))).toBe(32);
    await bothFormatsValid(g, 'requirements.txt');
  });
});

describe('Go', () => {
  it('go.mod + go.sum (sigstore/cosign): the 287 required modules, each with its go.sum hash', async () => {
    const g = await graph('cosign-gomod', 'go.mod');
    expect(g.root.purl).toBe('pkg:golang/github.com/sigstore/cosign/v3');
    expect(g.packages.size).toBe(287);
    expect(count(g, (p) => p.integrity.has('sha256'))).toBe(287);
    expect(purls(g).some((p) => p.includes('+incompatible'))).toBe(true);
    await bothFormatsValid(g, 'go.mod');
  });
});

describe('Rust', () => {
  it('Cargo.lock (astral-sh/uv): 753 packages, 70 workspace members as parts of the virtual root', async () => {
    const g = await graph('uv-cargo', 'Cargo.lock');
    expect(g.root.purl).toBe('pkg:generic/uv-cargo');
    expect(g.packages.size).toBe(753);
    expect(count(g, (p) => p.source === 'workspace')).toBe(70);
    expect(count(g, (p) => p.integrity.has('sha256'))).toBe(683);
    expect(g.rootDependencies.size).toBe(70);
    await bothFormatsValid(g, 'Cargo.lock');
  });

  it('Cargo.lock (BurntSushi/ripgrep): the root package plus 62, 10 other members', async () => {
    const g = await graph('ripgrep-cargo', 'Cargo.lock');
    expect(g.root.purl).toBe('pkg:cargo/ripgrep@15.2.0');
    expect(g.packages.size).toBe(62);
    expect(count(g, (p) => p.source === 'workspace')).toBe(10);
    await bothFormatsValid(g, 'Cargo.lock');
  });
});

describe('Ruby', () => {
  it('Gemfile.lock (rails/rails): platform gems of the 5 lock platforms, PATH gems, CHECKSUMS', async () => {
    const g = await graph('rails-gemfilelock', 'Gemfile.lock');
    const all = purls(g);
    expect(all.filter((p) => p.startsWith('pkg:gem/nokogiri@'))).toEqual([
      'pkg:gem/nokogiri@1.19.1',
      'pkg:gem/nokogiri@1.19.1?platform=aarch64-linux-gnu',
      'pkg:gem/nokogiri@1.19.1?platform=arm64-darwin',
      'pkg:gem/nokogiri@1.19.1?platform=x86_64-darwin',
      'pkg:gem/nokogiri@1.19.1?platform=x86_64-linux-gnu',
    ]);
    expect(all.some((p) => p.startsWith('pkg:gem/tzinfo-data@'))).toBe(false);
    expect(all.some((p) => p.startsWith('pkg:gem/wdm@'))).toBe(false);
    expect(g.packages.size).toBe(264);
    expect(count(g, (p) => p.integrity.has('sha256'))).toBe(250);
    await bothFormatsValid(g, 'Gemfile.lock');
  });
});

describe('PHP', () => {
  it('composer.lock (symfony/demo): 99 packages + 54 packages-dev', async () => {
    const g = await graph('symfony-demo-composer', 'composer.lock');
    expect(g.packages.size).toBe(153);
    expect(count(g, (p) => p.dev)).toBe(54);
    expect(purls(g).some((p) => /^pkg:composer\/symfony\/[a-z-]+@v\d/.test(p))).toBe(true);
    await bothFormatsValid(g, 'composer.lock');
  });
});

describe('Java', () => {
  it('gradle.lockfile (JabRef/jabref): 199 coordinates, tool configurations dev', async () => {
    const g = await graph('jabref-gradlelockfile', 'gradle.lockfile');
    expect(g.packages.size).toBe(199);
    expect(count(g, (p) => p.dev)).toBe(79);
    expect(purls(g)).toContain('pkg:maven/com.github.sialcasa.mvvmFX/mvvmfx-validation@f195849ca9');
    await bothFormatsValid(g, 'gradle.lockfile');
  });

  it('mvn dependency:tree (hadoop-connectors gcsio): the resolved coordinates, omitted ones not', async () => {
    const g = await graph('gcsio-maven', 'dependency-tree.txt');
    expect(g.root.purl).toBe('pkg:maven/com.google.cloud.bigdataoss/gcsio@3.0.0-SNAPSHOT');
    expect(g.packages.size).toBe(112);
    // Omitted for conflict with 1.18.0: only the winner is resolved.
    expect(purls(g).filter((p) => p.startsWith('pkg:maven/commons-codec/commons-codec@'))).toEqual([
      'pkg:maven/commons-codec/commons-codec@1.18.0',
    ]);
    expect(purls(g).some((p) => p.includes('classifier=tests'))).toBe(true);
    await bothFormatsValid(g, 'dependency-tree.txt');
  });
});

describe('.NET', () => {
  it('packages.lock.json (Azure/bicep): the union over 8 targets', async () => {
    const g = await graph('bicep-cli-nuget', 'packages.lock.json');
    expect(g.packages.size).toBe(195);
    expect(count(g, (p) => p.source === 'workspace')).toBe(5);
    expect(count(g, (p) => p.integrity.has('sha512'))).toBe(190);
    await bothFormatsValid(g, 'packages.lock.json');
  });
});

describe('a monorepo of all of them', () => {
  it('is found by discovery and is one schema-valid SBOM', async () => {
    const { discoverLockfiles } = await import('../../src/sbom/adapter/discover.js');
    const found = await discoverLockfiles(corpusPath('bench/ecosystems'));
    expect(found.map((f) => f.relative)).toEqual([
      'bicep-cli-nuget/packages.lock.json',
      'cosign-gomod/go.mod',
      'gcsio-maven/dependency-tree.txt',
      'jabref-gradlelockfile/gradle.lockfile',
      'pipenv-pipfilelock/Pipfile.lock',
      'pipenv-pylock/pylock.toml',
      'poetry-poetrylock/poetry.lock',
      'rails-gemfilelock/Gemfile.lock',
      'ripgrep-cargo/Cargo.lock',
      'sigstore-python-requirements/requirements.txt',
      'symfony-demo-composer/composer.lock',
      'uv-cargo/Cargo.lock',
      'uv-uvlock/uv.lock',
    ]);
    expect(path.isAbsolute(found[0]!.absolute)).toBe(true);
  });
});
