// Every case of the external Sigstore conformance corpus (PATH and DIGEST mode) and every
// real-provenance bundle (with its derived negative checks), through the library in-process.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusPath } from './shared.js';
import { CustodyError } from '../../src/errors.js';
import {
  embeddedTrustedRoot,
  loadTrustedRoot,
  verifyBundle,
  type ArtifactInput,
  type IdentityPolicy,
  type TrustContext,
  type VerifiedBundle,
} from '../../src/sign/index.js';

export const CONFORMANCE_DIR = corpusPath('conformance');

interface ConformanceCase {
  name: string;
  expected: 'pass' | 'fail';
  bundle: string;
  artifact: string;
  artifact_digest: string;
  trusted_root: string;
  trusted_root_is_case_specific: boolean;
  identity: string | null;
  issuer: string | null;
  key: string | null;
  conformance_argv: { PATH: string[]; DIGEST: string[] };
}

interface ProvenanceEntry {
  name: string;
  bundle: string;
  artifact: string | null;
  subjects: { name: string; digest: Record<string, string> }[];
  expected_identity: string;
  expected_issuer: string;
  source_repository?: string;
  source_repository_digest?: string;
  source_repository_ref?: string;
  trusted_root: string;
  expected: 'pass' | 'fail';
}

const manifest = JSON.parse(readFileSync(path.join(CONFORMANCE_DIR, 'MANIFEST.json'), 'utf8')) as {
  cases: ConformanceCase[];
};
const provenance = JSON.parse(
  readFileSync(path.join(CONFORMANCE_DIR, 'real-provenance/MANIFEST.json'), 'utf8')
) as { entries: ProvenanceEntry[] };

const file = (rel: string): Buffer => readFileSync(path.join(CONFORMANCE_DIR, rel));

function trustFor(rel: string, caseSpecific: boolean): TrustContext {
  return caseSpecific
    ? loadTrustedRoot(JSON.parse(file(rel).toString('utf8')))
    : embeddedTrustedRoot('public-good');
}

function outcome(run: () => unknown): { result: 'pass' | 'fail'; error?: CustodyError } {
  try {
    run();
    return { result: 'pass' };
  } catch (error) {
    if (!(error instanceof CustodyError)) throw error; // anything else is a bug, not a rejection
    return { result: 'fail', error };
  }
}

function runCase(
  c: ConformanceCase,
  mode: 'PATH' | 'DIGEST'
): { result: 'pass' | 'fail'; error?: CustodyError } {
  return outcome(() => {
    const trust = trustFor(c.trusted_root, c.trusted_root_is_case_specific);
    const policy: IdentityPolicy =
      c.key !== null
        ? { publicKeyPEM: file(c.key).toString('utf8') }
        : { subjectAlternativeName: c.identity ?? '', issuer: c.issuer ?? '' };
    const artifact: ArtifactInput =
      mode === 'PATH'
        ? { kind: 'bytes', bytes: file(c.artifact) }
        : { kind: 'digest', algorithm: 'sha256', hex: c.artifact_digest.slice('sha256:'.length) };
    verifyBundle(file(c.bundle).toString('utf8'), artifact, trust, policy);
  });
}

describe('sigstore-conformance bundle-verify corpus', () => {
  it('has the 70 cases', () => {
    expect(manifest.cases).toHaveLength(70);
  });
  for (const mode of ['PATH', 'DIGEST'] as const) {
    describe(mode, () => {
      for (const c of manifest.cases) {
        it(`${c.name} → ${c.expected}`, () => {
          const { result, error } = runCase(c, mode);
          expect(result, error ? `${error.code}: ${error.message}` : 'verified').toBe(c.expected);
        });
      }
    });
  }

  it('rejects for the right reason where sigstore-js is weaker', () => {
    const byName = (name: string): ConformanceCase => {
      const found = manifest.cases.find((c) => c.name === name);
      if (found === undefined) throw new Error(name);
      return found;
    };
    const missingStart = runCase(byName('trust-root-tlog-missing-validity-start_fail'), 'PATH');
    expect(missingStart.error?.code).toBe('VERIFY_TRUST_ROOT_INVALID');
    expect(missingStart.error?.message).toMatch(/validFor\.start/);
    const badKey = runCase(byName('managed-key-wrong-key_fail'), 'PATH');
    expect(badKey.error?.code).toBe('SIGN_KEY_INVALID');
    const rootInChain = runCase(byName('bundle-with-root-cert_fail'), 'PATH');
    expect(rootInChain.error?.code).toBe('VERIFY_CERTIFICATE_INVALID');
    expect(rootInChain.error?.message).toMatch(/root CA certificate/);
    const malformed = runCase(byName('bundle-malformed-json_fail'), 'PATH');
    expect(malformed.error?.code).toBe('INPUT_JSON_INVALID');
  });
});

