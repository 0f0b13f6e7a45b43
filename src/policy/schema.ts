// JSON schema of a release policy document (docs/policy.schema.json is a copy; a test keeps
// them equal). Unknown fields are rejected so a typo cannot silently weaken a policy.
import { FULCIO_EXTENSION_NAMES } from './types.js';

const stringList = { type: 'array', items: { type: 'string', minLength: 1 } } as const;

const packageRule = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: { type: 'string', minLength: 1, description: 'component name (glob) or pkg: URL prefix' },
    versions: { type: 'string', minLength: 1, description: 'semver range, e.g. "<4.17.21"' },
  },
} as const;

const signerRule = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    issuer: { type: 'string', minLength: 1 },
    issuerRegExp: { type: 'string', minLength: 1 },
    subject: { type: 'string', minLength: 1 },
    subjectRegExp: { type: 'string', minLength: 1 },
    signerWorkflow: { type: 'string', minLength: 1 },
    extensions: {
      type: 'object',
      additionalProperties: false,
      properties: Object.fromEntries(
        FULCIO_EXTENSION_NAMES.map((name) => [name, { type: 'string', minLength: 1 }])
      ),
    },
    publicKey: { type: 'string', pattern: '-----BEGIN PUBLIC KEY-----' },
  },
} as const;

export const POLICY_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://custody.dev/schemas/release-policy/v1alpha1.json',
  title: 'custody release policy',
  type: 'object',
  additionalProperties: false,
  required: ['apiVersion', 'kind', 'spec'],
  properties: {
    apiVersion: { const: 'custody.dev/v1alpha1' },
    kind: { const: 'ReleasePolicy' },
    metadata: {
      type: 'object',
      additionalProperties: false,
      properties: { name: { type: 'string', minLength: 1 }, description: { type: 'string' } },
    },
    spec: {
      type: 'object',
      additionalProperties: false,
      properties: {
        signers: { type: 'array', items: signerRule },
        checksums: {
          type: 'object',
          additionalProperties: false,
          properties: {
            required: { type: 'boolean' },
            file: { type: 'string', minLength: 1 },
            signed: { type: 'boolean' },
          },
        },
        signatures: {
          type: 'object',
          additionalProperties: false,
          properties: { required: { type: 'boolean' } },
        },
        provenance: {
          type: 'object',
          additionalProperties: false,
          properties: {
            required: { type: 'boolean' },
            signed: { type: 'boolean' },
            predicateTypes: stringList,
            builderIds: stringList,
            buildTypes: stringList,
            sourceRepositories: stringList,
            sourceRefs: stringList,
            sourceDigests: {
              type: 'array',
              items: { type: 'string', pattern: '^[0-9a-f]{40}([0-9a-f]{24})?$' },
            },
            workflows: stringList,
            runnerEnvironments: stringList,
            denySelfHostedRunners: { type: 'boolean' },
            certificateAgreement: { type: 'boolean' },
          },
        },
        sbom: {
          type: 'object',
          additionalProperties: false,
          properties: {
            required: { type: 'boolean' },
            specVersions: { type: 'array', items: { type: 'string', pattern: '^1\\.[0-9]+$' } },
            deniedLicenses: stringList,
            deniedPackages: { type: 'array', items: packageRule },
            requiredComponents: { type: 'array', items: packageRule },
          },
        },
        agents: {
          type: 'object',
          additionalProperties: false,
          properties: {
            required: { type: 'boolean' },
            allowedAgents: stringList,
            allowedModels: stringList,
            requirePromptDigest: { type: 'boolean' },
            minApprovals: { type: 'integer', minimum: 0, maximum: 100 },
            allowedApprovers: stringList,
            allowedAutonomy: {
              type: 'array',
              items: { enum: ['assisted', 'autonomous'] },
            },
          },
        },
        freshness: {
          type: 'object',
          additionalProperties: false,
          properties: {
            maxAge: {
              type: 'string',
              pattern: '^[0-9]{1,6}(s|m|h|d|w)$',
              description: 'e.g. 90d, 12h',
            },
          },
        },
        transparency: {
          type: 'object',
          additionalProperties: false,
          properties: {
            requireTlog: { type: 'boolean' },
            minTimestamps: { type: 'integer', minimum: 0, maximum: 10 },
          },
        },
      },
    },
  },
} as const;
