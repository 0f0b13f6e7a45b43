// The normalized package graph every lockfile parser produces, and the one place where install
// instances (npm paths, pnpm snapshots, yarn resolutions) are merged into packages.
//
// Policy (docs/sbom.md): one package per identity (name@version for registry packages, the
// workspace path for workspaces, name@version plus source for git/tarball/file/link packages).
// The same name@version installed at several paths is one package whose dependency set is the
// union of its instances' resolved dependencies, so every edge of the lockfile is kept and none
// is invented.
import { CustodyError } from '../errors.js';

export type LockfileFormat =
  'npm' | 'pnpm' | 'yarn-classic' | 'yarn-berry' | 'bun' | EcosystemFormat;

/** Lockfiles of other ecosystems (src/sbom/ecosystems), and 'multiple' for a merged project SBOM. */
export type EcosystemFormat =
  | 'uv'
  | 'poetry'
  | 'pipenv'
  | 'pylock'
  | 'requirements'
  | 'gomod'
  | 'gobinary'
  | 'cargo'
  | 'bundler'
  | 'composer'
  | 'gradle'
  | 'maven'
  | 'nuget'
  | 'multiple';

/** Where a package comes from: decides its purl qualifiers and properties. */
export type PackageSource =
  | 'registry'
  | 'workspace'
  | 'git'
  | 'tarball'
  | 'file'
  | 'link'
  /** A runtime the package manager installs (pnpm's `node@runtime:26.7.0`), not an npm package. */
  | 'runtime';

/** A patch applied to a package at install (pnpm patchedDependencies, yarn patch:, bun). */
export interface PackagePatch {
  /** The patch file, relative to the project, when the lockfile names it. */
  readonly path?: string | undefined;
  /** The package manager's hash of the patch file (pnpm). */
  readonly hash?: string | undefined;
  /** A patch the package manager ships itself (yarn's builtin compat patches). */
  readonly builtin?: string | undefined;
}

/** Install facts reviewers look for: scripts run at install, deprecation, platform limits. */
export interface PackageFacts {
  readonly installScript?: boolean | undefined;
  readonly deprecated?: string | undefined;
  readonly os?: readonly string[] | undefined;
  readonly cpu?: readonly string[] | undefined;
  readonly libc?: readonly string[] | undefined;
}

export type EdgeKind = 'prod' | 'optional' | 'peer' | 'dev' | 'workspace';

export interface InstanceEdge {
  readonly to: string;
  readonly kind: EdgeKind;
}

/** One entry of a lockfile: an install path (npm), a snapshot (pnpm), a resolution (yarn). */
export interface LockInstance {
  /** Unique among the instances of one lockfile; the root is ''. */
  readonly id: string;
  readonly name: string;
  readonly version: string | undefined;
  readonly source: PackageSource;
  /** Registry/tarball URL, git URL, or local path, as the lockfile wrote it. */
  readonly resolved?: string | undefined;
  /** Subresource Integrity string(s) of the package tarball. */
  readonly integrity?: string | undefined;
  readonly license?: string | undefined;
  readonly workspacePath?: string | undefined;
  /** npm install path (node_modules/...), recorded as a property. */
  readonly installPath?: string | undefined;
  /** Flags as the lockfile states them (npm); undefined means "derive from the graph". */
  readonly dev?: boolean | undefined;
  readonly optional?: boolean | undefined;
  readonly bundled?: boolean | undefined;
  /** Set for yarn berry patch: resolutions (same name@version as the unpatched package). */
  readonly patched?: boolean | undefined;
  /** Set by non-npm readers: the package's purl (also its merge key) and extra properties. */
  readonly purl?: string | undefined;
  readonly properties?: readonly (readonly [string, string])[] | undefined;
  /** pnpm's environment document: what the package manager installs for itself. */
  readonly environment?: boolean | undefined;
  readonly patches?: readonly PackagePatch[] | undefined;
  readonly facts?: PackageFacts | undefined;
  readonly edges: InstanceEdge[];
}

export interface RootInfo {
  readonly name: string;
  readonly version: string | undefined;
  readonly license?: string | undefined;
  /** Non-npm roots: the root component's purl. */
  readonly purl?: string | undefined;
}

