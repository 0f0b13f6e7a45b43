// Release policies: schema validation with field paths, defaults, semantic checks, the cosign/gh
// flags, and the documented schema and examples staying in sync with the code.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  applyPolicyFlags,
  defaultPolicy,
  flagOnlyPolicy,
  parseDuration,
  parsePolicy,
  POLICY_SCHEMA,
} from '../../src/policy/index.js';
import { expectCode } from '../helpers/errors.js';

const DOCS = path.resolve(import.meta.dirname, '../../docs');
const HEAD = 'apiVersion: custody.dev/v1alpha1\nkind: ReleasePolicy\n';
const SIGNER =
  "  signers: [{ issuer: https://token.actions.githubusercontent.com, subject: 'https://github.com/a/b/.github/workflows/r.yml@refs/tags/v1' }]\n";

describe('parsePolicy', () => {
  it('applies strict defaults to a minimal file', () => {
    const { policy, source } = parsePolicy(`${HEAD}spec:\n${SIGNER}`, 'p.yaml');
    expect(policy.checksums).toEqual({ required: true, file: 'SHA256SUMS', signed: true });
    expect(policy.provenance.required).toBe(true);
    expect(policy.provenance.signed).toBe(true);
    expect(policy.provenance.certificateAgreement).toBe(true);
    expect(policy.sbom.required).toBe(true);
    expect(policy.agents.minApprovals).toBe(1);
    expect(policy.transparency.requireTlog).toBe(true);
    expect(source.digest.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    [
      `apiVersion: custody.dev/v2\nkind: ReleasePolicy\nspec: {}\n`,
      /apiVersion must be "custody.dev\/v1alpha1"/,
    ],
    [`${HEAD}spec:\n${SIGNER}  provenence: {}\n`, /spec: unknown field "provenence"/],
    [
      `${HEAD}spec:\n${SIGNER}  sbom: { required: yes please }\n`,
      /spec\.sbom\.required must be boolean/,
    ],
    [
      `${HEAD}spec:\n${SIGNER}  agents: { minApprovals: -1 }\n`,
      /spec\.agents\.minApprovals must be >= 0/,
    ],
    [
      `${HEAD}spec:\n${SIGNER}  agents: { allowedAutonomy: [yolo] }\n`,
      /spec\.agents\.allowedAutonomy\[0\] must be one of/,
    ],
    [
      `${HEAD}spec:\n  signers: [{ subject: x, issuer: y, extensions: { sourceRepoURI: z } }]\n`,
      /spec\.signers\[0\]\.extensions: unknown field "sourceRepoURI"/,
    ],
    [
      `${HEAD}spec:\n${SIGNER}  provenance: { sourceDigests: [abc] }\n`,
      /spec\.provenance\.sourceDigests\[0\] must match pattern/,
    ],
    [
      `${HEAD}spec:\n${SIGNER}  freshness: { maxAge: 3 months }\n`,
      /spec\.freshness\.maxAge must match pattern/,
    ],
    [`${HEAD}\n`, /policy: missing required field "spec"/],
  ])('rejects %j with POLICY_INVALID naming the field', async (text, message) => {
    const error = await expectCode(() => parsePolicy(text, 'p.yaml'), 'POLICY_INVALID');
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(/^p\.yaml: /);
  });

  it('rejects a policy without signers when signatures are required', async () => {
    const error = await expectCode(
      () => parsePolicy(`${HEAD}spec: {}\n`, 'p.yaml'),
      'POLICY_INVALID'
    );
    expect(error.message).toMatch(/spec\.signers is empty/);
  });

  it('rejects a signer that pins no identity or no issuer', async () => {
    const error = await expectCode(
      () => parsePolicy(`${HEAD}spec:\n  signers: [{ issuer: https://gitlab.com }]\n`, 'p.yaml'),
      'POLICY_INVALID'
    );
    expect(error.message).toMatch(/spec\.signers\[0\] must pin an identity/);
  });

  it('rejects an invalid regular expression and an invalid semver range', async () => {
    const re = await expectCode(
      () => parsePolicy(`${HEAD}spec:\n  signers: [{ issuer: i, subjectRegExp: '(' }]\n`, 'p.yaml'),
      'POLICY_INVALID'
    );
    expect(re.message).toMatch(
      /spec\.signers\[0\]\.subjectRegExp is not a valid regular expression/
    );
    const range = await expectCode(
      () =>
        parsePolicy(
          `${HEAD}spec:\n${SIGNER}  sbom: { deniedPackages: [{ name: x, versions: 'not a range!!' }] }\n`,
          'p.yaml'
        ),
      'POLICY_INVALID'
    );
    expect(range.message).toMatch(
      /spec\.sbom\.deniedPackages\[0\]\.versions is not a valid semver range/
    );
  });

  it('reports YAML syntax errors as INPUT_YAML_INVALID and duplicate keys too', async () => {
    await expectCode(() => parsePolicy(`${HEAD}spec: [unclosed\n`, 'p.yaml'), 'INPUT_YAML_INVALID');
    await expectCode(
      () => parsePolicy(`${HEAD}kind: ReleasePolicy\nspec: {}\n`, 'p.yaml'),
      'INPUT_YAML_INVALID'
    );
  });

  it('allows no signers when nothing signed is required (unsigned GitLab runner provenance)', () => {
    const { policy } = parsePolicy(
      `${HEAD}spec:\n  checksums: { signed: false }\n  provenance: { signed: false }\n`,
      'p.yaml'
    );
    expect(policy.signers).toEqual([]);
  });

  it('parses durations', async () => {
    expect(parseDuration('90d')).toBe(90 * 86400);
    expect(parseDuration('12h')).toBe(43200);
    await expectCode(() => parseDuration('1y'), 'POLICY_INVALID');
  });
});

describe('applyPolicyFlags', () => {
  it('identity flags replace the signers; source flags set provenance constraints', () => {
    const policy = applyPolicyFlags(defaultPolicy(), {
      certificateIdentity: 'https://github.com/a/b/.github/workflows/r.yml@refs/tags/v1',
      certificateOidcIssuer: 'https://token.actions.githubusercontent.com',
      sourceRef: 'refs/tags/v*',
      sourceDigest: 'a'.repeat(40),
      denySelfHostedRunners: true,
      predicateType: 'https://slsa.dev/provenance/v0.2',
    });
    expect(policy.signers).toEqual([
      {
        subject: 'https://github.com/a/b/.github/workflows/r.yml@refs/tags/v1',
        issuer: 'https://token.actions.githubusercontent.com',
      },
    ]);
    expect(policy.provenance).toMatchObject({
      sourceRefs: ['refs/tags/v*'],
      sourceDigests: ['a'.repeat(40)],
      denySelfHostedRunners: true,
      predicateTypes: ['https://slsa.dev/provenance/v0.2'],
    });
  });

  it('--signer-workflow implies the GitHub issuer', () => {
    const policy = applyPolicyFlags(flagOnlyPolicy(), {
      signerWorkflow: 'acme/hello/.github/workflows/release.yml',
    });
    expect(policy.signers).toEqual([
      {
        signerWorkflow: 'acme/hello/.github/workflows/release.yml',
        issuer: 'https://token.actions.githubusercontent.com',
      },
    ]);
    expect(policy.checksums.required).toBe(false);
    expect(policy.sbom.required).toBe(false);
  });

  it('rejects conflicting or incomplete identity flags and a malformed digest', async () => {
    await expectCode(
      () =>
        applyPolicyFlags(flagOnlyPolicy(), {
          certificateIdentity: 'a',
          certificateIdentityRegexp: 'b',
          certificateOidcIssuer: 'c',
        }),
      'USAGE_INVALID'
    );
    await expectCode(
      () => applyPolicyFlags(flagOnlyPolicy(), { certificateOidcIssuer: 'https://gitlab.com' }),
      'USAGE_INVALID'
    );
    await expectCode(
      () =>
        applyPolicyFlags(flagOnlyPolicy(), {
          certificateIdentity: 'x',
          certificateOidcIssuer: 'y',
          sourceDigest: 'main',
        }),
      'USAGE_INVALID'
    );
    await expectCode(() => applyPolicyFlags(flagOnlyPolicy(), {}), 'POLICY_INVALID');
    await expectCode(
      () => applyPolicyFlags(flagOnlyPolicy(), { certificateIdentity: 'x' }),
      'POLICY_INVALID'
    );
  });
});

describe('documentation', () => {
  it('docs/policy.schema.json is the schema the code validates with', async () => {
    expect(JSON.parse(await readFile(path.join(DOCS, 'policy.schema.json'), 'utf8'))).toEqual(
      JSON.parse(JSON.stringify(POLICY_SCHEMA))
    );
  });

  it('every docs/examples/policy-*.yaml is valid', async () => {
    const files = (await readdir(path.join(DOCS, 'examples'))).filter((f) =>
      /^policy-.*\.yaml$/.test(f)
    );
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const file of files) {
      const { policy } = parsePolicy(
        await readFile(path.join(DOCS, 'examples', file), 'utf8'),
        file
      );
      expect(policy.name, file).not.toBe('unnamed');
    }
  });
});
