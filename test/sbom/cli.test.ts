// custody sbom / custody sbom validate from the command line (in-process).
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VERSION } from '../../src/version.js';
import { validateBom } from '../../src/sbom/index.js';
import { REPO_ROOT, runCli } from '../helpers/cli.js';

const FIXTURES = path.join(REPO_ROOT, 'fixtures/sbom');
const SMALL = path.join(REPO_ROOT, 'fixtures/sbom/small-npm');
const ENV = { SOURCE_DATE_EPOCH: '1767225600' };

interface Property {
  name: string;
  value: string;
}
interface Doc {
  serialNumber: string;
  specVersion: string;
  metadata: {
    timestamp: string;
    tools: { components: { name: string; version: string }[] };
    component: { name: string; group?: string; version?: string; purl?: string };
    properties?: Property[];
  };
  components: {
    name: string;
    type: string;
    version?: string;
    licenses?: unknown[];
    author?: string;
    description?: string;
    hashes?: { alg: string; content: string }[];
  }[];
}

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'custody-sbom-cli-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('custody sbom', () => {
  it('is byte-identical on repeat, with a content-derived serialNumber and SOURCE_DATE_EPOCH time', async () => {
    const a = await runCli(['sbom', SMALL], { env: ENV });
    const b = await runCli(['sbom', SMALL], { env: ENV });
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    const doc = JSON.parse(a.stdout) as Doc;
    expect(doc.serialNumber).toMatch(
      /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
    );
    expect(doc.metadata.timestamp).toBe('2026-01-01T00:00:00.000Z');
    expect(doc.specVersion).toBe('1.6');
    expect(doc.metadata.tools.components).toEqual([
      expect.objectContaining({ name: 'custody', version: VERSION }),
    ]);
    expect(doc.metadata.component).toMatchObject({ name: 'hello-app' });
    // Keys in canonical (sorted) order at every level.
    expect(Object.keys(doc)).toEqual([...Object.keys(doc)].sort());
    // Another build time changes the timestamp and therefore the serial number.
    const later = await runCli(['sbom', SMALL], { env: { SOURCE_DATE_EPOCH: '1767225601' } });
    expect((JSON.parse(later.stdout) as Doc).serialNumber).not.toBe(doc.serialNumber);
  });

  it('honours --serial-number and refuses a malformed one', async () => {
    const serial = 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79';
    const run = await runCli(['sbom', SMALL, '--serial-number', serial], { env: ENV });
    expect((JSON.parse(run.stdout) as Doc).serialNumber).toBe(serial);
    const bad = await runCli(['sbom', SMALL, '--serial-number', 'urn:uuid:nope'], { env: ENV });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('error[USAGE_INVALID]');
  });

  it('writes --output atomically and prints a summary; --json gives the facts', async () => {
    const file = path.join(tmp, 'out', 'sbom.cdx.json');
    const run = await runCli(['--json', 'sbom', SMALL, '-o', file], { env: ENV });
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({
      components: 9,
      format: 'npm',
      specVersion: '1.6',
      validated: true,
      output: file,
    });
    const stdoutRun = await runCli(['sbom', SMALL], { env: ENV });
    expect(await readFile(file, 'utf8')).toBe(stdoutRun.stdout);
  });

  it('--lockfile reads a lockfile of any name, detecting its format from the content', async () => {
    const dir = path.join(tmp, 'renamed');
    await mkdir(dir, { recursive: true });
    await cp(path.join(FIXTURES, 'pnpm-v6/pnpm-lock.yaml'), path.join(dir, 'deps.lock'));
    await cp(path.join(FIXTURES, 'pnpm-v6/package.json'), path.join(dir, 'package.json'));
    const run = await runCli(['--json', 'sbom', '--lockfile', 'renamed/deps.lock'], {
      env: ENV,
      cwd: tmp,
    });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      lockfile: 'renamed/deps.lock',
      format: 'pnpm',
      components: 6,
    });
    const missing = await runCli(['sbom', '--lockfile', 'renamed/nope.lock'], {
      env: ENV,
      cwd: tmp,
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('error[INPUT_NOT_FOUND]');
  });

  it('--spec-version 1.5 and 1.7 validate; anything else is refused', async () => {
    for (const version of ['1.5', '1.7']) {
      const run = await runCli(['sbom', SMALL, '--spec-version', version], { env: ENV });
      expect(run.code).toBe(0);
      const doc = JSON.parse(run.stdout) as Doc;
      expect(doc.specVersion).toBe(version);
      expect((await validateBom(doc)).errors).toEqual([]);
    }
    const bad = await runCli(['sbom', SMALL, '--spec-version', '1.4'], { env: ENV });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('error[SBOM_SPEC_UNSUPPORTED]');
  });

  it('--gitlab adds the properties GitLab dependency scanning needs', async () => {
    const run = await runCli(['sbom', path.join(FIXTURES, 'pnpm-v6'), '--gitlab'], {
      env: ENV,
      cwd: REPO_ROOT,
    });
    const props = (JSON.parse(run.stdout) as Doc).metadata.properties ?? [];
    expect(props).toEqual(
      expect.arrayContaining([
        { name: 'gitlab:meta:schema_version', value: '1' },
        {
          name: 'gitlab:dependency_scanning:input_file:path',
          value: 'fixtures/sbom/pnpm-v6/pnpm-lock.yaml',
        },
        { name: 'gitlab:dependency_scanning:package_manager:name', value: 'pnpm' },
        { name: 'gitlab:dependency_scanning:language:name', value: 'JavaScript' },
      ])
    );
    const plain = await runCli(['sbom', path.join(FIXTURES, 'pnpm-v6')], {
      env: ENV,
      cwd: REPO_ROOT,
    });
    expect(plain.stdout).not.toContain('gitlab:');
  });

  it('writes scoped purls as pkg:npm/%40scope/name@version with the scope as group', async () => {
    const run = await runCli(['sbom', path.join(FIXTURES, 'pnpm-v6')], { env: ENV });
    const doc = JSON.parse(run.stdout) as Doc & {
      components: { group?: string; purl?: string; name: string }[];
    };
    expect(doc.components.find((c) => c.name === 'node')).toMatchObject({
      group: '@types',
      purl: 'pkg:npm/%40types/node@24.13.3',
    });
    // Dev dependencies are left out unless --include-dev, which keeps them as optional.
    expect(doc.components.some((c) => c.name === 'is-number')).toBe(false);
    const dev = await runCli(['sbom', path.join(FIXTURES, 'pnpm-v6'), '--include-dev'], {
      env: ENV,
    });
    expect(dev.stdout).toContain('"name": "is-number"');
  });

  it('reads yarn classic workspaces from the package.json globs', async () => {
    const run = await runCli(['--json', 'sbom', path.join(FIXTURES, 'yarn-classic')], { env: ENV });
    const summary = JSON.parse(run.stdout) as { components: number; sbom: Doc };
    expect(summary.components).toBe(5);
    expect(summary.sbom.components.map((c) => `${c.name}@${c.version ?? ''}`).sort()).toEqual([
      'app@0.3.0',
      'debug@4.4.3',
      'ms@2.0.0',
      'ms@2.1.3',
      'string-width@4.2.3',
    ]);
  });

  it('enriches licences, authors and descriptions from node_modules when present', async () => {
    const dir = path.join(tmp, 'enrich');
    await cp(path.join(FIXTURES, 'npm-v1'), dir, { recursive: true });
    await mkdir(path.join(dir, 'node_modules/debug'), { recursive: true });
    await writeFile(
      path.join(dir, 'node_modules/debug/package.json'),
      JSON.stringify({
        name: 'debug',
        version: '4.4.3',
        license: 'MIT',
        author: { name: 'Josh Junon' },
        description: 'tiny debugger',
      })
    );
    // A different installed version is not taken for the locked one.
    await mkdir(path.join(dir, 'node_modules/ms'), { recursive: true });
    await writeFile(
      path.join(dir, 'node_modules/ms/package.json'),
      JSON.stringify({ name: 'ms', version: '9.9.9', license: 'WTFPL' })
    );
    const doc = JSON.parse((await runCli(['sbom', dir], { env: ENV })).stdout) as Doc;
    expect(doc.components.find((c) => c.name === 'debug')).toMatchObject({
      licenses: [{ license: { id: 'MIT' } }],
      author: 'Josh Junon',
      description: 'tiny debugger',
    });
    expect(doc.components.find((c) => c.name === 'ms')?.licenses).toBeUndefined();
    const plain = JSON.parse(
      (await runCli(['sbom', dir, '--no-enrich'], { env: ENV })).stdout
    ) as Doc;
    expect(plain.components.find((c) => c.name === 'debug')?.licenses).toBeUndefined();
  });

  it('fails clearly without a lockfile, with a huge lockfile, with a bad lockfile', async () => {
    const empty = path.join(tmp, 'empty');
    await mkdir(empty, { recursive: true });
    const none = await runCli(['sbom', empty], { env: ENV });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('error[SBOM_LOCKFILE_NOT_FOUND]');

    const huge = path.join(tmp, 'huge');
    await mkdir(huge, { recursive: true });
    const handle = await open(path.join(huge, 'package-lock.json'), 'w');
    await handle.truncate(65 * 1024 * 1024); // sparse: refused by size before it is read
    await handle.close();
    const big = await runCli(['sbom', huge], { env: ENV });
    expect(big.code).toBe(2);
    expect(big.stderr).toContain('error[INPUT_TOO_LARGE]');

    const broken = path.join(tmp, 'broken');
    await mkdir(broken, { recursive: true });
    await writeFile(
      path.join(broken, 'package-lock.json'),
      '{"lockfileVersion": 3, "packages": {"": {'
    );
    const bad = await runCli(['sbom', broken], { env: ENV });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /^error\[SBOM_LOCKFILE_INVALID\]: .*package-lock\.json: not valid JSON/
    );
    expect(bad.stderr).not.toContain('    at ');
  });
});

