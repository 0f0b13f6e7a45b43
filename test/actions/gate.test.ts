// actions/gate run as the runner runs it: bundled entry, INPUT_* variables, the pull_request
// fixture event, and the GitHub API on a loopback server.
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildAgentProvenance } from '../../src/attest/agent.js';
import { signStatement } from '../../src/sign/index.js';
import { startLocalSigstoreStack, type LocalSigstoreStack } from '../../src/stack/index.js';
import { startFakeGitHub, type FakeGitHub } from './helpers/fake-github.js';
import { buildActions, githubEnv, runAction } from './helpers/runner.js';

const TOKEN = 'ghs_gateTestToken0123456789';
const HEAD = '4f1c0b7e2d9a8c6b5a4f3e2d1c0b9a8f7e6d5c4b';
let dist: string;
let github: FakeGitHub;
let workspace: string;

beforeAll(async () => {
  [dist, github, workspace] = await Promise.all([
    buildActions(),
    startFakeGitHub({ token: TOKEN }),
    mkdtemp(path.join(tmpdir(), 'custody-gate-ws-')),
  ]);
});
afterAll(async () => {
  await github.close();
  await rm(dist, { recursive: true, force: true });
  await rm(workspace, { recursive: true, force: true });
});
beforeEach(() => {
  github.commits = [];
  github.reviews = [];
  github.forbidden = [];
  github.requests.length = 0;
});

function gate(
  inputs: Record<string, string> = {},
  event: 'pull_request' | 'push-tag' = 'pull_request'
) {
  return runAction(dist, 'gate', {
    workspace,
    inputs: { 'github-token': TOKEN, ...inputs },
    env: githubEnv(event, { apiURL: github.url }),
  });
}

describe('actions/gate', () => {
  it('passes a pull request without agent-authored commits (not-applicable)', async () => {
    github.commits = [
      { sha: HEAD, message: 'Fix typo\n\nSigned-off-by: Octo Dev <octo-dev@example.com>' },
    ];
    const run = await gate();
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.outputs).toMatchObject({
      verdict: 'not-applicable',
      'agent-authored': 'false',
      'agent-commits': '',
    });
    expect(run.summary).toContain('no agent-authored commits');
    expect(github.requests.every((r) => r.authorization === `token ${TOKEN}`)).toBe(true);
    expect(github.requests.map((r) => r.path)).toEqual(
      expect.arrayContaining([
        '/repos/octo-org/widget/pulls/42/commits',
        '/repos/octo-org/widget/pulls/42/reviews',
      ])
    );
  });

  it('fails an agent pull request without attestation, listing the commits and what is missing', async () => {
    github.commits = [
      { sha: '1'.repeat(40), message: 'Plan the retry' },
      {
        sha: HEAD,
        message:
          'Add retry <script>alert(1)</script>\n\nAssisted-by: claude-code:claude-opus-4-1\nAgent-Session: urn:uuid:0f0e',
      },
    ];
    github.reviews = [{ login: 'alice', state: 'APPROVED', commitId: HEAD }];
    const run = await gate();
    expect(run.code).toBe(1);
    expect(run.outputs.verdict).toBe('fail');
    expect(run.outputs['agent-authored']).toBe('true');
    expect(run.outputs['agent-commits']).toBe(HEAD);
    expect(run.outputs.approvers).toBe('alice');
    expect(run.outputs.missing).toMatch(/agent-provenance attestation/);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]!.title).toBe('GATE_DENIED');
    expect(run.errors[0]!.message).toMatch(/^\[GATE_DENIED\] pull request #42/);
    expect(run.summary).toContain(HEAD.slice(0, 12));
    expect(run.summary).toContain('Assisted-by trailer');
    expect(run.summary).toContain('Missing');
    // Commit subjects are attacker-controlled: escaped, never raw HTML.
    expect(run.summary).not.toContain('<script>');
    expect(run.summary).toContain('&lt;script&gt;');
    // The token is masked and appears nowhere else.
    expect(run.masked).toContain(TOKEN);
    expect(run.stdout.replace(`::add-mask::${TOKEN}`, '')).not.toContain(TOKEN);
    expect(run.summary).not.toContain(TOKEN);
  });

  it('fails an agent pull request whose only approval comes from a bot, naming both gaps', async () => {
    github.commits = [
      { sha: HEAD, message: 'x', author: { login: 'copilot-swe-agent[bot]', type: 'Bot' } },
    ];
    github.reviews = [{ login: 'review-bot[bot]', type: 'Bot', state: 'APPROVED', commitId: HEAD }];
    const run = await gate({ 'attestation-path': 'attestations/*.jsonl' });
    expect(run.code).toBe(1);
    expect(run.outputs.missing!.split('\n')).toHaveLength(2);
    expect(run.outputs.missing).toMatch(/no file matched attestation-path/);
    expect(run.outputs.approvers).toBe('');
  });
});

