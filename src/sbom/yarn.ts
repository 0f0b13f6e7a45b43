// yarn.lock: classic (v1, its own line format, not YAML) and berry (v2+, YAML with __metadata).
// Entries are keyed by the descriptors (name@range, comma-separated) they satisfy; a dependency
// name@range is looked up among those descriptors. Neither format says which dependencies are dev
// ones, so workspace manifests (package.json) decide; without them every dependency counts as prod.
import type {
  EdgeKind,
  InstanceEdge,
  LockInstance,
  PackageFacts,
  PackagePatch,
  PackageSource,
  ParsedLockfile,
} from './graph.js';
import {
  ROOT_ID,
  invalidLockfile,
  isRecord,
  isRegistryTarball,
  splitNameAtVersion,
  unsupportedLockfile,
} from './graph.js';
import { CustodyError } from '../errors.js';
import type { ManifestMap, PackageManifest } from './manifest.js';
import { parseLockYAML } from './pnpm.js';

function conflictingDescriptor(
  file: string,
  descriptor: string,
  first: string,
  second: string
): CustodyError {
  return new CustodyError(
    'SBOM_LOCKFILE_CONFLICT',
    `${file}: ${descriptor} is listed for two different packages (${first} and ${second})`,
    { hint: 'regenerate the lockfile with yarn', details: { file, descriptor } }
  );
}

/**
 * The kind of a workspace's dependency, from its manifest (yarn.lock merges dev into
 * dependencies). A package both in peerDependencies and devDependencies is installed for the
 * workspace's own development only (its consumers bring the peer), so dev wins over peer, as
 * npm decides it.
 */
function manifestKind(manifest: PackageManifest | undefined, name: string): EdgeKind {
  if (manifest === undefined) return 'prod';
  if (manifest.dependencies?.[name] !== undefined) return 'prod';
  if (manifest.optionalDependencies?.[name] !== undefined) return 'optional';
  if (manifest.devDependencies?.[name] !== undefined) return 'dev';
  if (manifest.peerDependencies?.[name] !== undefined) return 'peer';
  return 'prod';
}

