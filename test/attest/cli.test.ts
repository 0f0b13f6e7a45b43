import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSampleHistory, type SampleHistory } from '../../src/ci/sample-history.js';
import { runCli } from '../helpers/cli.js';
import { GITLAB_TOKEN, GOOD_TOKEN, startApiServer, type ApiServer } from '../ci/api-server.js';
import { loadCIEnv } from './env-fixtures.js';

const EPOCH = '1795170600';
const PROMPT_TEXT = 'please refactor the parser, secret-project-codename-zebra';
const HMAC_KEY = 'hmac-key-0123456789abcdef0123456789abcdef';
let dir: string;
let history: SampleHistory;
let server: ApiServer;

const base = () => ({ PATH: process.env.PATH, SOURCE_DATE_EPOCH: EPOCH });

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'custody-attest-cli-'));
  writeFileSync(path.join(dir, 'hello-linux-amd64'), 'linux binary\n');
  writeFileSync(path.join(dir, 'hello-darwin-arm64'), 'darwin binary\n');
  writeFileSync(path.join(dir, 'prompt.txt'), PROMPT_TEXT);
  const linuxDigest = createHash('sha256').update('linux binary\n').digest('hex');
  writeFileSync(path.join(dir, 'SHA256SUMS'), `${linuxDigest}  hello-linux-amd64\n`);
  writeFileSync(
    path.join(dir, 'sbom.cdx.json'),
    readFileSync(path.join(import.meta.dirname, '../../fixtures/attest/hello.cdx.json'))
  );
  history = await createSampleHistory(
    mkdtempSync(path.join(tmpdir(), 'custody-history-')),
    process.env
  );
  server = await startApiServer({ anyCommitPR: 17 });
});
afterAll(async () => {
  await server.close();
});

function allOutputText(): string {
  return readdirSync(dir)
    .filter((f) => statSync(path.join(dir, f)).isFile() && f !== 'prompt.txt')
    .map((f) => readFileSync(path.join(dir, f), 'utf8'))
    .join('\n');
}

describe('custody attest (statement-only)', () => {
  it('provenance for a local build: files, globs and the checksums file itself are subjects; byte-identical reruns', async () => {
    const argv = [
      'attest',
      'provenance',
      '--platform',
      'local',
      '--builder-id',
      'https://example.com/builders/ci-1',
      '--subject',
      'hello-*',
      '--checksums',
      'SHA256SUMS',
      '--statement-only',
      '--name',
      'hello',
      '--source-uri',
      'https://github.com/acme/hello',
      '--source-commit',
      history.commits[3]!,
    ];
    const first = await runCli(argv, { cwd: dir, env: base() });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const file = path.join(dir, 'hello.provenance.statement.json');
    const text = readFileSync(file, 'utf8');
    const statement = JSON.parse(text);
    expect(statement.subject.map((s: { name: string }) => s.name)).toEqual([
      'SHA256SUMS',
      'hello-darwin-arm64',
      'hello-linux-amd64',
    ]);
    expect(statement.predicate.buildDefinition.buildType).toBe(
      'https://custody.dev/buildtypes/local/v1'
    );
    expect(statement.predicate.runDetails.metadata.finishedOn).toBe('2026-11-20T10:30:00Z');
    await runCli(argv, { cwd: dir, env: base() });
    expect(readFileSync(file, 'utf8')).toBe(text);
    // a file and a checksums entry naming it with another digest are refused
    writeFileSync(path.join(dir, 'BAD256SUMS'), `${'0'.repeat(64)}  hello-linux-amd64\n`);
    const conflict = await runCli(
      [
        'attest',
        'provenance',
        '--platform',
        'local',
        '--builder-id',
        'https://b.example',
        '--subject',
        'hello-*',
        '--checksums',
        'BAD256SUMS',
        '--statement-only',
      ],
      { cwd: dir, env: base() }
    );
    expect(conflict.stderr).toMatch(/^error\[ATTEST_SUBJECT_INVALID\]/);
  });

  it('provenance in a GitHub Actions pull_request run uses the actions/attest layout', async () => {
    const env = { ...loadCIEnv('github-pull-request'), SOURCE_DATE_EPOCH: EPOCH };
    const run = await runCli(
      ['--json', 'attest', 'provenance', '--subject', 'hello-darwin-arm64', '--statement-only'],
      { cwd: dir, env }
    );
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.statement).toBe('hello-darwin-arm64.provenance.statement.json');
    const statement = JSON.parse(readFileSync(path.join(dir, out.statement), 'utf8'));
    expect(statement.predicate.runDetails.builder.id).toBe(
      'https://github.com/acme/hello/.github/workflows/ci.yml@refs/pull/17/merge'
    );
  });

  it('sbom: the CycloneDX predicate, and clear errors', async () => {
    const run = await runCli(
      [
        'attest',
        'sbom',
        '--sbom',
        'sbom.cdx.json',
        '--subject',
        'hello-darwin-arm64',
        '--statement-only',
        '--name',
        'hello',
      ],
      { cwd: dir, env: base() }
    );
    expect(run.code).toBe(0);
    const statement = JSON.parse(readFileSync(path.join(dir, 'hello.sbom.statement.json'), 'utf8'));
    expect(statement.predicateType).toBe('https://cyclonedx.org/bom');
    expect(statement.predicate.bomFormat).toBe('CycloneDX');
    writeFileSync(path.join(dir, 'not-sbom.json'), '{"spdxVersion":"SPDX-2.3"}');
    const bad = await runCli(
      [
        'attest',
        'sbom',
        '--sbom',
        'not-sbom.json',
        '--subject',
        'hello-darwin-arm64',
        '--statement-only',
      ],
      { cwd: dir, env: base() }
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error\[ATTEST_SBOM_INVALID\]/);
    const none = await runCli(['attest', 'sbom', '--sbom', 'sbom.cdx.json', '--statement-only'], {
      cwd: dir,
      env: base(),
    });
    expect(none.stderr).toMatch(/^error\[ATTEST_NO_SUBJECTS\]/);
    const glob = await runCli(
      [
        'attest',
        'sbom',
        '--sbom',
        'sbom.cdx.json',
        '--subject',
        'nothing-*.zip',
        '--statement-only',
      ],
      { cwd: dir, env: base() }
    );
    expect(glob.stderr).toMatch(/^error\[ATTEST_SUBJECT_INVALID\]/);
  });

  it('refuses to sign without an identity, and writes nothing', async () => {
    const run = await runCli(
      ['attest', 'sbom', '--sbom', 'sbom.cdx.json', '--subject', 'hello-darwin-arm64'],
      { cwd: dir, env: base() }
    );
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^error\[SIGN_IDENTITY_UNAVAILABLE\]/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(readdirSync(dir).some((f) => f.startsWith('hello-darwin-arm64.intoto'))).toBe(false);
  });
});

