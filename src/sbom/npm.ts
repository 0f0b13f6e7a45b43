// npm package-lock.json / npm-shrinkwrap.json, lockfileVersion 1, 2 and 3.
// v2/v3 are read from `packages` (install path → entry); v1's nested `dependencies` tree is first
// flattened to the same path form. Dependencies are resolved the way Node does: the nearest
// node_modules/<name> walking up from the dependent's path, following workspace links.
import picomatch from 'picomatch';
import type {
  EdgeKind,
  InstanceEdge,
  LockInstance,
  PackageFacts,
  PackageSource,
  ParsedLockfile,
} from './graph.js';
import {
  ROOT_ID,
  factsOf,
  invalidLockfile,
  isRecord,
  isRegistryTarball,
  optionalString,
  stringMap,
  unsupportedLockfile,
} from './graph.js';
import type { ManifestMap } from './manifest.js';

interface NpmEntry {
  name?: string | undefined;
  version?: string | undefined;
  resolved?: string | undefined;
  integrity?: string | undefined;
  license?: string | undefined;
  link?: boolean;
  dev?: boolean;
  optional?: boolean;
  devOptional?: boolean;
  inBundle?: boolean;
  dependencies?: Record<string, string> | undefined;
  devDependencies?: Record<string, string> | undefined;
  optionalDependencies?: Record<string, string> | undefined;
  peerDependencies?: Record<string, string> | undefined;
  peerOptional?: ReadonlySet<string>;
  workspaces?: readonly string[] | undefined;
  facts?: PackageFacts | undefined;
}

const NODE_MODULES = 'node_modules/';

function readEntry(raw: unknown, file: string, where: string): NpmEntry {
  if (!isRecord(raw)) throw invalidLockfile(file, `${where} must be an object`);
  const peerMeta = raw.peerDependenciesMeta;
  const peerOptional = new Set<string>();
  if (isRecord(peerMeta)) {
    for (const [name, meta] of Object.entries(peerMeta)) {
      if (isRecord(meta) && meta.optional === true) peerOptional.add(name);
    }
  }
  const license = raw.license;
  return {
    name: optionalString(raw.name, file, `${where}.name`),
    version: optionalString(raw.version, file, `${where}.version`),
    resolved: optionalString(raw.resolved, file, `${where}.resolved`),
    integrity: optionalString(raw.integrity, file, `${where}.integrity`),
    license: typeof license === 'string' ? license : undefined,
    link: raw.link === true,
    dev: raw.dev === true,
    optional: raw.optional === true,
    devOptional: raw.devOptional === true,
    inBundle: raw.inBundle === true,
    dependencies: stringMap(raw.dependencies, file, `${where}.dependencies`),
    devDependencies: stringMap(raw.devDependencies, file, `${where}.devDependencies`),
    optionalDependencies: stringMap(
      raw.optionalDependencies,
      file,
      `${where}.optionalDependencies`
    ),
    peerDependencies: stringMap(raw.peerDependencies, file, `${where}.peerDependencies`),
    peerOptional,
    facts: factsOf(raw),
    workspaces: Array.isArray(raw.workspaces)
      ? raw.workspaces.filter((w): w is string => typeof w === 'string')
      : isRecord(raw.workspaces) && Array.isArray(raw.workspaces.packages)
        ? raw.workspaces.packages.filter((w): w is string => typeof w === 'string')
        : undefined,
  };
}

/** Flattens a v1 `dependencies` tree into install paths. */
function flattenV1(
  tree: Record<string, unknown>,
  file: string,
  prefix: string,
  out: Map<string, NpmEntry>
): void {
  for (const [name, raw] of Object.entries(tree)) {
    const where = `dependencies[${JSON.stringify(prefix + name)}]`;
    if (!isRecord(raw)) throw invalidLockfile(file, `${where} must be an object`);
    const version = optionalString(raw.version, file, `${where}.version`);
    if (version === undefined) throw invalidLockfile(file, `${where} has no version`);
    const path = `${prefix}${NODE_MODULES}${name}`;
    out.set(path, {
      version,
      resolved: optionalString(raw.resolved, file, `${where}.resolved`),
      integrity: optionalString(raw.integrity, file, `${where}.integrity`),
      dev: raw.dev === true,
      optional: raw.optional === true,
      inBundle: raw.bundled === true,
      dependencies: stringMap(raw.requires, file, `${where}.requires`),
    });
    if (raw.dependencies !== undefined) {
      if (!isRecord(raw.dependencies)) {
        throw invalidLockfile(file, `${where}.dependencies must be an object`);
      }
      flattenV1(raw.dependencies, file, `${path}/`, out);
    }
  }
}

function isFolderPath(path: string): boolean {
  return path !== ROOT_ID && !path.startsWith(NODE_MODULES) && !path.includes(`/${NODE_MODULES}`);
}