describe('real provenance bundles', () => {
  for (const entry of provenance.entries) {
    const digestArtifact = (): ArtifactInput => {
      const subject = entry.subjects[0];
      const [algorithm, hex] = Object.entries(subject?.digest ?? {})[0] ?? ['sha256', ''];
      return { kind: 'digest', algorithm: algorithm as 'sha256' | 'sha512', hex };
    };
    const artifact = (): ArtifactInput =>
      entry.artifact !== null ? { kind: 'bytes', bytes: file(entry.artifact) } : digestArtifact();
    const verify = (policy: IdentityPolicy, input: ArtifactInput = artifact()): unknown =>
      verifyBundle(
        file(entry.bundle).toString('utf8'),
        input,
        embeddedTrustedRoot('public-good'),
        policy
      );
    const policy: IdentityPolicy = {
      subjectAlternativeName: entry.expected_identity,
      issuer: entry.expected_issuer,
    };
    it(`${entry.name} → ${entry.expected}`, () => {
      const { result, error } = outcome(() => verify(policy));
      expect(result, error ? `${error.code}: ${error.message}` : 'verified').toBe(entry.expected);
      if (entry.artifact !== null && entry.expected === 'pass') {
        // the subject digest alone verifies too
        expect(outcome(() => verify(policy, digestArtifact())).result).toBe('pass');
      }
    });
    if (entry.expected !== 'pass') continue;
    it(`${entry.name}: wrong identity, wrong issuer, non-subject digest all fail`, () => {
      expect(
        outcome(() => verify({ ...policy, subjectAlternativeName: `${entry.expected_identity}x` }))
          .error?.code
      ).toBe('VERIFY_IDENTITY_MISMATCH');
      expect(
        outcome(() => verify({ ...policy, issuer: `${entry.expected_issuer}/other` })).error?.code
      ).toBe('VERIFY_IDENTITY_MISMATCH');
      const notSubject = createHash('sha256')
        .update(`not a subject of ${entry.name}`)
        .digest('hex');
      expect(
        outcome(() => verify(policy, { kind: 'digest', algorithm: 'sha256', hex: notSubject }))
          .error?.code
      ).toBe('VERIFY_SUBJECT_MISMATCH');
      // Fulcio extensions parsed from the verified certificate agree with the manifest
      const verified = verify(policy) as VerifiedBundle;
      if (verified.signer.kind !== 'certificate') throw new Error('expected a certificate signer');
      const ext = verified.signer.extensions;
      expect(ext.issuer).toBe(entry.expected_issuer);
      if (ext.sourceRepositoryURI !== undefined) {
        expect(ext.sourceRepositoryURI).toBe(entry.source_repository);
        if (entry.source_repository_digest !== undefined) {
          expect(ext.sourceRepositoryDigest).toBe(entry.source_repository_digest);
        }
        expect(
          outcome(() =>
            verify({ ...policy, extensions: { sourceRepositoryURI: /^https:\/\/github\.com\// } })
          ).result
        ).toBe('pass');
        expect(
          outcome(() =>
            verify({
              ...policy,
              extensions: { sourceRepositoryURI: `${ext.sourceRepositoryURI}-fork` },
            })
          ).error?.code
        ).toBe('VERIFY_IDENTITY_MISMATCH');
      }
    });
  }
});
