// Package graph → CycloneDX Bom (cyclonedx-library Models) → deterministic JSON bytes.
import { createHash } from 'node:crypto';
import * as Enums from '@cyclonedx/cyclonedx-library/Enums';
import * as Models from '@cyclonedx/cyclonedx-library/Models';
import type * as SerializeModule from '@cyclonedx/cyclonedx-library/Serialize';
import * as Spec from '@cyclonedx/cyclonedx-library/Spec';
import { Factories as LicenseFactories } from '@cyclonedx/cyclonedx-library/Contrib/License';
import { PackageURL } from 'packageurl-js';
import spdxExpressionParse from 'spdx-expression-parse';
import { CustodyError } from '../errors.js';
import { sortKeys } from '../util/canonical-json.js';
import { VERSION } from '../version.js';
import type { GraphPackage, PackageGraph } from './graph.js';
import { commonJSExports } from '../util/interop.js';

export type GenerateSpecVersion = '1.5' | '1.6' | '1.7';
export type DevScope = 'optional' | 'excluded';
export const DEV_SCOPES: readonly DevScope[] = ['optional', 'excluded'];
export const GENERATE_SPEC_VERSIONS: readonly GenerateSpecVersion[] = ['1.5', '1.6', '1.7'];
export const DEFAULT_SPEC_VERSION: GenerateSpecVersion = '1.6';

/** Per-package facts read from installed node_modules/<name>/package.json (optional). */
export interface PackageEnrichment {
  readonly license?: string | undefined;
  readonly author?: string | undefined;
  readonly description?: string | undefined;
}

export interface FileSubject {
  /** Path as it should appear in the SBOM (relative, POSIX). */
  readonly name: string;
  readonly sha256: string;
  readonly sha512: string;
}

export interface BomOptions {
  readonly specVersion?: GenerateSpecVersion;
  readonly includeDev?: boolean;
  /**
   * CycloneDX scope of dev packages (with includeDev): 'optional' (default) or 'excluded' (not
   * part of what ships; CycloneDX 1.5+ and what cyclonedx-npm#1151 asks for).
   */
  readonly devScope?: DevScope;
  /** Build time (already resolved from SOURCE_DATE_EPOCH by the caller). */
  readonly timestamp: Date;
  /** Lockfile path relative to the project, recorded in properties (absent: files-only SBOM). */
  readonly lockfilePath?: string | undefined;
  /** "urn:uuid:..." to use instead of the content-derived one. */
  readonly serialNumber?: string | undefined;
  /** Adds the metadata properties GitLab's dependency list needs. */
  readonly gitlab?: boolean;
  /** Enrichment by package key (name@version), e.g. from node_modules. */
  readonly enrichment?: ReadonlyMap<string, PackageEnrichment>;
  /** Release artifacts to list as `file` components. */
  readonly files?: readonly FileSubject[];
}

const SPECS: Record<GenerateSpecVersion, typeof Spec.Spec1dot6> = {
  '1.5': Spec.Spec1dot5,
  '1.6': Spec.Spec1dot6,
  '1.7': Spec.Spec1dot7,
};

const HASH_ALGORITHMS: Record<string, Enums.HashAlgorithm> = {
  sha1: Enums.HashAlgorithm['SHA-1'],
  sha256: Enums.HashAlgorithm['SHA-256'],
  sha384: Enums.HashAlgorithm['SHA-384'],
  sha512: Enums.HashAlgorithm['SHA-512'],
};

const PACKAGE_MANAGER: Partial<Record<PackageGraph['format'], string>> = {
  npm: 'npm',
  pnpm: 'pnpm',
  'yarn-classic': 'yarn',
  'yarn-berry': 'yarn',
  bun: 'bun',
};

/** group/name of a component with a reader-given purl (the purl's namespace and name). */
function purlParts(value: string): { group: string | undefined; name: string } {
  const parsed = PackageURL.fromString(value);
  return { group: parsed.namespace ?? undefined, name: parsed.name };
}

/** Fixed namespace for custody's content-derived serial numbers (UUIDv5). */
const SERIAL_NAMESPACE = '5b0c7f7e-3d8a-4d39-9a3e-2f7c4e1b6a90';

