// The pure core: buildTrace over hand-made verified/failed entries (gap rules that need forged
// certificates or statements a real pipeline would not produce), the renderers' escaping of
// untrusted content, and the deployment predicate's schema and validation.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { InTotoStatement } from '../../src/attest/intoto.js';
import {
  buildDeploymentStatement,
  buildTrace,
  DEPLOYMENT_V01_SCHEMA,
  renderTraceHTML,
  renderTraceMarkdown,
  type VerifiedAttestation,
} from '../../src/trace/index.js';
import { GAP_CODES } from '../../src/trace/types.js';
import { parseAttestationText } from '../../src/trace/adapter/gather.js';
import { expectCode } from '../helpers/errors.js';
import { REPO_ROOT } from '../helpers/cli.js';

const DIGEST = 'd'.repeat(64);
const COMMIT = '1'.repeat(40);
const NOW = new Date('2026-11-20T10:30:00Z');
const SIGNER = {
  kind: 'certificate' as const,
  identity: 'https://github.com/acme/hello/.github/workflows/release.yml@refs/tags/v1.0.0',
  issuer: 'https://token.actions.githubusercontent.com',
};

function entry(
  source: string,
  statement: InTotoStatement,
  extra: Partial<VerifiedAttestation> = {}
): VerifiedAttestation {
  return {
    source,
    status: 'verified',
    kind: 'dsse',
    statement,
    payloadSha256: createHash('sha256').update(source).digest('hex'),
    signer: SIGNER,
    signedAt: '2026-11-20T10:00:00Z',
    ...extra,
  } as VerifiedAttestation;
}

function statement(predicateType: string, predicate: unknown, digest = DIGEST): InTotoStatement {
  return {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'app', digest: { sha256: digest } }],
    predicateType,
    predicate,
  };
}

function provenance(commit: string, byproducts: unknown[] = []): InTotoStatement {
  return statement('https://slsa.dev/provenance/v1', {
    buildDefinition: {
      buildType: 'https://actions.github.io/buildtypes/workflow/v1',
      externalParameters: {},
      resolvedDependencies: [
        { uri: 'git+https://github.com/acme/hello@refs/heads/main', digest: { gitCommit: commit } },
      ],
    },
    runDetails: { builder: { id: 'https://builder.example/x' }, byproducts },
  });
}

const XSS = '<script>alert(1)</script><img src=x onerror=alert(2)>';

describe('buildTrace gap rules', () => {
  it('flags a certificate that disagrees with the provenance commit, a missing linked attestation, a failed VSA, and agent work without approval', () => {
    const trace = buildTrace(
      [
        entry(
          'p',
          provenance(COMMIT, [
            {
              name: 'agent.intoto',
              digest: { sha256: 'f'.repeat(64) },
              mediaType: 'application/vnd.in-toto.agent-provenance+dsse',
            },
          ]),
          {
            signer: { ...SIGNER, extensions: { sourceRepositoryDigest: '2'.repeat(40) } },
          }
        ),
        entry(
          'v',
          statement('https://slsa.dev/verification_summary/v1', {
            verificationResult: 'FAILED',
            verifiedLevels: [],
          })
        ),
        entry(
          'a',
          statement('https://custody.dev/agent-provenance/v0.1', {
            agent: { name: 'bot' },
            model: { name: 'm' },
            changes: [],
            humanApprovals: [],
            autonomy: 'autonomous',
          })
        ),
        entry(
          'd',
          statement('https://custody.dev/deployment/v0.1', {
            environment: 'prod',
            target: { uri: 'https://x.example' },
            deployedAt: '2026-11-20T10:20:00Z',
          })
        ),
      ],
      { kind: 'digest', sha256: DIGEST },
      { generatedAt: NOW }
    );
    const codes = trace.artifacts[0]!.gaps.map((g) => g.code).sort();
    expect(codes).toEqual([
      'AGENT_APPROVAL_MISSING',
      'BYPRODUCT_NOT_FOUND',
      'DEPLOYMENT_VSA_MISSING',
      'PROVENANCE_CERTIFICATE_DISAGREE',
      'SBOM_MISSING',
      'SIGNATURE_MISSING',
      'VSA_FAILED',
    ]);
    expect(trace.complete).toBe(false);
    for (const code of codes) expect(GAP_CODES).toContain(code);
  });

  it('a verified but unreadable deployment record is a gap, not dropped', () => {
    const trace = buildTrace(
      [entry('d', statement('https://custody.dev/deployment/v0.2', { environment: 'prod' }))],
      { kind: 'digest', sha256: DIGEST },
      { generatedAt: NOW }
    );
    expect(trace.artifacts[0]!.deployments).toEqual([]);
    expect(
      trace.artifacts[0]!.gaps.find((g) => g.code === 'DEPLOYMENT_RECORD_INVALID')
    ).toMatchObject({
      attestation: 'd',
      severity: 'error',
    });
  });

  it('a complete chain has no error gap; duplicates of one signed statement count once', () => {
    const prov = provenance(COMMIT);
    const trace = buildTrace(
      [
        entry('p1', prov, { payloadSha256: 'c'.repeat(64) }),
        entry('p2', prov, { payloadSha256: 'c'.repeat(64) }),
      ],
      { kind: 'digest', sha256: DIGEST },
      { generatedAt: NOW }
    );
    expect(trace.artifacts[0]!.builds).toHaveLength(1);
    expect(trace.artifacts[0]!.builds[0]!.sourceCommit).toBe(COMMIT);
  });

  it('failed entries are gaps attached by their claimed subject, never facts', () => {
    const trace = buildTrace(
      [
        {
          source: 'x.jsonl#1',
          status: 'failed',
          reason: { code: 'VERIFY_SIGNATURE_INVALID', message: 'bad sig' },
          claimedSubjects: [DIGEST],
          claimedPredicateType: 'https://slsa.dev/provenance/v1',
        },
        {
          source: 'y.jsonl#1',
          status: 'failed',
          reason: { code: 'VERIFY_SIGNATURE_INVALID', message: 'bad sig' },
          claimedSubjects: ['e'.repeat(64)],
        },
      ],
      { kind: 'digest', sha256: DIGEST },
      { generatedAt: NOW }
    );
    expect(trace.artifacts[0]!.gaps[0]).toMatchObject({
      code: 'ATTESTATION_UNVERIFIED',
      link: 'build',
      reason: 'VERIFY_SIGNATURE_INVALID',
    });
    expect(trace.attestations.find((a) => a.source === 'y.jsonl#1')?.relevant).toBe(false);
    expect(trace.counts.ignored).toBe(1);
  });
});