/** What a parser returns: instances plus how the lockfile describes dev/optional flags. */
export interface ParsedLockfile {
  readonly format: LockfileFormat;
  readonly lockfileVersion: string;
  readonly root: RootInfo;
  /** Includes the root instance (id ''), whose edges are the project's direct dependencies. */
  readonly instances: ReadonlyMap<string, LockInstance>;
  /** true when the lockfile states dev/optional per entry (npm); otherwise they are derived. */
  readonly flagsFromLockfile: boolean;
}

export interface GraphPackage {
  readonly key: string;
  readonly name: string;
  readonly version: string | undefined;
  readonly source: PackageSource;
  readonly resolved: string | undefined;
  /** Merged SRI: algorithm → base64 digest. */
  readonly integrity: ReadonlyMap<string, string>;
  readonly license: string | undefined;
  readonly workspacePath: string | undefined;
  readonly installPaths: readonly string[];
  /** Only reachable through dev dependencies. */
  readonly dev: boolean;
  /** Not dev, but only reachable through optional dependencies. */
  readonly optional: boolean;
  readonly bundled: boolean;
  readonly patched: boolean;
  readonly purl?: string | undefined;
  readonly properties?: readonly (readonly [string, string])[] | undefined;
  /** Every instance comes from pnpm's environment document. */
  readonly environment: boolean;
  /** Patches of any install copy, in lockfile order, without repeats. */
  readonly patches: readonly PackagePatch[];
  /** From the first install copy that states them. */
  readonly facts: PackageFacts;
  readonly dependencies: ReadonlySet<string>;
  /**
   * The dependencies of its production install copies (peer variants) through non-dev edges:
   * the production graph. A dev edge, or an edge of a copy installed only for development, is
   * not here even when its target is production through another path.
   */
  readonly prodDependencies: ReadonlySet<string>;
}

export interface PackageGraph {
  readonly format: LockfileFormat;
  readonly lockfileVersion: string;
  readonly root: RootInfo;
  /** Direct dependencies of the root project (package keys). */
  readonly rootDependencies: ReadonlySet<string>;
  /** The root's direct dependencies through non-dev edges. */
  readonly rootProdDependencies: ReadonlySet<string>;
  /** Every package except the root, by key. */
  readonly packages: ReadonlyMap<string, GraphPackage>;
}

export const ROOT_ID = '';

/** The merge key of an instance: one component per key. */
export function packageKey(instance: LockInstance): string {
  if (instance.purl !== undefined) return instance.purl;
  switch (instance.source) {
    case 'registry':
      return `${instance.name}@${instance.version ?? ''}`;
    case 'workspace':
      return `workspace:${instance.workspacePath ?? instance.name}`;
    default:
      return `${instance.name}@${instance.version ?? ''}|${instance.source}:${instance.resolved ?? ''}`;
  }
}

/** Parses an SRI string ("sha512-... sha1-...") into algorithm → digest. Unknown tokens are ignored. */
export function parseIntegrity(sri: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (sri === undefined) return out;
  for (const token of sri.trim().split(/\s+/)) {
    const match = /^(sha1|sha256|sha384|sha512)-([A-Za-z0-9+/]+={0,2})(\?.*)?$/.exec(token);
    if (match !== null) out.set(match[1]!, match[2]!);
  }
  return out;
}

interface Reach {
  required: Set<string>;
  all: Set<string>;
}

/** Instances reachable from the root without dev edges: through required edges, and through any. */
function reachability(instances: ReadonlyMap<string, LockInstance>): Reach {
  const walk = (follow: (kind: EdgeKind) => boolean): Set<string> => {
    const seen = new Set<string>([ROOT_ID]);
    const stack = [ROOT_ID];
    while (stack.length > 0) {
      const current = instances.get(stack.pop()!);
      if (current === undefined) continue;
      for (const edge of current.edges) {
        if (!follow(edge.kind) || seen.has(edge.to)) continue;
        seen.add(edge.to);
        stack.push(edge.to);
      }
    }
    return seen;
  };
  return {
    required: walk((kind) => kind === 'prod' || kind === 'peer' || kind === 'workspace'),
    all: walk((kind) => kind !== 'dev'),
  };
}

