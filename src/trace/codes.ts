import type { ErrorCodeTable } from '../error-codes.js';

export const TRACE_ERROR_CODES = {} as const satisfies ErrorCodeTable;
