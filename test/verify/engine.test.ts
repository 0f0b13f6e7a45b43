// The pure engine with fake dependencies: the checks the end-to-end tests do not reach (key
// signers, transparency thresholds, spec versions, required components, empty releases...), each
// with a passing and a failing case.
import { describe, expect, it } from 'vitest';
import type { InTotoStatement } from '../../src/attest/intoto.js';
import { defaultPolicy, type Policy } from '../../src/policy/index.js';
import type { VerifiedBundle } from '../../src/sign/index.js';
import { verifyRelease } from '../../src/verify/engine.js';
import type {
  BundleOutcome,
  BundleRequest,
  ReleaseInputs,
  VerifyDeps,
} from '../../src/verify/types.js';

const SHA = (c: string) => c.repeat(64);
const COMMIT = 'c'.repeat(40);
const REPO = 'https://github.com/acme/hello';
const IDENTITY = `${REPO}/.github/workflows/release.yml@refs/tags/v1`;
const NOW = new Date('2026-11-21T12:00:00Z');

function certSigner(overrides: Record<string, string> = {}): VerifiedBundle['signer'] {
  return {
    kind: 'certificate',
    subjectAlternativeName: IDENTITY,
    issuer: 'https://token.actions.githubusercontent.com',
    extensions: {
      issuer: 'https://token.actions.githubusercontent.com',
      sourceRepositoryURI: REPO,
      sourceRepositoryDigest: COMMIT,
      sourceRepositoryRef: 'refs/tags/v1',
      runnerEnvironment: 'github-hosted',
      ...overrides,
    },
    certificateFingerprint: 'f'.repeat(64),
  };
}

function verified(
  statement?: InTotoStatement,
  extra: Partial<VerifiedBundle> = {}
): VerifiedBundle {
  return {
    kind: statement === undefined ? 'message-signature' : 'dsse',
    signer: certSigner(),
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    ...(statement === undefined ? {} : { statement, payloadType: 'application/vnd.in-toto+json' }),
    signedAt: new Date('2026-11-20T12:00:00Z'),
    tlogEntries: 1,
    timestamps: [new Date('2026-11-20T12:00:00Z')],
    ...extra,
  };
}

function provenance(
  subjectSha: string,
  predicate: Record<string, unknown> = {},
  type = 'https://slsa.dev/provenance/v1'
): InTotoStatement {
  return {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'a', digest: { sha256: subjectSha } }],
    predicateType: type,
    predicate: {
      buildDefinition: {
        buildType: 'https://actions.github.io/buildtypes/workflow/v1',
        externalParameters: {
          workflow: {
            ref: 'refs/tags/v1',
            repository: REPO,
            path: '.github/workflows/release.yml',
          },
        },
        resolvedDependencies: [{ uri: `git+${REPO}@refs/tags/v1`, digest: { gitCommit: COMMIT } }],
      },
      runDetails: { builder: { id: IDENTITY } },
      ...predicate,
    },
  };
}

/** A release with one artifact `a` (sha256 aaaa…), its provenance bundle, and fake verification results per bundle id. */
function release(
  results: Record<string, VerifiedBundle | { code: 'VERIFY_SIGNATURE_INVALID' }>,
  extra: Partial<ReleaseInputs> = {}
): { inputs: ReleaseInputs; deps: VerifyDeps; requests: BundleRequest[] } {
  const requests: BundleRequest[] = [];
  const deps: VerifyDeps = {
    verifyBundles: (list) => {
      requests.push(...list);
      return Promise.resolve(
        list.map((r): BundleOutcome => {
          const result = results[r.id];
          if (result === undefined || 'code' in result)
            return {
              id: r.id,
              ok: false,
              code: 'VERIFY_SIGNATURE_INVALID',
              message: 'bad signature',
            };
          return {
            id: r.id,
            ok: true,
            verified: result,
            ...(result.signer.kind === 'key' ? { keyIndex: 0 } : {}),
          };
        })
      );
    },
    parseChecksums: (text) =>
      text
        .trim()
        .split('\n')
        .map((line, i) => ({
          name: line.split('  ')[1]!,
          algorithm: 'sha256',
          hex: line.split('  ')[0]!,
          line: i + 1,
        })),
    validateSbom: (bom) =>
      Promise.resolve({
        valid: (bom as { bomFormat?: string }).bomFormat === 'CycloneDX',
        specVersion: (bom as { specVersion?: string }).specVersion ?? '',
        errors: ['not CycloneDX'],
      }),
  };
  const inputs: ReleaseInputs = {
    artifacts: [{ name: 'a', digests: { sha256: SHA('a') } }],
    bundles: Object.keys(results).map((id) => ({
      id,
      file: id,
      bundle:
        id.endsWith('.sigstore.json') && !id.startsWith('prov')
          ? {
              messageSignature: {
                messageDigest: {
                  algorithm: 'SHA2_256',
                  digest: Buffer.from(SHA('a'), 'hex').toString('base64'),
                },
              },
            }
          : { dsseEnvelope: {} },
    })),
    unsignedStatements: [],
    ...extra,
  };
  return { inputs, deps, requests };
}

