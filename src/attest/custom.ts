// Any predicate, as actions/attest takes one (`predicate-type` + `predicate`/`predicate-path`):
// the caller names the predicate type URI and supplies the predicate JSON; custody checks the
// shapes it can (an absolute URI, a JSON object, the 16 MiB store cap) and, for predicate types it
// knows, the predicate's schema (validateStatement, before signing). Pure: data in, data out.
import { CustodyError } from '../errors.js';
import { canonicalJSON } from '../util/canonical-json.js';
import type { InTotoStatement, ResourceDescriptor } from './intoto.js';
import { buildStatement } from './intoto.js';
import { SBOM_SIZE_LIMIT } from './sbom.js';

/** The GitHub attestation store's cap, which every custody attestation stays under. */
export const PREDICATE_SIZE_LIMIT = SBOM_SIZE_LIMIT;

/** A predicate type is an absolute URI (in-toto v1 `predicateType`, actions/attest). */
export function parsePredicateType(value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  // in-toto's TypeURI: an absolute URI (a scheme, then something); a bare word like `provenance`
  // has no scheme and fails to parse.
  if (url === undefined || /\s/.test(value) || value.length > 2048) {
    throw new CustodyError(
      'ATTEST_PREDICATE_INVALID',
      `the predicate type must be an absolute URI, got ${JSON.stringify(value)}`,
      { hint: 'for example https://slsa.dev/provenance/v1 or https://example.com/my-predicate/v1' }
    );
  }
  return value;
}

/** The statement for a caller-supplied predicate (JSON text or bytes). */
export function buildCustomStatement(
  predicateType: string,
  predicate: string | Uint8Array,
  subjects: readonly ResourceDescriptor[]
): InTotoStatement<Record<string, unknown>> {
  const type = parsePredicateType(predicateType);
  const text = typeof predicate === 'string' ? predicate : Buffer.from(predicate).toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (error) {
    throw new CustodyError('ATTEST_PREDICATE_INVALID', 'the predicate is not valid JSON', {
      cause: error,
    });
  }
  // in-toto v1: the predicate is an object (or absent); a string or array is not a predicate.
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new CustodyError('ATTEST_PREDICATE_INVALID', 'the predicate must be a JSON object');
  }
  const size = new TextEncoder().encode(canonicalJSON(value)).byteLength;
  if (size > PREDICATE_SIZE_LIMIT) {
    throw new CustodyError(
      'ATTEST_PREDICATE_INVALID',
      `the predicate is ${size} bytes, over the ${PREDICATE_SIZE_LIMIT}-byte (16 MiB) attestation limit`,
      { details: { size, limit: PREDICATE_SIZE_LIMIT } }
    );
  }
  return buildStatement(subjects, type, value as Record<string, unknown>);
}

/** `--subject-name`/`--subject-digest` pairs (actions/attest's subject-name + subject-digest). */
export function digestSubjects(
  names: readonly string[],
  digests: readonly string[]
): ResourceDescriptor[] {
  if (names.length !== digests.length) {
    throw new CustodyError(
      'ATTEST_SUBJECT_INVALID',
      `${names.length} subject name(s) but ${digests.length} subject digest(s): give them in pairs`
    );
  }
  return names.map((name, index) => {
    const digest = digests[index] ?? '';
    const match = /^(sha256|sha384|sha512):([0-9a-f]+)$/.exec(digest);
    const lengths: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };
    if (match === null || match[2]?.length !== lengths[match[1] ?? '']) {
      throw new CustodyError(
        'ATTEST_SUBJECT_INVALID',
        `subject digest ${JSON.stringify(digest)} is not <sha256|sha384|sha512>:<lower-case hex>`
      );
    }
    if (name.trim() === '') {
      throw new CustodyError('ATTEST_SUBJECT_INVALID', 'a subject name is empty');
    }
    return { name, digest: { [match[1] ?? 'sha256']: match[2] ?? '' } };
  });
}
