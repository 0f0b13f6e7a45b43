// bun.lock (text, bun >= 1.2): JSON with trailing commas. `workspaces` holds each workspace's
// declared dependencies (keyed by path, '' = root); `packages` maps an install key to an array
// whose first element is the resolution "name@<version|protocol:...>":
//   npm       [ident, registry ('' = default), info, integrity]
//   git/github[ident, info, bun tag]       tarball [ident, info]
//   file/link [ident, info]                 workspace [ident]      root [ident, info]
// Install keys nest like node_modules: "parent/child" is child installed under parent; a
// dependency is found at the dependent's key + "/name", then one level up, up to "name".
// The binary bun.lockb is not read (SBOM_LOCKFILE_UNSUPPORTED, see lockfile.ts).
import type {
  EdgeKind,
  InstanceEdge,
  LockInstance,
  PackageSource,
  ParsedLockfile,
} from './graph.js';
import {
  ROOT_ID,
  factsOf,
  invalidLockfile,
  isRecord,
  isRegistryTarball,
  splitNameAtVersion,
  unsupportedLockfile,
} from './graph.js';
import type { ManifestMap } from './manifest.js';

/**
 * JSON text with the trailing commas (and comments) bun writes removed, string contents untouched.
 * Returns the text unchanged where there is nothing to remove, so JSON.parse reports real errors.
 */
export function stripJsonc(text: string): string {
  let out = '';
  let start = 0;
  let pendingComma = -1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '"') {
      pendingComma = -1;
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      continue;
    }
    if (ch === '/' && (text[i + 1] === '/' || text[i + 1] === '*')) {
      let end: number;
      if (text[i + 1] === '/') {
        const newline = text.indexOf('\n', i);
        end = newline < 0 ? text.length : newline;
      } else {
        const close = text.indexOf('*/', i + 2);
        if (close < 0) return text; // unterminated comment: let JSON.parse report it
        end = close + 2;
      }
      out += text.slice(start, i);
      start = end;
      i = end - 1;
      continue;
    }
    if (ch === ',') {
      pendingComma = i;
    } else if (ch === '}' || ch === ']') {
      if (pendingComma >= start) {
        out += text.slice(start, pendingComma);
        start = pendingComma + 1;
      }
      pendingComma = -1;
    } else if (!/\s/.test(ch)) {
      pendingComma = -1;
    }
  }
  return out + text.slice(start);
}

/** "@scope/a/b" → ["@scope/a", "b"]: the package names of a nested install key. */
function keyNames(key: string): string[] {
  const parts = key.split('/');
  const names: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (part.startsWith('@') && i + 1 < parts.length) names.push(`${part}/${parts[++i]!}`);
    else names.push(part);
  }
  return names;
}

function sourceOf(reference: string): PackageSource {
  if (reference.startsWith('workspace:') || reference.startsWith('root:')) return 'workspace';
  if (/^(git\+|git:|github:|gitlab:|bitbucket:|ssh:)/.test(reference)) return 'git';
  if (reference.startsWith('file:')) return 'file';
  if (reference.startsWith('link:')) return 'link';
  if (/^https?:/.test(reference)) return isRegistryTarball(reference) ? 'registry' : 'tarball';
  return 'registry';
}

const DEPENDENCY_GROUPS: readonly [string, EdgeKind][] = [
  ['dependencies', 'prod'],
  ['optionalDependencies', 'optional'],
  ['peerDependencies', 'peer'],
];

/** bun.lock text as data (trailing commas allowed); bad JSON is SBOM_LOCKFILE_INVALID. */
export function readBunLock(text: string, file: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(stripJsonc(text.replace(/^\uFEFF/, '')));
  } catch (error) {
    throw invalidLockfile(
      file,
      `not valid JSON (${error instanceof Error ? error.message : String(error)})`,
      error
    );
  }
  if (!isRecord(json)) throw invalidLockfile(file, 'the top level must be an object');
  return json;
}

/** Workspace directories (other than the root) a parsed bun.lock names. */
export function bunWorkspaceDirs(json: Record<string, unknown>): string[] {
  return isRecord(json.workspaces) ? Object.keys(json.workspaces).filter((dir) => dir !== '') : [];
}

export function parseBunLockfile(
  text: string,
  file: string,
  manifests: ManifestMap = new Map()
): ParsedLockfile {
  return bunFromDocument(readBunLock(text, file), file, manifests);
}

