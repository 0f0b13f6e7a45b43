// in-toto Attestation Framework v1 types (spec/v1/statement.md, resource_descriptor.md).
import { CustodyError } from '../errors.js';

export const STATEMENT_TYPE_V1 = 'https://in-toto.io/Statement/v1';
export const INTOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

export interface ResourceDescriptor {
  name?: string;
  uri?: string;
  digest?: Record<string, string>;
  content?: string;
  downloadLocation?: string;
  mediaType?: string;
  annotations?: Record<string, unknown>;
}

export interface InTotoStatement<Predicate = unknown> {
  _type: string;
  subject: ResourceDescriptor[];
  predicateType: string;
  predicate?: Predicate;
}

/** Parses a DSSE payload as an in-toto statement (v1, or v0.1 as older tools and GitLab runners write). */
export function parseStatement(payload: Uint8Array | string): InTotoStatement {
  const text = typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CustodyError('INPUT_JSON_INVALID', 'in-toto statement is not valid JSON', {
      cause: error,
    });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new CustodyError('INPUT_SCHEMA_INVALID', 'in-toto statement must be a JSON object');
  }
  const statement = value as Partial<InTotoStatement>;
  if (
    typeof statement._type !== 'string' ||
    !statement._type.startsWith('https://in-toto.io/Statement/')
  ) {
    throw new CustodyError('INPUT_SCHEMA_INVALID', 'in-toto statement has no valid _type');
  }
  if (!Array.isArray(statement.subject) || typeof statement.predicateType !== 'string') {
    throw new CustodyError(
      'INPUT_SCHEMA_INVALID',
      'in-toto statement needs subject[] and predicateType'
    );
  }
  for (const subject of statement.subject as unknown[]) {
    const digest = (subject as ResourceDescriptor | null)?.digest;
    if (digest === undefined || digest === null || typeof digest !== 'object') {
      throw new CustodyError('INPUT_SCHEMA_INVALID', 'every in-toto subject must have a digest');
    }
  }
  return statement as InTotoStatement;
}

/** Storage media type of a DSSE-signed statement of a given short predicate name (in-toto convention). */
export function dsseMediaType(shortName: string): string {
  return `application/vnd.in-toto.${shortName}+dsse`;
}

/**
 * Builds a Statement v1. Subjects are sorted (by name, then digest) and de-duplicated so the same
 * inputs always give the same bytes; a name listed twice with different digests is refused.
 */
export function buildStatement<P>(
  subjects: readonly ResourceDescriptor[],
  predicateType: string,
  predicate: P
): InTotoStatement<P> {
  return {
    _type: STATEMENT_TYPE_V1,
    subject: normalizeSubjects(subjects),
    predicateType,
    predicate,
  };
}

export function normalizeSubjects(subjects: readonly ResourceDescriptor[]): ResourceDescriptor[] {
  const byKey = new Map<string, ResourceDescriptor>();
  const digestByName = new Map<string, string>();
  for (const subject of subjects) {
    const digest = subject.digest ?? {};
    const digestKey = Object.keys(digest)
      .sort()
      .map((alg) => `${alg}:${digest[alg] ?? ''}`)
      .join(',');
    if (digestKey === '') {
      throw new CustodyError(
        'ATTEST_SUBJECT_INVALID',
        `subject ${JSON.stringify(subject.name ?? '')} has no digest`
      );
    }
    const name = subject.name ?? '';
    const previous = digestByName.get(name);
    if (name !== '' && previous !== undefined && previous !== digestKey) {
      throw new CustodyError(
        'ATTEST_SUBJECT_INVALID',
        `subject ${JSON.stringify(name)} is listed twice with different digests`,
        { details: { name } }
      );
    }
    digestByName.set(name, digestKey);
    byKey.set(`${name}\u0000${digestKey}`, subject);
  }
  return [...byKey.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, subject]) => subject);
}
