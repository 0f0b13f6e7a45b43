// SPDX 2.3 JSON from the package graph, and its validation (official schema + references).
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSBOMStatement } from '../../src/attest/sbom.js';
import { CustodyError } from '../../src/errors.js';
import { readEcosystemGraph } from '../../src/sbom/adapter/discover.js';
import { buildSpdx, serializeSpdx, validateSpdx } from '../../src/sbom/index.js';
import { bomComponents, evaluateSbom } from '../../src/verify/sbom-checks.js';
import { defaultPolicy } from '../../src/policy/index.js';
import { REPO_ROOT } from '../helpers/cli.js';

const FIXTURES = path.join(REPO_ROOT, 'fixtures/sbom/ecosystems');
const TIME = new Date('2026-01-01T00:00:00.000Z');

interface SpdxPackage {
  SPDXID: string;
  name: string;
  versionInfo?: string;
  licenseDeclared: string;
  checksums?: { algorithm: string; checksumValue: string }[];
  externalRefs: { referenceCategory: string; referenceType: string; referenceLocator: string }[];
  primaryPackagePurpose: string;
  comment?: string;
}
interface SpdxDoc {
  spdxVersion: string;
  documentNamespace: string;
  creationInfo: { created: string; creators: string[] };
  packages: SpdxPackage[];
  relationships: { spdxElementId: string; relationshipType: string; relatedSpdxElement: string }[];
}

async function composer(): Promise<SpdxDoc> {
  const graph = await readEcosystemGraph(
    path.join(FIXTURES, 'composer/composer.lock'),
    'composer.lock'
  );
  return buildSpdx(graph, {
    timestamp: TIME,
    includeDev: true,
    lockfilePath: 'composer.lock',
    files: [{ name: 'dist/shop.zip', sha256: 'a'.repeat(64), sha512: 'b'.repeat(128) }],
  }) as unknown as SpdxDoc;
}

function byPurl(doc: SpdxDoc, purl: string): SpdxPackage {
  const found = doc.packages.find((p) => p.externalRefs?.some((r) => r.referenceLocator === purl));
  if (found === undefined) throw new Error(`no package ${purl}`);
  return found;
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e
  );
  expect(error).toBeInstanceOf(CustodyError);
  expect((error as CustodyError).code).toBe(code);
}

describe('buildSpdx', () => {
  it('packages with purls, checksums, licences; dependency, dev and file relationships', async () => {
    const doc = await composer();
    expect(doc.spdxVersion).toBe('SPDX-2.3');
    expect(doc.creationInfo.created).toBe('2026-01-01T00:00:00Z');
    expect(doc.creationInfo.creators[0]).toMatch(/^Tool: custody-/);
    expect(doc.packages).toHaveLength(5); // root, 3 packages, 1 release file
    const monolog = byPurl(doc, 'pkg:composer/monolog/monolog@3.7.0');
    expect(monolog).toMatchObject({
      name: 'monolog/monolog',
      versionInfo: '3.7.0',
      licenseDeclared: 'MIT',
      primaryPackagePurpose: 'LIBRARY',
      checksums: [{ algorithm: 'SHA1', checksumValue: 'bd1b614c139acb2b9acc68afc50d12fbffef8a94' }],
    });
    expect(monolog.externalRefs).toEqual([
      {
        referenceCategory: 'PACKAGE-MANAGER',
        referenceType: 'purl',
        referenceLocator: 'pkg:composer/monolog/monolog@3.7.0',
      },
    ]);
    expect(byPurl(doc, 'pkg:composer/psr/log@3.0.2').licenseDeclared).toBe('MIT OR Apache-2.0');
    const root = byPurl(doc, 'pkg:composer/acme/shop');
    const phpunit = byPurl(doc, 'pkg:composer/phpunit/phpunit@v11.3.1');
    expect(phpunit.comment).toBe('development dependency');
    const rel = (a: SpdxPackage | string, type: string, b: SpdxPackage): boolean =>
      doc.relationships.some(
        (r) =>
          r.spdxElementId === (typeof a === 'string' ? a : a.SPDXID) &&
          r.relationshipType === type &&
          r.relatedSpdxElement === b.SPDXID
      );
    expect(rel('SPDXRef-DOCUMENT', 'DESCRIBES', root)).toBe(true);
    expect(rel(root, 'DEPENDS_ON', monolog)).toBe(true);
    expect(rel(monolog, 'DEPENDS_ON', byPurl(doc, 'pkg:composer/psr/log@3.0.2'))).toBe(true);
    // SPDX puts the dev dependency first: phpunit DEV_DEPENDENCY_OF the root.
    expect(rel(phpunit, 'DEV_DEPENDENCY_OF', root)).toBe(true);
    const file = doc.packages.find((p) => p.primaryPackagePurpose === 'FILE')!;
    expect(file.checksums?.map((c) => c.algorithm)).toEqual(['SHA256', 'SHA512']);
    expect(rel(root, 'CONTAINS', file)).toBe(true);
    expect((await validateSpdx(doc)).errors).toEqual([]);
  });

  it('is deterministic: same graph and time, same bytes; the namespace follows the content', async () => {
    const a = serializeSpdx((await composer()) as unknown as Record<string, unknown>);
    const b = serializeSpdx((await composer()) as unknown as Record<string, unknown>);
    expect(a).toBe(b);
    const graph = await readEcosystemGraph(path.join(FIXTURES, 'cargo/Cargo.lock'), 'Cargo.lock');
    const other = buildSpdx(graph, { timestamp: TIME }) as unknown as SpdxDoc;
    expect(other.documentNamespace).toMatch(
      /^https:\/\/custody\.dev\/spdx\/demo-cli-[0-9a-f-]{36}$/
    );
    expect(other.documentNamespace).not.toBe((JSON.parse(a) as SpdxDoc).documentNamespace);
  });

  it('leaves dev packages out unless asked, and a licence that is no SPDX expression is NOASSERTION', async () => {
    const graph = await readEcosystemGraph(
      path.join(FIXTURES, 'composer/composer.lock'),
      'composer.lock'
    );
    const prod = buildSpdx(graph, { timestamp: TIME }) as unknown as SpdxDoc;
    expect(prod.packages.map((p) => p.name).sort()).toEqual([
      'acme/shop',
      'monolog/monolog',
      'psr/log',
    ]);
    const pkg = [...graph.packages.values()][0]!;
    const odd = buildSpdx(
      { ...graph, packages: new Map([[pkg.key, { ...pkg, license: 'Some Custom Licence' }]]) },
      { timestamp: TIME }
    ) as unknown as { packages: (SpdxPackage & { licenseComments?: string })[] };
    const entry = odd.packages.find((p) => p.name === pkg.name)!;
    expect(entry.licenseDeclared).toBe('NOASSERTION');
    expect(entry.licenseComments).toContain('Some Custom Licence');
  });
});

