import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { attestDemoStep } from '../../src/cli/commands/attest.js';
import type { DemoState } from '../../src/cli/demo/state.js';
import { SAMPLE_PROMPT } from '../../src/ci/sample-history.js';
import { REPO_ROOT } from '../helpers/cli.js';

describe('demo step: attest', () => {
  it('writes SBOM, agent and provenance bundles for the sample release into hello.intoto.jsonl', async () => {
    const outDir = mkdtempSync(path.join(tmpdir(), 'custody-demo-attest-'));
    writeFileSync(path.join(outDir, 'hello-linux-amd64'), 'bin\n');
    writeFileSync(path.join(outDir, 'README.txt'), 'hello\n');
    const lines: string[] = [];
    const state: DemoState = {
      ctx: {
        io: { stdout: () => undefined, stderr: () => undefined, stderrIsTTY: false },
        env: { PATH: process.env.PATH },
        cwd: outDir,
        now: () => new Date('2026-11-20T10:30:00Z'),
      },
      outDir,
      artifacts: ['README.txt', 'hello-linux-amd64'],
      facts: new Map<string, unknown>([
        ['sbom', path.join(REPO_ROOT, 'fixtures/attest/hello.cdx.json')],
      ]),
      cleanups: [],
      log: (line) => lines.push(line),
    };
    try {
      await attestDemoStep.run(state);
    } finally {
      for (const cleanup of state.cleanups.reverse()) await cleanup();
    }
    const jsonl = readFileSync(path.join(outDir, 'hello.intoto.jsonl'), 'utf8').trim().split('\n');
    expect(jsonl).toHaveLength(3);
    const types = jsonl.map(
      (l) =>
        (
          JSON.parse(Buffer.from(JSON.parse(l).dsseEnvelope.payload, 'base64').toString()) as {
            predicateType: string;
          }
        ).predicateType
    );
    expect(types).toEqual([
      'https://cyclonedx.org/bom',
      'https://custody.dev/agent-provenance/v0.1',
      'https://slsa.dev/provenance/v1',
    ]);
    const facts = state.facts.get('attestations') as { kinds: string[]; agentCommits: string[] };
    expect(facts.kinds).toEqual(['sbom', 'agent', 'provenance']);
    expect(facts.agentCommits).toHaveLength(2);
    expect(lines.join('\n')).toContain('demo data');
    for (const line of jsonl) {
      const payload = Buffer.from(JSON.parse(line).dsseEnvelope.payload, 'base64').toString('utf8');
      expect(payload).not.toContain(SAMPLE_PROMPT);
    }
    expect(lines.join('\n')).not.toContain(SAMPLE_PROMPT);
  });
});
