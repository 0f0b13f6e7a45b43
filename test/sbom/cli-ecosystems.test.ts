// custody sbom on projects of other ecosystems and on monorepos mixing them: discovery, one SBOM
// or --split, --omit dev, --format spdx-json, and the usage errors.
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from '../helpers/cli.js';

const FIXTURES = path.join(REPO_ROOT, 'fixtures/sbom/ecosystems');
const ENV = { SOURCE_DATE_EPOCH: '1767225600' };

interface Cdx {
  metadata: { component: { purl: string } };
  components: { purl: string; properties?: { name: string; value: string }[] }[];
}

let tmp: string;
let mono: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'custody-sbom-eco-'));
  mono = path.join(tmp, 'mono');
  await cp(path.join(FIXTURES, 'uv'), path.join(mono, 'py'), { recursive: true });
  await cp(path.join(FIXTURES, 'cargo'), path.join(mono, 'rust'), { recursive: true });
  await cp(path.join(FIXTURES, 'gomod'), path.join(mono, 'services/api'), { recursive: true });
  // Never entered: installed dependencies, build output, test data.
  for (const skipped of ['node_modules/x', 'target/debug', 'rust/fixtures', '.git']) {
    await mkdir(path.join(mono, skipped), { recursive: true });
    await writeFile(path.join(mono, skipped, 'Cargo.lock'), 'not = [toml');
  }
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('custody sbom DIR with several ecosystems', () => {
  it('finds every lockfile (skipping dependency and output dirs) and writes one SBOM', async () => {
    const run = await runCli(['sbom', mono, '--json'], { env: ENV });
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as { lockfiles: string[]; format: string; sbom: Cdx };
    expect(out.lockfiles).toEqual(['py/uv.lock', 'rust/Cargo.lock', 'services/api/go.mod']);
    expect(out.format).toBe('multiple');
    expect(out.sbom.metadata.component.purl).toBe('pkg:generic/mono');
    const purls = out.sbom.components.map((c) => c.purl);
    expect(purls).toEqual(
      expect.arrayContaining([
        'pkg:pypi/demo@1.0.0',
        'pkg:pypi/pytest@8.3.3',
        'pkg:cargo/demo-cli@0.3.0',
        'pkg:cargo/memchr@2.7.4',
        'pkg:golang/example.com/demo/v2',
        'pkg:golang/github.com/google/go-cmp@v0.6.0',
      ])
    );
    // Each lockfile's root is a part of the project, named by its lockfile.
    const uvRoot = out.sbom.components.find((c) => c.purl === 'pkg:pypi/demo@1.0.0')!;
    expect(uvRoot.properties).toEqual(
      expect.arrayContaining([{ name: 'custody:lockfile', value: 'py/uv.lock' }])
    );
  });

  it('is byte-identical from another working directory', async () => {
    const a = await runCli(['sbom', mono], { env: ENV });
    const b = await runCli(['sbom', '.'], { env: ENV, cwd: mono });
    expect(a.code).toBe(0);
    expect(b.stdout).toBe(a.stdout);
  });

  it('--split writes one SBOM per lockfile into the --output directory', async () => {
    const dir = path.join(tmp, 'split');
    const run = await runCli(['sbom', mono, '--split', '-o', dir], { env: ENV });
    expect(run.code).toBe(0);
    expect((await readdir(dir)).sort()).toEqual([
      'py__uv.lock.cdx.json',
      'rust__Cargo.lock.cdx.json',
      'services__api__go.mod.cdx.json',
    ]);
    const go = JSON.parse(
      await readFile(path.join(dir, 'services__api__go.mod.cdx.json'), 'utf8')
    ) as Cdx;
    expect(go.metadata.component.purl).toBe('pkg:golang/example.com/demo/v2');
    const usage = await runCli(['sbom', mono, '--split'], { env: ENV });
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('error[USAGE_INVALID]');
  });

  it('includes dev dependencies of other ecosystems, marked, unless --omit dev', async () => {
    const lock = path.join(FIXTURES, 'uv/uv.lock');
    const all = JSON.parse(
      (await runCli(['sbom', '--lockfile', lock], { env: ENV })).stdout
    ) as Cdx;
    const pytest = all.components.find((c) => c.purl === 'pkg:pypi/pytest@8.3.3');
    expect(pytest?.properties).toEqual(
      expect.arrayContaining([{ name: 'custody:package:development', value: 'true' }])
    );
    const prod = JSON.parse(
      (await runCli(['sbom', '--lockfile', lock, '--omit', 'dev'], { env: ENV })).stdout
    ) as Cdx;
    expect(prod.components.map((c) => c.purl).sort()).toEqual([
      'pkg:pypi/certifi@2024.8.30',
      'pkg:pypi/pysocks@1.7.1',
      'pkg:pypi/requests@2.32.3',
    ]);
    const bad = await runCli(['sbom', '--lockfile', lock, '--omit', 'peer'], { env: ENV });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('error[USAGE_INVALID]');
  });

  it('--format spdx-json writes SPDX 2.3 that custody sbom validate accepts, byte-identical on repeat', async () => {
    const file = path.join(tmp, 'mono.spdx.json');
    const run = await runCli(['sbom', mono, '--format', 'spdx-json', '-o', file], { env: ENV });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/SPDX-2\.3, \d+ components, schema-valid/);
    const first = await readFile(file, 'utf8');
    await runCli(['sbom', mono, '--format', 'spdx-json', '-o', file], { env: ENV });
    expect(await readFile(file, 'utf8')).toBe(first);
    expect((JSON.parse(first) as { creationInfo: { created: string } }).creationInfo.created).toBe(
      '2026-01-01T00:00:00Z'
    );
    const check = await runCli(['sbom', 'validate', file]);
    expect(check.code).toBe(0);
    expect(check.stdout).toContain('valid SPDX-2.3');
    const bad = await runCli(['sbom', mono, '--format', 'xml'], { env: ENV });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('error[USAGE_INVALID]');
  });

  it('a broken lockfile of another ecosystem is a coded error naming the file, not a crash', async () => {
    const dir = path.join(tmp, 'unpinned');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'requirements.txt'), 'requests>=2\n');
    const run = await runCli(['sbom', dir], { env: ENV });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('error[SBOM_LOCKFILE_INVALID]');
    expect(run.stderr).toContain('requirements.txt: line 1');
    const empty = path.join(tmp, 'empty');
    await mkdir(empty, { recursive: true });
    const none = await runCli(['sbom', empty], { env: ENV });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('error[SBOM_LOCKFILE_NOT_FOUND]');
  });

  it('--lockfile on an executable reads its Go build info, or says why it cannot', async () => {
    const exe = path.join(tmp, 'a.out');
    await writeFile(exe, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]));
    const run = await runCli(['sbom', '--lockfile', exe], { env: ENV });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('error[SBOM_LOCKFILE_UNSUPPORTED]');
    expect(run.stderr).toContain('without Go build information');
  });
});
