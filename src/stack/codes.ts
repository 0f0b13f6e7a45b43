import type { ErrorCodeTable } from '../error-codes.js';

export const STACK_ERROR_CODES = {} as const satisfies ErrorCodeTable;