function classifyReference(reference: string): PackageSource {
  if (reference.startsWith('workspace:')) return 'workspace';
  if (
    /^(git\+|git:|git@|github:|gitlab:|bitbucket:|ssh:)/.test(reference) ||
    /\.git(#|$)/.test(reference)
  ) {
    return 'git';
  }
  if (/^https?:\/\/codeload\.github\.com\//.test(reference)) return 'git';
  if (reference.startsWith('file:')) return 'file';
  if (/^(link|portal|exec):/.test(reference)) return 'link';
  if (/^https?:/.test(reference)) return isRegistryTarball(reference) ? 'registry' : 'tarball';
  return 'registry';
}

// ---------------------------------------------------------------------------------------------
// yarn berry

/**
 * The patch of a berry `patch:` locator: "patch:<inner>#<source>[::params]" where the source is
 * a file path or yarn's own `~builtin<compat/x>` / `optional!builtin<compat/x>`.
 */
function berryPatch(reference: string): PackagePatch {
  const source = decodeURIComponent(
    reference.slice(reference.indexOf('#') + 1).split('::')[0] ?? ''
  );
  const builtin = /builtin<([^>]+)>/.exec(source)?.[1];
  return builtin !== undefined ? { builtin } : { path: source.replace(/^\.\//, '') };
}

/** berry `conditions: os=darwin & cpu=arm64` as platform facts. */
function berryConditions(value: unknown): PackageFacts | undefined {
  if (typeof value !== 'string') return undefined;
  const facts: Record<'os' | 'cpu' | 'libc', string[]> = { os: [], cpu: [], libc: [] };
  for (const part of value.split('&')) {
    const match = /^\s*(os|cpu|libc)=(\S+)\s*$/.exec(part);
    if (match !== null) facts[match[1] as 'os' | 'cpu' | 'libc'].push(match[2]!);
  }
  const list = (l: string[]): string[] | undefined => (l.length > 0 ? l : undefined);
  return { os: list(facts.os), cpu: list(facts.cpu), libc: list(facts.libc) };
}

/** A berry descriptor range with a protocol ("npm:", "patch:", "workspace:", a URL...). */
function hasProtocol(range: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(range);
}

/** Workspace directories (other than the root) named by a parsed berry lockfile's resolutions. */
export function yarnBerryWorkspaceDirs(doc: Record<string, unknown>): string[] {
  const dirs: string[] = [];
  for (const entry of Object.values(doc)) {
    if (!isRecord(entry) || typeof entry.resolution !== 'string') continue;
    const match = /@workspace:(.+)$/.exec(entry.resolution);
    if (match !== null && match[1] !== '.') dirs.push(match[1]!);
  }
  return dirs;
}

export function parseYarnBerryLockfile(
  text: string,
  file: string,
  manifests: ManifestMap = new Map()
): ParsedLockfile {
  return yarnBerryFromDocument(parseLockYAML(text, file), file, manifests);
}

export function yarnBerryFromDocument(
  doc: Record<string, unknown>,
  file: string,
  manifests: ManifestMap = new Map()
): ParsedLockfile {
  const metadata = doc.__metadata;
  if (
    !isRecord(metadata) ||
    (typeof metadata.version !== 'number' && typeof metadata.version !== 'string')
  ) {
    throw invalidLockfile(file, '__metadata.version is missing');
  }
  const lockfileVersion = String(metadata.version);
  const major = Number.parseInt(lockfileVersion, 10);
  if (!(major >= 4 && major <= 10)) {
    throw unsupportedLockfile(
      file,
      `yarn berry lockfile version ${lockfileVersion} is not supported (4-10 are)`
    );
  }

  const byDescriptor = new Map<string, string>();
  const entries: [string, Record<string, unknown>][] = [];
  for (const [key, raw] of Object.entries(doc)) {
    if (key === '__metadata') continue;
    if (!isRecord(raw))
      throw invalidLockfile(file, `entry ${JSON.stringify(key)} must be a mapping`);
    const resolution = raw.resolution;
    if (typeof resolution !== 'string') {
      throw invalidLockfile(file, `entry ${JSON.stringify(key)} has no resolution`);
    }
    for (const descriptor of key.split(',')) {
      const trimmed = descriptor.trim();
      const previous = byDescriptor.get(trimmed);
      if (previous !== undefined && previous !== resolution) {
        throw conflictingDescriptor(file, trimmed, previous, resolution);
      }
      byDescriptor.set(trimmed, resolution);
    }
    entries.push([resolution, raw]);
  }

  // Root `resolutions` force versions: yarn keeps the original descriptor in `dependencies`
  // but keys the entry by the forced one ("@types/node": "18.x" → @types/node@npm:18.x).
  const resolutions = manifests.get(ROOT_ID)?.resolutions ?? {};
  const forced = (name: string, range: string): string | undefined => {
    for (const [pattern, value] of Object.entries(resolutions)) {
      const parts = pattern.split('/');
      const last = parts[parts.length - 1] ?? '';
      const previous = parts[parts.length - 2];
      const target = previous?.startsWith('@') === true ? `${previous}/${last}` : last;
      const spec = splitNameAtVersion(target);
      if ((spec?.name ?? target) !== name) continue;
      if (spec !== undefined && spec.rest !== range && `npm:${spec.rest}` !== range) continue;
      for (const candidate of [`${name}@${value}`, `${name}@npm:${value}`]) {
        const hit = byDescriptor.get(candidate);
        if (hit !== undefined) return hit;
        // Patches with a relative path are keyed with the workspace that declares them.
        for (const [descriptor, resolution] of byDescriptor) {
          if (descriptor.startsWith(`${candidate}::`)) return resolution;
        }
      }
    }
    return undefined;
  };

  const instances = new Map<string, LockInstance>();
  let rootId: string | undefined;
  for (const [resolution, entry] of entries) {
    const locator = splitNameAtVersion(resolution);
    if (locator === undefined) {
      throw invalidLockfile(file, `resolution ${JSON.stringify(resolution)} is not name@reference`);
    }
    const reference = locator.rest;
    const patched = reference.startsWith('patch:');
    const inner = patched ? decodeURIComponent(reference.slice(6).split('#')[0] ?? '') : reference;
    const innerReference = patched ? (splitNameAtVersion(inner)?.rest ?? inner) : reference;
    const source = classifyReference(innerReference);
    const workspacePath =
      source === 'workspace' ? innerReference.slice('workspace:'.length) : undefined;
    const manifest =
      workspacePath === undefined
        ? undefined
        : manifests.get(workspacePath === '.' ? ROOT_ID : workspacePath);
    const rawVersion =
      typeof entry.version === 'string' || typeof entry.version === 'number'
        ? String(entry.version)
        : undefined;
    const placeholder = rawVersion === '0.0.0-use.local';
    const version =
      source === 'workspace'
        ? (manifest?.version ?? (placeholder ? undefined : rawVersion))
        : placeholder
          ? undefined
          : rawVersion;
    if (version === undefined && source === 'registry') {
      throw invalidLockfile(file, `entry ${JSON.stringify(resolution)} has no version`);
    }

    const edges: InstanceEdge[] = [];
    const deps = entry.dependencies;
    if (deps !== undefined && !isRecord(deps)) {
      throw invalidLockfile(file, `${resolution}: dependencies must be a mapping`);
    }
    const meta = isRecord(entry.dependenciesMeta) ? entry.dependenciesMeta : {};
    for (const [name, value] of Object.entries(deps ?? {})) {
      // yarn 2/3 leave plain ranges unquoted, so YAML reads `debug: 4` as a number.
      const range = typeof value === 'number' ? String(value) : value;
      if (typeof range !== 'string')
        throw invalidLockfile(file, `${resolution}: dependency ${name} must be a string`);
      // yarn 2/3 (metadata 4-6) write a registry range without its protocol ("1.17.9") while
      // the entry key carries it ("name@npm:1.17.9"); yarn 4 writes "npm:1.17.9" in both.
      const to =
        byDescriptor.get(`${name}@${range}`) ??
        (hasProtocol(range) ? undefined : byDescriptor.get(`${name}@npm:${range}`)) ??
        forced(name, range);
      if (to === undefined) {
        throw invalidLockfile(
          file,
          `${resolution}: dependency ${name}@${range} is not in the lockfile`
        );
      }
      const depMeta = meta[name];
      const optional = isRecord(depMeta) && depMeta.optional === true;
      const kind =
        workspacePath !== undefined ? manifestKind(manifest, name) : optional ? 'optional' : 'prod';
      edges.push({ to, kind: optional && kind === 'prod' ? 'optional' : kind });
    }

    const id = workspacePath === '.' ? ROOT_ID : resolution;
    if (id === ROOT_ID) rootId = resolution;
    instances.set(id, {
      id,
      name: locator.name,
      version,
      source,
      resolved: source === 'registry' || source === 'workspace' ? undefined : innerReference,
      workspacePath,
      license: manifest?.license,
      patched,
      patches: patched ? [berryPatch(reference)] : undefined,
      facts: berryConditions(entry.conditions),
      edges,
    });
  }
  if (rootId === undefined)
    throw invalidLockfile(file, 'no root workspace (name@workspace:.) entry');

  // Workspaces other than the root are part of the project: link them from the root.
  const root = instances.get(ROOT_ID)!;
  for (const instance of [...instances.values()].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    if (instance.id !== ROOT_ID && instance.source === 'workspace') {
      root.edges.push({ to: instance.id, kind: 'workspace' });
    }
  }
  // Edges that pointed at the root's resolution string point at ROOT_ID's instance instead.
  for (const instance of instances.values()) {
    for (let i = 0; i < instance.edges.length; i++) {
      if (instance.edges[i]!.to === rootId)
        instance.edges[i] = { ...instance.edges[i]!, to: ROOT_ID };
    }
  }
  return {
    format: 'yarn-berry',
    lockfileVersion,
    root: {
      name: manifests.get(ROOT_ID)?.name ?? root.name,
      version: root.version,
      license: root.license,
    },
    instances,
    flagsFromLockfile: false,
  };
}

// ---------------------------------------------------------------------------------------------
// yarn classic (v1)

interface ClassicEntry {
  descriptors: string[];
  fields: Map<string, string>;
  maps: Map<string, Map<string, string>>;
  line: number;
}

/** Reads one token: a JSON-style quoted string or a bare word. Returns [token, rest]. */
function readToken(text: string, file: string, line: number): [string, string] {
  if (text.startsWith('"')) {
    let end = 1;
    while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
    if (end >= text.length) throw invalidLockfile(file, `line ${line}: unterminated string`);
    try {
      return [JSON.parse(text.slice(0, end + 1)) as string, text.slice(end + 1).trimStart()];
    } catch (error) {
      throw invalidLockfile(file, `line ${line}: bad string`, error);
    }
  }
  const space = text.indexOf(' ');
  return space < 0 ? [text, ''] : [text.slice(0, space), text.slice(space + 1).trimStart()];
}

/** yarn v1's lockfile syntax: two-space indentation, `key value` pairs, `key:` opening a map. */
export function parseClassicSyntax(text: string, file: string): ClassicEntry[] {
  if (!/^# yarn lockfile v1\s*$/m.test(text.slice(0, 500))) {
    throw unsupportedLockfile(file, 'not a yarn v1 lockfile (no "# yarn lockfile v1" header)');
  }
  const entries: ClassicEntry[] = [];
  let current: ClassicEntry | undefined;
  let currentMap: Map<string, string> | undefined;
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index]!;
    const lineNo = index + 1;
    if (raw.trim() === '' || raw.trimStart().startsWith('#')) continue;
    const indent = raw.length - raw.trimStart().length;
    const content = raw.trim();
    if (indent === 0) {
      if (!content.endsWith(':'))
        throw invalidLockfile(file, `line ${lineNo}: expected "descriptor:"`);
      const descriptors: string[] = [];
      let rest = content.slice(0, -1).trim();
      while (rest.length > 0) {
        const [token, after] = readToken(rest, file, lineNo);
        descriptors.push(token.replace(/,$/, ''));
        rest = after.replace(/^,\s*/, '');
      }
      current = { descriptors, fields: new Map(), maps: new Map(), line: lineNo };
      currentMap = undefined;
      entries.push(current);
    } else if (indent === 2 && current !== undefined) {
      if (content.endsWith(':') && !content.includes(' ')) {
        currentMap = new Map();
        current.maps.set(readToken(content.slice(0, -1), file, lineNo)[0], currentMap);
        continue;
      }
      currentMap = undefined;
      const [key, rest] = readToken(content, file, lineNo);
      if (rest === '') throw invalidLockfile(file, `line ${lineNo}: ${key} has no value`);
      current.fields.set(key, readToken(rest, file, lineNo)[0]);
    } else if (indent === 4 && currentMap !== undefined) {
      const [key, rest] = readToken(content, file, lineNo);
      if (rest === '') throw invalidLockfile(file, `line ${lineNo}: ${key} has no value`);
      currentMap.set(key, readToken(rest, file, lineNo)[0]);
    } else {
      throw invalidLockfile(file, `line ${lineNo}: unexpected indentation`);
    }
  }
  return entries;
}

/** A registry tarball URL's "#<sha1 hex>" fragment as an SRI string. */
function sha1FromResolved(resolved: string | undefined): string | undefined {
  const match = /#([0-9a-f]{40})$/.exec(resolved ?? '');
  return match === null ? undefined : `sha1-${Buffer.from(match[1]!, 'hex').toString('base64')}`;
}

export function parseYarnClassicLockfile(
  text: string,
  file: string,
  manifests: ManifestMap = new Map()
): ParsedLockfile {
  const entries = parseClassicSyntax(text, file);
  const byDescriptor = new Map<string, string>();
  const instances = new Map<string, LockInstance>();
  const entryOf = new Map<string, ClassicEntry>();

  for (const entry of entries) {
    const first = entry.descriptors[0];
    const spec = first === undefined ? undefined : splitNameAtVersion(first);
    const version = entry.fields.get('version');
    if (spec === undefined || version === undefined) {
      throw invalidLockfile(
        file,
        `line ${entry.line}: entry ${JSON.stringify(first ?? '')} has no version`
      );
    }
    // Aliases ("alias@npm:real@^1") install the real package.
    const alias = spec.rest.startsWith('npm:') ? splitNameAtVersion(spec.rest.slice(4)) : undefined;
    const name = alias?.name ?? spec.name;
    const resolved = entry.fields.get('resolved');
    const source = classifyReference(resolved ?? spec.rest);
    const id = `${name}@${version}|${resolved ?? ''}`;
    for (const descriptor of entry.descriptors) {
      const previous = byDescriptor.get(descriptor);
      if (previous !== undefined && previous !== id) {
        throw conflictingDescriptor(file, descriptor, previous, id);
      }
      byDescriptor.set(descriptor, id);
    }
    const integrity = entry.fields.get('integrity') ?? sha1FromResolved(resolved);
    if (instances.has(id)) continue;
    instances.set(id, {
      id,
      name,
      version: source === 'file' || source === 'link' ? undefined : version,
      source,
      resolved:
        resolved?.replace(/#[0-9a-f]{40}$/, '') ?? (source === 'registry' ? undefined : spec.rest),
      integrity,
      edges: [],
    });
    // Dependencies are attached below, once every descriptor is known.
    entryOf.set(id, entry);
  }

  const workspaceIds = new Map<string, string>();
  for (const [dir, manifest] of manifests) {
    if (dir === ROOT_ID || manifest.name === undefined) continue;
    const id = `workspace:${dir}`;
    workspaceIds.set(manifest.name, id);
  }

  const resolveDescriptor = (owner: string, name: string, range: string): string => {
    const to = byDescriptor.get(`${name}@${range}`);
    if (to !== undefined) return to;
    const workspace = workspaceIds.get(name);
    if (workspace !== undefined) return workspace;
    if (/^(link|portal):/.test(range)) {
      const id = `link:${range}`;
      if (!instances.has(id)) {
        instances.set(id, {
          id,
          name,
          version: undefined,
          source: 'link',
          resolved: range,
          edges: [],
        });
      }
      return id;
    }
    throw invalidLockfile(file, `${owner}: dependency ${name}@${range} is not in the lockfile`);
  };

  for (const [id, entry] of entryOf) {
    const instance = instances.get(id)!;
    const owner = `line ${entry.line}`;
    for (const [group, kind] of [
      ['dependencies', 'prod'],
      ['optionalDependencies', 'optional'],
    ] as const) {
      for (const [name, range] of entry.maps.get(group) ?? []) {
        instance.edges.push({ to: resolveDescriptor(owner, name, range), kind });
      }
    }
  }

  const manifestEdges = (manifest: PackageManifest, owner: string): InstanceEdge[] => {
    const edges: InstanceEdge[] = [];
    for (const [group, kind] of [
      [manifest.dependencies, 'prod'],
      [manifest.optionalDependencies, 'optional'],
      [manifest.devDependencies, 'dev'],
    ] as const) {
      for (const [name, range] of Object.entries(group ?? {})) {
        edges.push({ to: resolveDescriptor(owner, name, range), kind });
      }
    }
    return edges;
  };

  for (const [dir, manifest] of [...manifests].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (dir === ROOT_ID || manifest.name === undefined) continue;
    const id = `workspace:${dir}`;
    instances.set(id, {
      id,
      name: manifest.name,
      version: manifest.version,
      source: 'workspace',
      workspacePath: dir,
      license: manifest.license,
      edges: manifestEdges(manifest, `${dir}/package.json`),
    });
  }

  const rootManifest = manifests.get(ROOT_ID);
  let rootEdges: InstanceEdge[];
  if (rootManifest !== undefined) {
    rootEdges = manifestEdges(rootManifest, 'package.json');
  } else {
    // Without package.json the direct dependencies are the entries nothing else depends on.
    const dependedOn = new Set<string>();
    for (const instance of instances.values())
      for (const edge of instance.edges) dependedOn.add(edge.to);
    rootEdges = [...instances.keys()]
      .filter((id) => !dependedOn.has(id))
      .map((to) => ({ to, kind: 'prod' as const }));
  }
  for (const id of workspaceIds.values()) rootEdges.push({ to: id, kind: 'workspace' });
  instances.set(ROOT_ID, {
    id: ROOT_ID,
    name: rootManifest?.name ?? 'root',
    version: rootManifest?.version,
    source: 'workspace',
    edges: rootEdges,
  });

  return {
    format: 'yarn-classic',
    lockfileVersion: '1',
    root: {
      name: rootManifest?.name ?? 'root',
      version: rootManifest?.version,
      license: rootManifest?.license,
    },
    instances,
    flagsFromLockfile: false,
  };
}
