// The self-managed example (the four components one by one, signing with a key held in a CI/CD
// variable, verifying with the committed public key) run end to end by gitlab-ci-local. The
// transparency log is the local stack's Rekor, chosen through the components' signing-config.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalSigstoreStack, type LocalSigstoreStack } from '../../src/stack/index.js';
import { builtCli } from './cli-build.js';
import {
  createTestRepo,
  gitlabCiLocal,
  readRepoFile,
  selfReferencing,
  type GclRun,
  type TestRepo,
} from './gcl.js';

const PIPELINE_TIMEOUT_MS = 150_000;

function node(args: string[], cwd: string): Promise<GclRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('the self-managed example pipeline (key signing) under gitlab-ci-local', () => {
  let work: string;
  let stack: LocalSigstoreStack;
  let repo: TestRepo;
  let privateKey: string;
  let run: GclRun;
  let cli: string;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'custody-gitlab-key-'));
    cli = await builtCli();
    const keygen = await node(
      [
        cli,
        'keygen',
        '--output-key',
        path.join(work, 'release.key'),
        '--output-pub',
        path.join(work, 'release.pub'),
      ],
      work
    );
    expect(keygen.code, keygen.stderr).toBe(0);
    privateKey = readFileSync(path.join(work, 'release.key'), 'utf8');

    [stack, repo] = await Promise.all([
      startLocalSigstoreStack({ dir: path.join(work, 'stack') }),
      createTestRepo({
        '.gitlab-ci.yml': selfReferencing(
          readRepoFile('workflows/gitlab/self-managed.gitlab-ci.yml')
        ),
        'package.json': { from: 'fixtures/gitlab/sample/package.json' },
        'package-lock.json': { from: 'fixtures/gitlab/sample/package-lock.json' },
        'src/index.js': { from: 'fixtures/gitlab/sample/src/index.js' },
        // The example policy for key-signed releases, naming this test's key.
        'custody-policy.yaml': readRepoFile(
          'workflows/gitlab/custody-policy.self-managed.yaml'
        ).replace(
          /-----BEGIN PUBLIC KEY-----[\s\S]*?-----END PUBLIC KEY-----/,
          readFileSync(path.join(work, 'release.pub'), 'utf8').trim().split('\n').join('\n        ')
        ),
      }),
    ]);

    const variablesFile = path.join(work, 'variables.yml');
    // A masked (non-file) variable holding the PEM text: the components write it to a 0600 file.
    writeFileSync(
      variablesFile,
      stringify({
        CI_COMMIT_TAG: 'v1.0.0',
        CUSTODY_SIGNING_KEY: privateKey,
        CUSTODY_NODE: process.execPath,
        CUSTODY_CLI: cli,
      })
    );
    const command = '$CUSTODY_NODE $CUSTODY_CLI';
    const inputsFile = path.join(work, 'inputs.yml');
    writeFileSync(
      inputsFile,
      stringify({
        sbom: { 'custody-command': command },
        sign: { 'custody-command': command, 'signing-config': stack.signingConfigPath },
        attest: { 'custody-command': command, 'signing-config': stack.signingConfigPath },
        verify: { 'custody-command': command, 'trusted-root': stack.trustedRootPath },
      })
    );
    run = await gitlabCiLocal(
      repo,
      [
        '--variables-file',
        variablesFile,
        '--inputs-file',
        inputsFile,
        '--force-shell-executor',
        '--shell-isolation',
        '--no-artifacts-to-source',
      ],
      { timeoutMs: PIPELINE_TIMEOUT_MS }
    );
  }, PIPELINE_TIMEOUT_MS + 30_000);

  afterAll(async () => {
    await stack?.close();
    repo?.cleanup();
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  it('signs, attests and verifies with the key', () => {
    const output = run.stdout + run.stderr;
    if (process.env.CUSTODY_E2E_LOG === '1') console.log(output);
    expect(run.code, output).toBe(0);
    expect(output).toContain('custody verify: passed');
    for (const component of ['sbom', 'sign', 'attest', 'verify']) {
      // Each job starts by printing the version of the custody it runs.
      expect(output).toMatch(new RegExp(`^custody-${component} +> \\d+\\.\\d+\\.\\d+$`, 'm'));
    }
  });

  it('verifies against the policy with the key, and not with another key', async () => {
    const release = path.join(
      repo.dir,
      '.gitlab-ci-local/artifacts/custody-attest/custody-release'
    );
    const policy = path.join(repo.dir, 'custody-policy.yaml');
    const ok = await node(
      [cli, 'verify', release, '--policy', policy, '--trusted-root', stack.trustedRootPath],
      work
    );
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    const other = await node(
      [
        cli,
        'keygen',
        '--output-key',
        path.join(work, 'other.key'),
        '--output-pub',
        path.join(work, 'other.pub'),
      ],
      work
    );
    expect(other.code).toBe(0);
    const wrong = await node(
      [
        cli,
        'verify',
        release,
        '--policy',
        policy,
        '--key',
        path.join(work, 'other.pub'),
        '--trusted-root',
        stack.trustedRootPath,
      ],
      work
    );
    expect(wrong.code, wrong.stdout).toBe(1);
  });

  it('keeps the private key out of the logs and the release, and removes its temp file', () => {
    const keyBody = privateKey.split('\n')[1] ?? privateKey;
    const tempKeys = [...(run.stdout + run.stderr).matchAll(/signed as key (\/\S+)/g)].map(
      (m) => m[1]
    );
    expect(tempKeys.length).toBeGreaterThan(0);
    for (const file of tempKeys) expect(existsSync(file ?? ''), file).toBe(false);
    expect(run.stdout + run.stderr).not.toContain(keyBody);
    const release = path.join(
      repo.dir,
      '.gitlab-ci-local/artifacts/custody-attest/custody-release'
    );
    for (const file of readdirSync(release)) {
      expect(readFileSync(path.join(release, file), 'latin1'), file).not.toContain(keyBody);
    }
  });

  it('writes key-signed bundles (no certificate)', () => {
    const release = path.join(
      repo.dir,
      '.gitlab-ci-local/artifacts/custody-attest/custody-release'
    );
    const bundle = JSON.parse(
      readFileSync(path.join(release, 'SHA256SUMS.sigstore.json'), 'utf8')
    ) as {
      verificationMaterial: Record<string, unknown>;
    };
    expect(bundle.verificationMaterial.publicKey).toBeDefined();
    expect(bundle.verificationMaterial.certificate).toBeUndefined();
  });
});