/** The package name an install path implies: what follows its last node_modules/. */
function nameFromPath(path: string): string {
  const index = path.lastIndexOf(NODE_MODULES);
  return index < 0 ? path : path.slice(index + NODE_MODULES.length);
}

/** The next location up the tree whose node_modules Node would search. */
function parentLocation(location: string): string | undefined {
  if (location === ROOT_ID) return undefined;
  const nested = location.lastIndexOf(`/${NODE_MODULES}`);
  if (nested >= 0) return location.slice(0, nested);
  if (location.startsWith(NODE_MODULES)) return ROOT_ID;
  const slash = location.lastIndexOf('/');
  return slash < 0 ? ROOT_ID : location.slice(0, slash);
}

function classifyResolved(
  resolved: string | undefined,
  version: string | undefined
): PackageSource {
  const value = resolved ?? version ?? '';
  if (/^(git\+|git:|github:|gitlab:|bitbucket:)/.test(value)) return 'git';
  if (value.startsWith('file:')) return 'file';
  if (value.startsWith('link:')) return 'link';
  if (resolved !== undefined && /^https?:/.test(resolved) && !isRegistryTarball(resolved)) {
    return 'tarball';
  }
  return 'registry';
}

/** v1 spells aliases and non-registry packages in `version`; split them into parts. */
function versionParts(
  name: string,
  version: string | undefined
): { name: string; version: string | undefined } {
  if (version?.startsWith('npm:') === true) {
    const spec = version.slice(4);
    const at = spec.lastIndexOf('@');
    if (at > 0) return { name: spec.slice(0, at), version: spec.slice(at + 1) };
  }
  if (version !== undefined && /^(git\+|git:|github:|file:|link:|https?:)/.test(version)) {
    // A git dependency's only version is its commit; a local one has none in the lockfile.
    const hash = /#([0-9a-f]{7,40})$/.exec(version);
    return { name, version: hash?.[1] };
  }
  return { name, version };
}

