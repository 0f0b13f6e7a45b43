// Every real lockfile under ../shared/bench/lockfiles: the SBOM validates, its (name, version)
// set equals the set read straight from the lockfile (prod by default, all with --include-dev),
// counts are pinned, and for npm lockfiles components and graph equal cyclonedx-npm's.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse as parseYAML } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusPath } from './shared.js';
import { validateBom } from '../../src/sbom/index.js';
import { REPO_ROOT, runCli } from '../helpers/cli.js';

const LOCKFILES = corpusPath('bench/lockfiles');
const CDXNPM = path.join(REPO_ROOT, 'fixtures/sbom/cdxnpm');
const ENV = { SOURCE_DATE_EPOCH: '1767225600' };

interface Component {
  'bom-ref': string;
  group?: string;
  name: string;
  version?: string;
  purl?: string;
  type: string;
  scope?: string;
  properties?: { name: string; value: string }[];
  components?: Component[];
}
interface Bom {
  metadata: { component: Component; properties?: { name: string; value: string }[] };
  components: Component[];
  dependencies: { ref: string; dependsOn?: string[] }[];
}

let out: string;
beforeAll(async () => {
  out = await mkdtemp(path.join(tmpdir(), 'custody-sbom-lockfiles-'));
});
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

async function sbom(project: string, extra: string[] = []): Promise<Bom> {
  const file = path.join(out, `${project}${extra.join('')}.cdx.json`);
  const run = await runCli(['sbom', path.join(LOCKFILES, project), '-o', file, ...extra], {
    env: ENV,
  });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const document = JSON.parse(await readFile(file, 'utf8')) as Bom;
  const result = await validateBom(document);
  expect(result.errors).toEqual([]);
  return document;
}

const fullName = (c: Pick<Component, 'group' | 'name'>): string =>
  c.group === undefined ? c.name : `${c.group}/${c.name}`;
const nameVersionSet = (components: readonly Component[]): Set<string> =>
  new Set(components.map((c) => `${fullName(c)}@${c.version ?? ''}`));
const sorted = (set: Set<string>): string[] => [...set].sort();

/** The resolved (name, version) set of an npm v2/v3 lockfile, read directly from `packages`. */
async function npmLockSet(project: string): Promise<{ all: Set<string>; prod: Set<string> }> {
  const lock = JSON.parse(
    await readFile(path.join(LOCKFILES, project, 'package-lock.json'), 'utf8')
  ) as {
    packages: Record<
      string,
      { name?: string; version?: string; dev?: boolean; link?: boolean; resolved?: string }
    >;
  };
  const linkName = new Map<string, string>();
  for (const [key, entry] of Object.entries(lock.packages)) {
    if (entry.link === true && entry.resolved !== undefined) {
      linkName.set(entry.resolved, key.slice(key.lastIndexOf('node_modules/') + 13));
    }
  }
  const all = new Set<string>();
  const prod = new Set<string>();
  for (const [key, entry] of Object.entries(lock.packages)) {
    if (key === '' || entry.link === true) continue;
    const installed = key.includes('node_modules/');
    const name =
      entry.name ??
      (installed ? key.slice(key.lastIndexOf('node_modules/') + 13) : linkName.get(key)!);
    const id = `${name}@${entry.version ?? ''}`;
    all.add(id);
    if (entry.dev !== true) prod.add(id);
  }
  return { all, prod };
}

const NPM_COUNTS = {
  // project: [prod components, --include-dev components, prod edges, all edges]
  'in-toto-attestation': [74, 74, 155, 155],
  'github-local-action': [225, 610, 363, 1241],
  'actions-attest': [132, 700, 222, 1649],
  // Production edges equal `cyclonedx-npm --omit dev --package-lock-only`'s (466, 3313): no dev
  // edges, no edges of dev-only install copies (before: 488 and 3428).
  'npm-cli': [212, 1036, 466, 2255],
  'eclipse-theia': [1456, 2196, 3313, 5353],
} as const;

const edgeCount = (bom: Bom): number =>
  bom.dependencies.reduce((sum, d) => sum + (d.dependsOn?.length ?? 0), 0);

describe('npm lockfiles (real)', () => {
  for (const [project, [prodCount, allCount, prodEdges, allEdges]] of Object.entries(NPM_COUNTS)) {
    it(`${project}: components equal the lockfile's resolved set, counts pinned`, async () => {
      const expected = await npmLockSet(project);
      const prod = await sbom(project);
      const all = await sbom(project, ['--include-dev']);
      expect(sorted(nameVersionSet(prod.components))).toEqual(sorted(expected.prod));
      expect(sorted(nameVersionSet(all.components))).toEqual(sorted(expected.all));
      expect([prod.components.length, all.components.length]).toEqual([prodCount, allCount]);
      expect([edgeCount(prod), edgeCount(all)]).toEqual([prodEdges, allEdges]);
      // One component per name@version: the set size is the component count.
      expect(nameVersionSet(all.components).size).toBe(all.components.length);
      // The graph is closed: every ref it names is a component or the root.
      const refs = new Set([
        ...all.components.map((c) => c['bom-ref']),
        all.metadata.component['bom-ref'],
      ]);
      for (const node of all.dependencies) {
        expect(refs.has(node.ref)).toBe(true);
        for (const target of node.dependsOn ?? []) expect(refs.has(target)).toBe(true);
      }
      // Dev components appear only with --include-dev, as scope optional.
      for (const c of all.components) {
        const dev = c.properties?.some((p) => p.name === 'cdx:npm:package:development') === true;
        if (dev) expect(c.scope).toBe('optional');
      }
    });
  }
});

