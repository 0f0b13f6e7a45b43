// Real lockfiles from public repositories (bench/lockfiles-real, sources in its SOURCES.md): the
// SBOM validates and its library components are exactly the lockfile's resolved name@version
// set, read here by a separate, minimal reader per format (--include-dev), and the production set
// is pinned: npm from the lockfile's own dev flags, pnpm per snapshot (per peer variant),
// yarn and bun against the counts in SOURCES.md. bun.lockb and pnpm 5.4 are refused as formats.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseYAML, parseAllDocuments } from 'yaml';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateBom } from '../../src/sbom/index.js';
import { REPO_ROOT, runCli } from '../helpers/cli.js';
import { corpusPath } from './shared.js';

const ENV = { SOURCE_DATE_EPOCH: '1767225600' };

interface Component {
  'bom-ref': string;
  purl?: string;
  group?: string;
  name: string;
  version?: string;
  scope?: string;
  properties?: { name: string; value: string }[];
}
interface Bom {
  metadata: { component: Component };
  components: Component[];
  dependencies: { ref: string; dependsOn?: string[] }[];
}

let lastDocument: Bom | undefined;

let out: string;
beforeAll(async () => {
  out = await mkdtemp(path.join(tmpdir(), 'custody-lockfiles-real-'));
});
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

const real = (...parts: string[]): string => corpusPath('bench/lockfiles-real', ...parts);

async function sbom(folder: string, extra: string[] = []): Promise<Component[]> {
  const file = path.join(out, `${folder}${extra.join('')}.cdx.json`);
  const run = await runCli(['sbom', real(folder), '-o', file, ...extra], { env: ENV });
  expect(run.code, run.stderr).toBe(0);
  const document = JSON.parse(await readFile(file, 'utf8')) as Bom;
  expect((await validateBom(document)).errors).toEqual([]);
  lastDocument = document;
  // Workspaces are the project's own parts, not resolved packages.
  return document.components.filter(
    (c) => !(c.properties ?? []).some((p) => p.name === 'custody:package:workspace')
  );
}

const nameVersion = (c: Component): string =>
  `${c.group === undefined ? '' : `${c.group}/`}${c.name}@${c.version ?? ''}`;
const sorted = (items: Iterable<string>): string[] => [...new Set(items)].sort();

/** "name@rest" → [name, rest], scoped names included. */
function split(spec: string): [string, string] {
  const at = spec.indexOf('@', 1);
  return [spec.slice(0, at), spec.slice(at + 1)];
}

// --- independent readers: the resolved set as each format writes it --------------------------

interface NpmV1Node {
  version: string;
  dev?: boolean;
  dependencies?: Record<string, NpmV1Node>;
}

async function npmSets(file: string): Promise<{ all: string[]; prod: string[] }> {
  const lock = JSON.parse(await readFile(file, 'utf8')) as {
    lockfileVersion: number;
    packages?: Record<string, { name?: string; version?: string; dev?: boolean; link?: boolean }>;
    dependencies?: Record<string, NpmV1Node>;
  };
  const all: string[] = [];
  const prod: string[] = [];
  const add = (id: string, dev: boolean | undefined): void => {
    all.push(id);
    if (dev !== true) prod.push(id);
  };
  if (lock.lockfileVersion === 1) {
    const walk = (tree: Record<string, NpmV1Node>): void => {
      for (const [name, node] of Object.entries(tree)) {
        // Aliases name the real package; git versions are their commit.
        const alias = node.version.startsWith('npm:') ? split(node.version.slice(4)) : undefined;
        const git = /^(git\+|git:|github:|https?:).*#([0-9a-f]{7,40})$/.exec(node.version);
        add(
          alias !== undefined ? `${alias[0]}@${alias[1]}` : `${name}@${git?.[2] ?? node.version}`,
          node.dev
        );
        if (node.dependencies !== undefined) walk(node.dependencies);
      }
    };
    walk(lock.dependencies ?? {});
    return { all: sorted(all), prod: sorted(prod) };
  }
  for (const [key, entry] of Object.entries(lock.packages ?? {})) {
    if (key === '' || entry.link === true || !key.includes('node_modules/')) continue;
    add(
      `${entry.name ?? key.slice(key.lastIndexOf('node_modules/') + 13)}@${entry.version}`,
      entry.dev
    );
  }
  return { all: sorted(all), prod: sorted(prod) };
}

