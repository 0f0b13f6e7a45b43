// Package graph → SPDX 2.3 JSON, and validation of SPDX 2.3 JSON documents against the official
// schema (src/sbom/schema/spdx-2.3.schema.json, from spdx/spdx-spec) plus the reference checks a
// schema cannot make (every relationship names an element of the document).
//
// Mapping (docs/sbom.md): the root is the described package (DESCRIBES), each graph package an SPDX
// package with its purl as a PACKAGE-MANAGER externalRef, lockfile hashes as checksums, the
// declared licence when it is a valid SPDX expression (else NOASSERTION plus licenseComments),
// edges as DEPENDS_ON, DEV_DEPENDENCY_OF or OPTIONAL_DEPENDENCY_OF, release artifacts as FILE
// packages. SPDXIDs, order, documentNamespace and created are derived from the content and
// SOURCE_DATE_EPOCH, so the same inputs give the same bytes.
import { createHash } from 'node:crypto';
import type { ErrorObject } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import spdxExpressionParse from 'spdx-expression-parse';
import { CustodyError } from '../errors.js';
import { sortKeys } from '../util/canonical-json.js';
import { VERSION } from '../version.js';
import type { FileSubject } from './bom.js';
import { npmPurl, uuidV5 } from './bom.js';
import type { GraphPackage, PackageGraph } from './graph.js';
import { isRecord } from './graph.js';
import type { SchemaError } from './validate.js';

export const SPDX_VERSION = 'SPDX-2.3';
/** in-toto predicate type of an SPDX document (what in-toto's SPDX predicate and cosign use). */
export const SPDX_PREDICATE_TYPE = 'https://spdx.dev/Document';

export interface SpdxOptions {
  readonly timestamp: Date;
  readonly includeDev?: boolean;
  readonly files?: readonly FileSubject[];
  /** Lockfile path relative to the project, recorded in the document comment. */
  readonly lockfilePath?: string | undefined;
}

const CHECKSUM_ALGORITHMS: Record<string, string> = {
  sha1: 'SHA1',
  sha256: 'SHA256',
  sha384: 'SHA384',
  sha512: 'SHA512',
};

