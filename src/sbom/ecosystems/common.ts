// Shared by the non-JavaScript lockfile readers: one way to turn "packages + edges" into the
// ParsedLockfile every reader returns, purls of the purl-spec types, and hash conversions.
import { PackageURL } from 'packageurl-js';
import { parse as parseTOMLText } from 'smol-toml';
import type {
  EdgeKind,
  InstanceEdge,
  LockfileFormat,
  LockInstance,
  PackageSource,
  ParsedLockfile,
  RootInfo,
} from '../graph.js';
import { ROOT_ID, invalidLockfile, isRecord } from '../graph.js';

/** Files beside the lockfile that a reader may use (pyproject.toml, Cargo.toml, go.sum…), by name. */
export type SiblingFiles = ReadonlyMap<string, string>;

export interface EcosystemContext {
  /** Name of the lockfile's directory: the root's name when no manifest names it. */
  readonly projectName: string;
  readonly siblings: SiblingFiles;
}

/** One resolved package as a reader sees it; `id` is unique within the lockfile. */
export interface EcoPackage {
  readonly id: string;
  readonly name: string;
  readonly version: string | undefined;
  readonly purl: string;
  readonly source?: PackageSource;
  readonly resolved?: string | undefined;
  /** SRI string(s): "sha256-<base64> sha512-<base64>". */
  readonly integrity?: string | undefined;
  readonly license?: string | undefined;
  readonly dev?: boolean;
  readonly optional?: boolean;
  readonly workspacePath?: string | undefined;
  readonly properties?: readonly (readonly [string, string])[];
  readonly edges?: readonly InstanceEdge[];
}

export interface EcoLockfile {
  readonly format: LockfileFormat;
  readonly lockfileVersion: string;
  readonly root: RootInfo;
  readonly rootEdges: readonly InstanceEdge[];
  readonly packages: readonly EcoPackage[];
  /**
   * true: `dev`/`optional` are stated per package (or nothing is dev); false: derived from the
   * root's edges (dev edges) by the graph, as for yarn and pnpm.
   */
  readonly flagsFromLockfile: boolean;
}

export function toParsedLockfile(lock: EcoLockfile): ParsedLockfile {
  const instances = new Map<string, LockInstance>();
  instances.set(ROOT_ID, {
    id: ROOT_ID,
    name: lock.root.name,
    version: lock.root.version,
    source: 'workspace',
    edges: [...lock.rootEdges],
  });
  for (const pkg of lock.packages) {
    instances.set(pkg.id, {
      id: pkg.id,
      name: pkg.name,
      version: pkg.version,
      source: pkg.source ?? 'registry',
      resolved: pkg.resolved,
      integrity: pkg.integrity,
      license: pkg.license,
      workspacePath: pkg.workspacePath,
      dev: pkg.dev,
      optional: pkg.optional,
      purl: pkg.purl,
      properties: pkg.properties,
      edges: [...(pkg.edges ?? [])],
    });
  }
  return {
    format: lock.format,
    lockfileVersion: lock.lockfileVersion,
    root: lock.root,
    instances,
    flagsFromLockfile: lock.flagsFromLockfile,
  };
}

export function edge(to: string, kind: EdgeKind = 'prod'): InstanceEdge {
  return { to, kind };
}

/** PEP 503 normalised name: runs of -, _ and . become one -, lower case. */
export function pep503(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

export function purl(
  type: string,
  namespace: string | undefined,
  name: string,
  version: string | undefined,
  qualifiers?: Record<string, string>
): string {
  const q = qualifiers !== undefined && Object.keys(qualifiers).length > 0 ? qualifiers : undefined;
  return new PackageURL(type, namespace, name, version, q, undefined).toString();
}

/** Splits a path-like name (Go module, composer vendor/name) at its last slash. */
export function splitLast(path: string): { namespace: string | undefined; name: string } {
  const slash = path.lastIndexOf('/');
  if (slash <= 0) return { namespace: undefined, name: path };
  return { namespace: path.slice(0, slash), name: path.slice(slash + 1) };
}

const HEX_ALGORITHMS: Record<string, number> = { sha1: 40, sha256: 64, sha384: 96, sha512: 128 };

/** "sha256", hex digest → "sha256-<base64>" (undefined when not a well-formed digest). */
export function hexToSRI(algorithm: string, hex: string): string | undefined {
  const alg = algorithm.toLowerCase().replace('-', '');
  const length = HEX_ALGORITHMS[alg];
  if (length === undefined || hex.length !== length || !/^[0-9a-fA-F]+$/.test(hex))
    return undefined;
  return `${alg}-${Buffer.from(hex, 'hex').toString('base64')}`;
}

/** "sha256:abcd…" (pip, uv, poetry, Pipfile.lock) → SRI. */
export function prefixedHexToSRI(value: string): string | undefined {
  const colon = value.indexOf(':');
  const eq = value.indexOf('=');
  const at = colon > 0 ? colon : eq;
  if (at <= 0) return undefined;
  return hexToSRI(value.slice(0, at), value.slice(at + 1).trim());
}

export function parseTOML(text: string, file: string): Record<string, unknown> {
  try {
    return parseTOMLText(text);
  } catch (error) {
    throw invalidLockfile(
      file,
      `not valid TOML: ${(error as Error).message.split('\n')[0]}`,
      error
    );
  }
}

export function parseJSON(text: string, file: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw invalidLockfile(file, `not valid JSON: ${(error as Error).message}`, error);
  }
  if (!isRecord(value)) throw invalidLockfile(file, 'the top level must be an object');
  return value;
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

export function records(value: unknown, file: string, where: string): Record<string, unknown>[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw invalidLockfile(file, `${where} must be an array`);
  return value.map((item, index) => {
    if (!isRecord(item)) throw invalidLockfile(file, `${where}[${index}] must be a table/object`);
    return item;
  });
}

export function requireString(value: unknown, file: string, where: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw invalidLockfile(file, `${where} must be a non-empty string`);
  }
  return value;
}

/** A root without a package identity of its own (virtual workspace, requirements file). */
export function genericRoot(name: string): RootInfo {
  return { name, version: undefined, purl: purl('generic', undefined, name, undefined) };
}
