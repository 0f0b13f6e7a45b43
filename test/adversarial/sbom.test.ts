// Attacks on the SBOM policy: spellings that escaped deniedLicenses / deniedPackages. Each
// release carries a signed CycloneDX attestation from the allowed signer; only the spelling of
// a license or purl is chosen to slip past the policy.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InTotoStatement } from '../../src/attest/intoto.js';
import { SBOM_ATTESTATION_MEDIA_TYPE, statementDigest } from '../../src/attest/link.js';
import { licenseDenial, matchesPackageRule } from '../../src/verify/sbom-checks.js';
import { failedCodes, Forge, ISSUER, sha256, type Builder } from './forge.js';

let forge: Forge;
let policyFile: string;

const ACME: Builder = {
  repository: 'acme/app',
  workflowRef: 'acme/app/.github/workflows/release.yml@refs/tags/v1.0.0',
};
const ARTIFACTS = { 'app-linux-amd64': 'linux binary\n' };

beforeAll(async () => {
  forge = await Forge.start();
  policyFile = path.join(forge.root, 'policy.yaml');
  await writeFile(
    policyFile,
    `apiVersion: custody.dev/v1alpha1
kind: ReleasePolicy
metadata: { name: sbom-policy }
spec:
  signers:
    - issuer: ${ISSUER}
      signerWorkflow: acme/app/.github/workflows/release.yml
  checksums: { required: false, signed: false }
  sbom:
    required: true
    deniedLicenses: [GPL-3.0-only, 'AGPL-*']
    deniedPackages: [{ name: 'pkg:npm/@evil/pkg' }]
`
  );
}, 60_000);

afterAll(async () => {
  await forge?.close();
});

async function releaseWith(component: Record<string, unknown>): Promise<string> {
  const sbom = await forge.signedLine(
    {
      _type: 'https://in-toto.io/Statement/v1',
      subject: Object.entries(ARTIFACTS).map(([name, c]) => ({
        name,
        digest: { sha256: sha256(c) },
      })),
      predicateType: 'https://cyclonedx.org/bom',
      predicate: {
        bomFormat: 'CycloneDX',
        specVersion: '1.6',
        version: 1,
        components: [{ type: 'library', version: '1.0.0', ...component }],
      },
    },
    ACME
  );
  return forge.release(ACME, ARTIFACTS, { extra: { 'sbom.intoto.jsonl': sbom } });
}

describe('SBOM policy bypasses', () => {
  it('the honest SBOM passes', async () => {
    const dir = await releaseWith({ name: 'left-pad', licenses: [{ license: { id: 'MIT' } }] });
    expect((await forge.verify(dir, {}, { policyFile })).verdict).toBe('PASS');
  });

  it('a lower-case id inside an expression (MIT AND agpl-3.0-only): POLICY_LICENSE_DENIED', async () => {
    const dir = await releaseWith({
      name: 'x',
      licenses: [{ expression: 'MIT AND agpl-3.0-only' }],
    });
    expect(failedCodes(await forge.verify(dir, {}, { policyFile }))).toEqual([
      'POLICY_LICENSE_DENIED',
    ]);
  });

  it('the deprecated id GPL-3.0 for GPL-3.0-only: POLICY_LICENSE_DENIED', async () => {
    const dir = await releaseWith({ name: 'x', licenses: [{ license: { id: 'GPL-3.0' } }] });
    expect(failedCodes(await forge.verify(dir, {}, { policyFile }))).toEqual([
      'POLICY_LICENSE_DENIED',
    ]);
  });

  it('an expression hidden in a license name: POLICY_LICENSE_DENIED', async () => {
    const dir = await releaseWith({
      name: 'x',
      licenses: [{ license: { name: 'Apache-2.0 and (MIT or AGPL-3.0-or-later) and GPL-3.0' } }],
    });
    expect(failedCodes(await forge.verify(dir, {}, { policyFile }))).toEqual([
      'POLICY_LICENSE_DENIED',
    ]);
  });

  it('a percent-encoded purl namespace (pkg:npm/%40evil/pkg, as custody writes it): POLICY_PACKAGE_DENIED', async () => {
    const dir = await releaseWith({
      name: 'pkg',
      group: '@evil',
      purl: 'pkg:npm/%40evil/pkg@1.0.0',
    });
    expect(failedCodes(await forge.verify(dir, {}, { policyFile }))).toEqual([
      'POLICY_PACKAGE_DENIED',
    ]);
  });
});