interface Accumulator {
  key: string;
  first: LockInstance;
  integrity: Map<string, string>;
  license: string | undefined;
  installPaths: string[];
  allDev: boolean;
  allOptionalOrDev: boolean;
  bundled: boolean;
  patched: boolean;
  environment: boolean;
  patches: PackagePatch[];
  facts: PackageFacts | undefined;
  resolved: string | undefined;
  dependencies: Set<string>;
  prodDependencies: Set<string>;
}

/** Merges instances into packages, checks conflicts, derives dev/optional, keeps every edge. */
export function buildGraph(parsed: ParsedLockfile): PackageGraph {
  const { instances } = parsed;
  const reach = parsed.flagsFromLockfile ? undefined : reachability(instances);
  const keyOf = new Map<string, string>();
  const devInstance = new Set<string>();
  const merged = new Map<string, Accumulator>();

  for (const instance of instances.values()) {
    if (instance.id === ROOT_ID) continue;
    const key = packageKey(instance);
    keyOf.set(instance.id, key);
    const dev = reach === undefined ? instance.dev === true : !reach.all.has(instance.id);
    if (dev) devInstance.add(instance.id);
    const optional =
      reach === undefined
        ? instance.optional === true
        : reach.all.has(instance.id) && !reach.required.has(instance.id);
    const integrity = parseIntegrity(instance.integrity);
    const existing = merged.get(key);
    if (existing === undefined) {
      merged.set(key, {
        key,
        first: instance,
        integrity,
        license: instance.license,
        installPaths: instance.installPath === undefined ? [] : [instance.installPath],
        allDev: dev,
        allOptionalOrDev: optional || dev,
        bundled: instance.bundled === true,
        patched: instance.patched === true,
        environment: instance.environment === true,
        patches: [...(instance.patches ?? [])],
        facts: instance.facts,
        resolved: instance.patched === true ? undefined : instance.resolved,
        dependencies: new Set(),
        prodDependencies: new Set(),
      });
      continue;
    }
    for (const [algorithm, digest] of integrity) {
      const known = existing.integrity.get(algorithm);
      if (known !== undefined && known !== digest) {
        throw new CustodyError(
          'SBOM_LOCKFILE_CONFLICT',
          `lockfile entries ${JSON.stringify(existing.first.id)} and ${JSON.stringify(instance.id)} are both ${key} but have different ${algorithm} integrity`,
          {
            hint: 'regenerate the lockfile with your package manager',
            details: { package: key, entries: [existing.first.id, instance.id] },
          }
        );
      }
      existing.integrity.set(algorithm, digest);
    }
    existing.license ??= instance.license;
    if (instance.installPath !== undefined) existing.installPaths.push(instance.installPath);
    existing.allDev &&= dev;
    existing.allOptionalOrDev &&= optional || dev;
    existing.bundled ||= instance.bundled === true;
    existing.patched ||= instance.patched === true;
    existing.environment &&= instance.environment === true;
    existing.facts ??= instance.facts;
    for (const patch of instance.patches ?? []) {
      const same = (p: PackagePatch): boolean =>
        p.path === patch.path && p.hash === patch.hash && p.builtin === patch.builtin;
      if (!existing.patches.some(same)) existing.patches.push(patch);
    }
    if (existing.resolved === undefined && instance.patched !== true) {
      existing.resolved = instance.resolved;
    }
  }

  const rootDependencies = new Set<string>();
  const rootProdDependencies = new Set<string>();
  for (const instance of instances.values()) {
    const fromKey = instance.id === ROOT_ID ? undefined : keyOf.get(instance.id);
    const entry = fromKey === undefined ? undefined : merged.get(fromKey)!;
    const target = entry?.dependencies ?? rootDependencies;
    const prodTarget = entry?.prodDependencies ?? rootProdDependencies;
    const prodCopy = !devInstance.has(instance.id);
    for (const edge of instance.edges) {
      const toKey = keyOf.get(edge.to);
      if (toKey === undefined || toKey === fromKey) continue;
      target.add(toKey);
      if (prodCopy && edge.kind !== 'dev') prodTarget.add(toKey);
    }
  }

  const packages = new Map<string, GraphPackage>();
  for (const entry of merged.values()) {
    const { first } = entry;
    packages.set(entry.key, {
      key: entry.key,
      name: first.name,
      version: first.version,
      source: first.source,
      resolved: entry.resolved,
      integrity: entry.integrity,
      license: entry.license,
      workspacePath: first.workspacePath,
      installPaths: entry.installPaths.sort(),
      dev: entry.allDev,
      optional: !entry.allDev && entry.allOptionalOrDev,
      bundled: entry.bundled,
      patched: entry.patched,
      environment: entry.environment,
      patches: entry.patches,
      facts: entry.facts ?? {},
      purl: first.purl,
      properties: first.properties,
      dependencies: entry.dependencies,
      prodDependencies: entry.prodDependencies,
    });
  }
  return {
    format: parsed.format,
    lockfileVersion: parsed.lockfileVersion,
    root: parsed.root,
    rootDependencies,
    rootProdDependencies,
    packages,
  };
}

