import type { ErrorCodeTable } from '../error-codes.js';

export const SBOM_ERROR_CODES = {} as const satisfies ErrorCodeTable;
