// Schema validation of statements before they are signed: the in-toto Statement v1 schema for
// every statement, plus the predicate's schema for SLSA provenance and agent provenance.
// Schemas are bundled (src/attest/schemas.ts); remote $refs are never fetched.
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { CustodyError } from '../errors.js';
import { AGENT_PROVENANCE_PREDICATE_TYPE } from './agent.js';
import type { InTotoStatement } from './intoto.js';
import { SLSA_PROVENANCE_V1 } from './provenance.js';
import {
  AGENT_PROVENANCE_V01_SCHEMA,
  IN_TOTO_STATEMENT_V1_SCHEMA,
  SLSA_PROVENANCE_V1_SCHEMA,
} from './schemas.js';

// ajv-formats is CommonJS with a default export; under NodeNext its type is the module namespace.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

interface Validators {
  statement: ValidateFunction;
  predicates: ReadonlyMap<string, ValidateFunction>;
}

let validators: Validators | undefined;

function getValidators(): Validators {
  if (validators !== undefined) return validators;
  const ajv = new Ajv2020({
    allErrors: true,
    strict: true,
    strictRequired: false, // anyOf: [{required: [uri]}, …] is the idiomatic "one of these" form
    loadSchema: (uri: string) => Promise.reject(new Error(`remote schemas are disabled: ${uri}`)),
  });
  addFormats(ajv);
  ajv.addSchema(IN_TOTO_STATEMENT_V1_SCHEMA);
  validators = {
    statement:
      ajv.getSchema(IN_TOTO_STATEMENT_V1_SCHEMA.$id) ?? ajv.compile(IN_TOTO_STATEMENT_V1_SCHEMA),
    predicates: new Map([
      [SLSA_PROVENANCE_V1, ajv.compile(SLSA_PROVENANCE_V1_SCHEMA)],
      [AGENT_PROVENANCE_PREDICATE_TYPE, ajv.compile(AGENT_PROVENANCE_V01_SCHEMA)],
    ]),
  };
  return validators;
}

export interface SchemaProblem {
  /** JSON pointer into the statement, e.g. /predicate/model/name. */
  path: string;
  message: string;
}

/** Returns the schema problems of a statement (empty when valid). */
export function statementProblems(statement: unknown): SchemaProblem[] {
  const { statement: validateStatement, predicates } = getValidators();
  const problems: SchemaProblem[] = [];
  if (!validateStatement(statement)) problems.push(...toProblems(validateStatement.errors, ''));
  const predicateType = (statement as { predicateType?: unknown } | null)?.predicateType;
  const validatePredicate =
    typeof predicateType === 'string' ? predicates.get(predicateType) : undefined;
  if (validatePredicate !== undefined) {
    const predicate = (statement as { predicate?: unknown }).predicate;
    if (predicate === undefined) {
      problems.push({ path: '/predicate', message: 'is required for this predicateType' });
    } else if (!validatePredicate(predicate)) {
      problems.push(...toProblems(validatePredicate.errors, '/predicate'));
    }
  }
  return problems;
}

/** Throws ATTEST_STATEMENT_INVALID unless the statement matches its schemas. */
export function validateStatement(statement: InTotoStatement): void {
  const problems = statementProblems(statement);
  if (problems.length === 0) return;
  const first = problems[0];
  throw new CustodyError(
    'ATTEST_STATEMENT_INVALID',
    `the ${statement.predicateType} statement does not match its schema: ${first?.path || '/'} ${first?.message ?? ''} (${problems.length} problem${problems.length === 1 ? '' : 's'}); it was not signed`,
    { details: { problems: problems.slice(0, 20) } }
  );
}

function toProblems(errors: ErrorObject[] | null | undefined, prefix: string): SchemaProblem[] {
  return (errors ?? []).map((error) => ({
    path: `${prefix}${error.instancePath}`,
    message: error.message ?? error.keyword,
  }));
}