describe('reading attestation files', () => {
  it('a file named directly that is no attestation is reported; found in a walk, it is skipped', () => {
    expect(parseAttestationText('{"bomFormat":"CycloneDX"}', 'x.json', { walked: false })).toEqual([
      { source: 'x.json', problem: 'the file is not a Sigstore bundle or in-toto statement' },
    ]);
    expect(parseAttestationText('{"bomFormat":"CycloneDX"}', 'x.json', { walked: true })).toEqual(
      []
    );
    expect(parseAttestationText('not json', 'y.json', { walked: false })[0]?.problem).toMatch(
      /not valid JSON/
    );
    const lines = parseAttestationText(
      '{"_type":"https://in-toto.io/Statement/v1"}\n\n{"a":1}\n{',
      'z.jsonl',
      {
        walked: true,
      }
    );
    expect(lines.map((l) => [l.source, l.problem === undefined])).toEqual([
      ['z.jsonl#1', true],
      ['z.jsonl#3', false],
      ['z.jsonl#4', false],
    ]);
  });
});

describe('renderers escape untrusted attestation content', () => {
  const hostile = buildTrace(
    [
      entry('p', provenance(COMMIT)),
      entry(
        'a',
        statement('https://custody.dev/agent-provenance/v0.1', {
          agent: { name: XSS },
          model: { name: 'model|with|pipes' },
          changes: [{ digest: { gitCommit: COMMIT } }],
          humanApprovals: [
            {
              approver: {
                id: `https://evil.example/${XSS}`,
                login: `[click](https://evil.example)`,
              },
              method: 'pr-review',
            },
          ],
          autonomy: 'assisted',
        })
      ),
      entry(
        'd',
        statement('https://custody.dev/deployment/v0.1', {
          environment: XSS,
          target: { uri: 'javascript:alert(1)' },
          deployedAt: '2026-11-20T10:20:00Z',
        })
      ),
    ],
    { kind: 'artifact', sha256: DIGEST, name: `"><svg onload=alert(3)>` },
    { generatedAt: NOW }
  );

  it('HTML: no markup from fields survives', () => {
    const html = renderTraceHTML(hostile);
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).not.toMatch(/<svg onload/);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toMatch(/<a\s/); // no links at all
    // with quoted attribute values removed, no tag has a src/href/event-handler attribute
    expect(html.replace(/"[^"]*"/g, '""')).not.toMatch(/<[a-z][^<>]*\s(?:src|href|on[a-z]+)=/i);
    expect(html).toContain(
      `content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`
    );
  });

  it('Markdown: no HTML, no links, no table breaking', () => {
    const md = renderTraceMarkdown(hostile);
    expect(md).not.toContain('<script>');
    expect(md).toContain('&lt;script&gt;');
    expect(md).not.toContain('[click](');
    expect(md).toContain('model\\|with\\|pipes');
  });
});

describe('deployment predicate', () => {
  it('docs/predicates/deployment-v0.1.schema.json is the bundled schema', () => {
    const file = path.join(REPO_ROOT, 'docs/predicates/deployment-v0.1.schema.json');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(DEPLOYMENT_V01_SCHEMA);
  });

  it('builds a valid statement and rejects bad input', async () => {
    const ok = buildDeploymentStatement({
      subjects: [{ name: 'app', digest: { sha256: DIGEST } }],
      environment: 'production',
      target: { uri: 'https://k8s.example.com/prod' },
      deployedAt: new Date('2026-11-20T10:30:00.123Z'),
      verificationSummary: { digest: { sha256: 'a'.repeat(64) } },
      verificationResult: 'PASSED',
    });
    expect(ok.predicate?.deployedAt).toBe('2026-11-20T10:30:00Z');
    expect(ok.predicateType).toBe('https://custody.dev/deployment/v0.1');
    const base = {
      subjects: [{ digest: { sha256: DIGEST } }],
      environment: 'p',
      target: { uri: 'https://x.example' },
      deployedAt: NOW,
    };
    await expectCode(
      () => buildDeploymentStatement({ ...base, subjects: [] }),
      'TRACE_DEPLOY_INPUT_INVALID'
    );
    await expectCode(
      () => buildDeploymentStatement({ ...base, environment: '' }),
      'TRACE_DEPLOY_INPUT_INVALID'
    );
    await expectCode(
      () => buildDeploymentStatement({ ...base, target: { uri: 'no uri' } }),
      'TRACE_DEPLOY_INPUT_INVALID'
    );
    await expectCode(
      () =>
        buildDeploymentStatement({ ...base, verificationSummary: { digest: { sha256: 'zz' } } }),
      'TRACE_DEPLOY_INPUT_INVALID'
    );
  });
});
