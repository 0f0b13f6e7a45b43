// SLSA Verification Summary Attestation (https://slsa.dev/verification_summary/v1) from a report.
import type { InTotoStatement, ResourceDescriptor } from '../attest/intoto.js';
import { STATEMENT_TYPE_V1 } from '../attest/intoto.js';
import { VERSION } from '../version.js';
import type { VerificationReport } from './types.js';

export const VSA_PREDICATE_TYPE = 'https://slsa.dev/verification_summary/v1';
export const CUSTODY_VERIFIER_ID = 'https://custody.dev/verifier/v1';

export interface VsaPredicate {
  verifier: { id: string; version: Record<string, string> };
  timeVerified: string;
  resourceUri: string;
  policy: { uri: string; digest: { sha256: string } };
  inputAttestations: ResourceDescriptor[];
  verificationResult: 'PASSED' | 'FAILED';
  verifiedLevels: string[];
  slsaVersion: string;
}

export function buildVsa(
  report: VerificationReport,
  options: { resourceUri: string; inputAttestations: { uri: string; sha256: string }[] }
): InTotoStatement<VsaPredicate> {
  const passed = report.verdict === 'PASS';
  const level = Math.min(...report.artifacts.map((a) => a.slsaBuildLevel), 3);
  const verifiedLevels = [`SLSA_BUILD_LEVEL_${passed && report.artifacts.length > 0 ? level : 0}`];
  const release = report.release.checks;
  const agentChecks = release.filter((c) => c.id.startsWith('agents.'));
  if (passed && agentChecks.some((c) => c.id === 'agents.present' && c.status === 'pass')) {
    verifiedLevels.push('CUSTODY_AGENT_PROVENANCE_VERIFIED');
  }
  const sbomPassed =
    report.artifacts.length > 0 &&
    report.artifacts.every((a) => a.checks.some((c) => c.id === 'sbom' && c.status === 'pass'));
  if (passed && sbomPassed) verifiedLevels.push('CUSTODY_SBOM_POLICY_VERIFIED');
  const subject = report.artifacts
    .filter((a) => a.digest.sha256 !== undefined)
    .map((a) => ({ name: a.name, digest: { sha256: a.digest.sha256 ?? '' } }));
  return {
    _type: STATEMENT_TYPE_V1,
    subject,
    predicateType: VSA_PREDICATE_TYPE,
    predicate: {
      verifier: { id: CUSTODY_VERIFIER_ID, version: { custody: VERSION } },
      timeVerified: report.verifiedAt,
      resourceUri: options.resourceUri,
      policy: { uri: report.policy.uri, digest: report.policy.digest },
      inputAttestations: [...options.inputAttestations]
        .sort((a, b) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0))
        .map((a) => ({ uri: a.uri, digest: { sha256: a.sha256 } })),
      verificationResult: passed ? 'PASSED' : 'FAILED',
      verifiedLevels,
      slsaVersion: '1.1',
    },
  };
}