/** pnpm v6/v9: every snapshot; prod = reachable from an importer without devDependencies. */
async function pnpmSets(
  file: string
): Promise<{ all: string[]; prod: string[]; environment: string[] }> {
  const docs = parseAllDocuments(await readFile(file, 'utf8')).map(
    (d) => d.toJS() as Record<string, Record<string, Record<string, unknown>>>
  );
  const doc = docs[docs.length - 1]!;
  const v9 = (doc.lockfileVersion as unknown as string).startsWith('9');
  const snapshots = (v9 ? doc.snapshots : doc.packages) ?? {};
  const strip = (key: string): string => key.replace(/\(.*$/, '').replace(/^\//, '');
  const id = (key: string): string => {
    const [name, version] = split(strip(key));
    // A runtime (pnpm's `node@runtime:26.7.0`) is that version of the runtime.
    if (version.startsWith('runtime:')) return `${name}@${version.slice(8)}`;
    return `${name}@${/^(file|link):/.test(version) ? '' : version}`;
  };
  const ref = (name: string, version: string): string | undefined => {
    if (version.startsWith('link:')) return undefined;
    if (v9)
      return /^[^(]+@[^(]/.test(version) && !/^(file|https?|git)/.test(version)
        ? version
        : `${name}@${version}`;
    return version.startsWith('/') ? version : `/${name}@${version}`;
  };
  const seen = new Set<string>();
  const stack: string[] = [];
  const visit = (deps: unknown): void => {
    for (const [name, value] of Object.entries((deps ?? {}) as Record<string, unknown>)) {
      const version = typeof value === 'string' ? value : (value as { version: string }).version;
      const to = ref(name, version);
      if (to !== undefined && !seen.has(to)) {
        seen.add(to);
        stack.push(to);
      }
    }
  };
  for (const importer of Object.values(doc.importers ?? {})) {
    visit(importer.dependencies);
    visit(importer.optionalDependencies);
  }
  while (stack.length > 0) {
    const snapshot: Record<string, unknown> = snapshots[stack.pop()!] ?? {};
    visit(snapshot.dependencies);
    visit(snapshot.optionalDependencies);
  }
  const environment = docs.length > 1 ? Object.keys(docs[0]!.packages ?? {}).map(id) : [];
  return {
    all: sorted(Object.keys(snapshots).map(id)),
    prod: sorted([...seen].map(id)),
    environment: sorted(environment),
  };
}

/** yarn v1: each entry's first descriptor (aliases resolved) and its `version` line. */
async function yarnClassicSet(file: string): Promise<string[]> {
  const ids: string[] = [];
  const text = await readFile(file, 'utf8');
  for (const match of text.matchAll(/^("?)([^\s#][^\n]*):\n {2}version "([^"]+)"/gm)) {
    const first = match[2]!.split(', ')[0]!.replace(/^"|"$/g, '');
    const [name, range] = split(first);
    const real = range.startsWith('npm:') ? split(range.slice(4))[0] : name;
    const resolved = new RegExp(
      `^${match[0].replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n(?: {2}.*\\n)*? {2}resolved "([^"]+)"`,
      'm'
    );
    const local =
      /^(file|link):/.test(resolved.exec(text)?.[1] ?? range) || /^(file|link):/.test(range);
    ids.push(`${real}@${local ? '' : match[3]}`);
  }
  return sorted(ids);
}

/** yarn berry: every resolution but workspaces; link:/portal: targets have no version. */
async function yarnBerrySet(file: string): Promise<string[]> {
  const lock = parseYAML(await readFile(file, 'utf8')) as Record<
    string,
    { resolution?: string; version?: unknown }
  >;
  const ids: string[] = [];
  for (const [key, entry] of Object.entries(lock)) {
    if (key === '__metadata' || entry.resolution === undefined) continue;
    const [name, reference] = split(entry.resolution);
    if (reference.startsWith('workspace:')) continue;
    ids.push(`${name}@${/^(link|portal):/.test(reference) ? '' : String(entry.version)}`);
  }
  return sorted(ids);
}

/** bun.lock: the resolution (first element) of every packages entry but workspaces. */
async function bunSet(file: string): Promise<string[]> {
  const text = (await readFile(file, 'utf8')).replace(/,(\s*[}\]])/g, '$1');
  const lock = JSON.parse(text) as { packages: Record<string, [string, ...unknown[]]> };
  return sorted(
    Object.values(lock.packages)
      .map((entry) => split(entry[0]))
      .filter(([, rest]) => !rest.startsWith('workspace:'))
      .map(([name, rest]) => `${name}@${rest}`)
  );
}

// --- the cases --------------------------------------------------------------------------------

const NPM: [string, string][] = [
  ['excalidraw-npm1', 'package-lock.json'],
  ['semrel-npm1', 'package-lock.json'],
  ['otel-npm3-ws', 'package-lock.json'],
  ['semrel-npm3-bundled', 'package-lock.json'],
  ['firebase-shrinkwrap2', 'npm-shrinkwrap.json'],
];

interface PurlGraph {
  purls: string[];
  edges: string[];
}

/** Purls (qualifiers dropped) and "purl -> purl" edges, the root as ROOT. */
function purlGraph(document: Bom): PurlGraph {
  const purl = new Map<string, string>();
  for (const c of document.components)
    purl.set(c['bom-ref'], (c.purl ?? c.name).replace(/\?.*$/, ''));
  purl.set(document.metadata.component['bom-ref'], 'ROOT');
  const edges = document.dependencies.flatMap((d) =>
    (d.dependsOn ?? []).map((to) => `${purl.get(d.ref)} -> ${purl.get(to)}`)
  );
  return { purls: sorted(purl.values()), edges: sorted(edges) };
}

describe('npm lockfiles (real): the lockfile resolved set, production by its dev flags', () => {
  for (const [folder, lockfile] of NPM) {
    it(folder, async () => {
      const expected = await npmSets(real(folder, lockfile));
      expect(sorted((await sbom(folder, ['--include-dev'])).map(nameVersion))).toEqual(
        expected.all
      );
      expect(sorted((await sbom(folder)).map(nameVersion))).toEqual(expected.prod);
    });

    // fixtures/sbom/cdxnpm-omit-dev: cyclonedx-npm 6.0.1 --omit dev --package-lock-only on the
    // same folder, reduced to its purl-level graph.
    it(`${folder}: production graph equals cyclonedx-npm --omit dev`, async () => {
      const theirs = JSON.parse(
        gunzipSync(
          await readFile(
            path.join(REPO_ROOT, 'fixtures/sbom/cdxnpm-omit-dev', `${folder}.graph.json.gz`)
          )
        ).toString('utf8')
      ) as PurlGraph;
      await sbom(folder);
      const ours = purlGraph(lastDocument!);
      expect(ours.purls).toEqual(theirs.purls);
      expect(ours.edges).toEqual(theirs.edges);
    });
  }
});

describe('pnpm lockfiles (real): every snapshot, production per peer variant', () => {
  for (const folder of ['nuxt-pnpm9', 'vue-pnpm9', 'vue-pnpm6', 'pnpm-pnpm9-multidoc']) {
    it(folder, async () => {
      const expected = await pnpmSets(real(folder, 'pnpm-lock.yaml'));
      const all = await sbom(folder, ['--include-dev']);
      expect(sorted(all.map(nameVersion))).toEqual(
        sorted([...expected.all, ...expected.environment])
      );
      const marked = all.filter((c) =>
        (c.properties ?? []).some((p) => p.name === 'custody:package:environment')
      );
      expect(sorted(marked.map(nameVersion))).toEqual(expected.environment);
      expect(sorted((await sbom(folder)).map(nameVersion))).toEqual(expected.prod);
    });
  }

  it('pnpm-pnpm9-multidoc: two documents, the environment one (pnpm itself) marked', async () => {
    const expected = await pnpmSets(real('pnpm-pnpm9-multidoc', 'pnpm-lock.yaml'));
    expect(expected.environment.length).toBe(9);
    expect(expected.environment).toContain('pnpm@12.0.0-rc.8');
    expect([expected.all.length, expected.prod.length]).toEqual([1678, 1253]);
  });

  it('vue-pnpm54: lockfileVersion 5.4 is an unsupported format, not a damaged file', async () => {
    const run = await runCli(['sbom', real('vue-pnpm54')], { env: ENV });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('SBOM_LOCKFILE_UNSUPPORTED');
    expect(run.stderr).toContain('may be fine');
    expect(run.stderr).not.toContain('damaged');
  });
});

// Production counts from SOURCES.md (an independent reader over the manifests).
const YARN: [string, 'classic' | 'berry', number][] = [
  ['webpack-yarn1', 'classic', 63],
  ['metro-yarn1-ws', 'classic', 186],
  ['excalidraw-yarn1-ws', 'classic', 473],
  ['rtk-berry4-ws', 'berry', 2158],
  ['tseslint-berry3-patch', 'berry', 1398],
];

describe('yarn lockfiles (real): every resolution, production count from the manifests', () => {
  for (const [folder, kind, prodCount] of YARN) {
    it(folder, async () => {
      const file = real(folder, 'yarn.lock');
      const expected = kind === 'classic' ? await yarnClassicSet(file) : await yarnBerrySet(file);
      const all = await sbom(folder, ['--include-dev']);
      expect(sorted(all.map(nameVersion))).toEqual(expected);
      const prod = await sbom(folder);
      expect(new Set(prod.map(nameVersion)).size).toBe(prodCount);
      for (const c of prod) expect(expected).toContain(nameVersion(c));
    });
  }
});

describe('bun.lock (real)', () => {
  it('hono-bun: every package entry; the root has only devDependencies', async () => {
    const expected = await bunSet(real('hono-bun', 'bun.lock'));
    expect(expected.length).toBe(1012);
    expect(sorted((await sbom('hono-bun', ['--include-dev'])).map(nameVersion))).toEqual(expected);
    expect(await sbom('hono-bun')).toEqual([]);
  });
});
