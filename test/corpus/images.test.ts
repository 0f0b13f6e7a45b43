// Image SBOMs over real package databases (syft/trivy/scalibr test fixtures and real root
// filesystems, see the corpus SOURCES.md): each root filesystem becomes a one-layer OCI image
// written by the test, then `custody sbom IMAGE` must find every installed package — counted
// here independently from the raw databases.
import { lstat, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyImageEvidence } from '../../src/oci/adapter/verify.js';
import { sha256Digest } from '../../src/oci/manifest.js';
import { parsePolicy } from '../../src/policy/index.js';
import { loadTrustedRoot } from '../../src/sign/index.js';
import type { VerificationReport } from '../../src/verify/types.js';
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

describe('real cosign-signed OCI bundles through the image verifier', () => {
  const REAL = ['conformance', 'real-world'];
  const cases = [
    {
      name: 'cosign-oci-attestation',
      digest: '732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4',
      root: 'cosign-pgi.json',
      subject: 'cody@soyland.com',
      issuer: 'https://github.com/login/oauth',
    },
    {
      name: 'rs-cosign-v3-container-signature',
      digest: 'c811d58de79c92f03214e63aa339484e488d694ae8a6283b5f3f17a9faf50172',
      root: 'public-good.json',
      subject:
        'https://github.com/kubewarden/kubewarden-controller/.github/workflows/release.yml@refs/tags/v1.34.0',
      issuer: 'https://token.actions.githubusercontent.com',
    },
  ];

  async function verify(
    c: (typeof cases)[number],
    digest: string,
    subject = c.subject
  ): Promise<VerificationReport> {
    const bytes = await readFile(corpusPath(...REAL, 'cases', c.name, 'bundle.sigstore.json'));
    const policyText = `apiVersion: custody.dev/v1alpha1\nkind: ReleasePolicy\nmetadata: {name: images}\nspec:\n  signers: [{subject: ${JSON.stringify(subject)}, issuer: ${JSON.stringify(c.issuer)}}]\n  checksums: {required: false}\n  provenance: {required: false}\n  sbom: {required: false}\n`;
    const { policy, source } = parsePolicy(policyText, 'images.yaml');
    const trust = loadTrustedRoot(
      JSON.parse(await readFile(corpusPath(...REAL, 'trusted-roots', c.root), 'utf8'))
    );
    return verifyImageEvidence({
      name: 'registry.example/repo',
      pinned: `registry.example/repo@sha256:${digest}`,
      digest: `sha256:${digest}`,
      discovery: {
        via: 'referrers-api',
        ignored: [],
        bundles: [
          {
            referrer: `sha256:${'f'.repeat(64)}`,
            via: 'referrers-api',
            bundleDigest: sha256Digest(bytes),
            bytes,
          },
        ],
      },
      policy,
      policySource: source,
      trust,
      trustedRootLabel: c.root,
      now: new Date('2026-11-20T00:00:00Z'),
    });
  }

  it.each(cases)('$name: verified and used for its image digest', async (c) => {
    const report = await verify(c, c.digest);
    expect(report.summary.failures).toEqual([]);
    expect(report.attestations).toHaveLength(1);
    expect(report.attestations[0]).toMatchObject({ status: 'verified', signerAllowed: true });
    expect(report.release.checks.find((x) => x.id === 'image.referrers')?.status).toBe('pass');
  });

  it.each(cases)(
    '$name: attached to another digest it fails (OCI_REFERRER_SUBJECT_MISMATCH)',
    async (c) => {
      const report = await verify(c, 'e'.repeat(64));
      expect(report.verdict).toBe('FAIL');
      expect(report.summary.failures.map((f) => f.code)).toContain('OCI_REFERRER_SUBJECT_MISMATCH');
    }
  );

  it.each(cases)('$name: another signer’s policy ignores it (OCI_REFERRER_IGNORED)', async (c) => {
    const report = await verify(c, c.digest, 'someone-else@example.com');
    expect(report.attestations[0]).toMatchObject({
      code: 'OCI_REFERRER_IGNORED',
      signerAllowed: false,
    });
  });
});
