// JSON Schemas (draft 2020-12) custody validates every statement against before signing. Bundled
// here, never fetched. The agent-provenance schema is also published as
// docs/predicates/agent-provenance-v0.1.schema.json (a test keeps the two identical).

const HEX = '^[0-9a-f]+$';
const RFC3339_UTC = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$';

/** in-toto Attestation Framework v1: Statement and ResourceDescriptor (spec/v1). */
export const IN_TOTO_STATEMENT_V1_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://custody.dev/schemas/in-toto/statement-v1.json',
  title: 'in-toto Statement v1',
  type: 'object',
  required: ['_type', 'subject', 'predicateType'],
  properties: {
    _type: { const: 'https://in-toto.io/Statement/v1' },
    subject: {
      type: 'array',
      minItems: 1,
      items: {
        allOf: [{ $ref: '#/$defs/resourceDescriptor' }, { type: 'object', required: ['digest'] }],
      },
    },
    predicateType: { type: 'string', format: 'uri' },
    predicate: { type: 'object' },
  },
  $defs: {
    digestSet: {
      type: 'object',
      minProperties: 1,
      properties: {
        sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
        sha384: { type: 'string', pattern: '^[0-9a-f]{96}$' },
        sha512: { type: 'string', pattern: '^[0-9a-f]{128}$' },
        sha1: { type: 'string', pattern: '^[0-9a-f]{40}$' },
        gitCommit: { type: 'string', pattern: '^([0-9a-f]{40}|[0-9a-f]{64})$' },
        gitBlob: { type: 'string', pattern: '^([0-9a-f]{40}|[0-9a-f]{64})$' },
      },
      additionalProperties: { type: 'string', pattern: HEX },
    },
    resourceDescriptor: {
      type: 'object',
      properties: {
        name: { type: 'string' },
        uri: { type: 'string', minLength: 1 },
        digest: { $ref: '#/$defs/digestSet' },
        content: { type: 'string', contentEncoding: 'base64' },
        downloadLocation: { type: 'string', minLength: 1 },
        mediaType: { type: 'string', minLength: 1 },
        annotations: { type: 'object' },
      },
      anyOf: [
        { type: 'object', required: ['uri'] },
        { type: 'object', required: ['digest'] },
        { type: 'object', required: ['content'] },
      ],
    },
  },
} as const;

/** SLSA Provenance v1 predicate (slsa-framework/slsa spec/schema/provenance.cue). */
export const SLSA_PROVENANCE_V1_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://custody.dev/schemas/slsa/provenance-v1.json',
  title: 'SLSA Provenance v1 predicate',
  type: 'object',
  required: ['buildDefinition', 'runDetails'],
  properties: {
    buildDefinition: {
      type: 'object',
      required: ['buildType', 'externalParameters'],
      properties: {
        buildType: { type: 'string', format: 'uri' },
        externalParameters: { type: 'object' },
        internalParameters: { type: 'object' },
        resolvedDependencies: {
          type: 'array',
          items: {
            $ref: 'https://custody.dev/schemas/in-toto/statement-v1.json#/$defs/resourceDescriptor',
          },
        },
      },
    },
    runDetails: {
      type: 'object',
      required: ['builder'],
      properties: {
        builder: {
          type: 'object',
          required: ['id'],
          properties: {
            id: { type: 'string', format: 'uri' },
            version: { type: 'object', additionalProperties: { type: 'string' } },
            builderDependencies: {
              type: 'array',
              items: {
                $ref: 'https://custody.dev/schemas/in-toto/statement-v1.json#/$defs/resourceDescriptor',
              },
            },
          },
        },
        metadata: {
          type: 'object',
          properties: {
            invocationId: { type: 'string', minLength: 1 },
            startedOn: { type: 'string', pattern: RFC3339_UTC },
            finishedOn: { type: 'string', pattern: RFC3339_UTC },
          },
        },
        byproducts: {
          type: 'array',
          items: {
            $ref: 'https://custody.dev/schemas/in-toto/statement-v1.json#/$defs/resourceDescriptor',
          },
        },
      },
    },
  },
} as const;

