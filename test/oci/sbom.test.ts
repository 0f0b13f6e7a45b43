// `custody sbom IMAGE`: layers applied in order with whiteouts, dpkg/apk/rpm + node_modules +
// Python dist-info, purls with the distro, each component's layer; from an OCI layout, an
// oci-archive tarball and the registry. The RPM database is a real SQLite file in WAL mode.
import { mkdtemp, readFile, rm, writeFile, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyLayers, classifyEntry } from '../../src/oci/rootfs.js';
import { parseApkInstalled, parseRpmHeader } from '../../src/oci/packages.js';
import { runCli } from '../helpers/cli.js';
import {
  DPKG_STATUS,
  OS_RELEASE_DEBIAN,
  tarBytes,
  writeLayoutImage,
  type BuiltImage,
} from '../helpers/images.js';
import { skopeoPush, startRegistry, type LocalRegistry } from '../helpers/registry.js';

interface Bom {
  metadata: { component: { type: string; version: string; name: string } };
  components: {
    name: string;
    version?: string;
    purl?: string;
    type: string;
    properties?: { name: string; value: string }[];
  }[];
}

let dir: string;
let debian: BuiltImage;

const SITE = 'usr/local/lib/python3.11/site-packages';
const pkgJSON = (name: string, version: string): string =>
  JSON.stringify({ name, version, license: 'MIT' });

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'custody-image-sbom-'));
  debian = await writeLayoutImage(path.join(dir, 'debian'), 'v1', [
    [
      { name: 'etc/os-release', content: OS_RELEASE_DEBIAN },
      { name: 'var/lib/dpkg/status', content: DPKG_STATUS },
      { name: 'usr/lib/node_modules/left-pad/package.json', content: pkgJSON('left-pad', '1.3.0') },
      { name: 'usr/lib/node_modules/gone/package.json', content: pkgJSON('gone', '9.9.9') },
      {
        name: `${SITE}/requests-2.31.0.dist-info/METADATA`,
        content:
          'Metadata-Version: 2.1\nName: requests\nVersion: 2.31.0\nLicense: Apache-2.0\n\nlong text\n',
      },
    ],
    [
      { name: 'usr/lib/node_modules/.wh.gone', content: '' },
      {
        name: 'var/lib/dpkg/status.d/tzdata',
        content: 'Package: tzdata\nVersion: 2024a-0+deb12u1\nArchitecture: all\n',
      },
      { name: 'app/node_modules/@acme/util/package.json', content: pkgJSON('@acme/util', '2.0.0') },
    ],
    [
      { name: `${SITE}/.wh..wh..opq`, content: '' },
      {
        name: `${SITE}/urllib3-2.2.1.dist-info/METADATA`,
        content: 'Metadata-Version: 2.1\nName: urllib3\nVersion: 2.2.1\n',
      },
    ],
  ]);
});

