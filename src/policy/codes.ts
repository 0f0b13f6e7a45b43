import type { ErrorCodeTable } from '../error-codes.js';

export const POLICY_ERROR_CODES = {} as const satisfies ErrorCodeTable;
