import type { ErrorCodeTable } from '../error-codes.js';

export const CLI_ERROR_CODES = {
  USAGE_INVALID: {
    exit: 2,
    summary:
      'The command line is wrong: unknown command or option, missing or conflicting arguments. See --help.',
  },
  INTERNAL_ERROR: {
    exit: 3,
    summary: 'An unexpected internal error; rerun with --debug and report it.',
  },
} as const satisfies ErrorCodeTable;
