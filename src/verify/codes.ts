import type { ErrorCodeTable } from '../error-codes.js';

export const VERIFY_ERROR_CODES = {} as const satisfies ErrorCodeTable;
