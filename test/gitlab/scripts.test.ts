// The components' job scripts run directly in bash (as a GitLab shell runner would, with
// `set -eo pipefail`) against a freshly built custody: the failure paths the pipelines in
// e2e*.test.ts do not reach.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';
import { builtCli } from './cli-build.js';

interface Result {
  code: number;
  output: string;
}

function jobScript(component: string): string {
  const text = readFileSync(path.join(REPO_ROOT, 'templates', component, 'template.yml'), 'utf8');
  const body = parseAllDocuments(text)[1]?.toJS() as Record<string, { script: string[] }>;
  const job = body['$[[ inputs.job-name ]]'];
  if (job === undefined) throw new Error(`no job in ${component}`);
  return ['set -eo pipefail', ...job.script].join('\n');
}

function runScript(script: string, cwd: string, env: Record<string, string>): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: cwd, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, output }));
  });
}

describe('component job scripts', () => {
  let work: string;
  let command: string;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'custody-gitlab-scripts-'));
    command = `${process.execPath} ${await builtCli()}`;
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  const project = (name: string): string => {
    const dir = path.join(work, name);
    mkdirSync(dir, { recursive: true });
    return dir;
  };
  const common = (): Record<string, string> => ({
    CUSTODY_COMMAND: command,
    CUSTODY_COMPONENT: 'test@0 (0)',
    CUSTODY_RELEASE_DIR: 'custody-release',
  });

  it('sign fails with a clear message when no release file matched', async () => {
    const dir = project('no-files');
    const result = await runScript(jobScript('sign'), dir, {
      ...common(),
      CUSTODY_FILES: '',
      CUSTODY_SIGNING: 'keyless',
    });
    expect(result.code).toBe(2);
    expect(result.output).toContain('custody: no release files matched');
  });

  it('sign with signing: key fails when the key variable is missing, naming it', async () => {
    const dir = project('no-key');
    mkdirSync(path.join(dir, 'dist'));
    writeFileSync(path.join(dir, 'dist/app.tgz'), 'app');
    const result = await runScript(jobScript('sign'), dir, {
      ...common(),
      CUSTODY_FILES: 'dist/*',
      CUSTODY_SIGNING: 'key',
      CUSTODY_KEY_VARIABLE: 'RELEASE_KEY',
    });
    expect(result.code).toBe(2);
    expect(result.output).toContain('needs the CI/CD variable RELEASE_KEY');
    // The checksums were written before signing was attempted.
    expect(readFileSync(path.join(dir, 'custody-release/SHA256SUMS'), 'utf8')).toMatch(
      /^[0-9a-f]{64} {2}app\.tgz\n$/
    );
  });

  it('sign with a key file given by a relative path signs every file, spaces included', async () => {
    const dir = project('key-file');
    mkdirSync(path.join(dir, 'dist'));
    writeFileSync(path.join(dir, 'dist/my app.tgz'), 'app');
    writeFileSync(path.join(dir, 'dist/b.tgz'), 'b');
    const keygen = await runScript(
      `${command} keygen --output-key keys/release.key --output-pub keys/release.pub`,
      dir,
      {}
    );
    expect(keygen.code, keygen.output).toBe(0);
    const result = await runScript(jobScript('sign'), dir, {
      ...common(),
      CUSTODY_FILES: 'dist/*',
      CUSTODY_SIGNING: 'key',
      CUSTODY_KEY_VARIABLE: 'RELEASE_KEY',
      RELEASE_KEY: 'keys/release.key',
      CUSTODY_TLOG: 'false',
    });
    expect(result.code, result.output).toBe(0);
    const release = path.join(dir, 'custody-release');
    expect(readFileSync(path.join(release, 'SHA256SUMS'), 'utf8')).toMatch(
      /^[0-9a-f]{64} {2}b\.tgz\n[0-9a-f]{64} {2}my app\.tgz\n$/
    );
    for (const file of ['SHA256SUMS', 'b.tgz', 'my app.tgz']) {
      const bundle = JSON.parse(
        readFileSync(path.join(release, `${file}.sigstore.json`), 'utf8')
      ) as {
        mediaType: string;
      };
      expect(bundle.mediaType).toBe('application/vnd.dev.sigstore.bundle.v0.3+json');
    }
    expect(readFileSync(path.join(dir, 'custody-sign.env'), 'utf8')).toMatch(
      /^CUSTODY_SIGNED_FILES=2$/m
    );
  });

  it('verify reports error (not failed) in the dotenv when custody cannot run the check', async () => {
    const dir = project('bad-policy');
    mkdirSync(path.join(dir, 'custody-release'));
    writeFileSync(path.join(dir, 'custody-release/SHA256SUMS'), '');
    writeFileSync(path.join(dir, 'policy.yaml'), 'apiVersion: nope\n');
    const result = await runScript(jobScript('verify'), dir, {
      ...common(),
      CUSTODY_POLICY: 'policy.yaml',
      CUSTODY_CERTIFICATE_OIDC_ISSUER: 'https://gitlab.com',
    });
    expect(result.code).toBe(2);
    expect(result.output).toContain('custody verify: error');
    expect(readFileSync(path.join(dir, 'custody-verify.env'), 'utf8')).toMatch(
      /^CUSTODY_VERDICT=error$/m
    );
  });

  it('verify requires the pipeline’s own identity and commit when given no policy', async () => {
    const dir = project('own-identity');
    mkdirSync(path.join(dir, 'custody-release'));
    writeFileSync(path.join(dir, 'custody-release/app.tgz'), 'app');
    const result = await runScript(jobScript('verify'), dir, {
      ...common(),
      CUSTODY_CERTIFICATE_OIDC_ISSUER: 'https://gitlab.example',
      CI_SERVER_URL: 'https://gitlab.example',
      CI_PROJECT_PATH: 'acme/hello',
      CI_MERGE_REQUEST_IID: '7',
      CI_COMMIT_REF_NAME: 'feature',
      CI_COMMIT_SHA: 'a'.repeat(40),
    });
    expect(result.output).toContain(
      `requiring signer https://gitlab.example/acme/hello//.gitlab-ci.yml@refs/merge-requests/7/head, issuer https://gitlab.example, commit ${'a'.repeat(40)}`
    );
    expect(result.code).toBe(1);
    expect(readFileSync(path.join(dir, 'custody-verify.env'), 'utf8')).toMatch(
      /^CUSTODY_VERDICT=failed$/m
    );
  });
});