/** SPDXRef-<readable part>-<12 hex of the key>: unique per key, allowed characters only. */
function spdxId(prefix: string, readable: string, key: string): string {
  const clean = readable
    .replace(/[^A-Za-z0-9.-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 12);
  return `SPDXRef-${prefix}-${clean === '' ? 'x' : clean}-${hash}`;
}

function validLicense(value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  try {
    spdxExpressionParse(value.trim());
    return value.trim();
  } catch {
    return undefined;
  }
}

function purlOf(
  pkg: Pick<GraphPackage, 'name' | 'version' | 'source' | 'resolved' | 'purl'>
): string {
  return pkg.purl ?? npmPurl(pkg).toString();
}

function packageEntry(
  id: string,
  name: string,
  version: string | undefined,
  purl: string,
  license: string | undefined,
  purpose: string,
  extra: {
    checksums?: { algorithm: string; checksumValue: string }[];
    download?: string;
    comment?: string;
  }
): Record<string, unknown> {
  const declared = validLicense(license);
  const entry: Record<string, unknown> = {
    SPDXID: id,
    name,
    downloadLocation: extra.download ?? 'NOASSERTION',
    filesAnalyzed: false,
    licenseConcluded: 'NOASSERTION',
    licenseDeclared: declared ?? 'NOASSERTION',
    copyrightText: 'NOASSERTION',
    primaryPackagePurpose: purpose,
    externalRefs: [
      { referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: purl },
    ],
  };
  if (version !== undefined) entry.versionInfo = version;
  if (declared === undefined && license !== undefined && license.trim() !== '') {
    entry.licenseComments = `declared licence (not an SPDX expression): ${license.trim()}`;
  }
  if (extra.checksums !== undefined && extra.checksums.length > 0)
    entry.checksums = extra.checksums;
  if (extra.comment !== undefined) entry.comment = extra.comment;
  return entry;
}

/** The SPDX 2.3 document of a package graph (plain JSON data, canonical key order). */
export function buildSpdx(graph: PackageGraph, options: SpdxOptions): Record<string, unknown> {
  const includeDev = options.includeDev === true;
  const included = [...graph.packages.values()].filter((p) => includeDev || !p.dev);
  const includedKeys = new Set(included.map((p) => p.key));
  const rootPurl =
    graph.root.purl ??
    npmPurl({
      name: graph.root.name,
      version: graph.root.version,
      source: 'workspace',
      resolved: undefined,
    }).toString();
  const rootId = spdxId('Root', graph.root.name, `root:${rootPurl}`);
  const idOf = new Map<string, string>();
  for (const pkg of included)
    idOf.set(pkg.key, spdxId('Package', `${pkg.name}-${pkg.version ?? ''}`, pkg.key));

  const packages: Record<string, unknown>[] = [
    packageEntry(
      rootId,
      graph.root.name,
      graph.root.version,
      rootPurl,
      graph.root.license,
      'APPLICATION',
      {}
    ),
  ];
  for (const pkg of included) {
    const checksums = [...pkg.integrity]
      .filter(([alg]) => CHECKSUM_ALGORITHMS[alg] !== undefined)
      .map(([alg, base64]) => ({
        algorithm: CHECKSUM_ALGORITHMS[alg]!,
        checksumValue: Buffer.from(base64, 'base64').toString('hex'),
      }));
    const notes: string[] = [];
    if (pkg.dev) notes.push('development dependency');
    if (pkg.optional) notes.push('optional dependency');
    if (pkg.source !== 'registry') notes.push(`source: ${pkg.source}`);
    packages.push(
      packageEntry(
        idOf.get(pkg.key)!,
        pkg.name,
        pkg.version,
        purlOf(pkg),
        pkg.license,
        pkg.source === 'workspace' ? 'APPLICATION' : 'LIBRARY',
        {
          checksums,
          download:
            pkg.resolved !== undefined && /^(https?|git\+[a-z]+):\/\//.test(pkg.resolved)
              ? pkg.resolved
              : 'NOASSERTION',
          ...(notes.length > 0 ? { comment: notes.join('; ') } : {}),
        }
      )
    );
  }
  for (const file of options.files ?? []) {
    packages.push({
      SPDXID: spdxId('File', file.name, `file:${file.name}`),
      name: file.name,
      packageFileName: file.name,
      downloadLocation: 'NOASSERTION',
      filesAnalyzed: false,
      licenseConcluded: 'NOASSERTION',
      licenseDeclared: 'NOASSERTION',
      copyrightText: 'NOASSERTION',
      primaryPackagePurpose: 'FILE',
      checksums: [
        { algorithm: 'SHA256', checksumValue: file.sha256 },
        { algorithm: 'SHA512', checksumValue: file.sha512 },
      ],
      comment: 'release artifact',
    });
  }

  const relationships: Record<string, string>[] = [
    {
      spdxElementId: 'SPDXRef-DOCUMENT',
      relationshipType: 'DESCRIBES',
      relatedSpdxElement: rootId,
    },
  ];
  const byKey = new Map(included.map((p) => [p.key, p]));
  const relate = (from: string, toKey: string): void => {
    const to = byKey.get(toKey);
    const toId = idOf.get(toKey);
    if (to === undefined || toId === undefined) return;
    // SPDX puts the dependency first in DEV_DEPENDENCY_OF / OPTIONAL_DEPENDENCY_OF.
    if (to.dev)
      relationships.push({
        spdxElementId: toId,
        relationshipType: 'DEV_DEPENDENCY_OF',
        relatedSpdxElement: from,
      });
    else if (to.optional)
      relationships.push({
        spdxElementId: toId,
        relationshipType: 'OPTIONAL_DEPENDENCY_OF',
        relatedSpdxElement: from,
      });
    else
      relationships.push({
        spdxElementId: from,
        relationshipType: 'DEPENDS_ON',
        relatedSpdxElement: toId,
      });
  };
  for (const dep of graph.rootDependencies) if (includedKeys.has(dep)) relate(rootId, dep);
  for (const pkg of included)
    for (const dep of pkg.dependencies) if (includedKeys.has(dep)) relate(idOf.get(pkg.key)!, dep);
  for (const file of options.files ?? []) {
    relationships.push({
      spdxElementId: rootId,
      relationshipType: 'CONTAINS',
      relatedSpdxElement: spdxId('File', file.name, `file:${file.name}`),
    });
  }

  const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  packages.sort((a, b) => compare(a.SPDXID as string, b.SPDXID as string));
  const relKey = (r: Record<string, string>): string =>
    `${r.spdxElementId} ${r.relationshipType} ${r.relatedSpdxElement}`;
  const uniqueRelationships = [...new Map(relationships.map((r) => [relKey(r), r])).values()].sort(
    (a, b) => compare(relKey(a), relKey(b))
  );

  const body: Record<string, unknown> = {
    spdxVersion: SPDX_VERSION,
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name:
      graph.root.version === undefined
        ? graph.root.name
        : `${graph.root.name}@${graph.root.version}`,
    creationInfo: {
      created: options.timestamp.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      creators: [`Tool: custody-${VERSION}`],
    },
    packages,
    relationships: uniqueRelationships,
  };
  if (options.lockfilePath !== undefined)
    body.comment = `custody: from ${options.lockfilePath} (${graph.format})`;
  // A URI unique to this content: the same inputs give the same namespace.
  const uuid = uuidV5(JSON.stringify(sortKeys(body)));
  const slug = graph.root.name.replace(/[^A-Za-z0-9._-]+/g, '-');
  return sortKeys({
    ...body,
    documentNamespace: `https://custody.dev/spdx/${slug}-${uuid}`,
  }) as Record<string, unknown>;
}

export function serializeSpdx(document: Record<string, unknown>): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** True when a parsed JSON document says it is SPDX (spdxVersion "SPDX-…"). */
export function isSpdxDocument(document: unknown): boolean {
  return (
    isRecord(document) &&
    typeof document.spdxVersion === 'string' &&
    document.spdxVersion.startsWith('SPDX-')
  );
}

export interface SpdxValidationResult {
  readonly specVersion: string;
  readonly valid: boolean;
  readonly errors: readonly SchemaError[];
}

let validator:
  Promise<((data: unknown) => boolean) & { errors?: ErrorObject[] | null }> | undefined;

function spdxValidator(): NonNullable<typeof validator> {
  validator ??= import('./schema/spdx-2.3.schema.json', { with: { type: 'json' } }).then(
    (schema) => {
      const ajv = new Ajv2019({ strict: false, allErrors: true, validateFormats: false });
      return ajv.compile(schema.default as object);
    }
  );
  return validator;
}

/** Element ids named by relationships but defined nowhere in the document. */
function danglingReferences(document: Record<string, unknown>): SchemaError[] {
  const ids = new Set<string>(['SPDXRef-DOCUMENT', 'NONE', 'NOASSERTION']);
  for (const list of ['packages', 'files', 'snippets'] as const) {
    const items = document[list];
    if (!Array.isArray(items)) continue;
    for (const item of items)
      if (isRecord(item) && typeof item.SPDXID === 'string') ids.add(item.SPDXID);
  }
  const errors: SchemaError[] = [];
  const relationships = Array.isArray(document.relationships) ? document.relationships : [];
  relationships.forEach((r: unknown, index: number) => {
    if (!isRecord(r)) return;
    for (const field of ['spdxElementId', 'relatedSpdxElement'] as const) {
      const id = r[field];
      if (typeof id === 'string' && !id.includes(':') && !ids.has(id)) {
        errors.push({
          pointer: `/relationships/${index}/${field}`,
          message: `names ${id}, which is not an element of this document`,
          keyword: 'reference',
        });
      }
    }
  });
  return errors;
}

/** Validates a parsed SPDX JSON document (2.3 only) against the schema and its references. */
export async function validateSpdx(
  document: unknown,
  options: { source?: string } = {}
): Promise<SpdxValidationResult> {
  const source = options.source ?? 'document';
  if (!isRecord(document) || !isSpdxDocument(document)) {
    throw new CustodyError(
      'SBOM_DOCUMENT_INVALID',
      `${source} is not an SPDX JSON document (no spdxVersion "SPDX-…")`,
      {
        details: { file: source },
      }
    );
  }
  if (document.spdxVersion !== SPDX_VERSION) {
    throw new CustodyError(
      'SBOM_SPEC_UNSUPPORTED',
      `${source} declares ${JSON.stringify(document.spdxVersion)}; custody validates SPDX JSON ${SPDX_VERSION}`,
      {
        details: { file: source, specVersion: document.spdxVersion },
      }
    );
  }
  const validate = await spdxValidator();
  const valid = validate(document);
  const errors: SchemaError[] = valid
    ? []
    : (validate.errors ?? []).map((e) => ({
        pointer: e.instancePath,
        message:
          e.keyword === 'additionalProperties' && isRecord(e.params)
            ? `${e.message ?? e.keyword}: ${String(e.params.additionalProperty)}`
            : (e.message ?? e.keyword),
        keyword: e.keyword,
      }));
  errors.push(...danglingReferences(document));
  return { specVersion: SPDX_VERSION, valid: errors.length === 0, errors };
}

export async function assertValidSpdx(document: unknown, source = 'SPDX document'): Promise<void> {
  const result = await validateSpdx(document, { source });
  if (!result.valid) {
    const first = result.errors[0]!;
    throw new CustodyError(
      'SBOM_SCHEMA_INVALID',
      `${source} is not valid ${SPDX_VERSION}: ${first.pointer || '/'} ${first.message}`,
      {
        details: { errors: result.errors },
      }
    );
  }
}
