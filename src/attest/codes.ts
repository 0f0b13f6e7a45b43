import type { ErrorCodeTable } from '../error-codes.js';

export const ATTEST_ERROR_CODES = {
  ATTEST_STATEMENT_INVALID: {
    exit: 2,
    summary:
      'A statement custody built failed its JSON Schema (in-toto, SLSA or agent-provenance) and was not signed; the message names the field.',
  },
  ATTEST_NO_SUBJECTS: {
    exit: 2,
    summary:
      'An attestation needs at least one subject: pass --subject PATH|GLOB or --checksums FILE (agent attestations may use --range).',
  },
  ATTEST_SUBJECT_INVALID: {
    exit: 2,
    summary:
      'A subject is unusable: a glob matched nothing, a checksums entry is malformed, or two subjects share a name with different digests.',
  },
  ATTEST_SBOM_TOO_LARGE: {
    exit: 2,
    summary:
      'The SBOM is over the 16 MiB attestation limit (GitHub attestation store cap); split it or attest a smaller SBOM.',
  },
  ATTEST_PREDICATE_INVALID: {
    exit: 2,
    summary:
      'A custom predicate is unusable: its type is not an absolute URI, or the predicate is not a JSON object under 16 MiB; the message says which.',
  },
  ATTEST_SBOM_INVALID: {
    exit: 2,
    summary:
      'The --sbom file is neither a CycloneDX JSON document (bomFormat "CycloneDX" and specVersion) nor an SPDX JSON document (spdxVersion).',
  },
  ATTEST_CONTEXT_MISSING: {
    exit: 2,
    summary:
      'Provenance needs facts that are not available (e.g. --builder-id or the source commit for a local build); the message says which.',
  },
  ATTEST_AGENT_INPUT_INVALID: {
    exit: 2,
    summary:
      'Agent-provenance inputs are missing or malformed (agent, model, prompt digest, HMAC key, plan, autonomy); the message names the input.',
  },
  ATTEST_GIT_FAILED: {
    exit: 3,
    summary:
      'git could not be run or rejected the range/repository (not a repository, unknown revision); check --repo and --range.',
  },
} as const satisfies ErrorCodeTable;
