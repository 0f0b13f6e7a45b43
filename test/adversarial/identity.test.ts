// Attacks on "who built this": releases forged on the local stack by other repositories,
// workflows, refs and issuers (the same Fulcio certifies them all). Each case names the attack
// and asserts the exact code custody rejects it with — in `custody verify`, `verify-bundle`, the
// gate's identity inputs and trace, which all use the one signer rule of src/policy/identity.ts.
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityPolicy as actionIdentityPolicy } from '../../src/ci/github/actions/common.js';
import { identityPolicy as traceIdentityPolicy } from '../../src/cli/commands/trace.js';
import { loadTrustedRoot, verifyBundle, type TrustContext } from '../../src/sign/index.js';
import { renderMarkdown } from '../../src/verify/render.js';
import { buildVsa } from '../../src/verify/vsa.js';
import { expectCode } from '../helpers/errors.js';
import { runCli } from '../helpers/cli.js';
import { failedCodes, Forge, ISSUER, SHARED_WORKFLOW, type Builder } from './forge.js';

let forge: Forge;
let trust: TrustContext;

const ACME: Builder = {
  repository: 'acme/app',
  workflowRef: 'acme/app/.github/workflows/release.yml@refs/tags/v1.0.0',
};
/** acme/app released through the shared (reusable) custody workflow. */
const ACME_SHARED: Builder = {
  repository: 'acme/app',
  workflowRef: `${SHARED_WORKFLOW}@refs/tags/v0.1.0`,
};
/** A stranger calling the same reusable workflow from their own repository. */
const EVIL_SHARED: Builder = {
  repository: 'evil/app',
  workflowRef: `${SHARED_WORKFLOW}@refs/tags/v0.1.0`,
};

let acmeShared: string;
let evilShared: string;
let acme: string;

beforeAll(async () => {
  forge = await Forge.start();
  trust = loadTrustedRoot(forge.stack.trustedRoot);
  [acmeShared, evilShared, acme] = await Promise.all([
    forge.release(ACME_SHARED),
    forge.release(EVIL_SHARED),
    forge.release(ACME),
  ]);
}, 60_000);

afterAll(async () => {
  await forge?.close();
});

async function provenanceBundle(dir: string): Promise<unknown> {
  const line = (await readFile(path.join(dir, 'provenance.intoto.jsonl'), 'utf8')).trim();
  return JSON.parse(line) as unknown;
}