describe('actions/gate with a signed agent-provenance attestation', () => {
  let stack: LocalSigstoreStack;
  let signerIdentity: string;

  async function writeAttestation(file: string, commit: string): Promise<void> {
    const statement = buildAgentProvenance({
      agent: { name: 'claude-code' },
      model: { provider: 'anthropic', name: 'claude-opus-4-1' },
      commits: [
        {
          sha: commit,
          authorDate: '2026-11-20T10:00:00Z',
          agent: 'claude-code',
          model: 'claude-opus-4-1',
          tools: [],
          session: undefined,
          promptSha256: undefined,
          plan: undefined,
          evidence: ['assisted-by'],
          humanSignoffs: [],
        },
      ],
      repositoryUri: 'git+https://github.com/octo-org/widget',
      humanApprovals: [],
      autonomy: 'assisted',
      artifacts: [],
    });
    const bundle = await signStatement(statement, {
      identity: { kind: 'keyless', token: stack.issueToken('github') },
      signingConfig: stack.signingConfig,
    });
    await mkdir(path.join(workspace, 'attestations'), { recursive: true });
    await writeFile(path.join(workspace, 'attestations', file), `${JSON.stringify(bundle)}\n`);
  }

  beforeAll(async () => {
    stack = await startLocalSigstoreStack();
    await copyFile(stack.trustedRootPath, path.join(workspace, 'trusted_root.json'));
    signerIdentity = 'https://github.com/acme/hello/.github/workflows/release.yml@refs/tags/v1.0.0';
    await writeAttestation('head.intoto.jsonl', HEAD);
    await writeAttestation('other.intoto.jsonl', 'f'.repeat(40));
  });
  afterAll(async () => {
    await stack.close();
  });

  const agentPR = (): void => {
    github.commits = [
      { sha: HEAD, message: 'Add retry\n\nAssisted-by: claude-code:claude-opus-4-1' },
    ];
  };

  it('passes an agent pull request with a verified attestation for the head commit and a human approval', async () => {
    agentPR();
    github.reviews = [{ login: 'alice', state: 'APPROVED', commitId: HEAD }];
    const run = await gate({
      'attestation-path': 'attestations/head.intoto.jsonl',
      'trusted-root': 'trusted_root.json',
      'certificate-identity': signerIdentity,
    });
    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.outputs).toMatchObject({
      verdict: 'pass',
      'agent-authored': 'true',
      approvers: 'alice',
      missing: '',
    });
    expect(run.summary).toContain('verified');
  });

  it('fails when the attestation names another commit, saying so', async () => {
    agentPR();
    github.reviews = [{ login: 'alice', state: 'APPROVED', commitId: HEAD }];
    const run = await gate({
      'attestation-path': 'attestations/other.intoto.jsonl',
      'trusted-root': 'trusted_root.json',
      'certificate-identity': signerIdentity,
    });
    expect(run.code).toBe(1);
    expect(run.outputs.missing).toMatch(/attests other commits/);
  });

  it('fails when the attestation was signed by an identity other than the pinned one', async () => {
    agentPR();
    github.reviews = [{ login: 'alice', state: 'APPROVED', commitId: HEAD }];
    const run = await gate({
      'attestation-path': 'attestations/*.intoto.jsonl',
      'trusted-root': 'trusted_root.json',
      'certificate-identity':
        'https://github.com/octo-org/widget/.github/workflows/agent.yml@refs/heads/main',
    });
    expect(run.code).toBe(1);
    expect(run.outputs.missing).toMatch(/VERIFY_IDENTITY_MISMATCH/);
  });

  it('fails when the bundle was tampered with after signing', async () => {
    agentPR();
    github.reviews = [{ login: 'alice', state: 'APPROVED', commitId: HEAD }];
    const text = await readFile(path.join(workspace, 'attestations/head.intoto.jsonl'), 'utf8');
    const bundle = JSON.parse(text);
    const payload = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8'));
    payload.predicate.autonomy = 'autonomous';
    bundle.dsseEnvelope.payload = Buffer.from(JSON.stringify(payload)).toString('base64');
    await writeFile(
      path.join(workspace, 'attestations/forged.intoto.jsonl'),
      `${JSON.stringify(bundle)}\n`
    );
    const run = await gate({
      'attestation-path': 'attestations/forged.intoto.jsonl',
      'trusted-root': 'trusted_root.json',
      'certificate-identity': signerIdentity,
    });
    expect(run.code).toBe(1);
    expect(run.outputs.missing).toMatch(/VERIFY_/);
  });

  it('still needs the human approval when the attestation verifies', async () => {
    agentPR();
    github.reviews = [];
    const run = await gate({
      'attestation-path': 'attestations/head.intoto.jsonl',
      'trusted-root': 'trusted_root.json',
      'certificate-identity': signerIdentity,
    });
    expect(run.code).toBe(1);
    expect(run.outputs.missing).toMatch(/approving review/);
    expect(run.outputs.missing).not.toMatch(/attestation/);
  });
});
