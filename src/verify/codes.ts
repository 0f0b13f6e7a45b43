import type { ErrorCodeTable } from '../error-codes.js';

// Codes of `custody verify`'s whole-release checks (exit 1: the verdict is FAIL). Bundle-level
// failures (VERIFY_BUNDLE_INVALID, VERIFY_SIGNATURE_INVALID, VERIFY_CERTIFICATE_INVALID,
// VERIFY_TLOG_INVALID, VERIFY_TIMESTAMP_INVALID, VERIFY_IDENTITY_MISMATCH, VERIFY_SUBJECT_MISMATCH)
// come from src/sign/codes.ts and are reused as they are.
export const VERIFY_ERROR_CODES = {
  VERIFY_RELEASE_EMPTY: {
    exit: 1,
    summary: 'The release directory (or argument list) contains no artifacts to verify.',
  },
  VERIFY_CHECKSUMS_MISSING: {
    exit: 1,
    summary:
      'The policy requires a checksums file (SHA256SUMS or --checksums) and the release has none.',
  },
  VERIFY_CHECKSUM_MISMATCH: {
    exit: 1,
    summary: "An artifact's digest differs from its line in the checksums file: the file changed.",
  },
  VERIFY_CHECKSUM_MISSING: {
    exit: 1,
    summary: 'An artifact is not listed in the checksums file.',
  },
  VERIFY_ARTIFACT_MISSING: {
    exit: 1,
    summary: 'The checksums file lists a file that is not in the release.',
  },
  VERIFY_CHECKSUMS_SIGNATURE: {
    exit: 1,
    summary:
      'The checksums file has no valid signature bundle (<checksums>.sigstore.json) from an allowed signer.',
  },
  VERIFY_SIGNATURE_MISSING: {
    exit: 1,
    summary: 'The policy requires a signature bundle per artifact and this artifact has none.',
  },
  VERIFY_PROVENANCE_MISSING: {
    exit: 1,
    summary:
      'No valid SLSA provenance from an allowed signer names this artifact as a subject (of an accepted predicate type).',
  },
  VERIFY_PROVENANCE_UNSIGNED: {
    exit: 1,
    summary:
      'The only provenance is unsigned (e.g. GitLab runner artifacts-metadata.json, SLSA Build L1) and the policy requires signed provenance.',
  },
  VERIFY_PROVENANCE_MISMATCH: {
    exit: 1,
    summary:
      'A provenance field (builder, build type, source repository, ref, commit, workflow, runner) does not match the policy.',
  },
  VERIFY_CERT_PROVENANCE_DISAGREE: {
    exit: 1,
    summary:
      'The provenance claims a source repository, commit or ref that its signing certificate does not carry.',
  },
  VERIFY_SBOM_MISSING: {
    exit: 1,
    summary: 'No signed CycloneDX SBOM attestation from an allowed signer covers this artifact.',
  },
  VERIFY_SBOM_INVALID: {
    exit: 1,
    summary: 'The attested SBOM is not a valid CycloneDX document.',
  },
  VERIFY_AGENT_PROVENANCE_MISSING: {
    exit: 1,
    summary: 'The policy requires agent provenance and the release carries no valid attestation.',
  },
  VERIFY_AGENT_UNCOVERED: {
    exit: 1,
    summary:
      'An agent-authored commit is not covered by a valid agent-provenance attestation from an allowed signer.',
  },
  VERIFY_STALE: {
    exit: 1,
    summary:
      'An attestation was signed longer ago than the policy allows (freshness.maxAge), or in the future.',
  },
  VERIFY_TLOG_MISSING: {
    exit: 1,
    summary: 'A bundle has no verified transparency-log entry and the policy requires one.',
  },
  VERIFY_TIMESTAMP_MISSING: {
    exit: 1,
    summary: 'A bundle has fewer verified timestamps than the policy requires.',
  },
} as const satisfies ErrorCodeTable;