function policy(mutate: (p: Policy) => void = () => undefined): Policy {
  const p = defaultPolicy('test');
  p.signers = [{ issuer: 'https://token.actions.githubusercontent.com', subject: IDENTITY }];
  p.checksums.required = false;
  p.checksums.signed = false;
  p.sbom.required = false;
  mutate(p);
  return p;
}

async function run(
  results: Parameters<typeof release>[0],
  p: Policy,
  extra: Partial<ReleaseInputs> = {},
  now = NOW
) {
  const { inputs, deps, requests } = release(results, extra);
  const report = await verifyRelease(inputs, p, deps, now, {
    policySource: { uri: 'test', digest: { sha256: SHA('0') } },
  });
  const all = [...report.release.checks, ...report.artifacts.flatMap((a) => a.checks)];
  return { report, requests, check: (id: string) => all.find((c) => c.id === id)! };
}

describe('verifyRelease (fake dependencies)', () => {
  it('baseline: one artifact with signed provenance passes', async () => {
    const { report } = await run({ 'prov.intoto.jsonl': verified(provenance(SHA('a'))) }, policy());
    expect(report.summary.failures).toEqual([]);
  });

  it('release.artifacts: an empty release fails VERIFY_RELEASE_EMPTY', async () => {
    const { check } = await run({}, policy(), { artifacts: [] });
    expect(check('release.artifacts')).toMatchObject({
      status: 'fail',
      code: 'VERIFY_RELEASE_EMPTY',
    });
  });

  it('checksums.present: required and absent fails VERIFY_CHECKSUMS_MISSING; present passes', async () => {
    const required = policy((p) => (p.checksums.required = true));
    const missing = await run({ 'prov.intoto.jsonl': verified(provenance(SHA('a'))) }, required);
    expect(missing.check('checksums.present')).toMatchObject({
      status: 'fail',
      code: 'VERIFY_CHECKSUMS_MISSING',
    });
    const present = await run({ 'prov.intoto.jsonl': verified(provenance(SHA('a'))) }, required, {
      checksums: { file: 'SHA256SUMS', text: `${SHA('a')}  a\n`, digests: { sha256: SHA('5') } },
    });
    expect(present.check('checksums.present').status).toBe('pass');
    expect(present.check('checksum').status).toBe('pass');
  });

  it('signature: required per-artifact signature missing fails VERIFY_SIGNATURE_MISSING; a valid one passes', async () => {
    const required = policy((p) => (p.signatures.required = true));
    const missing = await run({ 'prov.intoto.jsonl': verified(provenance(SHA('a'))) }, required);
    expect(missing.check('signature')).toMatchObject({
      status: 'fail',
      code: 'VERIFY_SIGNATURE_MISSING',
    });
    const present = await run(
      { 'prov.intoto.jsonl': verified(provenance(SHA('a'))), 'a.sigstore.json': verified() },
      required
    );
    expect(present.check('signature').status).toBe('pass');
    expect(present.requests.find((r) => r.id === 'a.sigstore.json')!.target).toEqual({
      algorithm: 'sha256',
      hex: SHA('a'),
    });
  });

  it('provenance: a predicate type the policy does not accept does not count', async () => {
    const { check } = await run(
      {
        'prov.intoto.jsonl': verified(provenance(SHA('a'), {}, 'https://slsa.dev/provenance/v0.2')),
      },
      policy()
    );
    expect(check('provenance')).toMatchObject({
      status: 'fail',
      code: 'VERIFY_PROVENANCE_MISSING',
    });
    expect(check('provenance').message).toMatch(
      /predicate type https:\/\/slsa\.dev\/provenance\/v0\.2/
    );
  });

  it.each([
    [
      'provenance.builder',
      (p: Policy) => (p.provenance.builderIds = ['https://github.com/other/*']),
    ],
    [
      'provenance.build-type',
      (p: Policy) => (p.provenance.buildTypes = ['https://custody.dev/buildtypes/gitlab-ci/v1']),
    ],
    [
      'provenance.source-repository',
      (p: Policy) => (p.provenance.sourceRepositories = ['https://github.com/other/repo']),
    ],
    ['provenance.source-ref', (p: Policy) => (p.provenance.sourceRefs = ['refs/heads/main'])],
    [
      'provenance.workflow',
      (p: Policy) => (p.provenance.workflows = ['.github/workflows/other.yml']),
    ],
    [
      'provenance.runner-environment',
      (p: Policy) => (p.provenance.runnerEnvironments = ['self-hosted']),
    ],
  ])(
    '%s fails VERIFY_PROVENANCE_MISMATCH on a mismatch and passes on a match',
    async (id, mutate) => {
      const bad = await run(
        { 'prov.intoto.jsonl': verified(provenance(SHA('a'))) },
        policy(mutate)
      );
      expect(bad.check(id)).toMatchObject({ status: 'fail', code: 'VERIFY_PROVENANCE_MISMATCH' });
      const good = await run(
        { 'prov.intoto.jsonl': verified(provenance(SHA('a'))) },
        policy((p) => {
          p.provenance.builderIds = [`${REPO}/**`];
          p.provenance.buildTypes = ['https://actions.github.io/buildtypes/workflow/v1'];
          p.provenance.sourceRepositories = [REPO];
          p.provenance.sourceRefs = ['refs/tags/v*'];
          p.provenance.workflows = ['.github/workflows/*.yml'];
          p.provenance.runnerEnvironments = ['github-hosted'];
        })
      );
      expect(good.check(id).status).toBe('pass');
    }
  );

  it('provenance.self-hosted: a self-hosted runner in the certificate fails', async () => {
    const selfHosted = verified(provenance(SHA('a')), {
      signer: certSigner({ runnerEnvironment: 'self-hosted' }),
    });
    const { check } = await run(
      { 'prov.intoto.jsonl': selfHosted },
      policy((p) => (p.provenance.denySelfHostedRunners = true))
    );
    expect(check('provenance.self-hosted')).toMatchObject({
      status: 'fail',
      code: 'VERIFY_PROVENANCE_MISMATCH',
    });
  });

  it('provenance.certificate: a key-signed provenance cannot be compared and fails unless agreement is off', async () => {
    const keySigned = verified(provenance(SHA('a')), { signer: { kind: 'key' } });
    const keyPolicy = policy(
      (p) =>
        (p.signers = [{ publicKey: '-----BEGIN PUBLIC KEY-----\nMFk=\n-----END PUBLIC KEY-----' }])
    );
    const strict = await run({ 'prov.intoto.jsonl': keySigned }, keyPolicy);
    expect(strict.check('release.signers').status).toBe('pass');
    expect(strict.check('provenance.certificate')).toMatchObject({
      status: 'fail',
      code: 'VERIFY_CERT_PROVENANCE_DISAGREE',
    });
    keyPolicy.provenance.certificateAgreement = false;
    const relaxed = await run({ 'prov.intoto.jsonl': keySigned }, keyPolicy);
    expect(relaxed.report.summary.failures).toEqual([]);
  });

  it('transparency.tlog: a bundle without a log entry fails VERIFY_TLOG_MISSING unless not required', async () => {
    const noTlog = verified(provenance(SHA('a')), { tlogEntries: 0 });
    const strict = await run({ 'prov.intoto.jsonl': noTlog }, policy());
    expect(strict.check('transparency.tlog')).toMatchObject({
      status: 'fail',
      code: 'VERIFY_TLOG_MISSING',
    });
    const relaxed = await run(
      { 'prov.intoto.jsonl': noTlog },
      policy((p) => (p.transparency.requireTlog = false))
    );
    expect(relaxed.check('transparency.tlog').status).toBe('skip');
  });

  it('transparency.timestamps: fewer verified timestamps than required fails VERIFY_TIMESTAMP_MISSING', async () => {
    const one = verified(provenance(SHA('a')));
    const bad = await run(
      { 'prov.intoto.jsonl': one },
      policy((p) => (p.transparency.minTimestamps = 2))
    );
    expect(bad.check('transparency.timestamps')).toMatchObject({
      status: 'fail',
      code: 'VERIFY_TIMESTAMP_MISSING',
    });
    const good = await run(
      { 'prov.intoto.jsonl': one },
      policy((p) => (p.transparency.minTimestamps = 1))
    );
    expect(good.check('transparency.timestamps').status).toBe('pass');
  });

  it('transparency.timestamps: without a required log, a key-signed bundle needs only minTimestamps', async () => {
    const airGapped = verified(provenance(SHA('a')), { tlogEntries: 0, timestamps: [] });
    const relaxed = await run(
      { 'prov.intoto.jsonl': airGapped },
      policy((p) => (p.transparency.requireTlog = false))
    );
    expect(relaxed.check('transparency.timestamps').status).toBe('pass');
    const stamped = await run(
      { 'prov.intoto.jsonl': airGapped },
      policy((p) => {
        p.transparency.requireTlog = false;
        p.transparency.minTimestamps = 1;
      })
    );
    expect(stamped.check('transparency.timestamps')).toMatchObject({
      status: 'fail',
      code: 'VERIFY_TIMESTAMP_MISSING',
    });
  });

  it('freshness: a signature in the future fails VERIFY_STALE', async () => {
    const future = verified(provenance(SHA('a')), { signedAt: new Date('2026-12-01T00:00:00Z') });
    const { check } = await run(
      { 'prov.intoto.jsonl': future },
      policy((p) => (p.freshness.maxAgeSeconds = 86400))
    );
    expect(check('freshness')).toMatchObject({ status: 'fail', code: 'VERIFY_STALE' });
  });

  it('sbom.spec-version and sbom.components fail on a mismatch and pass on a match', async () => {
    const bom = {
      bomFormat: 'CycloneDX',
      specVersion: '1.4',
      components: [{ type: 'library', name: 'left-pad', version: '1.3.0' }],
    };
    const sbom: InTotoStatement = {
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ digest: { sha256: SHA('a') } }],
      predicateType: 'https://cyclonedx.org/bom',
      predicate: bom,
    };
    const results = {
      'prov.intoto.jsonl': verified(provenance(SHA('a'))),
      'sbom.intoto.jsonl': verified(sbom),
    };
    const bad = await run(
      results,
      policy((p) => {
        p.sbom.specVersions = ['1.6'];
        p.sbom.requiredComponents = [{ name: 'right-pad' }, { name: 'left-pad', versions: '>=2' }];
      })
    );
    expect(bad.check('sbom.spec-version')).toMatchObject({
      status: 'fail',
      code: 'POLICY_SBOM_SPEC_VERSION',
    });
    expect(bad.check('sbom.components')).toMatchObject({
      status: 'fail',
      code: 'POLICY_COMPONENT_MISSING',
    });
    expect(bad.check('sbom.components').message).toMatch(/right-pad.*left-pad >=2/);
    const good = await run(
      results,
      policy((p) => {
        p.sbom.specVersions = ['1.4'];
        p.sbom.requiredComponents = [{ name: 'left-pad', versions: '^1.3.0' }];
      })
    );
    expect(good.check('sbom.spec-version').status).toBe('pass');
    expect(good.check('sbom.components').status).toBe('pass');
  });

  it('sbom.packages matches package URLs and version ranges; OR licenses are denied only if every choice is', async () => {
    const bom = {
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      components: [
        {
          type: 'library',
          name: 'x',
          version: '2.0.0',
          purl: 'pkg:npm/%40scope/x@2.0.0',
          licenses: [{ expression: 'MIT OR GPL-3.0-only' }],
        },
      ],
    };
    const sbom: InTotoStatement = {
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ digest: { sha256: SHA('a') } }],
      predicateType: 'https://cyclonedx.org/bom',
      predicate: bom,
    };
    const results = {
      'prov.intoto.jsonl': verified(provenance(SHA('a'))),
      'sbom.intoto.jsonl': verified(sbom),
    };
    const denied = await run(
      results,
      policy((p) => {
        p.sbom.deniedPackages = [{ name: 'pkg:npm/%40scope/x', versions: '>=2' }];
        p.sbom.deniedLicenses = ['GPL-*'];
      })
    );
    expect(denied.check('sbom.packages')).toMatchObject({
      status: 'fail',
      code: 'POLICY_PACKAGE_DENIED',
    });
    expect(denied.check('sbom.licenses').status).toBe('pass'); // MIT is a valid choice
    const allowed = await run(
      results,
      policy((p) => {
        p.sbom.deniedPackages = [{ name: 'pkg:npm/%40scope/x', versions: '<2' }];
        p.sbom.deniedLicenses = ['GPL-*', 'MIT'];
      })
    );
    expect(allowed.check('sbom.packages').status).toBe('pass');
    expect(allowed.check('sbom.licenses')).toMatchObject({
      status: 'fail',
      code: 'POLICY_LICENSE_DENIED',
    });
  });

  it('a message signature that signs no file of the release fails release.bundles', async () => {
    const { report, check } = await run(
      { 'prov.intoto.jsonl': verified(provenance(SHA('a'))) },
      policy(),
      {
        bundles: [
          { id: 'prov.intoto.jsonl', file: 'prov.intoto.jsonl', bundle: { dsseEnvelope: {} } },
          {
            id: 'other.sigstore.json',
            file: 'other.sigstore.json',
            bundle: {
              messageSignature: {
                messageDigest: {
                  algorithm: 'SHA2_256',
                  digest: Buffer.from(SHA('e'), 'hex').toString('base64'),
                },
              },
            },
          },
        ],
      }
    );
    expect(check('release.bundles')).toMatchObject({
      status: 'fail',
      code: 'VERIFY_SUBJECT_MISMATCH',
    });
    expect(report.verdict).toBe('FAIL');
  });
});
