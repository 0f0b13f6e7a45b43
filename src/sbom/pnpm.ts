// pnpm-lock.yaml, lockfileVersion 6.x (pnpm 8) and 9.0 (pnpm 9/10).
// v9 splits package metadata (`packages`, keyed name@version) from resolved dependency sets
// (`snapshots`, keyed name@version(peers)); v6 keeps both in `packages` keyed /name@version(peers).
// Importers are workspaces; `link:` references between them become workspace edges.
import path from 'node:path/posix';
import { parse as parseYAML } from 'yaml';
import { readLockfileYAML } from './lock-yaml.js';
import type {
  EdgeKind,
  InstanceEdge,
  LockInstance,
  PackagePatch,
  PackageSource,
  ParsedLockfile,
} from './graph.js';
import {
  ROOT_ID,
  factsOf,
  invalidLockfile,
  isRecord,
  splitNameAtVersion,
  unsupportedLockfile,
} from './graph.js';
import type { ManifestMap } from './manifest.js';

/**
 * Duplicate keys at the two levels that hold packages (top level: yarn berry entries; second
 * level: pnpm importers/packages/snapshots). yaml's own uniqueKeys check compares every pair of
 * keys and more than doubled the parse time of a real lockfile; lockfiles are machine-written
 * with one key per line, so a line scan finds the same duplicates in linear time.
 */
function findDuplicateKey(text: string): { key: string; line: number } | undefined {
  const seen = new Set<string>();
  let parent = '';
  let lineNo = 0;
  for (const line of text.split('\n')) {
    lineNo++;
    const match = /^( {0,2})(?:'([^']*)'|"([^"]*)"|([^\s#'"-].*?)):(?:\s|$)/.exec(line);
    if (match === null) continue;
    const key = match[2] ?? match[3] ?? match[4]!;
    if (match[1] === '') {
      parent = key;
      if (seen.has(`\0${key}`)) return { key, line: lineNo };
      seen.add(`\0${key}`);
    } else {
      const scoped = `${parent}\0${key}`;
      if (seen.has(scoped)) return { key: `${parent}.${key}`, line: lineNo };
      seen.add(scoped);
    }
  }
  return undefined;
}

/** Parses lockfile YAML; syntax errors, truncation and duplicate keys are SBOM_LOCKFILE_INVALID. */
export function parseLockYAML(text: string, file: string): Record<string, unknown> {
  let doc: unknown = readLockfileYAML(text);
  try {
    doc ??= parseYAML(text, { uniqueKeys: false, maxAliasCount: 100, prettyErrors: false });
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw invalidLockfile(file, `not valid YAML (${reason})`, error);
  }
  if (!isRecord(doc)) throw invalidLockfile(file, 'the top level must be a mapping');
  const duplicate = findDuplicateKey(text);
  if (duplicate !== undefined) {
    throw invalidLockfile(
      file,
      `line ${duplicate.line}: duplicate key ${JSON.stringify(duplicate.key)} (conflicting entries)`
    );
  }
  return doc;
}

/**
 * The YAML documents of a pnpm lockfile. pnpm 11+ may write two: an environment document (the
 * package manager and config dependencies pnpm itself installs) and then the project's graph.
 * Lockfiles are machine-written, so a line holding only `---` separates documents.
 */
export interface PnpmDocuments {
  readonly graph: Record<string, unknown>;
  readonly environment?: Record<string, unknown> | undefined;
}

const DOCUMENT_SEPARATOR = /^---[ \t]*\r?$/m;

export function parsePnpmDocuments(text: string, file: string): PnpmDocuments {
  if (!DOCUMENT_SEPARATOR.test(text)) return { graph: parseLockYAML(text, file) };
  const parts = text.split(DOCUMENT_SEPARATOR).filter((part) => part.trim() !== '');
  if (parts.length === 0) throw invalidLockfile(file, 'no YAML document');
  if (parts.length > 2) {
    throw invalidLockfile(
      file,
      `${parts.length} YAML documents; a pnpm lockfile has one, or an environment document and the graph`
    );
  }
  const graph = parseLockYAML(parts[parts.length - 1]!, file);
  return parts.length === 1
    ? { graph }
    : { graph, environment: parseLockYAML(parts[0]!, `${file} (environment document)`) };
}

function stripPeers(key: string): string {
  const paren = key.indexOf('(');
  return paren < 0 ? key : key.slice(0, paren);
}

function sourceOf(resolution: Record<string, unknown>, version: string): PackageSource {
  if (version.startsWith('runtime:')) return 'runtime';
  if (resolution.type === 'git' || typeof resolution.repo === 'string') return 'git';
  if (resolution.type === 'directory' || version.startsWith('file:')) return 'file';
  if (typeof resolution.tarball === 'string') {
    return resolution.tarball.startsWith('file:') ? 'file' : 'tarball';
  }
  return 'registry';
}

function resolvedOf(resolution: Record<string, unknown>): string | undefined {
  if (typeof resolution.tarball === 'string') return resolution.tarball;
  if (typeof resolution.repo === 'string') {
    return typeof resolution.commit === 'string'
      ? `${resolution.repo}#${resolution.commit}`
      : resolution.repo;
  }
  if (typeof resolution.directory === 'string') return `file:${resolution.directory}`;
  return undefined;
}