describe('the matching rules behind them', () => {
  it.each([
    ['MIT AND agpl-3.0-only', true],
    ['mit or agpl-3.0-only', false],
    ['GPL-3.0', true],
    ['GPL-3.0+', true], // or-later code is GPL-3.0 code too (fail closed)
    ['gpl-3.0-only WITH Classpath-exception-2.0', true],
    ['GPL-3.0-with-GCC-exception', true],
    ['(MIT OR GPL-3.0) AND Apache-2.0', false],
    ['(AGPL-1.0 OR GPL-3.0) AND Apache-2.0', true],
    ['GNU Affero General Public License', false],
    ['MIT', false],
  ])('%s denied by [GPL-3.0-only, AGPL-*]: %s', (license, denied) => {
    expect(licenseDenial(license, ['GPL-3.0-only', 'AGPL-*']) !== undefined).toBe(denied);
  });

  it('GPL-2.0+ is GPL-2.0-or-later', () => {
    expect(licenseDenial('GPL-2.0+', ['GPL-2.0-or-later'])).toBeDefined();
    expect(licenseDenial('GPL-2.0', ['GPL-2.0-or-later'])).toBeUndefined();
  });

  it('purls compare normalised: encoding, case of npm names, version and qualifiers ignored', () => {
    const rule = { name: 'pkg:npm/@evil/pkg' };
    expect(
      matchesPackageRule({ name: 'pkg', purl: 'pkg:npm/%40evil/pkg@2.0.0?x=1', licenses: [] }, rule)
        .matches
    ).toBe(true);
    expect(
      matchesPackageRule({ name: 'pkg', purl: 'pkg:npm/%40Evil/Pkg@2.0.0', licenses: [] }, rule)
        .matches
    ).toBe(true);
    expect(
      matchesPackageRule({ name: 'pkg', purl: 'pkg:npm/%40good/pkg@2.0.0', licenses: [] }, rule)
        .matches
    ).toBe(false);
    expect(
      matchesPackageRule(
        { name: 'x', purl: 'pkg:pypi/Django_Rest@1', licenses: [] },
        { name: 'pkg:pypi/django-rest' }
      ).matches
    ).toBe(true);
  });
});

describe('the SBOM the provenance links', () => {
  it('another SBOM attestation from the same signer replacing the linked one: VERIFY_SBOM_MISSING', async () => {
    const sbom = (name: string): InTotoStatement => ({
      _type: 'https://in-toto.io/Statement/v1',
      subject: Object.entries(ARTIFACTS).map(([n, c]) => ({
        name: n,
        digest: { sha256: sha256(c) },
      })),
      predicateType: 'https://cyclonedx.org/bom',
      predicate: {
        bomFormat: 'CycloneDX',
        specVersion: '1.6',
        version: 1,
        components: [
          { type: 'library', name, version: '1.0.0', licenses: [{ license: { id: 'MIT' } }] },
        ],
      },
    });
    const linked = sbom('left-pad');
    const provenance = forge.provenance(ACME, ARTIFACTS);
    (provenance.predicate as { runDetails: Record<string, unknown> }).runDetails.byproducts = [
      {
        name: 'sbom.intoto.jsonl',
        mediaType: SBOM_ATTESTATION_MEDIA_TYPE,
        digest: { sha256: statementDigest(linked) },
      },
    ];
    const honest = await forge.release(ACME, ARTIFACTS, {
      provenance,
      extra: { 'sbom.intoto.jsonl': await forge.signedLine(linked, ACME) },
    });
    expect((await forge.verify(honest, {}, { policyFile })).verdict).toBe('PASS');
    const swapped = await forge.release(ACME, ARTIFACTS, {
      provenance,
      extra: { 'sbom.intoto.jsonl': await forge.signedLine(sbom('left-pad-but-clean'), ACME) },
    });
    expect(failedCodes(await forge.verify(swapped, {}, { policyFile }))).toEqual([
      'VERIFY_SBOM_MISSING',
    ]);
  });
});