const digestSha256 = {
  type: 'object',
  required: ['sha256'],
  properties: { sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' } },
  additionalProperties: false,
} as const;

/** custody agent-provenance v0.1 predicate (docs/predicates/agent-provenance.md). */
export const AGENT_PROVENANCE_V01_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://custody.dev/agent-provenance/v0.1/schema.json',
  title: 'custody agent-provenance predicate v0.1',
  description:
    'Predicate of predicateType https://custody.dev/agent-provenance/v0.1: which coding agent and model wrote which commits, from which prompt (digest or keyed commitment, never the text), under which plan, approved by which humans.',
  type: 'object',
  required: ['agent', 'model', 'changes', 'humanApprovals', 'autonomy'],
  additionalProperties: false,
  properties: {
    agent: {
      type: 'object',
      required: ['name'],
      additionalProperties: false,
      properties: {
        id: { type: 'string', format: 'uri' },
        name: { type: 'string', minLength: 1, maxLength: 200 },
        version: { type: 'string', minLength: 1, maxLength: 200 },
        tools: { type: 'array', items: { type: 'string', minLength: 1 }, uniqueItems: true },
      },
    },
    model: {
      type: 'object',
      required: ['name'],
      additionalProperties: false,
      properties: {
        provider: { type: 'string', minLength: 1, maxLength: 200 },
        name: { type: 'string', minLength: 1, maxLength: 200 },
        version: { type: 'string', minLength: 1, maxLength: 200 },
      },
    },
    session: {
      type: 'object',
      additionalProperties: false,
      properties: {
        id: { type: 'string', minLength: 1 },
        startedOn: { type: 'string', pattern: RFC3339_UTC },
        finishedOn: { type: 'string', pattern: RFC3339_UTC },
        invocationUri: { type: 'string', format: 'uri' },
      },
    },
    prompt: {
      type: 'object',
      required: ['role', 'digest', 'mediaType', 'commitment'],
      additionalProperties: false,
      properties: {
        role: { enum: ['user', 'system'] },
        digest: digestSha256,
        mediaType: { type: 'string', minLength: 1 },
        commitment: { enum: ['sha256', 'hmac-sha256'] },
        keyId: { type: 'string', pattern: '^[0-9a-f]{16}$' },
      },
      if: { type: 'object', properties: { commitment: { const: 'hmac-sha256' } } },
      then: { type: 'object', required: ['keyId'] },
      else: { type: 'object', not: { type: 'object', required: ['keyId'] } },
    },
    instructions: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'digest'],
        properties: {
          name: { type: 'string', minLength: 1 },
          digest: { type: 'object', minProperties: 1 },
        },
      },
    },
    plan: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      properties: {
        id: { type: 'string', minLength: 1 },
        uri: { type: 'string', format: 'uri' },
        digest: digestSha256,
      },
    },
    changes: {
      type: 'array',
      items: {
        type: 'object',
        required: ['digest'],
        properties: {
          uri: { type: 'string', minLength: 1 },
          digest: {
            type: 'object',
            required: ['gitCommit'],
            properties: { gitCommit: { type: 'string', pattern: '^([0-9a-f]{40}|[0-9a-f]{64})$' } },
          },
          annotations: { type: 'object' },
        },
      },
    },
    humanApprovals: {
      type: 'array',
      items: {
        type: 'object',
        required: ['approver', 'method', 'evidence'],
        additionalProperties: false,
        properties: {
          approver: {
            type: 'object',
            required: ['id'],
            additionalProperties: false,
            properties: {
              id: { type: 'string', format: 'uri' },
              login: { type: 'string', minLength: 1 },
              platformId: { type: 'string', minLength: 1 },
            },
          },
          method: { enum: ['pr-review', 'mr-approval', 'signed-tag'] },
          timestamp: { type: 'string', pattern: RFC3339_UTC },
          evidence: {
            type: 'object',
            required: ['uri'],
            additionalProperties: false,
            properties: { uri: { type: 'string', format: 'uri' }, digest: digestSha256 },
          },
          changeRequest: {
            type: 'object',
            required: ['uri', 'number'],
            additionalProperties: false,
            properties: {
              uri: { type: 'string', format: 'uri' },
              number: { type: 'integer', minimum: 1 },
            },
          },
          commits: {
            type: 'array',
            items: { type: 'string', pattern: '^([0-9a-f]{40}|[0-9a-f]{64})$' },
          },
          reviewedCommit: { type: 'string', pattern: '^([0-9a-f]{40}|[0-9a-f]{64})$' },
        },
      },
    },
    autonomy: { enum: ['assisted', 'autonomous'] },
  },
} as const;
