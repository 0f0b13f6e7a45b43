import type { ErrorCodeTable } from '../error-codes.js';

export const DIGEST_ERROR_CODES = {} as const satisfies ErrorCodeTable;
