import type { ErrorCodeTable } from '../error-codes.js';

// POLICY_INVALID is thrown (bad policy file or flags); the others are the codes of failed
// policy checks in a verification report (`custody verify`), where the verdict is FAIL.
export const POLICY_ERROR_CODES = {
  POLICY_INVALID: {
    exit: 2,
    summary:
      'The release policy (file or flags) is malformed or incomplete; the message names the field path.',
  },
  POLICY_SIGNER_NOT_ALLOWED: {
    exit: 1,
    summary:
      'A signature is valid but its signer (issuer, identity, certificate extensions or key) is not allowed by the policy.',
  },
  POLICY_LICENSE_DENIED: {
    exit: 1,
    summary: 'The SBOM lists a component under a license the policy denies.',
  },
  POLICY_PACKAGE_DENIED: {
    exit: 1,
    summary: 'The SBOM lists a package (or a version in a range) the policy denies.',
  },
  POLICY_COMPONENT_MISSING: {
    exit: 1,
    summary: 'The SBOM lacks a component the policy requires.',
  },
  POLICY_SBOM_SPEC_VERSION: {
    exit: 1,
    summary: 'The SBOM uses a CycloneDX spec version the policy does not accept.',
  },
  POLICY_AGENT_NOT_ALLOWED: {
    exit: 1,
    summary: 'An agent-provenance attestation names an agent that is not on the allow-list.',
  },
  POLICY_MODEL_NOT_ALLOWED: {
    exit: 1,
    summary: 'An agent-provenance attestation names a model that is not on the allow-list.',
  },
  POLICY_PROMPT_DIGEST_MISSING: {
    exit: 1,
    summary:
      'An agent-provenance attestation has no prompt digest although the policy requires one.',
  },
  POLICY_APPROVALS_INSUFFICIENT: {
    exit: 1,
    summary:
      'Agent-authored changes have fewer approvals from allowed humans (not the agent) than the policy requires.',
  },
  POLICY_AUTONOMY_NOT_ALLOWED: {
    exit: 1,
    summary: 'An agent worked at an autonomy level the policy does not allow.',
  },
} as const satisfies ErrorCodeTable;
