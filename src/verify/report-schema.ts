// JSON schema of the verification report (`custody verify --format json`); docs/verify.schema.json
// is a copy, kept equal by a test. Additive changes only within schemaVersion v1.
const check = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'code', 'status', 'message'],
  properties: {
    id: { type: 'string' },
    code: { type: 'string', pattern: '^[A-Z][A-Z0-9_]+$' },
    status: { enum: ['pass', 'fail', 'skip'] },
    message: { type: 'string' },
    evidence: { type: 'object' },
  },
} as const;

export const REPORT_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://custody.dev/schemas/verification-report/v1.json',
  title: 'custody verification report',
  type: 'object',
  additionalProperties: false,
  required: [
    'schemaVersion',
    'verdict',
    'verifiedAt',
    'policy',
    'release',
    'artifacts',
    'attestations',
    'summary',
  ],
  properties: {
    schemaVersion: { const: 'https://custody.dev/verification-report/v1' },
    verdict: { enum: ['PASS', 'FAIL'] },
    verifiedAt: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$' },
    policy: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'uri', 'digest'],
      properties: {
        name: { type: 'string' },
        uri: { type: 'string' },
        digest: {
          type: 'object',
          additionalProperties: false,
          required: ['sha256'],
          properties: { sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' } },
        },
      },
    },
    trustedRoot: { type: 'string' },
    release: {
      type: 'object',
      additionalProperties: false,
      required: ['checks'],
      properties: { checks: { type: 'array', items: check } },
    },
    artifacts: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'digest', 'verdict', 'slsaBuildLevel', 'checks'],
        properties: {
          name: { type: 'string' },
          digest: {
            type: 'object',
            additionalProperties: { type: 'string', pattern: '^[0-9a-f]+$' },
          },
          verdict: { enum: ['PASS', 'FAIL'] },
          slsaBuildLevel: { enum: [0, 1, 2, 3] },
          checks: { type: 'array', items: check },
        },
      },
    },
    attestations: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'file', 'kind', 'status'],
        properties: {
          id: { type: 'string' },
          file: { type: 'string' },
          kind: { enum: ['message-signature', 'dsse', 'unsigned-statement', 'unreadable'] },
          status: { enum: ['verified', 'invalid', 'unsigned'] },
          code: { type: 'string' },
          message: { type: 'string' },
          predicateType: { type: 'string' },
          subjects: { type: 'integer', minimum: 0 },
          signer: { type: 'object' },
          signerAllowed: { type: 'boolean' },
          signedAt: { type: 'string' },
          tlogEntries: { type: 'integer', minimum: 0 },
          timestamps: { type: 'integer', minimum: 0 },
        },
      },
    },
    summary: {
      type: 'object',
      additionalProperties: false,
      required: ['artifacts', 'artifactsPassed', 'checks', 'failures'],
      properties: {
        artifacts: { type: 'integer', minimum: 0 },
        artifactsPassed: { type: 'integer', minimum: 0 },
        checks: {
          type: 'object',
          additionalProperties: false,
          required: ['pass', 'fail', 'skip'],
          properties: {
            pass: { type: 'integer', minimum: 0 },
            fail: { type: 'integer', minimum: 0 },
            skip: { type: 'integer', minimum: 0 },
          },
        },
        failures: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['id', 'code', 'subject', 'message'],
            properties: {
              id: { type: 'string' },
              code: { type: 'string' },
              subject: { type: 'string' },
              message: { type: 'string' },
            },
          },
        },
      },
    },
  },
} as const;
