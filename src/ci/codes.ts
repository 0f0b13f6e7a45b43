import type { ErrorCodeTable } from '../error-codes.js';

export const CI_ERROR_CODES = {} as const satisfies ErrorCodeTable;