afterAll(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

function prop(c: Bom['components'][number], name: string): string | undefined {
  return c.properties?.find((p) => p.name === name)?.value;
}

async function sbomOf(arg: string): Promise<Bom> {
  const run = await runCli(['--json', 'sbom', arg], {
    cwd: dir,
    env: { SOURCE_DATE_EPOCH: '1795170600' },
  });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as Bom;
}

describe('custody sbom IMAGE', () => {
  it('applies layers with whiteouts and records each component’s layer (OCI layout)', async () => {
    const bom = await sbomOf('debian');
    expect(bom.metadata.component).toMatchObject({ type: 'container', version: debian.digest });
    const purls = bom.components.map((c) => c.purl).filter((p) => p !== undefined);
    expect(purls).toEqual(
      expect.arrayContaining([
        'pkg:deb/debian/base-files@12.4+deb12u5?arch=amd64&distro=debian-12',
        'pkg:deb/debian/libc6@2.36-9+deb12u7?arch=amd64&distro=debian-12&upstream=glibc',
        'pkg:deb/debian/tzdata@2024a-0+deb12u1?arch=all&distro=debian-12',
        'pkg:npm/left-pad@1.3.0',
        'pkg:npm/%40acme/util@2.0.0',
        'pkg:pypi/urllib3@2.2.1',
      ])
    );
    expect(purls.some((p) => p.includes('removed-pkg'))).toBe(false); // Status: deinstall
    expect(purls.some((p) => p.includes('gone'))).toBe(false); // .wh.gone
    expect(purls.some((p) => p.includes('requests'))).toBe(false); // opaque directory
    const manifest = JSON.parse(
      await readFile(path.join(dir, 'debian/blobs/sha256', debian.digest.slice(7)), 'utf8')
    ) as { layers: { digest: string }[] };
    const util = bom.components.find(
      (c) => c.name === '@acme/util' || c.purl === 'pkg:npm/%40acme/util@2.0.0'
    )!;
    expect(prop(util, 'custody:image:layer')).toBe(manifest.layers[1]?.digest);
    expect(
      prop(
        bom.components.find((c) => c.purl?.includes('urllib3'))!,
        'custody:image:layer-index'
      )
    ).toBe('2');
    expect(bom.components.find((c) => c.type === 'operating-system')).toMatchObject({
      name: 'debian',
      version: '12',
    });
  });

  it('is deterministic and reads an oci-archive tarball the same', async () => {
    const first = await runCli(['sbom', 'debian'], {
      cwd: dir,
      env: { SOURCE_DATE_EPOCH: '1795170600' },
    });
    const files = await listFiles(path.join(dir, 'debian'));
    await writeFile(
      path.join(dir, 'debian.tar'),
      await tarBytes(
        await Promise.all(
          files.map(async (f) => ({
            name: f,
            content: await readFile(path.join(dir, 'debian', f)),
          }))
        )
      )
    );
    const archived = await runCli(['sbom', 'oci-archive:debian.tar'], {
      cwd: dir,
      env: { SOURCE_DATE_EPOCH: '1795170600' },
    });
    expect(archived.code).toBe(0);
    const again = await runCli(['sbom', 'debian'], {
      cwd: dir,
      env: { SOURCE_DATE_EPOCH: '1795170600' },
    });
    expect(again.stdout).toBe(first.stdout);
    const purls = (out: string): (string | undefined)[] =>
      (JSON.parse(out) as Bom).components.map((c) => c.purl);
    expect(purls(archived.stdout)).toEqual(purls(first.stdout));
    expect(first.stdout).not.toContain(os.tmpdir());
  });

  it('reads apk and a WAL-mode rpmdb.sqlite from a real SQLite file', async () => {
    const rpmDir = await mkdtemp(path.join(os.tmpdir(), 'custody-rpmdb-test-'));
    const db = new DatabaseSync(path.join(rpmDir, 'rpmdb.sqlite'));
    db.exec(
      'PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0; CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL);'
    );
    const insert = db.prepare('INSERT INTO Packages (blob) VALUES (?)');
    insert.run(
      rpmHeader(
        {
          1000: 'bash',
          1001: '5.1.8',
          1002: '9.cm2',
          1022: 'x86_64',
          1014: 'GPLv3+',
          1044: 'bash-5.1.8-9.cm2.src.rpm',
        },
        2
      )
    );
    insert.run(rpmHeader({ 1000: 'gpg-pubkey', 1001: 'abc', 1002: '1' }));
    // Read while the connection is open: the rows live in the WAL, not yet in the main file.
    const mainFile = await readFile(path.join(rpmDir, 'rpmdb.sqlite'));
    const wal = await readFile(path.join(rpmDir, 'rpmdb.sqlite-wal'));
    db.close();
    await rm(rpmDir, { recursive: true, force: true });
    const apk =
      'C:Q1abc=\nP:musl\nV:1.2.4-r2\nA:x86_64\nL:MIT\no:musl\n\nP:busybox\nV:1.36.1-r5\nA:x86_64\nL:GPL-2.0-only\n\n';
    await writeLayoutImage(path.join(dir, 'mixed'), 'v1', [
      [
        { name: 'etc/os-release', content: 'ID=azurelinux\nVERSION_ID="2.0"\n' },
        { name: 'var/lib/rpm/rpmdb.sqlite', content: mainFile },
        { name: 'var/lib/rpm/rpmdb.sqlite-wal', content: wal },
        { name: 'lib/apk/db/installed', content: apk },
      ],
    ]);
    const bom = await sbomOf('mixed');
    const purls = bom.components.map((c) => c.purl);
    expect(purls).toContain(
      'pkg:rpm/azurelinux/bash@5.1.8-9.cm2?arch=x86_64&distro=azurelinux-2.0&epoch=2'
    );
    expect(purls).toContain('pkg:apk/azurelinux/musl@1.2.4-r2?arch=x86_64&distro=azurelinux-2.0');
    expect(purls.some((p) => p?.includes('gpg-pubkey'))).toBe(false);
  });

  it('refuses a layer whose bytes do not match its digest (OCI_BLOB_INVALID)', async () => {
    const img = await writeLayoutImage(path.join(dir, 'tampered'), 'v1', [
      [{ name: 'etc/os-release', content: OS_RELEASE_DEBIAN }],
    ]);
    const manifest = JSON.parse(
      await readFile(path.join(img.dir, 'blobs/sha256', img.digest.slice(7)), 'utf8')
    ) as { layers: { digest: string }[] };
    const layerFile = path.join(img.dir, 'blobs/sha256', manifest.layers[0]!.digest.slice(7));
    const { gzipSync } = await import('node:zlib');
    await writeFile(
      layerFile,
      gzipSync(await tarBytes([{ name: 'etc/os-release', content: 'ID=evil\n' }]))
    );
    const run = await runCli(['sbom', 'tampered'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('OCI_BLOB_INVALID');
  });
});

describe('layer size bound', () => {
  it('refuses a layer longer than its manifest says (OCI_BLOB_INVALID), before hashing the rest', async () => {
    const img = await writeLayoutImage(path.join(dir, 'short'), 'v1', [
      [{ name: 'etc/os-release', content: OS_RELEASE_DEBIAN }],
    ]);
    const { createHash } = await import('node:crypto');
    const manifest = JSON.parse(Buffer.from(img.manifest).toString()) as {
      layers: { size: number }[];
    };
    manifest.layers[0]!.size -= 10;
    const bytes = Buffer.from(JSON.stringify(manifest));
    const hex = createHash('sha256').update(bytes).digest('hex');
    await writeFile(path.join(img.dir, 'blobs/sha256', hex), bytes);
    await writeFile(
      path.join(img.dir, 'index.json'),
      JSON.stringify({
        schemaVersion: 2,
        manifests: [
          {
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            digest: `sha256:${hex}`,
            size: bytes.byteLength,
          },
        ],
      })
    );
    const run = await runCli(['sbom', 'short'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('OCI_BLOB_INVALID');
    expect(run.stderr).toContain('longer than its declared');
  });
});

describe('custody sbom from the registry', () => {
  let registry: LocalRegistry;
  beforeAll(async () => {
    registry = await startRegistry();
  }, 30_000);
  afterAll(async () => {
    await registry?.close();
  });

  it('reads the pushed image through the registry, same components as the layout', async () => {
    skopeoPush(debian.dir, 'v1', `${registry.host}/team/debian:v1`);
    const fromRegistry = await sbomOf(`${registry.host}/team/debian:v1`);
    const fromLayout = await sbomOf('debian');
    expect(fromRegistry.metadata.component.version).toBe(debian.digest);
    expect(fromRegistry.components.map((c) => c.purl)).toEqual(
      fromLayout.components.map((c) => c.purl)
    );
  });
});

describe('rootfs and parsers (pure)', () => {
  it('classifies whiteouts and hides lower files only', () => {
    expect(classifyEntry('a/b/.wh.c')).toEqual({ kind: 'delete', path: 'a/b/c' });
    expect(classifyEntry('a/.wh..wh..opq')).toEqual({ kind: 'opaque', dir: 'a' });
    const root = applyLayers([
      {
        digest: 'l0',
        files: [
          { path: 'a/x', bytes: new Uint8Array([1]) },
          { path: 'a/y/z', bytes: new Uint8Array([2]) },
        ],
        deletions: [],
        opaqueDirs: [],
      },
      {
        digest: 'l1',
        files: [{ path: 'a/w', bytes: new Uint8Array([3]) }],
        deletions: ['a/y'],
        opaqueDirs: ['a'],
      },
    ]);
    expect([...root.keys()]).toEqual(['a/w']);
  });

  it('skips malformed records instead of inventing packages', () => {
    expect(parseApkInstalled('P:only-name\n\n', 'db')).toEqual([]);
    expect(parseRpmHeader(new Uint8Array([0, 0, 0, 9]), 'db')).toBeUndefined();
    expect(parseRpmHeader(new Uint8Array([0, 0, 0xff, 0xff, 0, 0, 0, 0]), 'db')).toBeUndefined();
  });
});

async function listFiles(root: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(path.join(root, prefix), { withFileTypes: true })) {
    const rel = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) out.push(...(await listFiles(root, rel)));
    else out.push(rel);
  }
  return out.sort();
}

/** An RPM header blob as rpmdb.sqlite stores it: il, dl, 16-byte index entries, data store. */
function rpmHeader(strings: Record<number, string>, epoch?: number): Uint8Array {
  const entries: { tag: number; type: number; offset: number }[] = [];
  const data: number[] = [];
  if (epoch !== undefined) {
    entries.push({ tag: 1003, type: 4, offset: 0 });
    data.push(0, 0, 0, epoch);
  }
  for (const [tag, value] of Object.entries(strings)) {
    entries.push({ tag: Number(tag), type: 6, offset: data.length });
    data.push(...Buffer.from(value), 0);
  }
  const buf = Buffer.alloc(8 + entries.length * 16 + data.length);
  buf.writeUInt32BE(entries.length, 0);
  buf.writeUInt32BE(data.length, 4);
  entries.forEach((e, i) => {
    buf.writeUInt32BE(e.tag, 8 + i * 16);
    buf.writeUInt32BE(e.type, 12 + i * 16);
    buf.writeUInt32BE(e.offset, 16 + i * 16);
    buf.writeUInt32BE(1, 20 + i * 16);
  });
  Buffer.from(data).copy(buf, 8 + entries.length * 16);
  return buf;
}
