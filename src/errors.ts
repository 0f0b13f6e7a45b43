// The one error type of custody. Every expected failure carries a stable `code` (public API,
// documented in docs/errors.md) and an exit class that the CLI maps to an exit status.
// Messages say what to do; they never contain tokens, keys or prompt text.
import { ERROR_CODES, type ErrorCode } from './error-codes.js';

export type { ErrorCode } from './error-codes.js';
export { ERROR_CODES } from './error-codes.js';

/** 1: verification or policy failure; 2: bad usage or bad input; 3: environment or network. */
export type ExitStatus = 1 | 2 | 3;

export interface CustodyErrorOptions {
  cause?: unknown;
  /** What the user can do about it, shown on its own line by the CLI. */
  hint?: string;
  /** Structured, secret-free facts (file, line, expected/actual) for --json output and reports. */
  details?: Record<string, unknown>;
}

export class CustodyError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: CustodyErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CustodyError';
    this.code = code;
    this.hint = options.hint;
    this.details = options.details;
  }

  get exitStatus(): ExitStatus {
    return ERROR_CODES[this.code].exit;
  }

  toJSON(): { code: ErrorCode; message: string; hint?: string; details?: Record<string, unknown> } {
    return {
      code: this.code,
      message: this.message,
      ...(this.hint === undefined ? {} : { hint: this.hint }),
      ...(this.details === undefined ? {} : { details: this.details }),
    };
  }
}

export function isCustodyError(value: unknown): value is CustodyError {
  return value instanceof CustodyError;
}

/** Throws a CustodyError wrapping a lower-level error as `cause`. */
export function fail(code: ErrorCode, message: string, options?: CustodyErrorOptions): never {
  throw new CustodyError(code, message, options);
}
