import type { ErrorCodeTable } from '../error-codes.js';

export const ATTEST_ERROR_CODES = {} as const satisfies ErrorCodeTable;
