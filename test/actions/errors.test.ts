// Input and environment errors of every action, in-process through the entries' frame: each one
// fails with one annotation titled with its code, the right exit class, and no side effects.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from './helpers/fake-github.js';
import { runInProcess } from './helpers/in-process.js';
import { githubEnv } from './helpers/runner.js';

const TOKEN = 'ghs_errorsTestToken0123456789';
let workspace: string;
let github: FakeGitHub;

beforeAll(async () => {
  workspace = await mkdtemp(path.join(tmpdir(), 'custody-errors-ws-'));
  await mkdir(path.join(workspace, 'dist'));
  await writeFile(path.join(workspace, 'dist/app.tgz'), 'app\n');
  github = await startFakeGitHub({ token: TOKEN });
});
afterAll(async () => {
  await github.close();
  await rm(workspace, { recursive: true, force: true });
});

const run = (
  name: string,
  inputs: Record<string, string>,
  env: Record<string, string | undefined> = {}
) => runInProcess(name, { workspace, inputs, env: { ...githubEnv('push-tag'), ...env } });

describe('action input and environment errors', () => {
  it('sbom: a bad spec-version names the input', async () => {
    const result = await run('sbom', { 'spec-version': '2.0' });
    expect(result.code).toBe(2);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]!.title).toBe('ACTION_INPUT_INVALID');
    expect(result.errors[0]!.message).toMatch(/spec-version/);
  });

  it('sbom: a project without a lockfile fails with the sbom module code', async () => {
    const result = await run('sbom', { path: 'dist' });
    expect(result.code).toBe(2);
    expect(result.errors[0]!.title).toBe('SBOM_LOCKFILE_NOT_FOUND');
  });

  it('sign: globs matching nothing fail with ACTION_NO_SUBJECTS', async () => {
    const result = await run('sign', { 'subject-path': 'dist/*.zip' });
    expect(result.code).toBe(2);
    expect(result.errors[0]!.title).toBe('ACTION_NO_SUBJECTS');
  });

  it('sign: paths leaving the workspace are refused', async () => {
    for (const inputs of [
      { 'subject-path': '../*' },
      { 'subject-path': '*', 'working-directory': '/etc' },
    ] as Record<string, string>[]) {
      const result = await run('sign', inputs);
      expect(result.code).toBe(2);
      expect(result.errors[0]!.title).toBe('INPUT_PATH_UNSAFE');
    }
  });

  it('sign: a checksums name with a path is an input error', async () => {
    const result = await run('sign', { 'subject-path': 'dist/*', checksums: '../SUMS' });
    expect(result.code).toBe(2);
    expect(result.errors[0]!.title).toBe('ACTION_INPUT_INVALID');
  });

  it('sign: without id-token permission, SIGN_IDENTITY_UNAVAILABLE with the permission hint', async () => {
    const result = await run('sign', { 'subject-path': 'dist/*', checksums: '' });
    expect(result.code).toBe(3);
    expect(result.errors[0]!.title).toBe('SIGN_IDENTITY_UNAVAILABLE');
    expect(result.errors[0]!.message).toMatch(/id-token: write/);
  });

  it('attest: predicate-type sbom without sbom-path, an unknown predicate type, a bad prompt digest', async () => {
    for (const inputs of [
      { 'predicate-type': 'sbom', 'subject-path': 'dist/*' },
      { 'predicate-type': 'vsa' },
      { 'predicate-type': 'agent', 'prompt-sha256': 'abc' },
    ] as Record<string, string>[]) {
      const result = await run('attest', inputs);
      expect(result.code).toBe(2);
      expect(result.errors[0]!.title).toBe('ACTION_INPUT_INVALID');
    }
  });

  it('attest: a secret input is masked even when the run fails', async () => {
    const result = await run('attest', {
      'predicate-type': 'vsa',
      'identity-token': 'eyJhbGciOiJFUzI1NiJ9.e30.sig',
    });
    expect(result.masked).toEqual(['eyJhbGciOiJFUzI1NiJ9.e30.sig']);
  });

  it('verify: refuses to run without an identity pin or a policy', async () => {
    const result = await run('verify', { 'release-dir': 'dist' });
    expect(result.code).toBe(2);
    expect(result.errors[0]!.title).toBe('ACTION_INPUT_INVALID');
    expect(result.errors[0]!.message).toMatch(/pin/);
  });

  it('verify: a value that is not a boolean is an input error naming the input', async () => {
    const result = await run('verify', { 'certificate-identity': 'x', 'upload-release': 'maybe' });
    expect(result.code).toBe(2);
    expect(result.errors[0]!.message).toMatch(/upload-release/);
  });

  it('gate: events other than pull requests are refused', async () => {
    const result = await run('gate', { 'github-token': TOKEN });
    expect(result.code).toBe(2);
    expect(result.errors[0]!.title).toBe('ACTION_EVENT_UNSUPPORTED');
  });

  it('gate: a malformed input fails before any API call', async () => {
    const before = github.requests.length;
    const result = await run(
      'gate',
      { 'github-token': TOKEN, 'required-approvals': 'many' },
      githubEnv('pull_request', { apiURL: github.url })
    );
    expect(result.code).toBe(2);
    expect(result.errors[0]!.title).toBe('ACTION_INPUT_INVALID');
    expect(github.requests.length).toBe(before);
  });

  it('gate: a 403 from the API becomes GITHUB_PERMISSION_DENIED naming the permission', async () => {
    github.forbidden = ['GET /repos/octo-org/widget/pulls/42/reviews'];
    const result = await run(
      'gate',
      { 'github-token': TOKEN },
      githubEnv('pull_request', { apiURL: github.url })
    );
    github.forbidden = [];
    expect(result.code).toBe(3);
    expect(result.errors[0]!.title).toBe('GITHUB_PERMISSION_DENIED');
    expect(result.errors[0]!.message).toMatch(/pull-requests: read/);
  });

  it('gate: a wrong token is a permission error, and the token is masked', async () => {
    const result = await run(
      'gate',
      { 'github-token': 'ghs_wrongToken000000000' },
      githubEnv('pull_request', { apiURL: github.url })
    );
    expect(result.code).toBe(3);
    expect(result.errors[0]!.title).toBe('GITHUB_PERMISSION_DENIED');
    expect(result.masked).toContain('ghs_wrongToken000000000');
    expect(result.errors[0]!.message).not.toContain('ghs_wrongToken000000000');
  });
});
