// The release chain across separate action runs, the way a runner runs them: each step is
// `node dist/actions/<name>.js` in its own process with INPUT_* variables, GITHUB_* context from
// the push-tag fixture, ACTIONS_ID_TOKEN_REQUEST_URL from the local OIDC issuer and Fulcio/Rekor
// from the local Sigstore stack; later steps consume earlier steps' outputs.
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalSigstoreStack, type LocalSigstoreStack } from '../../src/stack/index.js';
import { buildActions, githubEnv, runAction, type ActionRun } from './helpers/runner.js';

let dist: string;
let stack: LocalSigstoreStack;
let workspace: string;
let env: Record<string, string>;

beforeAll(async () => {
  [dist, stack, workspace] = await Promise.all([
    buildActions(),
    startLocalSigstoreStack(),
    mkdtemp(path.join(tmpdir(), 'custody-chain-ws-')),
  ]);
  await mkdir(path.join(workspace, 'dist'), { recursive: true });
  await writeFile(path.join(workspace, 'dist/widget-1.2.3.tgz'), 'pretend tarball\n');
  await writeFile(
    path.join(workspace, 'dist/widget-linux-x64'),
    Buffer.from([0x7f, 0x45, 0x4c, 0x46, 1, 2, 3])
  );
  await copyFile(stack.signingConfigPath, path.join(workspace, 'signing_config.json'));
  await copyFile(stack.trustedRootPath, path.join(workspace, 'trusted_root.json'));
  env = {
    ...githubEnv('push-tag'),
    ACTIONS_ID_TOKEN_REQUEST_URL: stack.githubTokenRequest.url,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: stack.githubTokenRequest.token,
  };
});
afterAll(async () => {
  await stack.close();
  await rm(dist, { recursive: true, force: true });
  await rm(workspace, { recursive: true, force: true });
});

function step(
  name: string,
  inputs: Record<string, string>,
  extraEnv: Record<string, string | undefined> = {}
): Promise<ActionRun> {
  return runAction(dist, name, { workspace, inputs, env: { ...env, ...extraEnv } });
}

describe('release chain across action runs', () => {
  let sign: ActionRun;

  it('sign: checksums file plus one bundle per file, signer identity from the GitHub OIDC token', async () => {
    sign = await step('sign', {
      'subject-path': '*',
      'working-directory': 'dist',
      'signing-config': 'signing_config.json',
    });
    expect(sign.stderr).toBe('');
    expect(sign.errors).toEqual([]);
    expect(sign.code).toBe(0);
    expect(sign.outputs['subject-count']).toBe('2');
    expect(sign.outputs['bundle-paths']!.split('\n').map((p) => path.basename(p))).toEqual([
      'widget-1.2.3.tgz.sigstore.json',
      'widget-linux-x64.sigstore.json',
      'SHA256SUMS.sigstore.json',
    ]);
    expect(sign.outputs['signer-identity']).toMatch(
      /^https:\/\/github\.com\/.+\/\.github\/workflows\/.+@refs\//
    );
    expect(sign.outputs['signer-issuer']).toBe('https://token.actions.githubusercontent.com');
    expect(sign.outputs['checksums-digest']).toMatch(/^sha256:[0-9a-f]{64}$/);
    const sums = await readFile(path.join(workspace, 'dist/SHA256SUMS'), 'utf8');
    expect(sums).toMatch(
      /^[0-9a-f]{64} {2}widget-1\.2\.3\.tgz\n[0-9a-f]{64} {2}widget-linux-x64\n$/
    );
    expect(sign.summary).toContain('widget-linux-x64');
    // The OIDC request token is a secret: never in the step's output.
    expect(sign.stdout).not.toContain(stack.githubTokenRequest.token);
  });

  it('sign without id-token permission fails with SIGN_IDENTITY_UNAVAILABLE and the permission hint', async () => {
    const run = await step(
      'sign',
      { 'subject-path': '*.tgz', 'working-directory': 'dist', checksums: '' },
      { ACTIONS_ID_TOKEN_REQUEST_URL: undefined, ACTIONS_ID_TOKEN_REQUEST_TOKEN: undefined }
    );
    expect(run.code).toBe(3);
    expect(run.errors[0]!.title).toBe('SIGN_IDENTITY_UNAVAILABLE');
    expect(run.errors[0]!.message).toMatch(/id-token: write/);
  });

  it('sign with globs matching nothing fails with ACTION_NO_SUBJECTS', async () => {
    const run = await step('sign', {
      'subject-path': 'dist/*.zip',
      'signing-config': 'signing_config.json',
    });
    expect(run.code).toBe(2);
    expect(run.errors[0]!.title).toBe('ACTION_NO_SUBJECTS');
  });

  it('sign refuses paths that leave the workspace', async () => {
    const run = await step('sign', {
      'subject-path': '../*',
      'signing-config': 'signing_config.json',
    });
    expect(run.code).toBe(2);
    expect(run.errors[0]!.title).toBe('INPUT_PATH_UNSAFE');
  });
});
