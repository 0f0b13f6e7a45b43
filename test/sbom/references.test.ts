// `sbom validate` checks bom-ref references, not only the schema: a duplicate bom-ref or a
// dependency on a bom-ref that does not exist is an error with its JSON pointer.
import { readFile } from 'node:fs/promises';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateBom } from '../../src/sbom/index.js';
import { checkBomReferences } from '../../src/sbom/references.js';
import { REPO_ROOT, runCli } from '../helpers/cli.js';

function bom(): Record<string, unknown> {
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    version: 1,
    metadata: { component: { type: 'application', name: 'app', 'bom-ref': 'app' } },
    components: [
      { type: 'library', name: 'a', version: '1', 'bom-ref': 'a@1' },
      {
        type: 'library',
        name: 'b',
        version: '1',
        'bom-ref': 'b@1',
        components: [{ type: 'library', name: 'c', version: '1', 'bom-ref': 'c@1' }],
      },
    ],
    services: [{ name: 'api', 'bom-ref': 'svc' }],
    dependencies: [
      { ref: 'app', dependsOn: ['a@1', 'b@1', 'svc'] },
      { ref: 'b@1', dependsOn: ['c@1', 'urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#x'] },
    ],
    compositions: [{ aggregate: 'complete', assemblies: ['a@1'], dependencies: ['b@1'] }],
  };
}

describe('bom-ref references', () => {
  it('a consistent document (nested components, services, BOM-Links) has no reference errors', async () => {
    expect(checkBomReferences(bom())).toEqual([]);
    expect((await validateBom(bom())).valid).toBe(true);
  });

  it('reports a duplicate bom-ref at the second one, naming the first', async () => {
    const doc = bom();
    ((doc.components as Record<string, unknown>[])[1]!.components as Record<string, unknown>[])[0]![
      'bom-ref'
    ] = 'a@1';
    const result = await validateBom(doc);
    expect(result.valid).toBe(false);
    expect(result.errors).toContainEqual({
      pointer: '/components/1/components/0/bom-ref',
      keyword: 'duplicateBomRef',
      message: 'bom-ref "a@1" is already the bom-ref of /components/0',
    });
  });

  it('reports dangling refs in dependencies, dependsOn, compositions and vulnerabilities', () => {
    const doc = bom();
    (doc.dependencies as Record<string, unknown>[]).push(
      { ref: 'ghost', dependsOn: ['a@1'] },
      { ref: 'app', dependsOn: ['nowhere'] }
    );
    (doc.compositions as Record<string, unknown>[])[0]!.assemblies = ['a@1', 'gone'];
    doc.vulnerabilities = [{ id: 'CVE-1', affects: [{ ref: 'missing' }] }];
    expect(checkBomReferences(doc).map((e) => [e.pointer, e.keyword])).toEqual([
      ['/dependencies/2/ref', 'danglingBomRef'],
      ['/dependencies/3/ref', 'duplicateDependency'],
      ['/dependencies/3/dependsOn/0', 'danglingBomRef'],
      ['/compositions/0/assemblies/1', 'danglingBomRef'],
      ['/vulnerabilities/0/affects/0/ref', 'danglingBomRef'],
    ]);
  });

  it('custody sbom validate exits 1 and prints the pointers; third-party fixtures stay valid', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'custody-refs-'));
    try {
      const doc = bom();
      (doc.dependencies as Record<string, unknown>[])[0]!.dependsOn = ['a@1', 'nope'];
      const file = path.join(dir, 'bad.cdx.json');
      await writeFile(file, JSON.stringify(doc));
      const run = await runCli(['sbom', 'validate', file], {});
      expect(run.code).toBe(1);
      expect(run.stdout).toContain(
        '/dependencies/0/dependsOn/1: dependsOn "nope" is not the bom-ref'
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    for (const name of ['cdxgen-1.6.cdx.json', 'syft-1.6.cdx.json', 'npm-sbom-1.5.cdx.json']) {
      const text = await readFile(path.join(REPO_ROOT, 'fixtures/sbom/validate', name), 'utf8');
      expect(checkBomReferences(JSON.parse(text)), name).toEqual([]);
    }
  });
});
