// `custody trace` on a real release built on the local Sigstore stack (test/trace/release.ts):
// the full chain from the artifact, from its digest and forward from the commit; gaps for
// missing, tampered, unsigned and unreadable attestations; JSON valid against docs/trace.schema.json.
import { Ajv2020 } from 'ajv/dist/2020.js';
import { cpSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Trace } from '../../src/trace/types.js';
import { generateKeyPair } from '../../src/sign/index.js';
import { REPO_ROOT, runCli } from '../helpers/cli.js';
import { buildTracedRelease, ISSUER, type TracedRelease } from './release.js';

let release: TracedRelease;
const scratch: string[] = [];

beforeAll(async () => {
  release = await buildTracedRelease();
});
afterAll(async () => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
  await release?.close();
});

const schema = JSON.parse(readFileSync(path.join(REPO_ROOT, 'docs/trace.schema.json'), 'utf8'));
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);

async function trace(
  args: string[],
  cwd = release.dir
): Promise<{ code: number; trace: Trace; stderr: string }> {
  const run = await runCli(['--json', 'trace', ...args, '--trusted-root', release.trustedRoot], {
    cwd,
    env: { SOURCE_DATE_EPOCH: '1795170600' },
  });
  expect(run.stderr).toBe('');
  const parsed = JSON.parse(run.stdout) as Trace;
  expect(validate(parsed), JSON.stringify(validate.errors)).toBe(true);
  return { code: run.code, trace: parsed, stderr: run.stderr };
}

/** A copy of the release to damage. */
function copy(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'custody-trace-copy-'));
  scratch.push(dir);
  cpSync(release.dir, dir, { recursive: true });
  return dir;
}

function jsonlLines(file: string): string[] {
  return readFileSync(file, 'utf8').trim().split('\n');
}

function gapCodes(t: Trace, artifact = 0): string[] {
  return (t.artifacts[artifact]?.gaps ?? []).map((g) => g.code).sort();
}

