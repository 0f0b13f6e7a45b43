import type { ErrorCodeTable } from '../error-codes.js';

export const SIGN_ERROR_CODES = {} as const satisfies ErrorCodeTable;