describe('custody sbom --files', () => {
  it('lists release artifacts as file components with SHA-256 and SHA-512', async () => {
    const dir = path.join(tmp, 'release');
    await mkdir(path.join(dir, 'dist'), { recursive: true });
    const a = Buffer.from('binary a\n');
    const b = Buffer.alloc(300_000, 7);
    await writeFile(path.join(dir, 'dist/a.bin'), a);
    await writeFile(path.join(dir, 'dist/b.tar.gz'), b);
    const run = await runCli(['sbom', '--files', 'dist/b.tar.gz', 'dist/a.bin'], {
      env: ENV,
      cwd: dir,
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout) as Doc;
    expect(doc.components.map((c) => [c.type, c.name])).toEqual([
      ['file', 'dist/a.bin'],
      ['file', 'dist/b.tar.gz'],
    ]);
    const hex = (alg: string, data: Buffer) => createHash(alg).update(data).digest('hex');
    expect(doc.components[0]!.hashes).toEqual([
      { alg: 'SHA-256', content: hex('sha256', a) },
      { alg: 'SHA-512', content: hex('sha512', a) },
    ]);
    expect(doc.components[1]!.hashes).toContainEqual({ alg: 'SHA-512', content: hex('sha512', b) });
    expect(doc.metadata.component.name).toBe('release');
    expect((await validateBom(doc)).errors).toEqual([]);
  });

  it('combines files with the lockfile when a directory is named', async () => {
    const run = await runCli(
      ['--json', 'sbom', SMALL, '--files', path.join(SMALL, 'package.json')],
      { env: ENV }
    );
    expect(JSON.parse(run.stdout)).toMatchObject({ components: 9, files: 1 });
  });

  it('fails clearly for a missing file', async () => {
    const run = await runCli(['sbom', '--files', 'nope.bin'], { env: ENV, cwd: tmp });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('error[INPUT_NOT_FOUND]');
  });
});

describe('custody sbom validate', () => {
  const validate = (name: string) =>
    runCli(['sbom', 'validate', path.join(FIXTURES, 'validate', name)]);

  it('accepts valid npm-sbom, syft, cdxgen and 1.2 documents', async () => {
    for (const name of [
      'npm-sbom-1.5.cdx.json',
      'syft-1.6.cdx.json',
      'cdxgen-1.6.cdx.json',
      'legacy-1.2.cdx.json',
    ]) {
      const run = await validate(name);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/valid CycloneDX 1\.[256]/);
    }
  });

  it('reports every error with its JSON pointer and exits 1', async () => {
    const run = await runCli([
      '--json',
      'sbom',
      'validate',
      path.join(FIXTURES, 'validate/invalid-1.6.cdx.json'),
    ]);
    expect(run.code).toBe(1);
    const result = JSON.parse(run.stdout) as {
      valid: boolean;
      errors: { pointer: string; keyword: string }[];
    };
    expect(result.valid).toBe(false);
    expect(result.errors.map((e) => `${e.pointer} ${e.keyword}`)).toEqual([
      '/serialNumber pattern',
      '/components/0/type enum',
      '/components/0/hashes/0/content pattern',
      '/components/1 required',
      '/components/1 additionalProperties',
    ]);
    const text = await validate('invalid-1.6.cdx.json');
    expect(text.code).toBe(1);
    expect(text.stdout).toContain("/components/1: must have required property 'name'");
  });

  it('rejects duplicate components (uniqueItems)', async () => {
    const doc = JSON.parse(
      await readFile(path.join(FIXTURES, 'validate/legacy-1.2.cdx.json'), 'utf8')
    ) as { components: unknown[] };
    doc.components.push(doc.components[0]);
    const file = path.join(tmp, 'dup.cdx.json');
    await writeFile(file, JSON.stringify(doc));
    const run = await runCli(['sbom', 'validate', file]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('/components: must NOT have duplicate items');
  });

  it('refuses what is neither CycloneDX nor SPDX JSON, unknown versions and malformed JSON', async () => {
    // An SPDX document is validated as SPDX 2.3: this one lacks the required fields.
    const spdx = await validate('not-cyclonedx.json');
    expect(spdx.code).toBe(1);
    expect(spdx.stdout).toContain('NOT valid SPDX-2.3');
    expect(spdx.stdout).toContain("must have required property 'creationInfo'");
    const other = path.join(tmp, 'other.json');
    await writeFile(other, JSON.stringify({ hello: 'world' }));
    const otherRun = await runCli(['sbom', 'validate', other]);
    expect(otherRun.code).toBe(2);
    expect(otherRun.stderr).toContain('error[SBOM_DOCUMENT_INVALID]');
    const old = path.join(tmp, 'old.cdx.json');
    await writeFile(old, JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.1' }));
    const oldRun = await runCli(['sbom', 'validate', old]);
    expect(oldRun.code).toBe(2);
    expect(oldRun.stderr).toContain('error[SBOM_SPEC_UNSUPPORTED]');
    const truncated = path.join(tmp, 'truncated.cdx.json');
    await writeFile(truncated, '{"bomFormat": "CycloneDX", "specVersion": "1.6", "compo');
    const truncatedRun = await runCli(['sbom', 'validate', truncated]);
    expect(truncatedRun.code).toBe(2);
    expect(truncatedRun.stderr).toContain('error[INPUT_JSON_INVALID]');
  });

  it('validates what custody sbom writes', async () => {
    const file = path.join(tmp, 'own.cdx.json');
    await runCli(['sbom', SMALL, '--spec-version', '1.7', '-o', file], { env: ENV });
    const run = await runCli(['sbom', 'validate', file]);
    expect(run.stdout).toContain('valid CycloneDX 1.7');
    expect(run.code).toBe(0);
  });
});
