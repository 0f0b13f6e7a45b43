// The example release pipeline, run end to end by gitlab-ci-local with the shell executor:
// build → custody-sbom → custody-sign → custody-attest → custody-verify, artifacts handed between
// jobs, custody built from this checkout and run on Node 24, signing keyless against a local
// Sigstore stack with a GitLab-shaped ID token. The release it produces must verify; a tampered
// one must fail the verify job.
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

const TAG = 'v1.0.0';
const PIPELINE_TIMEOUT_MS = 150_000;

async function runCustody(cli: string, args: string[], cwd: string): Promise<GclRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('the release example pipeline under gitlab-ci-local', () => {
  let work: string;
  let cli: string;
  let stack: LocalSigstoreStack;
  let repo: TestRepo;
  let token: string;
  let run: GclRun;
  let gclArgs: string[];

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'custody-gitlab-e2e-'));
    [stack, repo] = await Promise.all([
      startLocalSigstoreStack({ dir: path.join(work, 'stack') }),
      createTestRepo({
        '.gitlab-ci.yml': selfReferencing(readRepoFile('workflows/gitlab/release.gitlab-ci.yml')),
        'package.json': { from: 'fixtures/gitlab/sample/package.json' },
        'package-lock.json': { from: 'fixtures/gitlab/sample/package-lock.json' },
        'src/index.js': { from: 'fixtures/gitlab/sample/src/index.js' },
      }),
      builtCli(),
    ]).then(([s, r, c]) => {
      cli = c;
      return [s, r] as const;
    });

    // The claims of a tag pipeline of acme/hello at this commit (what gitlab.com would put in the
    // job's SIGSTORE_ID_TOKEN; gitlab-ci-local does not implement id_tokens).
    token = stack.issueToken('gitlab', { sha: repo.sha, ref: TAG, ref_path: `refs/tags/${TAG}` });
    const variablesFile = path.join(work, 'variables.yml');
    writeFileSync(
      variablesFile,
      stringify({
        CI_COMMIT_TAG: TAG,
        SIGSTORE_ID_TOKEN: token,
        CUSTODY_NODE: process.execPath,
        CUSTODY_CLI: cli,
        SOURCE_DATE_EPOCH: '1767225600',
      })
    );
    const inputsFile = path.join(work, 'inputs.yml');
    writeFileSync(
      inputsFile,
      stringify({
        release: {
          'custody-command': '$CUSTODY_NODE $CUSTODY_CLI',
          'signing-config': stack.signingConfigPath,
          'trusted-root': stack.trustedRootPath,
          vsa: true,
        },
      })
    );
    gclArgs = [
      '--variables-file',
      variablesFile,
      '--inputs-file',
      inputsFile,
      '--force-shell-executor',
      '--shell-isolation',
      '--no-artifacts-to-source',
    ];
    run = await gitlabCiLocal(repo, gclArgs, { timeoutMs: PIPELINE_TIMEOUT_MS });
  }, PIPELINE_TIMEOUT_MS + 30_000);

  afterAll(async () => {
    await stack?.close();
    repo?.cleanup();
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  const artifactDir = (job: string): string =>
    path.join(repo.dir, '.gitlab-ci-local/artifacts', job);
  const releaseDir = (): string => path.join(artifactDir('custody-attest'), 'custody-release');
  const dotenv = (job: string): string =>
    readFileSync(path.join(artifactDir(job), `.gitlab-ci-reports/dotenv/${job}.env`), 'utf8');

  it('runs every job of the chain successfully', () => {
    const output = run.stdout + run.stderr;
    if (process.env.CUSTODY_E2E_LOG === '1') console.log(output);
    expect(run.code, output).toBe(0);
    for (const job of [
      'build',
      'custody-sbom',
      'custody-sign',
      'custody-attest',
      'custody-verify',
    ]) {
      expect(output).toMatch(new RegExp(`${job}\\s.*finished in`));
    }
    expect(output).toContain('custody verify: passed');
    for (const step of ['sbom', 'sign', 'attest', 'verify']) {
      // Each job starts by printing the version of the custody it runs.
      expect(output).toMatch(new RegExp(`^custody-${step} +> \\d+\\.\\d+\\.\\d+$`, 'm'));
    }
  });

  it('never prints the ID token', () => {
    expect(run.stdout + run.stderr).not.toContain(token);
    expect(run.stdout + run.stderr).not.toContain(token.split('.')[2] ?? token);
  });

  it('hands a complete release from job to job', () => {
    const files = readdirSync(releaseDir()).sort();
    expect(files).toEqual(
      expect.arrayContaining([
        'SHA256SUMS',
        'SHA256SUMS.sigstore.json',
        'hello-1.0.0.tgz',
        'hello-1.0.0.tgz.sigstore.json',
        'provenance.intoto.jsonl',
        'sbom.cdx.json',
        'sbom.intoto.jsonl',
      ])
    );
    expect(readFileSync(path.join(releaseDir(), 'SHA256SUMS'), 'utf8')).toMatch(
      /^[0-9a-f]{64} {2}hello-1\.0\.0\.tgz\n[0-9a-f]{64} {2}sbom\.cdx\.json\n$/
    );
  });

  it('writes the dotenv and Markdown reports', () => {
    const verifyEnv = dotenv('custody-verify');
    expect(verifyEnv).toMatch(/^CUSTODY_VERDICT=passed$/m);
    expect(verifyEnv).toMatch(/^CUSTODY_VERIFIED_CHECKSUMS_SHA256=[0-9a-f]{64}$/m);
    const signEnv = dotenv('custody-sign');
    expect(signEnv).toMatch(/^CUSTODY_SIGNED_FILES=2$/m);
    const sbomEnv = dotenv('custody-sbom');
    expect(sbomEnv).toMatch(/^CUSTODY_SBOM_SHA256=[0-9a-f]{64}$/m);
    const report = readFileSync(
      path.join(artifactDir('custody-verify'), 'custody-verify.md'),
      'utf8'
    );
    expect(report).toContain('hello-1.0.0.tgz');
    expect(report).toMatch(/PASS/);
    const vsa = readFileSync(
      path.join(artifactDir('custody-verify'), 'custody-vsa.intoto.json'),
      'utf8'
    );
    expect(vsa).toContain('https://slsa.dev/verification_summary/v1');
    expect(dotenv('custody-attest')).toMatch(/^CUSTODY_PROVENANCE_SHA256=[0-9a-f]{64}$/m);
  });

  it('produces an SBOM with the GitLab properties and provenance with the GitLab buildType', () => {
    const sbom = JSON.parse(readFileSync(path.join(releaseDir(), 'sbom.cdx.json'), 'utf8')) as {
      bomFormat: string;
      metadata: { properties?: { name: string; value: string }[] };
    };
    expect(sbom.bomFormat).toBe('CycloneDX');
    expect(sbom.metadata.properties).toEqual(
      expect.arrayContaining([{ name: 'gitlab:meta:schema_version', value: '1' }])
    );
    const line =
      readFileSync(path.join(releaseDir(), 'provenance.intoto.jsonl'), 'utf8').split('\n')[0] ?? '';
    const bundle = JSON.parse(line) as { dsseEnvelope: { payload: string } };
    const statement = JSON.parse(
      Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8')
    ) as {
      predicate: {
        buildDefinition: {
          buildType: string;
          resolvedDependencies: { digest: Record<string, string> }[];
        };
      };
    };
    expect(statement.predicate.buildDefinition.buildType).toMatch(/gitlab/i);
    expect(JSON.stringify(statement.predicate.buildDefinition.resolvedDependencies)).toContain(
      repo.sha
    );
  });

  it('produces a release that custody verify accepts with the GitLab identity', async () => {
    const result = await runCustody(
      cli,
      [
        'verify',
        releaseDir(),
        '--certificate-identity',
        `https://gitlab.com/acme/hello//.gitlab-ci.yml@refs/tags/${TAG}`,
        '--certificate-oidc-issuer',
        'https://gitlab.com',
        '--trusted-root',
        stack.trustedRootPath,
      ],
      repo.dir
    );
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const wrong = await runCustody(
      cli,
      [
        'verify',
        releaseDir(),
        '--certificate-identity',
        `https://gitlab.com/acme/other//.gitlab-ci.yml@refs/tags/${TAG}`,
        '--certificate-oidc-issuer',
        'https://gitlab.com',
        '--trusted-root',
        stack.trustedRootPath,
      ],
      repo.dir
    );
    expect(wrong.code).toBe(1);
  });

  it('passes the example gitlab.com policy, and fails it when a pin does not hold', async () => {
    const example = readRepoFile('workflows/gitlab/custody-policy.gitlab-com.yaml');
    const verifyWith = async (name: string, policyText: string): Promise<GclRun> => {
      const file = path.join(work, name);
      writeFileSync(file, policyText);
      return runCustody(
        cli,
        ['verify', releaseDir(), '--policy', file, '--trusted-root', stack.trustedRootPath],
        repo.dir
      );
    };
    const ok = await verifyWith('policy.yaml', example);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    const selfHosted = await verifyWith(
      'self-hosted.yaml',
      example.replace('runnerEnvironment: gitlab-hosted', 'runnerEnvironment: self-hosted')
    );
    expect(selfHosted.code, selfHosted.stdout).toBe(1);
    const otherRepo = await verifyWith(
      'other-repo.yaml',
      example.replace(
        'sourceRepositories: [https://gitlab.com/acme/hello]',
        'sourceRepositories: [https://gitlab.com/acme/other]'
      )
    );
    expect(otherRepo.code, otherRepo.stdout).toBe(1);
  });

  it('fails the verify job when a release artifact is tampered with', async () => {
    const artifact = path.join(releaseDir(), 'hello-1.0.0.tgz');
    expect(existsSync(artifact)).toBe(true);
    writeFileSync(artifact, Buffer.concat([readFileSync(artifact), Buffer.from('tampered')]));
    // Only the verify job: it reuses the artifacts the earlier run left for its needs.
    const tampered = await gitlabCiLocal(repo, [...gclArgs, 'custody-verify'], {
      timeoutMs: 100_000,
    });
    const output = tampered.stdout + tampered.stderr;
    expect(tampered.code, output).not.toBe(0);
    expect(output).toContain('custody verify: failed');
    const verifyEnv = dotenv('custody-verify');
    expect(verifyEnv).toMatch(/^CUSTODY_VERDICT=failed$/m);
    const report = readFileSync(
      path.join(artifactDir('custody-verify'), 'custody-verify.md'),
      'utf8'
    );
    expect(report).toMatch(/FAIL/);
  }, 110_000);
});
