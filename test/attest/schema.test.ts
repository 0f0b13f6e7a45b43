import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildAgentProvenance,
  commitPrompt,
  planFromDocument,
  promptFromDigest,
} from '../../src/attest/agent.js';
import { buildStatement } from '../../src/attest/intoto.js';
import { buildProvenance } from '../../src/attest/provenance.js';
import { buildSBOMStatement, SBOM_SIZE_LIMIT } from '../../src/attest/sbom.js';
import { AGENT_PROVENANCE_V01_SCHEMA } from '../../src/attest/schemas.js';
import { statementProblems, validateStatement } from '../../src/attest/validate.js';
import { prettyCanonicalJSON } from '../../src/util/canonical-json.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { expectCode } from '../helpers/errors.js';

const SUBJECT = [{ name: 'a.bin', digest: { sha256: 'a'.repeat(64) } }];
const local = {
  platform: 'local' as const,
  builderId: 'https://example.com/b',
  source: undefined,
  invocationId: undefined,
};
const agentInput = {
  agent: { name: 'claude-code' },
  model: { name: 'claude-opus-4-1' },
  commits: [],
  humanApprovals: [],
  autonomy: 'assisted' as const,
  artifacts: SUBJECT,
};

describe('statement schemas', () => {
  it('docs/predicates/agent-provenance-v0.1.schema.json is the bundled schema', () => {
    const file = path.join(REPO_ROOT, 'docs/predicates/agent-provenance-v0.1.schema.json');
    // written canonical; Prettier may reflow it, so compare the parsed documents
    if (process.env.UPDATE_GOLDEN === '1')
      writeFileSync(file, prettyCanonicalJSON(AGENT_PROVENANCE_V01_SCHEMA));
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(AGENT_PROVENANCE_V01_SCHEMA);
  });

  it('accepts the statements custody builds', () => {
    expect(statementProblems(buildProvenance(local, SUBJECT, { now: new Date(0) }))).toEqual([]);
    expect(statementProblems(buildAgentProvenance(agentInput))).toEqual([]);
  });

  it('rejects an invalid statement before signing, naming the field', async () => {
    const bad = buildAgentProvenance({ ...agentInput, model: { name: '' } });
    const error = await expectCode(() => validateStatement(bad), 'ATTEST_STATEMENT_INVALID');
    expect(error.message).toContain('/predicate/model/name');
    expect(error.message).toContain('not signed');
  });

  it('rejects bad in-toto envelopes and SLSA predicates', () => {
    const cases: [unknown, string][] = [
      [
        {
          ...buildStatement(SUBJECT, 'https://x.dev/p', {}),
          _type: 'https://in-toto.io/Statement/v0.1',
        },
        '/_type',
      ],
      [
        buildStatement([{ name: 'x', digest: { sha256: 'XYZ' } }], 'https://x.dev/p', {}),
        '/subject/0/digest/sha256',
      ],
      [
        { _type: 'https://in-toto.io/Statement/v1', subject: [], predicateType: 'https://x.dev/p' },
        '/subject',
      ],
      [
        {
          _type: 'https://in-toto.io/Statement/v1',
          subject: [{ name: 'x' }],
          predicateType: 'https://x.dev/p',
        },
        '/subject/0',
      ],
      [
        buildStatement(SUBJECT, 'https://slsa.dev/provenance/v1', {
          buildDefinition: {},
          runDetails: { builder: { id: 'https://b' } },
        }),
        '/predicate/buildDefinition',
      ],
      [
        buildStatement(SUBJECT, 'https://slsa.dev/provenance/v1', {
          buildDefinition: { buildType: 'https://t', externalParameters: {} },
          runDetails: { builder: {} },
        }),
        '/predicate/runDetails/builder',
      ],
      [
        buildStatement(SUBJECT, 'https://slsa.dev/provenance/v1', {
          buildDefinition: { buildType: 'https://t', externalParameters: {} },
          runDetails: {
            builder: { id: 'https://b' },
            metadata: { finishedOn: '2026-01-01 00:00' },
          },
        }),
        '/predicate/runDetails/metadata/finishedOn',
      ],
      [
        buildStatement(SUBJECT, 'https://custody.dev/agent-provenance/v0.1', {
          ...buildAgentProvenance(agentInput).predicate,
          autonomy: 'yolo',
        }),
        '/predicate/autonomy',
      ],
      [
        buildStatement(SUBJECT, 'https://custody.dev/agent-provenance/v0.1', {
          ...buildAgentProvenance(agentInput).predicate,
          promptText: 'leak',
        }),
        '/predicate',
      ],
      [
        buildStatement(SUBJECT, 'https://custody.dev/agent-provenance/v0.1', {
          ...buildAgentProvenance(agentInput).predicate,
          prompt: { ...promptFromDigest('a'.repeat(64)), commitment: 'hmac-sha256' },
        }),
        '/predicate/prompt',
      ],
    ];
    for (const [statement, pathPrefix] of cases) {
      const problems = statementProblems(statement);
      expect(problems.length, JSON.stringify(statement).slice(0, 200)).toBeGreaterThan(0);
      expect(
        problems.some((p) => p.path.startsWith(pathPrefix)),
        JSON.stringify(problems)
      ).toBe(true);
    }
  });
});

