import { expect } from 'vitest';
import { CustodyError, type ErrorCode } from '../../src/errors.js';

/** Asserts that `fn` throws (or rejects with) a CustodyError with exactly this code. */
export async function expectCode(fn: () => unknown, code: ErrorCode): Promise<CustodyError> {
  let caught: unknown;
  try {
    await fn();
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected a CustodyError ${code}`).toBeInstanceOf(CustodyError);
  expect((caught as CustodyError).code).toBe(code);
  return caught as CustodyError;
}
