// Attacks on the agent pull-request gate: hiding an agent commit past GitHub's 250-commit list,
// trusting a trusted_root.json the pull request itself edited, and a reviewer account GitHub did
// not call a user. The gate runs in-process on a loopback GitHub API.
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from '../actions/helpers/fake-github.js';
import { runInProcess } from '../actions/helpers/in-process.js';
import { githubEnv, REPO_ROOT } from '../actions/helpers/runner.js';

const TOKEN = 'ghs_adversarialGate0123456789';
const HEAD = '4f1c0b7e2d9a8c6b5a4f3e2d1c0b9a8f7e6d5c4b';
let github: FakeGitHub;
let workspace: string;

beforeAll(async () => {
  github = await startFakeGitHub({ token: TOKEN });
  workspace = await mkdtemp(path.join(tmpdir(), 'custody-adv-gate-'));
});
afterAll(async () => {
  await github.close();
  await rm(workspace, { recursive: true, force: true });
});
beforeEach(() => {
  github.commits = [];
  github.reviews = [];
});

async function eventWithCommits(count: number): Promise<string> {
  const fixture = JSON.parse(
    await readFile(path.join(REPO_ROOT, 'fixtures/github/events/pull_request.json'), 'utf8')
  );
  fixture.pull_request.commits = count;
  const file = path.join(workspace, `event-${count}.json`);
  await writeFile(file, JSON.stringify(fixture));
  return file;
}

function gate(inputs: Record<string, string> = {}, env: Record<string, string> = {}) {
  return runInProcess('gate', {
    workspace,
    inputs: { 'github-token': TOKEN, ...inputs },
    env: { ...githubEnv('pull_request', { apiURL: github.url }), ...env },
  });
}

const humanCommits = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    sha: i === n - 1 ? HEAD : i.toString(16).padStart(40, '0'),
    message: `Human change ${i}`,
  }));

describe('the 250-commit list', () => {
  it('an agent commit past the 250th (event says 251): GATE_COMMITS_TRUNCATED', async () => {
    github.commits = humanCommits(250); // what GitHub returns; the 251st is the agent's
    const run = await gate({}, { GITHUB_EVENT_PATH: await eventWithCommits(251) });
    expect(run.code).toBe(1);
    expect(run.outputs.verdict).toBe('fail');
    expect(run.errors[0]?.title).toBe('GATE_COMMITS_TRUNCATED');
    expect(run.outputs.missing).toMatch(/250 of the pull request's 251 commits/);
  });

  it('250 listed and no count in the event: fails closed, GATE_COMMITS_TRUNCATED', async () => {
    github.commits = humanCommits(250);
    const run = await gate();
    expect(run.errors[0]?.title).toBe('GATE_COMMITS_TRUNCATED');
  });

  it('a complete list of human commits is not-applicable as before', async () => {
    github.commits = humanCommits(3);
    const run = await gate({}, { GITHUB_EVENT_PATH: await eventWithCommits(3) });
    expect(run.errors).toEqual([]);
    expect(run.outputs.verdict).toBe('not-applicable');
  });
});

describe('trust roots never from the pull request’s checkout', () => {
  const agentPR = (): void => {
    github.commits = [
      { sha: HEAD, message: 'Add retry\n\nAssisted-by: claude-code:claude-opus-4-1' },
    ];
    github.reviews = [{ login: 'alice', state: 'APPROVED', commitId: HEAD }];
  };

  it('a trusted_root.json in the workspace without a pin: ACTION_INPUT_INVALID', async () => {
    agentPR();
    await writeFile(path.join(workspace, 'trusted_root.json'), '{"mediaType":"evil"}');
    await writeFile(path.join(workspace, 'a.intoto.jsonl'), '{}\n');
    const run = await gate({
      'attestation-path': 'a.intoto.jsonl',
      'trusted-root': 'trusted_root.json',
      'certificate-identity':
        'https://github.com/acme/hello/.github/workflows/agent.yml@refs/heads/main',
    });
    expect(run.code).toBe(2);
    expect(run.errors[0]?.title).toBe('ACTION_INPUT_INVALID');
    expect(run.errors[0]?.message).toMatch(/inside the pull request's checkout/);
  });

  it('a pinned trusted root the pull request changed: ACTION_INPUT_INVALID (digest differs)', async () => {
    agentPR();
    await writeFile(path.join(workspace, 'trusted_root.json'), '{"mediaType":"edited by the PR"}');
    const pinned = createHash('sha256').update('{"mediaType":"original"}').digest('hex');
    const run = await gate({
      'attestation-path': 'a.intoto.jsonl',
      'trusted-root': 'trusted_root.json',
      'trusted-root-sha256': pinned,
      'certificate-identity':
        'https://github.com/acme/hello/.github/workflows/agent.yml@refs/heads/main',
    });
    expect(run.code).toBe(2);
    expect(run.errors[0]?.title).toBe('ACTION_INPUT_INVALID');
    expect(run.errors[0]?.message).toMatch(/not the pinned/);
  });
});

describe('who counts as a human reviewer', () => {
  it('a reviewer without a type is not a user: GATE_DENIED for want of approval', async () => {
    github.commits = [
      { sha: HEAD, message: 'Add retry\n\nAssisted-by: claude-code:claude-opus-4-1' },
    ];
    github.reviews = [{ login: 'ghost-app', type: undefined, state: 'APPROVED', commitId: HEAD }];
    const run = await gate();
    expect(run.errors[0]?.title).toBe('GATE_DENIED');
    expect(run.outputs.approvers).toBe('');
    expect(run.outputs.missing).toMatch(/approving review/);
  });
});