describe('agent inputs', () => {
  it('commits to a prompt by SHA-256 or HMAC without keeping the text', () => {
    const prompt = new TextEncoder().encode('abc');
    expect(commitPrompt(prompt).digest.sha256).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
    );
    const key = new TextEncoder().encode('key'.repeat(11));
    const hmac = commitPrompt(prompt, { hmacKey: key });
    expect(hmac.commitment).toBe('hmac-sha256');
    expect(hmac.keyId).toMatch(/^[0-9a-f]{16}$/);
    expect(JSON.stringify(hmac)).not.toContain('abc');
  });

  it('refuses short HMAC keys, malformed digests, bad plans and bad autonomy', async () => {
    await expectCode(
      () => commitPrompt(new Uint8Array(1), { hmacKey: new Uint8Array(8) }),
      'ATTEST_AGENT_INPUT_INVALID'
    );
    await expectCode(() => promptFromDigest('abc'), 'ATTEST_AGENT_INPUT_INVALID');
    await expectCode(
      () => planFromDocument(new TextEncoder().encode('{"id":')),
      'ATTEST_AGENT_INPUT_INVALID'
    );
    await expectCode(
      () => buildAgentProvenance({ ...agentInput, autonomy: 'yolo' as never }),
      'ATTEST_AGENT_INPUT_INVALID'
    );
  });

  it('reads the plan id and digest from WORK_PLAN.json', () => {
    const plan = planFromDocument(new TextEncoder().encode('{"id":"PLAN-7","steps":[]}'));
    expect(plan.id).toBe('PLAN-7');
    expect(plan.digest?.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('SBOM statement', () => {
  it('refuses input that is neither CycloneDX nor SPDX with a clear code', async () => {
    await expectCode(
      () => buildSBOMStatement('{"spdxVersion":"2.3"}', SUBJECT),
      'ATTEST_SBOM_INVALID'
    );
    await expectCode(
      () => buildSBOMStatement('{"bomFormat":"SPDX"}', SUBJECT),
      'ATTEST_SBOM_INVALID'
    );
    await expectCode(() => buildSBOMStatement('{"bomFormat":', SUBJECT), 'ATTEST_SBOM_INVALID');
    await expectCode(() => buildSBOMStatement('[]', SUBJECT), 'ATTEST_SBOM_INVALID');
  });

  it('refuses an SBOM over the 16 MiB limit', async () => {
    const big = {
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      padding: 'x'.repeat(SBOM_SIZE_LIMIT),
    };
    const error = await expectCode(() => buildSBOMStatement(big, SUBJECT), 'ATTEST_SBOM_TOO_LARGE');
    expect(error.details?.limit).toBe(SBOM_SIZE_LIMIT);
    const justUnder = {
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      p: 'x'.repeat(SBOM_SIZE_LIMIT - 100),
    };
    expect(buildSBOMStatement(justUnder, SUBJECT).predicateType).toBe('https://cyclonedx.org/bom');
  });

  it('refuses a subject name listed with two digests', async () => {
    await expectCode(
      () =>
        buildStatement(
          [SUBJECT[0]!, { name: 'a.bin', digest: { sha256: 'b'.repeat(64) } }],
          'https://x',
          {}
        ),
      'ATTEST_SUBJECT_INVALID'
    );
  });
});
