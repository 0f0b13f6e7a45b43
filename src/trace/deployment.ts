// The deployment record predicate (https://custody.dev/deployment/v0.1): which digest went to
// which environment and target, when, by whom, relying on which verification summary. Pure: the
// CLI (src/cli/commands/attest-deploy.ts) gathers the inputs and signs the statement.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { buildStatement, dsseMediaType } from '../attest/intoto.js';
import type { InTotoStatement, ResourceDescriptor } from '../attest/intoto.js';
import { CustodyError } from '../errors.js';
import { toRFC3339 } from '../util/time.js';

export const DEPLOYMENT_PREDICATE_TYPE = 'https://custody.dev/deployment/v0.1';
export const DEPLOYMENT_MEDIA_TYPE = dsseMediaType('deployment');
export const VSA_MEDIA_TYPE = dsseMediaType('verification_summary');

export interface DeploymentPredicate {
  /** Deployment environment name, e.g. production, staging. */
  environment: string;
  /** Where the artifact runs: a URI (cluster, service, host, registry tag) and an optional name. */
  target: { uri: string; name?: string };
  /** When the deployment happened, RFC 3339 UTC. */
  deployedAt: string;
  /** Who deployed, as claimed by the deployer; the signing certificate is the authenticated identity. */
  deployer?: { id: string; issuer?: string };
  /** The deployment job or pipeline run (CI job URL). */
  invocationUri?: string;
  /** The SLSA VSA the deployment relied on: digest = SHA-256 of the VSA's DSSE payload. */
  verificationSummary?: ResourceDescriptor;
  /** The VSA's verificationResult as read at deploy time. */
  verificationResult?: 'PASSED' | 'FAILED';
}

const RFC3339_UTC = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$';

/** JSON Schema (2020-12) of the predicate; published as docs/predicates/deployment-v0.1.schema.json. */
export const DEPLOYMENT_V01_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://custody.dev/schemas/deployment-v0.1.json',
  title: 'custody deployment record predicate v0.1',
  type: 'object',
  required: ['environment', 'target', 'deployedAt'],
  properties: {
    environment: { type: 'string', minLength: 1, maxLength: 200 },
    target: {
      type: 'object',
      required: ['uri'],
      properties: {
        uri: { type: 'string', format: 'uri', maxLength: 2048 },
        name: { type: 'string', minLength: 1, maxLength: 200 },
      },
      additionalProperties: false,
    },
    deployedAt: { type: 'string', pattern: RFC3339_UTC },
    deployer: {
      type: 'object',
      required: ['id'],
      properties: {
        id: { type: 'string', minLength: 1, maxLength: 1024 },
        issuer: { type: 'string', minLength: 1, maxLength: 1024 },
      },
      additionalProperties: false,
    },
    invocationUri: { type: 'string', format: 'uri', maxLength: 2048 },
    verificationSummary: {
      type: 'object',
      required: ['digest'],
      properties: {
        name: { type: 'string' },
        uri: { type: 'string' },
        digest: {
          type: 'object',
          required: ['sha256'],
          properties: { sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' } },
        },
        downloadLocation: { type: 'string' },
        mediaType: { type: 'string' },
        annotations: { type: 'object' },
      },
    },
    verificationResult: { enum: ['PASSED', 'FAILED'] },
  },
  additionalProperties: false,
} as const;

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
let validator: ValidateFunction | undefined;

/** Schema problems of a deployment predicate, as "path: message" lines (empty when valid). */
export function deploymentProblems(predicate: unknown): string[] {
  if (validator === undefined) {
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormats(ajv);
    validator = ajv.compile(DEPLOYMENT_V01_SCHEMA);
  }
  if (validator(predicate)) return [];
  return (validator.errors ?? []).map(
    (e) => `${e.instancePath === '' ? '/' : e.instancePath}: ${e.message ?? 'invalid'}`
  );
}

export interface DeploymentInput {
  subjects: readonly ResourceDescriptor[];
  environment: string;
  target: { uri: string; name?: string };
  deployedAt: Date;
  deployer?: { id: string; issuer?: string };
  invocationUri?: string;
  verificationSummary?: ResourceDescriptor;
  verificationResult?: 'PASSED' | 'FAILED';
}

/** Builds and validates the deployment statement; bad input is TRACE_DEPLOY_INPUT_INVALID. */
export function buildDeploymentStatement(
  input: DeploymentInput
): InTotoStatement<DeploymentPredicate> {
  if (input.subjects.length === 0) {
    throw new CustodyError(
      'TRACE_DEPLOY_INPUT_INVALID',
      'a deployment record needs at least one deployed digest (--subject or --digest)'
    );
  }
  const predicate: DeploymentPredicate = {
    environment: input.environment,
    target: { ...input.target },
    deployedAt: toRFC3339(input.deployedAt),
    ...(input.deployer === undefined ? {} : { deployer: { ...input.deployer } }),
    ...(input.invocationUri === undefined ? {} : { invocationUri: input.invocationUri }),
    ...(input.verificationSummary === undefined
      ? {}
      : { verificationSummary: input.verificationSummary }),
    ...(input.verificationResult === undefined
      ? {}
      : { verificationResult: input.verificationResult }),
  };
  const problems = deploymentProblems(predicate);
  if (problems.length > 0) {
    throw new CustodyError(
      'TRACE_DEPLOY_INPUT_INVALID',
      `the deployment record is invalid: ${problems.join('; ')}`,
      { details: { problems } }
    );
  }
  return buildStatement(input.subjects, DEPLOYMENT_PREDICATE_TYPE, predicate);
}