export function parseNpmLockfile(
  text: string,
  file: string,
  manifests: ManifestMap = new Map()
): ParsedLockfile {
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch (error) {
    throw invalidLockfile(
      file,
      `not valid JSON (${error instanceof Error ? error.message : String(error)})`,
      error
    );
  }
  if (!isRecord(json)) throw invalidLockfile(file, 'the top level must be an object');
  const lockfileVersion = json.lockfileVersion;
  if (lockfileVersion === undefined) throw invalidLockfile(file, 'lockfileVersion is missing');
  if (lockfileVersion !== 1 && lockfileVersion !== 2 && lockfileVersion !== 3) {
    throw unsupportedLockfile(
      file,
      `lockfileVersion ${JSON.stringify(lockfileVersion)} is not supported (1, 2 and 3 are)`
    );
  }

  const entries = new Map<string, NpmEntry>();
  const rootManifest = manifests.get(ROOT_ID);
  const topName = optionalString(json.name, file, 'name');
  const topVersion = optionalString(json.version, file, 'version');
  if (lockfileVersion === 1) {
    if (!isRecord(json.dependencies) && json.dependencies !== undefined) {
      throw invalidLockfile(file, 'dependencies must be an object');
    }
    flattenV1(isRecord(json.dependencies) ? json.dependencies : {}, file, '', entries);
    const root: NpmEntry = {
      name: optionalString(json.name, file, 'name'),
      version: optionalString(json.version, file, 'version'),
    };
    if (rootManifest !== undefined) {
      root.dependencies = { ...rootManifest.dependencies };
      root.devDependencies = { ...rootManifest.devDependencies };
      root.optionalDependencies = { ...rootManifest.optionalDependencies };
    } else {
      // Without package.json, every top-level entry is a direct dependency of its stated kind.
      root.dependencies = {};
      root.devDependencies = {};
      for (const [path, entry] of entries) {
        if (path.includes(`/${NODE_MODULES}`)) continue;
        (entry.dev === true ? root.devDependencies : root.dependencies)[nameFromPath(path)] = '*';
      }
    }
    entries.set(ROOT_ID, root);
  } else {
    if (!isRecord(json.packages)) {
      throw invalidLockfile(file, `lockfileVersion ${lockfileVersion} requires a packages object`);
    }
    for (const [path, raw] of Object.entries(json.packages)) {
      entries.set(path, readEntry(raw, file, `packages[${JSON.stringify(path)}]`));
    }
    if (!entries.has(ROOT_ID)) throw invalidLockfile(file, 'packages[""] (the root) is missing');
  }

  const rootEntry = entries.get(ROOT_ID)!;
  const workspacePatterns = rootEntry.workspaces ?? rootManifest?.workspaces ?? [];
  const isWorkspace = picomatch(
    workspacePatterns.map((p) => p.replace(/\/+$/, '')),
    {
      dot: true,
    }
  );

  // npm leaves `name` out of a folder entry when it equals the folder's base name; the link
  // that installs the folder (node_modules/<name> → folder) carries the real package name.
  const linkNames = new Map<string, string>();
  for (const [path, entry] of entries) {
    if (entry.link === true && entry.resolved !== undefined && !linkNames.has(entry.resolved)) {
      linkNames.set(entry.resolved, nameFromPath(path));
    }
  }
  const folderName = (path: string, entry: NpmEntry): string =>
    entry.name ??
    manifests.get(path)?.name ??
    linkNames.get(path) ??
    path.slice(path.lastIndexOf('/') + 1);

  const instances = new Map<string, LockInstance>();
  const missingLinks = new Map<string, LockInstance>();

  /** The instance id a dependency `name` of `location` resolves to, following links. */
  const resolveDependency = (location: string, name: string): string | undefined => {
    for (let base: string | undefined = location; base !== undefined; base = parentLocation(base)) {
      const candidate =
        base === ROOT_ID ? `${NODE_MODULES}${name}` : `${base}/${NODE_MODULES}${name}`;
      const entry = entries.get(candidate);
      if (entry === undefined) continue;
      if (entry.link !== true) return candidate;
      const target = entry.resolved;
      if (target !== undefined && entries.has(target)) return target;
      // A link to a directory the lockfile does not describe: a documented "link" component.
      const id = `link:${target ?? candidate}`;
      if (!missingLinks.has(id)) {
        missingLinks.set(id, {
          id,
          name,
          version: undefined,
          source: 'link',
          resolved: target,
          installPath: candidate,
          edges: [],
        });
      }
      return id;
    }
    return undefined;
  };

  for (const [path, entry] of entries) {
    if (entry.link === true) continue;
    const folder = path === ROOT_ID || isFolderPath(path);
    const edges: InstanceEdge[] = [];
    const add = (deps: Record<string, string> | undefined, kind: EdgeKind): void => {
      if (deps === undefined) return;
      for (const dep of Object.keys(deps)) {
        const to = resolveDependency(path, dep);
        // Unresolvable: optional/peer dependencies not installed, or deps of bundled packages.
        if (to !== undefined && to !== path) edges.push({ to, kind });
      }
    };
    add(entry.dependencies, 'prod');
    add(entry.optionalDependencies, 'optional');
    if (entry.peerDependencies !== undefined) {
      for (const dep of Object.keys(entry.peerDependencies)) {
        // A project's (or workspace's) own dev dependency that is also its peer: npm installs it
        // for development (the dev range wins); consumers bring the peer.
        if (folder && entry.devDependencies?.[dep] !== undefined) continue;
        const to = resolveDependency(path, dep);
        if (to !== undefined && to !== path) {
          edges.push({ to, kind: entry.peerOptional?.has(dep) === true ? 'optional' : 'peer' });
        }
      }
    }
    if (folder) add(entry.devDependencies, 'dev');

    if (path === ROOT_ID) {
      // The root's workspaces are part of the project: link them from the root.
      for (const other of entries.keys()) {
        if (isFolderPath(other) && isWorkspace(other) && entries.get(other)?.link !== true) {
          edges.push({ to: other, kind: 'workspace' });
        }
      }
      instances.set(ROOT_ID, {
        id: ROOT_ID,
        name: entry.name ?? topName ?? rootManifest?.name ?? 'root',
        version: entry.version ?? topVersion ?? rootManifest?.version,
        source: 'workspace',
        edges,
      });
      continue;
    }

    if (folder) {
      const workspace = isWorkspace(path);
      instances.set(path, {
        id: path,
        name: folderName(path, entry),
        version: entry.version ?? manifests.get(path)?.version,
        source: workspace ? 'workspace' : 'file',
        resolved: workspace ? undefined : path,
        workspacePath: workspace ? path : undefined,
        license: entry.license,
        dev: entry.dev,
        optional: entry.optional === true || entry.devOptional === true,
        edges,
      });
      continue;
    }

    const parts = versionParts(entry.name ?? nameFromPath(path), entry.version);
    if (entry.version === undefined) {
      throw invalidLockfile(file, `packages[${JSON.stringify(path)}] has no version`);
    }
    instances.set(path, {
      id: path,
      name: parts.name,
      version: parts.version,
      source: classifyResolved(entry.resolved, entry.version),
      resolved: entry.resolved ?? (parts.version !== entry.version ? entry.version : undefined),
      integrity: entry.integrity,
      license: entry.license,
      installPath: path,
      dev: entry.dev,
      optional: entry.optional === true || entry.devOptional === true,
      bundled: entry.inBundle,
      facts: entry.facts,
      edges,
    });
  }
  for (const [id, link] of missingLinks) instances.set(id, link);

  const root = instances.get(ROOT_ID)!;
  return {
    format: 'npm',
    lockfileVersion: String(lockfileVersion),
    root: { name: root.name, version: root.version, license: rootManifest?.license },
    instances,
    flagsFromLockfile: true,
  };
}