describe('shared builders (a reusable workflow signs for every caller)', () => {
  it('pinning only the shared workflow is refused: POLICY_SOURCE_PIN_REQUIRED names --repo', async () => {
    const error = await expectCode(
      () => forge.verify(evilShared, { signerWorkflow: SHARED_WORKFLOW }),
      'POLICY_SOURCE_PIN_REQUIRED'
    );
    expect(error.hint).toContain('--repo OWNER/REPO');
  });

  it('pinning the shared workflow by SAN (cosign style) alone is refused the same way', async () => {
    await expectCode(
      () =>
        forge.verify(evilShared, {
          certificateIdentity: `https://github.com/${SHARED_WORKFLOW}@refs/tags/v0.1.0`,
          certificateOidcIssuer: ISSUER,
        }),
      'POLICY_SOURCE_PIN_REQUIRED'
    );
  });

  it("--repo acme/app rejects a stranger's release built by the same workflow: POLICY_SIGNER_NOT_ALLOWED", async () => {
    const report = await forge.verify(evilShared, {
      signerWorkflow: SHARED_WORKFLOW,
      repo: 'acme/app',
    });
    expect(report.verdict).toBe('FAIL');
    expect(failedCodes(report)).toEqual([
      'POLICY_SIGNER_NOT_ALLOWED',
      'VERIFY_CHECKSUMS_SIGNATURE',
      'VERIFY_PROVENANCE_MISSING',
    ]);
  });

  it('--repo acme/app accepts acme/app’s own release through the shared workflow', async () => {
    const report = await forge.verify(acmeShared, {
      signerWorkflow: SHARED_WORKFLOW,
      repo: 'acme/app',
    });
    expect(failedCodes(report)).toEqual([]);
    expect(report.verdict).toBe('PASS');
  });

  it('an honest report: a pinned reusable workflow is SLSA Build L2, never L3, and no agent node without an agent attestation', async () => {
    const report = await forge.verify(acmeShared, {
      signerWorkflow: SHARED_WORKFLOW,
      repo: 'acme/app',
    });
    expect(report.artifacts.map((a) => a.slsaBuildLevel)).toEqual([2]);
    expect(
      buildVsa(report, { resourceUri: 'file:x', inputAttestations: [] }).predicate
    ).toMatchObject({
      verifiedLevels: expect.not.arrayContaining(['SLSA_BUILD_LEVEL_3']),
    });
    expect(
      JSON.stringify(buildVsa(report, { resourceUri: 'file:x', inputAttestations: [] }))
    ).not.toContain('LEVEL_3');
    expect(renderMarkdown(report)).not.toContain('agent["agent provenance"]');
  });

  it('--owner acme rejects a look-alike owner acme-evil: POLICY_SIGNER_NOT_ALLOWED', async () => {
    const lookalike = await forge.release({ ...EVIL_SHARED, repository: 'acme-evil/app' });
    const report = await forge.verify(lookalike, {
      signerWorkflow: SHARED_WORKFLOW,
      owner: 'acme',
    });
    expect(failedCodes(report)).toContain('POLICY_SIGNER_NOT_ALLOWED');
    const own = await forge.verify(acmeShared, { signerWorkflow: SHARED_WORKFLOW, owner: 'acme' });
    expect(own.verdict).toBe('PASS');
  });

  it('--source-repository URI pins the same way', async () => {
    const report = await forge.verify(evilShared, {
      signerWorkflow: SHARED_WORKFLOW,
      sourceRepository: 'https://github.com/acme/app',
    });
    expect(failedCodes(report)).toContain('POLICY_SIGNER_NOT_ALLOWED');
  });

  it('verify-bundle: the shared workflow alone is refused, with --repo the stranger is VERIFY_IDENTITY_MISMATCH', async () => {
    await writeFile(
      path.join(evilShared, 'p.json'),
      JSON.stringify(await provenanceBundle(evilShared))
    );
    const base = [
      'verify-bundle',
      '--bundle',
      'p.json',
      '--trusted-root',
      forge.trustedRootFile,
      '--signer-workflow',
      SHARED_WORKFLOW,
      'app-linux-amd64',
    ];
    const alone = await runCli(base, { cwd: evilShared });
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain('POLICY_SOURCE_PIN_REQUIRED');
    const pinned = await runCli([...base, '--repo', 'acme/app'], { cwd: evilShared });
    expect(pinned.code).toBe(1);
    expect(pinned.stderr).toContain('VERIFY_IDENTITY_MISMATCH');
    await rm(path.join(evilShared, 'p.json'));
  });

  it('gate and trace: the same refusal and the same source pin', async () => {
    const bundle = await provenanceBundle(evilShared);
    const gatePolicy = actionIdentityPolicy({
      certificateIdentity: `https://github.com/${SHARED_WORKFLOW}@refs/tags/v0.1.0`,
      certificateIdentityRegexp: undefined,
      certificateOidcIssuer: ISSUER,
    });
    await expectCode(
      () => verifyBundle(bundle, undefined, trust, gatePolicy),
      'POLICY_SOURCE_PIN_REQUIRED'
    );
    const gatePinned = actionIdentityPolicy({
      certificateIdentity: `https://github.com/${SHARED_WORKFLOW}@refs/tags/v0.1.0`,
      certificateIdentityRegexp: undefined,
      certificateOidcIssuer: ISSUER,
      repo: 'acme/app',
    });
    await expectCode(
      () => verifyBundle(bundle, undefined, trust, gatePinned),
      'VERIFY_IDENTITY_MISMATCH'
    );
    const tracePinned = traceIdentityPolicy({ repo: 'acme/app' } as Parameters<
      typeof traceIdentityPolicy
    >[0]);
    await expectCode(
      () => verifyBundle(bundle, undefined, trust, tracePinned),
      'VERIFY_IDENTITY_MISMATCH'
    );
  });
});