describe('custody trace on a real release', () => {
  it('traces the deployed artifact back to commit, pipeline, agent and approver, with no gaps', async () => {
    const { code, trace: t } = await trace(['hello-linux-amd64']);
    expect(code).toBe(0);
    expect(t.target).toEqual({
      kind: 'artifact',
      sha256: release.digests['hello-linux-amd64'],
      name: 'hello-linux-amd64',
    });
    expect(t.complete).toBe(true);
    expect(t.gaps).toEqual([]);
    const trail = t.artifacts[0]!;
    expect(trail.gaps).toEqual([]);
    expect(trail.names).toEqual(['hello-linux-amd64']);

    expect(trail.deployments).toHaveLength(1);
    const deployment = trail.deployments[0]!;
    expect(deployment.environment).toBe('production');
    expect(deployment.target.uri).toBe('https://k8s.example.com/clusters/prod/namespaces/hello');
    expect(deployment.verificationSummary).toMatchObject({ found: true, result: 'PASSED' });
    expect(deployment.attestation.signer.issuer).toBe(ISSUER);
    expect(deployment.invocationUri).toBe(
      'https://github.com/acme/hello/actions/runs/9000000001/attempts/1'
    );

    const build = trail.builds[0]!;
    expect(build.sourceCommit).toBe(release.history.release);
    expect(build.certificate?.sourceRepositoryDigest).toBe(release.history.release);
    expect(build.sourceRepository).toBe('https://github.com/acme/hello');
    expect(build.sourceRef).toBe('refs/tags/v1.0.0');
    expect(build.workflow).toBe('.github/workflows/release.yml');
    expect(build.runUrl).toBe('https://github.com/acme/hello/actions/runs/9000000001/attempts/1');
    expect(build.builderId).toMatch(/release\.yml@refs\/tags\/v1\.0\.0$/);
    expect(build.byproducts.map((b) => b.found)).toEqual([true, true]);

    const agent = trail.agents[0]!;
    expect(agent.agent.name).toBe('claude-code');
    expect(agent.model.name).toBe('claude-opus-4-1');
    expect(agent.prompt?.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(agent.plan?.id).toBe('PLAN-1');
    expect(agent.approvers.map((a) => a.login)).toEqual(['octocat']);
    expect(agent.commits.map((c) => c.sha).sort()).toEqual(
      [...release.history.agentCommits].sort()
    );

    expect(trail.sboms[0]!.componentCount).toBeGreaterThan(0);
    expect(trail.sboms[0]!.licenses.length).toBeGreaterThan(0);
    expect(trail.verifications[0]!.result).toBe('PASSED');
    expect(trail.signatures).toHaveLength(1);
    // the other artifact's signature was considered and ignored
    expect(
      t.attestations.find((a) => a.source === 'hello-darwin-arm64.sigstore.json')
    ).toMatchObject({
      status: 'verified',
      relevant: false,
    });
    expect(t.counts.ignored).toBe(1);
    expect(t.timeline.map((e) => e.kind)).toEqual(
      expect.arrayContaining(['commit', 'approval', 'build', 'verification', 'deployment'])
    );
    // deterministic with SOURCE_DATE_EPOCH
    expect(t.generatedAt).toBe('2026-11-20T10:30:00Z');
  });

  it('traces a bare sha256 digest the same way, and a never-deployed artifact shows that gap', async () => {
    const byPath = await trace(['hello-linux-amd64']);
    const byDigest = await trace([
      `sha256:${release.digests['hello-linux-amd64']}`,
      '--attestations',
      '.',
    ]);
    expect(byDigest.trace.artifacts).toEqual(byPath.trace.artifacts);
    expect(byDigest.trace.target.kind).toBe('digest');

    const darwin = await trace([`sha256:${release.digests['hello-darwin-arm64']}`]);
    expect(gapCodes(darwin.trace)).toEqual(['DEPLOYMENT_MISSING']);
    expect(darwin.trace.artifacts[0]!.gaps[0]!.severity).toBe('warning');
    expect(darwin.trace.complete).toBe(true);
  });

  it('walks forward from the release commit (and an agent commit) to artifacts and deployments', async () => {
    const forward = await trace(['--commit', release.history.release]);
    expect(forward.code).toBe(0);
    expect(forward.trace.artifacts.map((a) => a.sha256)).toEqual(
      Object.values(release.digests).sort()
    );
    const deployed = forward.trace.artifacts.filter((a) => a.deployments.length > 0);
    expect(deployed.map((a) => a.names[0])).toEqual(['hello-linux-amd64']);
    expect(deployed[0]!.deployments[0]!.environment).toBe('production');

    const fromAgentCommit = await trace(['--commit', release.history.agentCommits[0]!]);
    expect(fromAgentCommit.trace.artifacts).toHaveLength(2);

    const nowhere = await runCli(
      [
        '--json',
        'trace',
        '--commit',
        'f'.repeat(40),
        '--trusted-root',
        release.trustedRoot,
        '--strict',
      ],
      { cwd: release.dir }
    );
    expect(nowhere.code).toBe(1);
    const t = JSON.parse(nowhere.stdout) as Trace;
    expect(t.gaps.map((g) => g.code)).toEqual(['COMMIT_NOT_BUILT']);
    expect(t.complete).toBe(false);
  });

  it('missing provenance is a gap, not hidden', async () => {
    const dir = copy();
    const file = path.join(dir, 'hello.intoto.jsonl');
    const lines = jsonlLines(file);
    writeFileSync(file, `${lines.slice(0, 2).join('\n')}\n`); // drop the provenance (3rd line)
    const { code, trace: t } = await trace(['hello-linux-amd64'], dir);
    expect(code).toBe(0);
    expect(t.complete).toBe(false);
    expect(gapCodes(t)).toEqual(['PROVENANCE_MISSING']);
    expect(t.artifacts[0]!.builds).toEqual([]);
    // the rest of the chain is still shown
    expect(t.artifacts[0]!.agents).toHaveLength(1);
    const strict = await runCli(
      ['trace', 'hello-linux-amd64', '--trusted-root', release.trustedRoot, '--strict'],
      { cwd: dir }
    );
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain('`PROVENANCE_MISSING`');
  });

  it('a tampered provenance bundle is a gap with the verification error, and none of its claims are used', async () => {
    const dir = copy();
    const file = path.join(dir, 'hello.intoto.jsonl');
    const lines = jsonlLines(file);
    const bundle = JSON.parse(lines[2]!);
    const forged = Buffer.from(bundle.dsseEnvelope.payload, 'base64')
      .toString('utf8')
      .replaceAll(release.history.release, 'e'.repeat(40));
    bundle.dsseEnvelope.payload = Buffer.from(forged).toString('base64');
    lines[2] = JSON.stringify(bundle);
    writeFileSync(file, `${lines.join('\n')}\n`);
    const { trace: t } = await trace(['hello-linux-amd64'], dir);
    expect(t.complete).toBe(false);
    const gap = t.artifacts[0]!.gaps.find((g) => g.code === 'ATTESTATION_UNVERIFIED');
    expect(gap).toMatchObject({
      link: 'build',
      attestation: 'hello.intoto.jsonl#3',
      severity: 'error',
    });
    expect(gap?.reason).toMatch(/^VERIFY_/);
    expect(gapCodes(t)).toEqual(['ATTESTATION_UNVERIFIED', 'PROVENANCE_MISSING']);
    expect(JSON.stringify(t.artifacts)).not.toContain('e'.repeat(40));
    expect(t.attestations.find((a) => a.source === 'hello.intoto.jsonl#3')?.status).toBe('failed');
  });

  it('an attestation for another digest is ignored; wrong signer identity, unsigned and unreadable inputs are gaps', async () => {
    const dir = copy();
    // a statement about some other artifact, unsigned, and a truncated line
    writeFileSync(
      path.join(dir, 'other.statement.json'),
      JSON.stringify({
        _type: 'https://in-toto.io/Statement/v1',
        subject: [{ name: 'other', digest: { sha256: 'a'.repeat(64) } }],
        predicateType: 'https://slsa.dev/provenance/v1',
        predicate: {},
      })
    );
    writeFileSync(
      path.join(dir, 'forged.statement.json'),
      JSON.stringify({
        _type: 'https://in-toto.io/Statement/v1',
        subject: [{ digest: { sha256: release.digests['hello-linux-amd64'] } }],
        predicateType: 'https://slsa.dev/provenance/v1',
        predicate: { buildDefinition: { buildType: 'x' } },
      })
    );
    const lines = jsonlLines(path.join(release.dir, 'hello.intoto.jsonl'));
    writeFileSync(path.join(dir, 'broken.intoto.jsonl'), `${lines[0]!.slice(0, 200)}\n`);
    const { trace: t } = await trace(['hello-linux-amd64'], dir);
    expect(t.attestations.find((a) => a.source === 'other.statement.json')).toMatchObject({
      status: 'unsigned',
      relevant: false,
    });
    expect(t.artifacts[0]!.gaps).toEqual([
      expect.objectContaining({
        code: 'ATTESTATION_UNSIGNED',
        attestation: 'forged.statement.json',
      }),
    ]);
    expect(t.gaps).toEqual([
      expect.objectContaining({
        code: 'ATTESTATION_UNREADABLE',
        attestation: 'broken.intoto.jsonl#1',
      }),
    ]);
    expect(t.artifacts[0]!.builds).toHaveLength(1); // the verified provenance still counts

    const wrongSigner = await trace([
      'hello-linux-amd64',
      '--certificate-identity',
      'https://github.com/evil/repo/.github/workflows/x.yml@refs/heads/main',
    ]);
    expect(wrongSigner.trace.complete).toBe(false);
    const reasons = new Set(
      wrongSigner.trace.artifacts[0]!.gaps.map((g) => g.reason).filter(Boolean)
    );
    expect([...reasons]).toEqual(['VERIFY_IDENTITY_MISMATCH']);
    expect(wrongSigner.trace.artifacts[0]!.builds).toEqual([]);
  });

  it('a deployment relying on a VSA that is not at hand is flagged', async () => {
    const dir = copy();
    rmSync(path.join(dir, 'hello.vsa.sigstore.json'));
    const { trace: t } = await trace(['hello-linux-amd64'], dir);
    expect(gapCodes(t)).toEqual(['DEPLOYMENT_VSA_NOT_FOUND', 'VSA_MISSING']);
    expect(t.artifacts[0]!.deployments[0]!.verificationSummary?.found).toBe(false);
  });

  it('renders Markdown and writes HTML/JSON files by extension', async () => {
    const md = await runCli(['trace', 'hello-linux-amd64', '--trusted-root', release.trustedRoot], {
      cwd: release.dir,
    });
    expect(md.code).toBe(0);
    for (const text of [
      release.history.release,
      'octocat',
      'claude-code',
      'production',
      '.github/workflows/release.yml',
      '✅ **complete**',
      '## Timeline',
    ]) {
      expect(md.stdout).toContain(text);
    }
    const out = mkdtempSync(path.join(tmpdir(), 'custody-trace-out-'));
    scratch.push(out);
    const html = await runCli(
      [
        'trace',
        'hello-linux-amd64',
        '--trusted-root',
        release.trustedRoot,
        '--output',
        path.join(out, 't.html'),
      ],
      { cwd: release.dir }
    );
    expect(html.code).toBe(0);
    expect(html.stdout).toMatch(/hello-linux-amd64 · deployed to production · VSA PASSED/);
    expect(readFileSync(path.join(out, 't.html'), 'utf8')).toMatch(/^<!DOCTYPE html>/);
    await runCli(
      [
        'trace',
        'hello-linux-amd64',
        '--trusted-root',
        release.trustedRoot,
        '--output',
        path.join(out, 't.json'),
      ],
      { cwd: release.dir }
    );
    expect(validate(JSON.parse(readFileSync(path.join(out, 't.json'), 'utf8')))).toBe(true);
  });
  it('key-signed deployment records verify with --key, and are gaps without it', async () => {
    const dir = copy();
    const pair = generateKeyPair('ecdsa-p256');
    writeFileSync(path.join(dir, 'deploy.key'), pair.privateKeyPEM);
    writeFileSync(path.join(dir, 'deploy.pub'), pair.publicKeyPEM);
    const deploy = await runCli(
      [
        'attest',
        'deploy',
        '--subject',
        'hello-linux-amd64',
        '--environment',
        'staging',
        '--target',
        'https://staging.example.com/hello',
        '--vsa',
        'hello.vsa.sigstore.json',
        '--output',
        'staging.intoto.jsonl',
        '--key',
        'deploy.key',
        '--no-tlog',
      ],
      { cwd: dir, env: { SOURCE_DATE_EPOCH: '1795170700' } }
    );
    expect(deploy.code, deploy.stderr).toBe(0);
    const withKey = await trace(['hello-linux-amd64', '--key', 'deploy.pub'], dir);
    expect(withKey.trace.artifacts[0]!.deployments.map((d) => d.environment)).toEqual([
      'production',
      'staging',
    ]);
    expect(withKey.trace.artifacts[0]!.deployments[1]!.attestation.signer.kind).toBe('key');
    expect(withKey.trace.complete).toBe(true);
    const without = await trace(['hello-linux-amd64'], dir);
    expect(without.trace.artifacts[0]!.gaps).toEqual([
      expect.objectContaining({
        code: 'ATTESTATION_UNVERIFIED',
        link: 'deployment',
        attestation: 'staging.intoto.jsonl#1',
        reason: 'VERIFY_IDENTITY_MISMATCH',
      }),
    ]);
  });
});

describe('custody trace and attest deploy input errors', () => {
  it('rejects bad targets and flags with codes, no stack traces', async () => {
    const cases: [string[], number, string][] = [
      [['trace', 'sha256:1234'], 2, 'TRACE_TARGET_INVALID'],
      [['trace', 'no-such-file'], 2, 'TRACE_TARGET_INVALID'],
      [['trace', '--commit', 'HEAD'], 2, 'TRACE_TARGET_INVALID'],
      [['trace'], 2, 'USAGE_INVALID'],
      [['trace', 'hello-linux-amd64', '--format', 'pdf'], 2, 'USAGE_INVALID'],
      [['trace', 'hello-linux-amd64', '--attestations', 'missing-dir'], 2, 'INPUT_NOT_FOUND'],
      [['trace', 'hello-linux-amd64', '--commit', 'a'.repeat(40)], 2, 'USAGE_INVALID'],
      [
        ['attest', 'deploy', '--subject', 'hello-linux-amd64', '--target', 'https://x.example'],
        2,
        'TRACE_DEPLOY_INPUT_INVALID',
      ],
      [
        [
          'attest',
          'deploy',
          '--digest',
          'sha256:xyz',
          '--environment',
          'p',
          '--target',
          'https://x.example',
        ],
        2,
        'TRACE_DEPLOY_INPUT_INVALID',
      ],
      [
        [
          'attest',
          'deploy',
          '--subject',
          'hello-linux-amd64',
          '--environment',
          'p',
          '--target',
          'https://x.example',
          '--vsa',
          'hello.intoto.jsonl',
        ],
        2,
        'TRACE_DEPLOY_VSA_INVALID',
      ],
      [
        [
          'attest',
          'deploy',
          '--digest',
          `sha256:${'b'.repeat(64)}`,
          '--environment',
          'p',
          '--target',
          'https://x.example',
          '--vsa',
          'hello.vsa.sigstore.json',
        ],
        2,
        'TRACE_DEPLOY_VSA_INVALID',
      ],
      [
        [
          'attest',
          'deploy',
          '--subject',
          'hello-linux-amd64',
          '--environment',
          'p',
          '--target',
          'https://x.example',
          '--vsa',
          'failed.vsa.json',
        ],
        1,
        'TRACE_DEPLOY_VSA_FAILED',
      ],
    ];
    writeFileSync(
      path.join(release.dir, 'failed.vsa.json'),
      JSON.stringify({
        _type: 'https://in-toto.io/Statement/v1',
        subject: [{ digest: { sha256: release.digests['hello-linux-amd64'] } }],
        predicateType: 'https://slsa.dev/verification_summary/v1',
        predicate: { verificationResult: 'FAILED' },
      })
    );
    try {
      for (const [argv, exit, code] of cases) {
        const run = await runCli(['--json', ...argv], { cwd: release.dir, env: {} });
        expect(run.code, argv.join(' ')).toBe(exit);
        expect(run.stderr, argv.join(' ')).toContain(code);
        expect(run.stderr).not.toMatch(/\n\s+at /);
      }
    } finally {
      rmSync(path.join(release.dir, 'failed.vsa.json'));
    }
  });

  it('attest deploy from a digest: a bad deployment record (target not a URI) is refused before signing', async () => {
    const run = await runCli(
      [
        'attest',
        'deploy',
        '--digest',
        `sha256:${'b'.repeat(64)}`,
        '--environment',
        'prod',
        '--target',
        'not a uri',
        ...release.signing,
      ],
      { cwd: release.dir, env: release.env }
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('TRACE_DEPLOY_INPUT_INVALID');
  });
});
