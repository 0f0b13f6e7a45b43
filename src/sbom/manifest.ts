// The few package.json fields the SBOM reads: root/workspace identity and dependency kinds
// (yarn lockfiles do not record which dependencies are dev ones), plus licence/author enrichment.
import { isRecord } from './graph.js';

export interface PackageManifest {
  readonly name?: string | undefined;
  readonly version?: string | undefined;
  readonly license?: string | undefined;
  readonly author?: string | undefined;
  readonly description?: string | undefined;
  readonly dependencies?: Readonly<Record<string, string>> | undefined;
  readonly devDependencies?: Readonly<Record<string, string>> | undefined;
  readonly optionalDependencies?: Readonly<Record<string, string>> | undefined;
  readonly peerDependencies?: Readonly<Record<string, string>> | undefined;
  readonly workspaces?: readonly string[] | undefined;
  /** yarn `resolutions` (forced versions), keyed by package pattern. */
  readonly resolutions?: Readonly<Record<string, string>> | undefined;
}

/** Manifests by directory relative to the lockfile's directory ('' is the root), POSIX separators. */
export type ManifestMap = ReadonlyMap<string, PackageManifest>;

function stringRecord(value: unknown): Record<string, string> | undefined {
  if (!isRecord(value)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function licenseOf(value: unknown): string | undefined {
  if (typeof value === 'string') return text(value);
  // Legacy { type: "MIT" } objects.
  if (isRecord(value)) return text(value.type);
  return undefined;
}

function authorOf(value: unknown): string | undefined {
  if (typeof value === 'string') return text(value);
  if (isRecord(value)) return text(value.name);
  return undefined;
}

/** Reads the fields custody uses from parsed package.json content; ignores wrong types. */
export function toManifest(json: unknown): PackageManifest {
  if (!isRecord(json)) return {};
  const workspaces = Array.isArray(json.workspaces)
    ? json.workspaces
    : isRecord(json.workspaces) && Array.isArray(json.workspaces.packages)
      ? json.workspaces.packages
      : undefined;
  return {
    name: text(json.name),
    version: text(json.version),
    license: licenseOf(json.license),
    author: authorOf(json.author),
    description: text(json.description),
    dependencies: stringRecord(json.dependencies),
    devDependencies: stringRecord(json.devDependencies),
    optionalDependencies: stringRecord(json.optionalDependencies),
    peerDependencies: stringRecord(json.peerDependencies),
    workspaces: workspaces?.filter((w): w is string => typeof w === 'string'),
    resolutions: stringRecord(json.resolutions),
  };
}
