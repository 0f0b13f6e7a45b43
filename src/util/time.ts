import { CustodyError } from '../errors.js';

/**
 * The build time custody stamps into outputs: SOURCE_DATE_EPOCH (seconds) when set, for
 * reproducible output, otherwise `fallback` (the caller's clock).
 */
export function resolveBuildTime(sourceDateEpoch: string | undefined, fallback: Date): Date {
  if (sourceDateEpoch === undefined || sourceDateEpoch === '') return fallback;
  if (!/^\d{1,12}$/.test(sourceDateEpoch)) {
    throw new CustodyError(
      'INPUT_SCHEMA_INVALID',
      `SOURCE_DATE_EPOCH must be a whole number of seconds, got ${JSON.stringify(sourceDateEpoch)}`
    );
  }
  return new Date(Number(sourceDateEpoch) * 1000);
}

/** RFC 3339 UTC with second precision ("2026-01-02T03:04:05Z"), as in-toto predicates use. */
export function toRFC3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