/** cyclonedx-npm's components flattened, and its graph as purl → purl edges. */
function purlGraph(bom: Bom): { purls: Set<string>; edges: Set<string> } {
  const flat: Component[] = [];
  const walk = (list: readonly Component[] | undefined): void => {
    for (const c of list ?? []) {
      flat.push(c);
      walk(c.components);
    }
  };
  walk(bom.components);
  const purlOf = new Map(flat.map((c) => [c['bom-ref'], c.purl ?? c['bom-ref']]));
  purlOf.set(bom.metadata.component['bom-ref'], 'ROOT');
  const edges = new Set<string>();
  for (const node of bom.dependencies) {
    for (const target of node.dependsOn ?? []) {
      edges.add(`${purlOf.get(node.ref)} -> ${purlOf.get(target)}`);
    }
  }
  return { purls: new Set(flat.map((c) => c.purl!)), edges };
}

describe('against cyclonedx-npm --package-lock-only (fixtures/sbom/cdxnpm)', () => {
  for (const project of [
    'in-toto-attestation',
    'github-local-action',
    'npm-cli',
    'eclipse-theia',
  ]) {
    it(`${project}: same purls and same purl-level dependency graph`, async () => {
      const plain = path.join(CDXNPM, `${project}.cdx.json`);
      const text =
        project === 'in-toto-attestation'
          ? await readFile(plain, 'utf8')
          : gunzipSync(await readFile(`${plain}.gz`)).toString('utf8');
      const theirs = purlGraph(JSON.parse(text) as Bom);
      const ours = purlGraph(await sbom(project, ['--include-dev']));
      expect(sorted(ours.purls)).toEqual(sorted(theirs.purls));
      expect(sorted(ours.edges)).toEqual(sorted(theirs.edges));
    });
  }
});

describe('pnpm-lock.yaml v9 (vite, real)', () => {
  it('has one component per packages entry plus one per importer, counts pinned', async () => {
    const lock = parseYAML(
      await readFile(path.join(LOCKFILES, 'vite-pnpm/pnpm-lock.yaml'), 'utf8')
    ) as { packages: Record<string, unknown>; importers: Record<string, unknown> };
    const all = await sbom('vite-pnpm', ['--include-dev']);
    const workspaces = all.components.filter((c) =>
      c.properties?.some((p) => p.name === 'custody:package:workspace')
    );
    const packages = all.components.filter((c) => !workspaces.includes(c));
    expect(workspaces.length).toBe(Object.keys(lock.importers).length - 1);
    const expected = Object.keys(lock.packages).map((key) => {
      const at = key.indexOf('@', 1);
      const version = key.slice(at + 1);
      return `${key.slice(0, at)}@${version.startsWith('file:') ? '' : version}`;
    });
    expect(packages.map((c) => `${fullName(c)}@${c.version ?? ''}`).sort()).toEqual(
      expected.sort()
    );
    const prod = await sbom('vite-pnpm');
    expect([prod.components.length, all.components.length]).toEqual([805, 1683]);
    // Production edges: none of kind dev, none of dev-only snapshots (1332 before).
    expect([edgeCount(prod), edgeCount(all)]).toEqual([1271, 2919]);
    // Importers without name/version in their package.json (vite's test fixtures) still work.
    expect(all.metadata.component.name).toBe('vite-monorepo');
  });
});

describe('yarn.lock berry (jest, real)', () => {
  it('has one component per resolution (patches merged), workspaces flagged, counts pinned', async () => {
    const text = await readFile(path.join(LOCKFILES, 'jest-yarn-berry/yarn.lock'), 'utf8');
    const lock = parseYAML(text) as Record<string, { resolution?: string; version?: string }>;
    const expected = new Set<string>();
    let workspaceEntries = 0;
    for (const [key, entry] of Object.entries(lock)) {
      if (key === '__metadata' || entry.resolution === undefined) continue;
      const at = entry.resolution.indexOf('@', 1);
      const name = entry.resolution.slice(0, at);
      if (entry.resolution.includes('@workspace:')) {
        workspaceEntries++;
        continue;
      }
      expected.add(`${name}@${String(entry.version)}`);
    }
    const all = await sbom('jest-yarn-berry', ['--include-dev']);
    const workspaces = all.components.filter((c) =>
      c.properties?.some((p) => p.name === 'custody:package:workspace')
    );
    expect(workspaces.length).toBe(workspaceEntries - 1);
    const packages = all.components.filter((c) => !workspaces.includes(c));
    expect(sorted(nameVersionSet(packages))).toEqual(sorted(expected));
    const prod = await sbom('jest-yarn-berry');
    // 1687 since a workspace's devDependency that is also its peerDependency counts as dev.
    expect([prod.components.length, all.components.length]).toEqual([1687, 2220]);
    // yarn's checksum hashes its own zip, not the npm tarball: never reported as a hash.
    expect(all.components.filter((c) => 'hashes' in c)).toEqual([]);
    // Dev-only tooling of the root (eslint) is left out by default.
    expect(nameVersionSet(prod.components).has('eslint@10.0.3')).toBe(false);
    expect([...nameVersionSet(all.components)].some((id) => id.startsWith('eslint@'))).toBe(true);
  });
});
