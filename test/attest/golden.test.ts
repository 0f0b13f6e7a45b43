import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildAgentProvenance, commitPrompt } from '../../src/attest/agent.js';
import { attestationDescriptor } from '../../src/attest/link.js';
import { buildProvenance } from '../../src/attest/provenance.js';
import { buildSBOMStatement } from '../../src/attest/sbom.js';
import { scanCommits, type CommitRecord } from '../../src/attest/scan.js';
import { parseIdentity } from '../../src/attest/trailers.js';
import { statementProblems } from '../../src/attest/validate.js';
import { detectCIContext } from '../../src/ci/detect.js';
import { canonicalJSON, prettyCanonicalJSON } from '../../src/util/canonical-json.js';
import { resolveBuildTime } from '../../src/util/time.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { GOLDEN_DIR, ciEnvNames, fixtureSecrets, loadCIEnv } from './env-fixtures.js';

const EPOCH = '1795170600'; // 2026-11-20T10:30:00Z, after the fixture jobs started
const SUBJECTS = [
  { name: 'hello-linux-amd64', digest: { sha256: 'b'.repeat(64) } },
  { name: 'SHA256SUMS', digest: { sha256: 'a'.repeat(64) } },
];

function compareGolden(name: string, content: string): void {
  const file = path.join(GOLDEN_DIR, name);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
    writeFileSync(file, content);
    if (process.env.UPDATE_GOLDEN !== '1') throw new Error(`golden ${name} was missing; written`);
  }
  expect(content).toBe(readFileSync(file, 'utf8'));
}

function sampleSBOMStatement() {
  const sbom = readFileSync(path.join(REPO_ROOT, 'fixtures/attest/hello.cdx.json'));
  return buildSBOMStatement(sbom, SUBJECTS);
}

function sampleCommits(): CommitRecord[] {
  const msg = (n: string) =>
    readFileSync(path.join(REPO_ROOT, 'fixtures/attest/messages', `${n}.txt`), 'utf8');
  const jane = parseIdentity('Jane Doe <jane.doe@example.com>')!;
  return [
    {
      sha: '62cdb7020ff920e5aa642c3d4066950dd1f01f4d',
      author: jane,
      committer: jane,
      authorDate: '2025-11-19T09:00:00Z',
      message: msg('kernel-form'),
    },
    {
      sha: '1b6453892473a467d07372d45eb05abc2031647a',
      author: jane,
      committer: jane,
      authorDate: '2025-11-19T10:00:00Z',
      message: msg('human'),
    },
  ];
}

function sampleAgentStatement() {
  const scan = scanCommits(sampleCommits(), { declaredModel: 'claude-opus-4-1' });
  return buildAgentProvenance({
    agent: { name: 'claude-code', version: '2.0.14', tools: ['vitest', 'eslint'] },
    model: { provider: 'anthropic', name: 'claude-opus-4-1' },
    session: { id: 'urn:uuid:6f1c2a8e-0b5d-4c1e-9a57-2f0e4c8b1d33' },
    prompt: commitPrompt(new TextEncoder().encode('Fix the off-by-one in the trailer parser.'), {
      hmacKey: new TextEncoder().encode('k'.repeat(32)),
    }),
    plan: { id: 'PLAN-42', digest: { sha256: 'c'.repeat(64) } },
    commits: scan.agentCommits,
    repositoryUri: 'git+https://github.com/acme/hello',
    humanApprovals: [
      {
        approver: { id: 'https://github.com/octocat', login: 'octocat', platformId: '583231' },
        method: 'pr-review',
        timestamp: '2025-11-19T12:00:00Z',
        evidence: {
          uri: 'https://github.com/acme/hello/pull/17#pullrequestreview-1',
          digest: { sha256: 'd'.repeat(64) },
        },
        changeRequest: { uri: 'https://github.com/acme/hello/pull/17', number: 17 },
        commits: ['62cdb7020ff920e5aa642c3d4066950dd1f01f4d'],
      },
    ],
    autonomy: 'assisted',
    artifacts: SUBJECTS,
  });
}

describe('golden statements from fixture CI environments', () => {
  const names = ciEnvNames();
  it('has the five CI fixtures', () => {
    expect(names).toEqual([
      'github-pull-request',
      'github-push',
      'github-tag',
      'gitlab-merge-request',
      'gitlab-tag',
    ]);
  });

  for (const name of names) {
    it(`${name}: provenance is byte-identical to the golden file, schema-valid, secret-free`, async () => {
      const env = { ...loadCIEnv(name), SOURCE_DATE_EPOCH: EPOCH };
      const build = async () => {
        const ctx = await detectCIContext(env);
        const now = resolveBuildTime(env.SOURCE_DATE_EPOCH, new Date());
        const byproducts = [
          attestationDescriptor(sampleSBOMStatement(), { downloadLocation: 'hello.intoto.jsonl' }),
          attestationDescriptor(sampleAgentStatement(), { downloadLocation: 'hello.intoto.jsonl' }),
        ];
        return buildProvenance(ctx, SUBJECTS, { now, byproducts });
      };
      const first = await build();
      const second = await build();
      expect(canonicalJSON(first)).toBe(canonicalJSON(second));
      expect(statementProblems(first)).toEqual([]);
      const text = prettyCanonicalJSON(first);
      for (const secret of fixtureSecrets(env)) expect(text).not.toContain(secret);
      compareGolden(`${name}.provenance.json`, text);
    });
  }

  it('local build provenance', () => {
    const statement = buildProvenance(
      {
        platform: 'local',
        builderId: 'https://example.com/builders/release-laptop',
        source: {
          uri: 'https://github.com/acme/hello',
          ref: 'refs/heads/main',
          commit: '3f786850e387550fdab836ed7e6dc881de23001b',
        },
        invocationId: undefined,
      },
      SUBJECTS,
      { now: resolveBuildTime(EPOCH, new Date()) }
    );
    expect(statementProblems(statement)).toEqual([]);
    compareGolden('local.provenance.json', prettyCanonicalJSON(statement));
  });

  it('SBOM and agent statements', () => {
    const sbom = sampleSBOMStatement();
    const agent = sampleAgentStatement();
    expect(statementProblems(sbom)).toEqual([]);
    expect(statementProblems(agent)).toEqual([]);
    const agentText = prettyCanonicalJSON(agent);
    expect(agentText).not.toContain('Fix the off-by-one');
    expect(agentText).not.toContain('k'.repeat(32));
    compareGolden('sbom.statement.json', prettyCanonicalJSON(sbom));
    compareGolden('agent.statement.json', agentText);
  });
});