describe('validateSpdx', () => {
  it('rejects schema violations with their JSON pointer', async () => {
    const doc = await composer();
    doc.packages[1]!.SPDXID = 'not an id';
    delete (doc as Partial<SpdxDoc>).creationInfo;
    const result = await validateSpdx(doc);
    expect(result.valid).toBe(false);
    expect(result.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          pointer: '',
          message: "must have required property 'creationInfo'",
        }),
        expect.objectContaining({ pointer: '/packages/1/SPDXID', keyword: 'pattern' }),
      ])
    );
  });

  it('rejects a relationship that names no element of the document', async () => {
    const doc = await composer();
    doc.relationships.push({
      spdxElementId: doc.packages[0]!.SPDXID,
      relationshipType: 'DEPENDS_ON',
      relatedSpdxElement: 'SPDXRef-Package-ghost',
    });
    const result = await validateSpdx(doc);
    expect(result.valid).toBe(false);
    expect(result.errors).toEqual([
      {
        pointer: `/relationships/${doc.relationships.length - 1}/relatedSpdxElement`,
        message: 'names SPDXRef-Package-ghost, which is not an element of this document',
        keyword: 'reference',
      },
    ]);
  });

  it('refuses other SPDX versions and documents that are not SPDX', async () => {
    await expectCode(validateSpdx({ spdxVersion: 'SPDX-2.2' }), 'SBOM_SPEC_UNSUPPORTED');
    await expectCode(validateSpdx({ bomFormat: 'CycloneDX' }), 'SBOM_DOCUMENT_INVALID');
  });
});

describe('SPDX in attestations and verify policy', () => {
  it('custody attest sbom types an SPDX document https://spdx.dev/Document; anything else is refused', async () => {
    const doc = await composer();
    const statement = buildSBOMStatement(doc, [{ name: 'a', digest: { sha256: 'a'.repeat(64) } }]);
    expect(statement.predicateType).toBe('https://spdx.dev/Document');
    expect(statement.predicate).toEqual(doc);
    expect(() => buildSBOMStatement({ name: 'x' }, [])).toThrow(
      expect.objectContaining({ code: 'ATTEST_SBOM_INVALID' })
    );
  });

  it('the SBOM policy reads SPDX packages: purls, declared licences, spdxVersion', async () => {
    const doc = await composer();
    const components = bomComponents(doc);
    expect(components.find((c) => c.name === 'psr/log')).toEqual({
      name: 'psr/log',
      version: '3.0.2',
      purl: 'pkg:composer/psr/log@3.0.2',
      licenses: ['MIT OR Apache-2.0'],
    });
    const policy = defaultPolicy('test').sbom;
    const denied = evaluateSbom(doc, {
      ...policy,
      specVersions: ['SPDX-2.3'],
      deniedLicenses: ['MIT'],
      deniedPackages: [{ name: 'pkg:composer/monolog/monolog', versions: '>=3' }],
    });
    expect(denied.specVersionAllowed).toBe(true);
    // psr/log is MIT OR Apache-2.0: a valid choice remains; monolog is MIT only.
    expect(denied.deniedLicenses.map((d) => d.component)).toEqual(['monolog/monolog@3.7.0']);
    expect(denied.deniedPackages.map((d) => d.component)).toEqual(['monolog/monolog@3.7.0']);
    const allowed = evaluateSbom(doc, {
      ...policy,
      specVersions: ['1.6'],
      deniedLicenses: ['GPL-*'],
    });
    expect(allowed.specVersionAllowed).toBe(false);
    expect(allowed.deniedLicenses).toEqual([]);
  });
});