export function bunFromDocument(
  json: Record<string, unknown>,
  file: string,
  manifests: ManifestMap = new Map()
): ParsedLockfile {
  const version = json.lockfileVersion;
  if (version !== 0 && version !== 1) {
    throw unsupportedLockfile(
      file,
      `bun.lock lockfileVersion ${JSON.stringify(version)} is not supported (0 and 1 are)`
    );
  }
  const workspaces = json.workspaces;
  const packages = json.packages ?? {};
  if (!isRecord(workspaces) || !isRecord(workspaces[''])) {
    throw invalidLockfile(file, 'workspaces[""] (the root) is missing');
  }
  if (!isRecord(packages)) throw invalidLockfile(file, 'packages must be an object');

  // patchedDependencies: "name@version" → patch file.
  const patched = isRecord(json.patchedDependencies) ? json.patchedDependencies : {};
  const instances = new Map<string, LockInstance>();
  const workspaceIdByPath = new Map<string, string>();
  const workspaceIdByName = new Map<string, string>();
  for (const [dir, raw] of Object.entries(workspaces)) {
    if (!isRecord(raw))
      throw invalidLockfile(file, `workspaces[${JSON.stringify(dir)}] must be an object`);
    const id = dir === '' ? ROOT_ID : `workspace:${dir}`;
    workspaceIdByPath.set(dir, id);
    if (typeof raw.name === 'string') workspaceIdByName.set(raw.name, id);
  }

  const entryOf = new Map<string, { info: Record<string, unknown> }>();
  for (const [key, raw] of Object.entries(packages)) {
    const where = `packages[${JSON.stringify(key)}]`;
    if (!Array.isArray(raw) || typeof raw[0] !== 'string') {
      throw invalidLockfile(file, `${where} must be an array starting with "name@version"`);
    }
    const entry = raw as unknown[];
    const spec = splitNameAtVersion(raw[0]);
    if (spec === undefined)
      throw invalidLockfile(file, `${where}: ${JSON.stringify(raw[0])} is not name@version`);
    const source = sourceOf(spec.rest);
    if (source === 'workspace') continue; // described by `workspaces`
    const info = entry.find((element, index) => index > 0 && isRecord(element)) ?? {};
    const registry =
      source === 'registry' && typeof raw[1] === 'string' && raw[1] !== '' ? raw[1] : undefined;
    const integrity = source === 'registry' && typeof raw[3] === 'string' ? raw[3] : undefined;
    const local = source === 'file' || source === 'link';
    const patch = patched[raw[0]];
    instances.set(key, {
      id: key,
      name: spec.name,
      version: local ? undefined : source === 'git' ? gitCommit(raw[2], spec.rest) : spec.rest,
      source,
      resolved: source === 'registry' ? registry : spec.rest,
      integrity,
      installPath: key,
      patched: typeof patch === 'string' ? true : undefined,
      patches: typeof patch === 'string' ? [{ path: patch }] : undefined,
      facts: factsOf(info as Record<string, unknown>),
      edges: [],
    });
    entryOf.set(key, { info: info as Record<string, unknown> });
  }

  /** The package a dependency `name` of the package at install key `from` resolves to. */
  const resolve = (from: string[], name: string): string | undefined => {
    for (let depth = from.length; depth >= 0; depth--) {
      const candidate = [...from.slice(0, depth), name].join('/');
      if (instances.has(candidate)) return candidate;
      const ws = packages[candidate];
      if (Array.isArray(ws) && typeof ws[0] === 'string') {
        const match = /@workspace:(.*)$/.exec(ws[0]);
        const id = match === null ? undefined : workspaceIdByPath.get(match[1]!);
        if (id !== undefined) return id;
      }
    }
    return workspaceIdByName.get(name);
  };

  const edgesOf = (
    owner: string,
    from: string[],
    info: Record<string, unknown>,
    groups: readonly [string, EdgeKind][]
  ): InstanceEdge[] => {
    const edges: InstanceEdge[] = [];
    const optionalPeers = new Set(
      Array.isArray(info.optionalPeers)
        ? info.optionalPeers.filter((p) => typeof p === 'string')
        : []
    );
    for (const [group, kind] of groups) {
      const deps = info[group];
      if (deps === undefined) continue;
      if (!isRecord(deps)) throw invalidLockfile(file, `${owner}.${group} must be an object`);
      for (const name of Object.keys(deps)) {
        const to = resolve(from, name);
        if (to === undefined) {
          // Optional and peer dependencies may be left uninstalled (other platforms).
          if (kind === 'prod' || kind === 'dev') {
            throw invalidLockfile(file, `${owner}: dependency ${name} is not in the lockfile`);
          }
          continue;
        }
        edges.push({ to, kind: kind === 'peer' && optionalPeers.has(name) ? 'optional' : kind });
      }
    }
    return edges;
  };

  for (const [key, { info }] of entryOf) {
    instances
      .get(key)!
      .edges.push(
        ...edgesOf(`packages[${JSON.stringify(key)}]`, keyNames(key), info, DEPENDENCY_GROUPS)
      );
  }

  for (const [dir, raw] of Object.entries(workspaces) as [string, Record<string, unknown>][]) {
    const id = workspaceIdByPath.get(dir)!;
    const manifest = manifests.get(dir);
    const name =
      typeof raw.name === 'string' ? raw.name : (manifest?.name ?? (dir === '' ? 'root' : dir));
    const from = dir === '' ? [] : [name];
    const edges = edgesOf(`workspaces[${JSON.stringify(dir)}]`, from, raw, [
      ...DEPENDENCY_GROUPS,
      ['devDependencies', 'dev'],
    ]);
    if (id === ROOT_ID) {
      for (const other of [...workspaceIdByPath.values()].sort()) {
        if (other !== ROOT_ID) edges.push({ to: other, kind: 'workspace' });
      }
    }
    instances.set(id, {
      id,
      name,
      version: typeof raw.version === 'string' ? raw.version : manifest?.version,
      source: 'workspace',
      workspacePath: dir === '' ? undefined : dir,
      license: manifest?.license,
      edges,
    });
  }

  const root = instances.get(ROOT_ID)!;
  return {
    format: 'bun',
    lockfileVersion: String(version),
    root: { name: root.name, version: root.version, license: manifests.get(ROOT_ID)?.license },
    instances,
    flagsFromLockfile: false,
  };
}

/** A git dependency's version is its commit: from the resolution's "#sha" or bun's tag "owner-repo-sha". */
function gitCommit(tag: unknown, reference: string): string | undefined {
  const hash = /#([0-9a-f]{7,40})$/.exec(reference);
  if (hash !== null) return hash[1];
  const fromTag = typeof tag === 'string' ? /-([0-9a-f]{7,40})$/.exec(tag) : null;
  return fromTag?.[1];
}
