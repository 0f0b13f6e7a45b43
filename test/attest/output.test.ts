import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildAgentProvenance } from '../../src/attest/agent.js';
import { byproductsFromText } from '../../src/attest/byproducts.js';
import { buildStatement } from '../../src/attest/intoto.js';
import { statementDigest } from '../../src/attest/link.js';
import { appendBundle, planOutput } from '../../src/attest/output.js';
import { canonicalJSON } from '../../src/util/canonical-json.js';
import { expectCode } from '../helpers/errors.js';

const SUBJECT = [{ name: 'a', digest: { sha256: 'a'.repeat(64) } }];
const agent = buildAgentProvenance({
  agent: { name: 'x' },
  model: { name: 'y' },
  commits: [],
  humanApprovals: [],
  autonomy: 'assisted',
  artifacts: SUBJECT,
});
const provenance = buildStatement(SUBJECT, 'https://slsa.dev/provenance/v1', {});
const bundleOf = (statement: object) => ({
  mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
  dsseEnvelope: {
    payload: Buffer.from(canonicalJSON(statement)).toString('base64'),
    payloadType: 'application/vnd.in-toto+json',
    signatures: [],
  },
});

describe('output', () => {
  it('names outputs after the single subject, the checksums file, or "multiple"', () => {
    expect(planOutput({ cwd: '/w', subjectFiles: ['/w/dist/app.tgz'] }).jsonl).toBe(
      '/w/app.tgz.intoto.jsonl'
    );
    expect(
      planOutput({ cwd: '/w', subjectFiles: [], checksums: 'dist/SHA256SUMS', outputDir: 'dist' })
        .jsonl
    ).toBe('/w/dist/SHA256SUMS.intoto.jsonl');
    expect(planOutput({ cwd: '/w', subjectFiles: ['/w/a', '/w/b'] }).name).toBe('multiple');
    expect(planOutput({ cwd: '/w', subjectFiles: [], output: 'out/rel.intoto.jsonl' })).toEqual({
      jsonl: '/w/out/rel.intoto.jsonl',
      dir: '/w/out',
      name: 'rel',
    });
  });

  it('refuses a --name that is a path', async () => {
    for (const name of ['../x', 'a/b', '..', '']) {
      await expectCode(() => planOutput({ cwd: '/w', subjectFiles: [], name }), 'USAGE_INVALID');
    }
  });

  it('appends one line per bundle and keeps an identical line once', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'custody-out-')), 'x.intoto.jsonl');
    await appendBundle(file, bundleOf(agent));
    await appendBundle(file, bundleOf(provenance));
    await appendBundle(file, bundleOf(agent));
    const lines = readFileSync(file, 'utf8').split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
  });
});

describe('byproducts', () => {
  it('links non-provenance statements from JSONL bundles and statement files by payload digest', () => {
    const jsonl = [bundleOf(agent), bundleOf(provenance)].map((b) => JSON.stringify(b)).join('\n');
    const links = byproductsFromText(jsonl, 'rel.intoto.jsonl');
    expect(links).toEqual([
      {
        name: 'agent.intoto',
        digest: { sha256: statementDigest(agent) },
        downloadLocation: 'rel.intoto.jsonl',
        mediaType: 'application/vnd.in-toto.agent-provenance+dsse',
      },
    ]);
    expect(byproductsFromText(JSON.stringify(agent, null, 2), 's.json')[0]!.digest).toEqual({
      sha256: statementDigest(agent),
    });
  });

  it('refuses malformed input', async () => {
    await expectCode(() => byproductsFromText('', 'x'), 'INPUT_SCHEMA_INVALID');
    await expectCode(() => byproductsFromText('{"a":1}\n{"b":', 'x'), 'INPUT_JSON_INVALID');
    await expectCode(() => byproductsFromText('{"hello":1}', 'x'), 'INPUT_SCHEMA_INVALID');
    await expectCode(() => byproductsFromText('{"dsseEnvelope":{}}', 'x'), 'INPUT_SCHEMA_INVALID');
    const notStatement = JSON.stringify({
      dsseEnvelope: { payload: Buffer.from('{"x":1}').toString('base64') },
    });
    await expectCode(() => byproductsFromText(notStatement, 'x'), 'INPUT_SCHEMA_INVALID');
  });
});