describe('one identity model: the same pin means the same thing everywhere', () => {
  it('--signer-workflow …@ref rejects a build from another ref (verify): POLICY_SIGNER_NOT_ALLOWED', async () => {
    const branch = await forge.release({
      repository: 'acme/app',
      workflowRef: 'acme/app/.github/workflows/release.yml@refs/heads/feature',
      ref: 'refs/heads/feature',
    });
    const pin = 'acme/app/.github/workflows/release.yml@refs/tags/v1.0.0';
    expect(failedCodes(await forge.verify(branch, { signerWorkflow: pin }))).toContain(
      'POLICY_SIGNER_NOT_ALLOWED'
    );
    expect((await forge.verify(acme, { signerWorkflow: pin })).verdict).toBe('PASS');
    // verify-bundle and trace honour the same ref
    const bundle = await provenanceBundle(branch);
    const tracePolicy = traceIdentityPolicy({ signerWorkflow: pin } as Parameters<
      typeof traceIdentityPolicy
    >[0]);
    await expectCode(
      () => verifyBundle(bundle, undefined, trust, tracePolicy),
      'VERIFY_IDENTITY_MISMATCH'
    );
  });

  it('an unanchored regexp does not accept a look-alike repository (acme/app-evil): POLICY_SIGNER_NOT_ALLOWED', async () => {
    const lookalike = await forge.release({
      repository: 'acme/app-evil',
      workflowRef: 'acme/app-evil/.github/workflows/release.yml@refs/tags/v1.0.0',
    });
    const flags = {
      certificateIdentityRegexp: 'https://github\\.com/acme/app',
      certificateOidcIssuer: ISSUER,
    };
    expect(failedCodes(await forge.verify(lookalike, flags))).toContain(
      'POLICY_SIGNER_NOT_ALLOWED'
    );
    // …and the full-match form the help text recommends accepts the real one
    expect(
      (
        await forge.verify(acme, {
          ...flags,
          certificateIdentityRegexp: 'https://github\\.com/acme/app/.*',
        })
      ).verdict
    ).toBe('PASS');
  });

  it('A|B alternation does not turn into ^A|B$: a tag that only starts with the pinned one is rejected', async () => {
    const tag = await forge.release({
      repository: 'acme/app',
      workflowRef: 'acme/app/.github/workflows/release.yml@refs/tags/v1.0.0-evil',
      ref: 'refs/tags/v1.0.0-evil',
    });
    const pattern =
      'https://github\\.com/acme/app/\\.github/workflows/release\\.yml@refs/tags/v1\\.0\\.0|https://github\\.com/acme/lib/\\.github/workflows/release\\.yml@refs/tags/v1\\.0\\.0';
    expect(
      failedCodes(
        await forge.verify(tag, {
          certificateIdentityRegexp: pattern,
          certificateOidcIssuer: ISSUER,
        })
      )
    ).toContain('POLICY_SIGNER_NOT_ALLOWED');
    const gate = actionIdentityPolicy({
      certificateIdentity: undefined,
      certificateIdentityRegexp: pattern,
      certificateOidcIssuer: ISSUER,
    });
    await expectCode(
      async () => verifyBundle(await provenanceBundle(tag), undefined, trust, gate),
      'VERIFY_IDENTITY_MISMATCH'
    );
    expect(verifyBundle(await provenanceBundle(acme), undefined, trust, gate).kind).toBe('dsse');
  });

  it('another issuer on the same Fulcio (GitLab token, same project name) is not GitHub: POLICY_SIGNER_NOT_ALLOWED', async () => {
    const dir = await forge.release(ACME);
    // Replace the provenance with one signed by a GitLab identity of a project named acme/app.
    await writeFile(
      path.join(dir, 'provenance.intoto.jsonl'),
      `${JSON.stringify(
        await (async () => {
          const { signStatement } = await import('../../src/sign/index.js');
          return signStatement(
            forge.provenance(ACME, { 'app-linux-amd64': 'the real binary\n' }),
            forge.signer({ gitlab: { project_path: 'acme/app', namespace_path: 'acme' } })
          );
        })()
      )}\n`
    );
    const report = await forge.verify(dir, {
      certificateIdentityRegexp: '.*acme/app.*',
      certificateOidcIssuer: ISSUER,
    });
    expect(failedCodes(report)).toContain('POLICY_SIGNER_NOT_ALLOWED');
  });
});

describe('tampering the suite already covered, on a forged release', () => {
  it('a flipped artifact byte: VERIFY_CHECKSUM_MISMATCH', async () => {
    const dir = await forge.release(ACME);
    await writeFile(path.join(dir, 'app-linux-amd64'), 'the real binarY\n');
    expect(
      failedCodes(
        await forge.verify(dir, { signerWorkflow: 'acme/app/.github/workflows/release.yml' })
      )
    ).toContain('VERIFY_CHECKSUM_MISMATCH');
  });

  it("a provenance bundle swapped in from a stranger's release: POLICY_SIGNER_NOT_ALLOWED + VERIFY_PROVENANCE_MISSING", async () => {
    const dir = await forge.release(ACME);
    const strangers = await forge.release(
      {
        repository: 'evil/app',
        workflowRef: 'evil/app/.github/workflows/release.yml@refs/tags/v1.0.0',
      },
      { 'app-linux-amd64': 'the real binary\n' }
    );
    await writeFile(
      path.join(dir, 'provenance.intoto.jsonl'),
      await readFile(path.join(strangers, 'provenance.intoto.jsonl'))
    );
    const report = await forge.verify(dir, {
      signerWorkflow: 'acme/app/.github/workflows/release.yml',
    });
    expect(failedCodes(report)).toEqual(['POLICY_SIGNER_NOT_ALLOWED', 'VERIFY_PROVENANCE_MISSING']);
  });

  it('a dropped provenance attestation: VERIFY_PROVENANCE_MISSING', async () => {
    const dir = await forge.release(ACME);
    await rm(path.join(dir, 'provenance.intoto.jsonl'));
    expect(
      failedCodes(
        await forge.verify(dir, { signerWorkflow: 'acme/app/.github/workflows/release.yml' })
      )
    ).toEqual(['VERIFY_PROVENANCE_MISSING']);
  });
});
