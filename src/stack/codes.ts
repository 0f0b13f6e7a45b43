import type { ErrorCodeTable } from '../error-codes.js';

export const STACK_ERROR_CODES = {
  STACK_START_FAILED: {
    exit: 3,
    summary:
      'The local Sigstore stack could not start (key generation or binding 127.0.0.1 failed); check loopback networking.',
  },
  STACK_PROFILE_UNKNOWN: {
    exit: 2,
    summary: 'An identity-token profile other than github, gitlab or plain was requested.',
  },
  STACK_CLAIMS_INVALID: {
    exit: 2,
    summary:
      'Token claim overrides must be a JSON object of JSON values (and iss/sub/aud must stay strings).',
  },
} as const satisfies ErrorCodeTable;