interface ImporterDeps {
  dependencies?: unknown;
  devDependencies?: unknown;
  optionalDependencies?: unknown;
  /** Environment document only: what pnpm installs for itself. */
  configDependencies?: unknown;
  packageManagerDependencies?: unknown;
}

/** Prefix of the instance ids of the environment document's packages. */
const ENVIRONMENT_PREFIX = 'environment:';

/** Importer directories ('.' is the root) of a parsed pnpm lockfile, for reading their manifests. */
export function pnpmImporterDirs(doc: Record<string, unknown>): string[] {
  return isRecord(doc.importers) ? Object.keys(doc.importers).filter((dir) => dir !== '.') : [];
}

export function parsePnpmLockfile(
  text: string,
  file: string,
  manifests: ManifestMap = new Map()
): ParsedLockfile {
  return pnpmFromDocument(parseLockYAML(text, file), file, manifests);
}

export function pnpmFromDocument(
  doc: Record<string, unknown>,
  file: string,
  manifests: ManifestMap = new Map(),
  environment?: Record<string, unknown>
): ParsedLockfile {
  const rawVersion = doc.lockfileVersion;
  if (typeof rawVersion !== 'string' && typeof rawVersion !== 'number') {
    throw invalidLockfile(file, 'lockfileVersion is missing');
  }
  const lockfileVersion = String(rawVersion);
  const major = Number.parseInt(lockfileVersion, 10);
  if (major !== 6 && major !== 9) {
    throw unsupportedLockfile(
      file,
      `custody does not read pnpm lockfileVersion ${JSON.stringify(lockfileVersion)} (it reads 6.x and 9.0); the file itself may be fine`,
      major < 6
        ? 'pnpm 8 or newer writes a supported lockfile: `pnpm install --lockfile-only` with it, then run custody on the result'
        : 'this pnpm lockfile is newer than custody: update custody'
    );
  }
  const v9 = major === 9;
  const packages = doc.packages ?? {};
  if (!isRecord(packages)) throw invalidLockfile(file, 'packages must be a mapping');
  const snapshots = v9 ? (doc.snapshots ?? {}) : packages;
  if (!isRecord(snapshots)) throw invalidLockfile(file, 'snapshots must be a mapping');

  const importers: Record<string, unknown> = isRecord(doc.importers)
    ? doc.importers
    : {
        '.': {
          dependencies: doc.dependencies,
          devDependencies: doc.devDependencies,
          optionalDependencies: doc.optionalDependencies,
        },
      };
  if (!isRecord(importers['.'])) importers['.'] = {};

  const importerId = (importerPath: string): string =>
    importerPath === '.' ? ROOT_ID : `importer:${importerPath}`;

  /** The snapshot id a dependency reference points to, from the dependent's point of view. */
  const snapshotId = (name: string, reference: string): string =>
    v9
      ? splitNameAtVersion(stripPeers(reference)) !== undefined &&
        !/^(file|link|https?|git)/.test(reference)
        ? reference // an alias: "string-width@4.2.3"
        : `${name}@${reference}`
      : reference.startsWith('/') || reference.startsWith('file:')
        ? reference
        : `/${name}@${reference}`;

  const instances = new Map<string, LockInstance>();
  const links = new Map<string, LockInstance>();

  // patchedDependencies: "name@version" (or "name") → hash (v9) or { path, hash } (v6); the
  // snapshots of a patched package carry "(patch_hash=<hash>)" in their key.
  const patchByHash = new Map<string, PackagePatch>();
  if (isRecord(doc.patchedDependencies)) {
    for (const value of Object.values(doc.patchedDependencies)) {
      if (typeof value === 'string') patchByHash.set(value, { hash: value });
      else if (isRecord(value) && typeof value.hash === 'string') {
        patchByHash.set(value.hash, {
          hash: value.hash,
          path: typeof value.path === 'string' ? value.path : undefined,
        });
      }
    }
  }
  const patchesOf = (key: string): PackagePatch[] | undefined => {
    const hash = /\(patch_hash=([0-9a-z]+)\)/.exec(key)?.[1];
    if (hash === undefined) return undefined;
    return [patchByHash.get(hash) ?? { hash }];
  };

  const edgesOf = (
    owner: string,
    ownerDir: string | undefined,
    groups: [unknown, EdgeKind][],
    importer: boolean
  ): InstanceEdge[] => {
    const edges: InstanceEdge[] = [];
    for (const [group, kind] of groups) {
      if (group === undefined || group === null) continue;
      if (!isRecord(group)) throw invalidLockfile(file, `${owner}: dependencies must be a mapping`);
      for (const [name, value] of Object.entries(group)) {
        const reference = importer && isRecord(value) ? value.version : value;
        if (typeof reference !== 'string') {
          throw invalidLockfile(file, `${owner}: dependency ${name} has no version`);
        }
        if (reference.startsWith('link:')) {
          const target = path.normalize(path.join(ownerDir ?? '.', reference.slice(5)));
          const targetPath = target === '' ? '.' : target;
          if (isRecord(importers[targetPath])) {
            edges.push({ to: importerId(targetPath), kind });
          } else {
            const id = `link:${targetPath}`;
            if (!links.has(id)) {
              links.set(id, {
                id,
                name,
                version: undefined,
                source: 'link',
                resolved: reference,
                edges: [],
              });
            }
            edges.push({ to: id, kind });
          }
          continue;
        }
        const to = snapshotId(name, reference);
        if (!(to in snapshots)) {
          throw invalidLockfile(
            file,
            `${owner}: dependency ${name} refers to ${JSON.stringify(to)}, which is not in the lockfile`
          );
        }
        edges.push({ to, kind });
      }
    }
    return edges;
  };

  for (const [importerPath, raw] of Object.entries(importers)) {
    if (!isRecord(raw))
      throw invalidLockfile(file, `importers[${JSON.stringify(importerPath)}] must be a mapping`);
    const deps = raw as ImporterDeps;
    const owner = `importers[${JSON.stringify(importerPath)}]`;
    const edges = edgesOf(
      owner,
      importerPath,
      [
        [deps.dependencies, 'prod'],
        [deps.optionalDependencies, 'optional'],
        [deps.devDependencies, 'dev'],
        [deps.configDependencies, 'dev'],
        [deps.packageManagerDependencies, 'dev'],
      ],
      true
    );
    const manifest = manifests.get(importerPath === '.' ? ROOT_ID : importerPath);
    const id = importerId(importerPath);
    if (id === ROOT_ID) {
      for (const other of Object.keys(importers).sort()) {
        if (other !== '.') edges.push({ to: importerId(other), kind: 'workspace' });
      }
    }
    instances.set(id, {
      id,
      name: manifest?.name ?? (importerPath === '.' ? 'root' : importerPath),
      version: manifest?.version,
      source: 'workspace',
      workspacePath: importerPath,
      license: manifest?.license,
      edges,
    });
  }

  for (const [key, raw] of Object.entries(snapshots)) {
    const snapshot = raw ?? {};
    if (!isRecord(snapshot))
      throw invalidLockfile(file, `snapshot ${JSON.stringify(key)} must be a mapping`);
    const packageKey = v9 ? stripPeers(key) : key;
    const meta = packages[packageKey];
    if (!isRecord(meta)) {
      throw invalidLockfile(file, `${JSON.stringify(key)} has no entry in packages`);
    }
    const spec = splitNameAtVersion(stripPeers(v9 ? key : key.replace(/^\//, '')));
    const name = typeof meta.name === 'string' ? meta.name : spec?.name;
    const rawVersion = typeof meta.version === 'string' ? meta.version : spec?.rest;
    if (name === undefined || rawVersion === undefined) {
      throw invalidLockfile(
        file,
        `cannot read a package name and version from ${JSON.stringify(key)}`
      );
    }
    const resolution = isRecord(meta.resolution) ? meta.resolution : {};
    const keyVersion = spec?.rest ?? rawVersion;
    const source = sourceOf(resolution, keyVersion);
    const local = source === 'file' || source === 'link';
    const integrity = typeof resolution.integrity === 'string' ? resolution.integrity : undefined;
    const patches = patchesOf(key);
    instances.set(key, {
      id: key,
      name,
      version: local
        ? undefined
        : source === 'runtime'
          ? rawVersion.replace(/^runtime:/, '')
          : rawVersion,
      source,
      resolved:
        source === 'runtime'
          ? undefined
          : (resolvedOf(resolution) ?? (local ? rawVersion : undefined)),
      integrity,
      patched: patches !== undefined ? true : undefined,
      patches,
      facts: factsOf(meta),
      edges: edgesOf(
        `snapshot ${JSON.stringify(key)}`,
        undefined,
        [
          [snapshot.dependencies, 'prod'],
          [snapshot.optionalDependencies, 'optional'],
        ],
        false
      ),
    });
  }
  for (const [id, link] of links) if (!instances.has(id)) instances.set(id, link);

  const root = instances.get(ROOT_ID)!;
  if (environment !== undefined) {
    // The environment's packages (pnpm itself, config dependencies) are installed to run the
    // install, not shipped: marked, and reached from the root like dev dependencies.
    const env = pnpmFromDocument(environment, `${file} (environment document)`);
    const prefixed = (id: string): string => `${ENVIRONMENT_PREFIX}${id}`;
    for (const instance of env.instances.values()) {
      const edges = instance.edges.map((edge) => ({
        to: prefixed(edge.to),
        kind: instance.id === ROOT_ID ? ('dev' as const) : edge.kind,
      }));
      if (instance.id === ROOT_ID) {
        root.edges.push(...edges);
        continue;
      }
      const id = prefixed(instance.id);
      instances.set(id, { ...instance, id, environment: true, edges });
    }
  }
  return {
    format: 'pnpm',
    lockfileVersion,
    root: { name: root.name, version: root.version, license: root.license },
    instances,
    flagsFromLockfile: false,
  };
}
