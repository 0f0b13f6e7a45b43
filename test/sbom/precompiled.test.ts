// The precompiled 1.6 validator (src/sbom/generated/validate-1.6.json) must be exactly what
// compiling the bundled schema gives today. Regenerate with UPDATE_SBOM_VALIDATORS=1.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatePrecompiledValidator, schemaValidator } from '../../src/sbom/validate.js';
import { findDuplicate } from '../../src/sbom/schema-setup.js';
import { REPO_ROOT } from '../helpers/cli.js';

const FILE = path.join(REPO_ROOT, 'src/sbom/generated/validate-1.6.json');

describe('precompiled CycloneDX validator', () => {
  it('matches a fresh compilation of the bundled 1.6 schema', async () => {
    const fresh = `${JSON.stringify(await generatePrecompiledValidator('1.6'), null, 2)}\n`;
    if (process.env.UPDATE_SBOM_VALIDATORS === '1') await writeFile(FILE, fresh);
    expect(await readFile(FILE, 'utf8')).toBe(fresh);
  });

  it('gives the same verdicts as the runtime-compiled validator', async () => {
    const precompiled = await schemaValidator('1.6', false);
    const runtime = await schemaValidator('1.6', true);
    const good = {
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      version: 1,
      metadata: { authors: [{ email: 'dev@example.com' }] },
      components: [{ type: 'library', name: 'a', 'bom-ref': 'a' }],
    };
    const duplicate = { ...good, components: [good.components[0], { ...good.components[0] }] };
    const badEmail = { ...good, metadata: { authors: [{ email: 'not an email' }] } };
    const badType = { ...good, components: [{ type: 'spaceship', name: 'a' }] };
    for (const [doc, expected] of [
      [good, true],
      [duplicate, false],
      [badEmail, false],
      [badType, false],
    ] as const) {
      expect(precompiled(doc)).toBe(expected);
      expect(runtime(doc)).toBe(expected);
    }
  });
});

describe('findDuplicate (linear uniqueItems)', () => {
  it('finds deep-equal items regardless of key order', () => {
    expect(
      findDuplicate([
        { a: 1, b: [1, 2] },
        { b: [1, 2], a: 1 },
      ])
    ).toEqual([0, 1]);
    expect(findDuplicate(['x', 'y', 'x'])).toEqual([0, 2]);
    expect(findDuplicate([1, '1'])).toBeUndefined();
    expect(
      findDuplicate([
        { 'bom-ref': 'a', v: 1 },
        { 'bom-ref': 'a', v: 2 },
      ])
    ).toBeUndefined();
    expect(findDuplicate([])).toBeUndefined();
  });
});