describe('custody attest agent and agent scan', () => {
  it('scan lists the agent commits and flags a model mismatch (exit 1 with --strict)', async () => {
    const ok = await runCli(
      [
        '--json',
        'agent',
        'scan',
        '--range',
        history.range,
        '--repo',
        history.repo,
        '--model',
        'claude-opus-4-1',
      ],
      { env: base() }
    );
    expect(ok.code).toBe(0);
    const result = JSON.parse(ok.stdout);
    expect(result.agentCommits.map((c: { sha: string }) => c.sha)).toEqual(history.agentCommits);
    expect(result.inconsistencies).toEqual([]);
    const strict = await runCli(
      [
        'agent',
        'scan',
        '--range',
        history.range,
        '--repo',
        history.repo,
        '--model',
        'gpt-5',
        '--strict',
      ],
      { env: base() }
    );
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain('model-mismatch');
    const badRange = await runCli(
      ['agent', 'scan', '--range', '--output=/tmp/x', '--repo', history.repo],
      { env: base() }
    );
    expect(badRange.code).toBe(2);
    const notRepo = await runCli(['agent', 'scan', '--range', 'v1..v2', '--repo', dir], {
      env: base(),
    });
    expect(notRepo.stderr).toMatch(/^error\[ATTEST_GIT_FAILED\]/);
  });

  it('agent provenance: commits + artifacts as subjects, approvals from the GitHub API, prompt HMAC; no secret in any output', async () => {
    const env: Record<string, string | undefined> = {
      ...loadCIEnv('github-pull-request'),
      ...base(),
      GITHUB_API_URL: server.url,
      GITHUB_TOKEN: GOOD_TOKEN,
      PROMPT_KEY: HMAC_KEY,
    };
    const run = await runCli(
      [
        'attest',
        'agent',
        '--range',
        history.range,
        '--repo',
        history.repo,
        '--subject',
        'hello-darwin-arm64',
        '--model-provider',
        'anthropic',
        '--agent-version',
        '2.0.14',
        '--prompt-file',
        'prompt.txt',
        '--prompt-hmac-key-env',
        'PROMPT_KEY',
        '--statement-only',
        '--name',
        'hello',
      ],
      { cwd: dir, env }
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const statement = JSON.parse(
      readFileSync(path.join(dir, 'hello.agent.statement.json'), 'utf8')
    );
    const p = statement.predicate;
    expect(p.agent.name).toBe('claude-code');
    expect(p.model).toEqual({ name: 'claude-opus-4-1', provider: 'anthropic' });
    expect(p.prompt.commitment).toBe('hmac-sha256');
    expect(p.plan).toEqual({ id: 'PLAN-1' });
    expect(p.agent.tools).toEqual(['shellcheck']);
    expect(
      p.changes.map((c: { digest: { gitCommit: string } }) => c.digest.gitCommit).sort()
    ).toEqual([...history.agentCommits].sort());
    expect(p.humanApprovals.map((a: { approver: { login: string } }) => a.approver.login)).toEqual([
      'alice',
      'octocat',
    ]);
    expect(
      statement.subject.filter(
        (s: { digest: { gitCommit?: string } }) => s.digest.gitCommit !== undefined
      )
    ).toHaveLength(2);
    for (const secret of [
      PROMPT_TEXT,
      'secret-project-codename-zebra',
      HMAC_KEY,
      GOOD_TOKEN,
      env.ACTIONS_RUNTIME_TOKEN!,
    ]) {
      expect(allOutputText()).not.toContain(secret);
      expect(run.stdout + run.stderr).not.toContain(secret);
    }
  });

  it('agent provenance in a GitLab merge-request pipeline takes approvals from the MR API', async () => {
    const env: Record<string, string | undefined> = {
      ...loadCIEnv('gitlab-merge-request'),
      ...base(),
      CI_API_V4_URL: `${server.url}/api/v4`,
      GITLAB_TOKEN: GITLAB_TOKEN,
    };
    const run = await runCli(
      [
        'attest',
        'agent',
        '--range',
        history.range,
        '--repo',
        history.repo,
        '--subject',
        'hello-darwin-arm64',
        '--statement-only',
        '--name',
        'gl',
      ],
      { cwd: dir, env }
    );
    expect(run.stderr).toBe('');
    const statement = JSON.parse(readFileSync(path.join(dir, 'gl.agent.statement.json'), 'utf8'));
    expect(
      statement.predicate.humanApprovals.map(
        (a: { approver: { login: string }; method: string }) => [a.approver.login, a.method]
      )
    ).toEqual([['jdoe', 'mr-approval']]);
    expect(statement.predicate.session.invocationUri).toBe(
      'https://gitlab.com/acme-group/hello/-/jobs/9876549999'
    );
    expect(statement.predicate.changes[0].uri).toMatch(
      /^git\+https:\/\/gitlab\.com\/acme-group\/hello@[0-9a-f]{40}$/
    );
    expect(run.stdout + allOutputText()).not.toContain(GITLAB_TOKEN);
    expect(run.stdout + allOutputText()).not.toContain(env.CI_JOB_TOKEN!);
  });

  it('keeps a rejected token out of --debug error output', async () => {
    const badToken = 'ghs_rejectedTokenValue0123456789abcd';
    const run = await runCli(
      [
        '--debug',
        'attest',
        'agent',
        '--range',
        history.range,
        '--repo',
        history.repo,
        '--statement-only',
        '--name',
        'denied',
      ],
      {
        cwd: dir,
        env: {
          ...loadCIEnv('github-pull-request'),
          ...base(),
          GITHUB_API_URL: server.url,
          GITHUB_TOKEN: badToken,
        },
      }
    );
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^error\[CI_API_UNAUTHORIZED\]/);
    expect(run.stderr).toContain('caused by'); // --debug shows causes…
    expect(run.stderr + run.stdout).not.toContain(badToken); // …but never the token
  });

  it('refuses unknown or conflicting agent inputs with clear codes', async () => {
    const short = await runCli(
      [
        'attest',
        'agent',
        '--range',
        history.range,
        '--repo',
        history.repo,
        '--prompt-file',
        'prompt.txt',
        '--prompt-hmac-key-env',
        'K',
        '--statement-only',
      ],
      { cwd: dir, env: { ...base(), K: 'tiny-k3y' } }
    );
    expect(short.stderr).toMatch(/^error\[ATTEST_AGENT_INPUT_INVALID\]/);
    expect(short.stderr).not.toContain('tiny-k3y');
    const noToken = await runCli(
      [
        'attest',
        'agent',
        '--range',
        history.range,
        '--repo',
        history.repo,
        '--statement-only',
        '--approvals',
        'github',
        '--github-repository',
        'acme/hello',
      ],
      { cwd: dir, env: base() }
    );
    expect(noToken.stderr).toMatch(/^error\[CI_TOKEN_MISSING\]/);
    const strict = await runCli(
      [
        'attest',
        'agent',
        '--range',
        history.range,
        '--repo',
        history.repo,
        '--model',
        'gpt-5',
        '--strict',
        '--statement-only',
        '--name',
        'strict',
      ],
      { cwd: dir, env: base() }
    );
    expect(strict.code).toBe(1);
    expect(readdirSync(dir).some((f) => f.startsWith('strict.'))).toBe(false);
  });
});
