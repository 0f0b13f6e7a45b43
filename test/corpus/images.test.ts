// Image SBOMs over real package databases (syft/trivy/scalibr test fixtures and real root
// filesystems, see the corpus SOURCES.md): each root filesystem becomes a one-layer OCI image
// written by the test, then `custody sbom IMAGE` must find every installed package — counted
// here independently from the raw databases.
import { lstat, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { writeLayoutImage, type LayerEntry } from '../helpers/images.js';
import { corpusPath } from './shared.js';

let work: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'custody-corpus-images-'));
});
afterAll(async () => {
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

async function rootEntries(root: string, prefix = ''): Promise<LayerEntry[]> {
  const out: LayerEntry[] = [];
  for (const name of (await readdir(path.join(root, prefix))).sort()) {
    const rel = prefix === '' ? name : `${prefix}/${name}`;
    const info = await lstat(path.join(root, rel));
    if (info.isDirectory()) out.push(...(await rootEntries(root, rel)));
    else if (info.isFile()) out.push({ name: rel, content: await readFile(path.join(root, rel)) });
  }
  return out;
}

interface Bom {
  components: {
    type: string;
    name: string;
    purl?: string;
    properties?: { name: string; value: string }[];
  }[];
}

async function imageSbom(name: string): Promise<{ bom: Bom; root: string }> {
  const root = corpusPath('bench', 'ecosystems', 'images', name, 'rootfs');
  await writeLayoutImage(path.join(work, name), 'v1', [await rootEntries(root)]);
  const run = await runCli(['--json', 'sbom', name], {
    cwd: work,
    env: { SOURCE_DATE_EPOCH: '1795170600' },
  });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return { bom: JSON.parse(run.stdout) as Bom, root };
}

const purls = (bom: Bom, type: string): string[] =>
  bom.components.flatMap((c) => (c.purl?.startsWith(`pkg:${type}/`) === true ? [c.purl] : []));

function installedDpkg(text: string): number {
  return text
    .split(/\n\n+/)
    .filter(
      (s) =>
        /^Package: *\S/m.test(s) &&
        /^Version: *\S/m.test(s) &&
        (!/^Status:/m.test(s) || /^Status:.*\binstalled$/m.test(s))
    ).length;
}

describe('custody sbom IMAGE on real package databases', () => {
  it.each(['debian12-syft-dpkg', 'ubuntu1804-trivy-dpkg'])(
    '%s: every installed dpkg package',
    async (name) => {
      const { bom, root } = await imageSbom(name);
      const expected = installedDpkg(
        await readFile(path.join(root, 'var/lib/dpkg/status'), 'utf8')
      );
      expect(expected).toBeGreaterThan(0);
      expect(purls(bom, 'deb')).toHaveLength(expected);
    }
  );

  it('distroless-syft-statusd: status.d entries', async () => {
    const { bom, root } = await imageSbom('distroless-syft-statusd');
    const files = (await readdir(path.join(root, 'var/lib/dpkg/status.d'))).filter(
      (f) => !f.endsWith('.md5sums')
    );
    expect(purls(bom, 'deb').length).toBe(files.length);
    expect(purls(bom, 'deb').some((p) => p.includes('libsqlite3-0'))).toBe(true);
  });

  it.each(['alpine314-minirootfs', 'alpine316-syft-apk', 'alpine318-scalibr-apk'])(
    '%s: every apk package',
    async (name) => {
      const { bom, root } = await imageSbom(name);
      const text = await readFile(path.join(root, 'lib/apk/db/installed'), 'utf8');
      const expected = new Set(
        text.split(/\n\n+/).flatMap((s) => {
          const p = /^P:(.+)$/m.exec(s)?.[1];
          const v = /^V:(.+)$/m.exec(s)?.[1];
          return p === undefined || v === undefined ? [] : [`${p}@${v}`];
        })
      ).size;
      expect(expected).toBeGreaterThan(0);
      expect(purls(bom, 'apk')).toHaveLength(expected);
    }
  );

  it('mariner2-rpm: every package of rpmdb.sqlite (node:sqlite), gpg-pubkey left out', async () => {
    const { bom, root } = await imageSbom('mariner2-rpm');
    const db = new DatabaseSync(path.join(root, 'var/lib/rpm/rpmdb.sqlite'), { readOnly: true });
    const rows = (db.prepare('SELECT count(*) AS n FROM Packages').get() as { n: number }).n;
    const names = db.prepare("SELECT count(*) AS n FROM Name WHERE key = 'gpg-pubkey'").get() as
      { n: number } | undefined;
    db.close();
    const rpm = purls(bom, 'rpm');
    expect(rpm.length).toBe(rows - (names?.n ?? 0));
    expect(rpm.every((p) => p.includes('distro=mariner-2.0'))).toBe(true);
  });

  it('node-modules-syft and python-site-packages: language packages', async () => {
    const node = await imageSbom('node-modules-syft');
    expect(purls(node.bom, 'npm').length).toBeGreaterThan(0);
    expect(purls(node.bom, 'npm').some((p) => p.startsWith('pkg:npm/cowsay@'))).toBe(true);
    const py = await imageSbom('python-site-packages');
    expect(purls(py.bom, 'pypi').length).toBeGreaterThan(0);
  });
});