/** RFC 4122 §4.3 name-based UUID, SHA-1 (version 5). */
export function uuidV5(name: string, namespace: string = SERIAL_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

const SERIAL_PATTERN =
  /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export function checkSerialNumber(value: string): string {
  if (!SERIAL_PATTERN.test(value)) {
    throw new CustodyError(
      'USAGE_INVALID',
      `--serial-number must look like urn:uuid:<RFC 4122 UUID>, got ${JSON.stringify(value)}`
    );
  }
  return value;
}

/** "@scope/name" → ["@scope", "name"]; anything else has no group. */
export function splitScope(name: string): { group: string | undefined; name: string } {
  if (name.startsWith('@')) {
    const slash = name.indexOf('/');
    if (slash > 1) return { group: name.slice(0, slash), name: name.slice(slash + 1) };
  }
  return { group: undefined, name };
}

/**
 * A git dependency's location as a git URL. GitHub tarballs of a commit (codeload, which yarn
 * v1 records) and the `github:owner/repo` shorthand are spelled as the repository's git URL with
 * the commit as fragment, the form npm writes; other git URLs are kept as the lockfile wrote them.
 */
export function gitUrl(resolved: string): string {
  const codeload =
    /^https?:\/\/codeload\.github\.com\/([^/]+)\/([^/]+)\/(?:tar\.gz|zip|legacy\.tar\.gz)\/([^/?#]+)$/.exec(
      resolved
    );
  if (codeload !== null)
    return `git+https://github.com/${codeload[1]}/${codeload[2]}.git#${codeload[3]}`;
  const shorthand = /^github:([^/#]+)\/([^#]+?)(?:\.git)?(#.*)?$/.exec(resolved);
  if (shorthand !== null) {
    return `git+https://github.com/${shorthand[1]}/${shorthand[2]}.git${shorthand[3] ?? ''}`;
  }
  return resolved;
}

/** purl for an npm package: pkg:npm/%40scope/name@1.2.3 (qualifiers for non-registry sources). */
export function npmPurl(
  pkg: Pick<GraphPackage, 'name' | 'version' | 'source' | 'resolved'>
): PackageURL {
  const { group, name } = splitScope(pkg.name);
  const qualifiers: Record<string, string> = {};
  if (pkg.source === 'runtime') {
    // Not an npm package (npm's "node" is an unrelated installer): a generic purl of the runtime.
    return new PackageURL('generic', undefined, pkg.name, pkg.version, undefined, undefined);
  }
  if (pkg.resolved !== undefined) {
    if (pkg.source === 'git') qualifiers.vcs_url = gitUrl(pkg.resolved);
    if (pkg.source === 'tarball') qualifiers.download_url = pkg.resolved;
  }
  return new PackageURL(
    'npm',
    group,
    name,
    pkg.version,
    Object.keys(qualifiers).length > 0 ? qualifiers : undefined,
    undefined
  );
}

const licenseFactory = new LicenseFactories.LicenseFactory(spdxExpressionParse);

function licenses(value: string | undefined): Models.LicenseRepository | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  return new Models.LicenseRepository([licenseFactory.makeFromString(value.trim())]);
}

function prop(name: string, value: string): Models.Property {
  return new Models.Property(name, value);
}

function hashesOf(integrity: ReadonlyMap<string, string>): Models.HashDictionary {
  const hashes = new Models.HashDictionary();
  for (const [algorithm, base64] of integrity) {
    const cdx = HASH_ALGORITHMS[algorithm];
    if (cdx !== undefined) hashes.set(cdx, Buffer.from(base64, 'base64').toString('hex'));
  }
  return hashes;
}

function externalReferences(pkg: GraphPackage): Models.ExternalReferenceRepository {
  const refs = new Models.ExternalReferenceRepository();
  const url = pkg.resolved;
  if (url === undefined) return refs;
  if ((pkg.source === 'registry' || pkg.source === 'tarball') && /^https?:\/\//.test(url)) {
    refs.add(new Models.ExternalReference(url, Enums.ExternalReferenceType.Distribution));
  } else if (pkg.source === 'git') {
    refs.add(new Models.ExternalReference(gitUrl(url), Enums.ExternalReferenceType.VCS));
  }
  return refs;
}

/** Builds the Bom model: root as metadata.component, one component per package, the graph. */
export function buildBom(graph: PackageGraph, options: BomOptions): Models.Bom {
  const includeDev = options.includeDev === true;
  const included = [...graph.packages.values()].filter((p) => includeDev || !p.dev);
  const includedKeys = new Set(included.map((p) => p.key));
  const refOf = new Map<string, Models.BomRef>();
  const usedRefs = new Set<string>();

  const rootPurl =
    graph.root.purl ??
    npmPurl({
      name: graph.root.name,
      version: graph.root.version,
      source: 'workspace',
      resolved: undefined,
    }).toString();
  usedRefs.add(rootPurl);
  const rootScope =
    graph.root.purl === undefined ? splitScope(graph.root.name) : purlParts(rootPurl);
  const root = new Models.Component(Enums.ComponentType.Application, rootScope.name, {
    bomRef: rootPurl,
    group: rootScope.group,
    version: graph.root.version,
    purl: rootPurl,
    licenses: licenses(graph.root.license),
  });

  const components: Models.Component[] = [];
  const byKey = new Map<string, Models.Component>();
  const pedigree = new Map<string, Record<string, unknown>>();
  // A workspace is the project's own code: it never takes the purl of a registry package of the
  // same name@version (the published copy), which keeps it; the workspace is known by its path.
  const registryPurls = new Set(
    included.filter((p) => p.source !== 'workspace').map((p) => npmPurl(p).toString())
  );
  for (const pkg of included) {
    const purl = pkg.purl ?? npmPurl(pkg).toString();
    const sharedPurl = pkg.source === 'workspace' && registryPurls.has(purl);
    let ref = purl;
    if (usedRefs.has(ref)) ref = `${ref}#${pkg.key}`;
    usedRefs.add(ref);
    const enrichment = options.enrichment?.get(pkg.key);
    const properties = new Models.PropertyRepository();
    for (const installPath of pkg.installPaths)
      properties.add(prop('cdx:npm:package:path', installPath));
    if (pkg.dev) {
      properties.add(
        prop(
          pkg.purl === undefined ? 'cdx:npm:package:development' : 'custody:package:development',
          'true'
        )
      );
    }
    for (const [name, value] of pkg.properties ?? []) properties.add(prop(name, value));
    if (pkg.bundled) properties.add(prop('cdx:npm:package:bundled', 'true'));
    if (pkg.optional) properties.add(prop('custody:package:optional', 'true'));
    if (pkg.source === 'workspace') {
      properties.add(prop('custody:package:workspace', 'true'));
      if (pkg.workspacePath !== undefined)
        properties.add(prop('custody:package:workspace:path', pkg.workspacePath));
    } else if (pkg.source !== 'registry') {
      properties.add(prop('custody:package:source', pkg.source));
      if (pkg.resolved !== undefined && (pkg.source === 'file' || pkg.source === 'link')) {
        properties.add(prop('custody:package:resolved', pkg.resolved));
      }
    }
    if (pkg.patched) properties.add(prop('custody:package:patched', 'true'));
    if (pkg.environment) properties.add(prop('custody:package:environment', 'true'));
    const { facts } = pkg;
    // Install scripts run code at install time: what reviewers of a dependency change look for.
    if (facts.installScript === true)
      properties.add(prop('custody:package:install-script', 'true'));
    if (facts.deprecated !== undefined) {
      properties.add(prop('custody:package:deprecated', facts.deprecated));
    }
    for (const field of ['os', 'cpu', 'libc'] as const) {
      const list = facts[field];
      if (list !== undefined) properties.add(prop(`custody:package:${field}`, list.join(',')));
    }
    if (pkg.patches.length > 0) {
      pedigree.set(ref, {
        patches: pkg.patches.map((patch) => ({
          type: 'unofficial',
          ...(patch.path === undefined ? {} : { diff: { url: patch.path } }),
        })),
      });
      for (const patch of pkg.patches) {
        if (patch.hash !== undefined)
          properties.add(prop('custody:package:patch:hash', patch.hash));
        if (patch.builtin !== undefined) {
          properties.add(prop('custody:package:patch:builtin', patch.builtin));
        }
      }
    }
    const scoped = pkg.purl === undefined ? splitScope(pkg.name) : purlParts(pkg.purl);
    const runtime = pkg.source === 'runtime';
    const component = new Models.Component(
      runtime ? Enums.ComponentType.Platform : Enums.ComponentType.Library,
      runtime ? pkg.name : scoped.name,
      {
        bomRef: ref,
        group: runtime ? undefined : scoped.group,
        version: pkg.version,
        purl: sharedPurl ? undefined : purl,
        scope:
          pkg.dev && options.devScope === 'excluded'
            ? Enums.ComponentScope.Excluded
            : pkg.dev || pkg.optional
              ? Enums.ComponentScope.Optional
              : Enums.ComponentScope.Required,
        hashes: hashesOf(pkg.integrity),
        externalReferences: externalReferences(pkg),
        licenses: licenses(pkg.license ?? enrichment?.license),
        description: enrichment?.description,
        author: enrichment?.author,
        properties,
      }
    );
    refOf.set(pkg.key, component.bomRef);
    byKey.set(pkg.key, component);
    components.push(component);
  }

  // Without dev packages, the production graph: no dev edges, no edges of dev-only copies.
  for (const pkg of included) {
    const deps = byKey.get(pkg.key)!.dependencies;
    for (const dep of includeDev ? pkg.dependencies : pkg.prodDependencies) {
      if (includedKeys.has(dep)) deps.add(refOf.get(dep)!);
    }
  }
  for (const dep of includeDev ? graph.rootDependencies : graph.rootProdDependencies) {
    if (includedKeys.has(dep)) root.dependencies.add(refOf.get(dep)!);
  }

  for (const file of options.files ?? []) {
    const hashes = new Models.HashDictionary([
      [Enums.HashAlgorithm['SHA-256'], file.sha256],
      [Enums.HashAlgorithm['SHA-512'], file.sha512],
    ]);
    components.push(
      new Models.Component(Enums.ComponentType.File, file.name, {
        bomRef: `file:${file.name}`,
        hashes,
        properties: new Models.PropertyRepository([prop('custody:file:release-artifact', 'true')]),
      })
    );
  }

  const metadataProperties = new Models.PropertyRepository();
  if (options.lockfilePath !== undefined) {
    metadataProperties.add(prop('custody:lockfile', options.lockfilePath));
    metadataProperties.add(prop('custody:lockfile:format', graph.format));
    metadataProperties.add(prop('custody:lockfile:version', graph.lockfileVersion));
  }
  if (options.gitlab === true && options.lockfilePath !== undefined) {
    metadataProperties.add(prop('gitlab:meta:schema_version', '1'));
    metadataProperties.add(
      prop('gitlab:dependency_scanning:input_file:path', options.lockfilePath)
    );
    metadataProperties.add(
      prop(
        'gitlab:dependency_scanning:package_manager:name',
        PACKAGE_MANAGER[graph.format] ?? graph.format
      )
    );
    metadataProperties.add(prop('gitlab:dependency_scanning:language:name', 'JavaScript'));
  }
  const tools = new Models.Tools({
    components: new Models.ComponentRepository([
      new Models.Component(Enums.ComponentType.Application, 'custody', {
        version: VERSION,
        bomRef: `custody@${VERSION}`,
      }),
    ]),
  });
  const bom = new Models.Bom({
    metadata: new Models.Metadata({
      timestamp: options.timestamp,
      component: root,
      tools,
      properties: metadataProperties,
    }),
    components: new Models.ComponentRepository(components),
  });
  if (pedigree.size > 0) PEDIGREE.set(bom, pedigree);
  return bom;
}

/**
 * component.pedigree by bom-ref, for the Boms that have any: cyclonedx-library has no pedigree
 * model, so normalizeBom adds it to the normalized JSON.
 */
const PEDIGREE = new WeakMap<Models.Bom, ReadonlyMap<string, Record<string, unknown>>>();

/**
 * The Bom as plain JSON data, deterministic: sorted lists (the library's sortLists) and a
 * serialNumber derived from the content (UUIDv5 over its canonical JSON) unless one is given.
 */
// The library's Serialize entry also loads its XML serializer (xmlbuilder2 and a DOM
// implementation) when it is imported; only the JSON normalizer is needed, and only here.
let serializeModule: Promise<typeof SerializeModule> | undefined;

export async function normalizeBom(
  bom: Models.Bom,
  specVersion: GenerateSpecVersion = DEFAULT_SPEC_VERSION,
  serialNumber?: string
): Promise<Record<string, unknown>> {
  serializeModule ??= import('@cyclonedx/cyclonedx-library/Serialize').then((module) =>
    commonJSExports(module, 'JSON')
  );
  const Serialize = await serializeModule;
  const factory = new Serialize.JSON.Normalize.Factory(SPECS[specVersion]);
  const normalized = factory.makeForBom().normalize(bom, { sortLists: true }) as unknown as Record<
    string,
    unknown
  >;
  delete normalized.serialNumber;
  const pedigree = PEDIGREE.get(bom);
  if (pedigree !== undefined && Array.isArray(normalized.components)) {
    for (const component of normalized.components as Record<string, unknown>[]) {
      const value = pedigree.get(component['bom-ref'] as string);
      if (value !== undefined) component.pedigree = value;
    }
  }
  // One deep key sort; the serial number is then added at its sorted place among the top-level
  // keys, so the result is canonical without sorting it again.
  const sorted = sortKeys(normalized) as Record<string, unknown>;
  const serial = serialNumber ?? `urn:uuid:${uuidV5(JSON.stringify(sorted))}`;
  return Object.fromEntries(
    Object.entries({ ...sorted, serialNumber: serial }).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0
    )
  );
}

/**
 * The SBOM file content: normalizeBom's result (already in canonical key order), two-space
 * indented, with a trailing newline.
 */
export function serializeBom(normalized: Record<string, unknown>): string {
  return `${JSON.stringify(normalized, null, 2)}\n`;
}
