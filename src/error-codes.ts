// The registry of error codes: one table per domain, merged here. Each domain owns its table
// (src/<domain>/codes.ts); docs/errors.md is generated from this registry (npm run docs:errors)
// and a test fails when the two differ.
import { ATTEST_ERROR_CODES } from './attest/codes.js';
import { CLI_ERROR_CODES } from './cli/codes.js';
import { CI_ERROR_CODES } from './ci/codes.js';
import { DIGEST_ERROR_CODES } from './digest/codes.js';
import { INPUT_ERROR_CODES } from './io/codes.js';
import { OCI_ERROR_CODES } from './oci/codes.js';
import { POLICY_ERROR_CODES } from './policy/codes.js';
import { SBOM_ERROR_CODES } from './sbom/codes.js';
import { SIGN_ERROR_CODES } from './sign/codes.js';
import { STACK_ERROR_CODES } from './stack/codes.js';
import { TRACE_ERROR_CODES } from './trace/codes.js';
import { VERIFY_ERROR_CODES } from './verify/codes.js';

export interface ErrorCodeInfo {
  /** CLI exit status: 1 verification/policy failure, 2 bad usage or input, 3 environment/network. */
  readonly exit: 1 | 2 | 3;
  /** One line for docs/errors.md: when it happens and what to do. */
  readonly summary: string;
}

export type ErrorCodeTable = Readonly<Record<string, ErrorCodeInfo>>;

export const ERROR_CODES = {
  ...INPUT_ERROR_CODES,
  ...CLI_ERROR_CODES,
  ...DIGEST_ERROR_CODES,
  ...SBOM_ERROR_CODES,
  ...SIGN_ERROR_CODES,
  ...ATTEST_ERROR_CODES,
  ...VERIFY_ERROR_CODES,
  ...POLICY_ERROR_CODES,
  ...TRACE_ERROR_CODES,
  ...CI_ERROR_CODES,
  ...STACK_ERROR_CODES,
  ...OCI_ERROR_CODES,
} as const satisfies ErrorCodeTable;

export type ErrorCode = keyof typeof ERROR_CODES;