/** A graph without packages: the root of a files-only SBOM. */
export function emptyGraph(root: RootInfo): PackageGraph {
  return {
    format: 'npm',
    lockfileVersion: '',
    root,
    rootDependencies: new Set(),
    rootProdDependencies: new Set(),
    packages: new Map(),
  };
}

/** Structural lockfile problem: one code, the entry named. */
export function invalidLockfile(file: string, message: string, cause?: unknown): CustodyError {
  return new CustodyError('SBOM_LOCKFILE_INVALID', `${file}: ${message}`, {
    cause,
    hint: 'the lockfile looks damaged or truncated; regenerate it with your package manager',
    details: { file },
  });
}

/** A format or version custody does not read: says so, without blaming the file. */
export function unsupportedLockfile(file: string, message: string, hint?: string): CustodyError {
  return new CustodyError('SBOM_LOCKFILE_UNSUPPORTED', `${file}: ${message}`, {
    ...(hint === undefined ? {} : { hint }),
    details: { file },
  });
}

/** True for a registry tarball URL (…/<name>/-/<name>-<version>.tgz): the package's own registry. */
export function isRegistryTarball(url: string): boolean {
  const pathname = url.replace(/[?#].*$/, '');
  return /^https?:\/\/[^/]+\/.+\/-\/[^/]+\.tgz$/.test(pathname);
}

/** Splits "name@version" / "@scope/name@version" at the version separator. */
export function splitNameAtVersion(spec: string): { name: string; rest: string } | undefined {
  const at = spec.indexOf('@', spec.startsWith('@') ? spec.indexOf('/') + 1 : 0);
  if (at <= 0) return undefined;
  return { name: spec.slice(0, at), rest: spec.slice(at + 1) };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A string→string map field (dependencies and the like); anything else is a lockfile error. */
export function stringMap(
  value: unknown,
  file: string,
  where: string
): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) throw invalidLockfile(file, `${where} must be an object`);
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw invalidLockfile(file, `${where}.${k} must be a string`);
  }
  return value as Record<string, string>;
}

export function optionalString(value: unknown, file: string, where: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidLockfile(file, `${where} must be a string`);
  return value;
}

function stringList(value: unknown): string[] | undefined {
  if (typeof value === 'string') return value === '' ? undefined : [value];
  if (!Array.isArray(value)) return undefined;
  const list = value.filter((v): v is string => typeof v === 'string');
  return list.length > 0 ? list : undefined;
}

/** Install facts from a lockfile entry's usual field names (npm, pnpm, bun); undefined if none. */
export function factsOf(raw: Record<string, unknown>): PackageFacts | undefined {
  const facts: PackageFacts = {
    installScript: raw.hasInstallScript === true || raw.requiresBuild === true ? true : undefined,
    deprecated:
      typeof raw.deprecated === 'string' && raw.deprecated !== '' ? raw.deprecated : undefined,
    os: stringList(raw.os),
    cpu: stringList(raw.cpu),
    libc: stringList(raw.libc),
  };
  return Object.values(facts).some((v) => v !== undefined) ? facts : undefined;
}
