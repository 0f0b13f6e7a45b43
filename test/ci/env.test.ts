import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectCIContext, detectPlatform, localContext } from '../../src/ci/detect.js';
import {
  GITHUB_ENV_ALLOW_LIST,
  loadGitHubContext,
  readGitHubContext,
} from '../../src/ci/github/env.js';
import {
  GITLAB_ENV_ALLOW_LIST,
  parseRunnerTags,
  readGitLabContext,
} from '../../src/ci/gitlab/env.js';
import { expectCode } from '../helpers/errors.js';
import { loadCIEnv } from '../attest/env-fixtures.js';

describe('GitHub context', () => {
  it('reads the pull-request number from the event payload', async () => {
    const ctx = await loadGitHubContext(loadCIEnv('github-pull-request'));
    expect(ctx.pullRequest).toEqual({
      number: 17,
      headSha: '62cdb7020ff920e5aa642c3d4066950dd1f01f4d',
    });
    expect(ctx.runnerEnvironment).toBe('self-hosted');
    expect(ctx.apiUrl).toBe('https://api.github.com');
  });

  it('reads only allow-listed variables', async () => {
    const env = loadCIEnv('github-push');
    const base = await loadGitHubContext(env);
    const noisy: Record<string, string> = {
      ...env,
      GITHUB_TOKEN: 'ghs_other',
      GITHUB_ACTOR: 'mallory',
      SECRET: 'x',
    };
    expect(await loadGitHubContext(noisy)).toEqual(base);
    // a variable outside the list never appears, whatever its value
    expect(JSON.stringify(base)).not.toContain(env.GITHUB_ACTOR!);
    expect(GITHUB_ENV_ALLOW_LIST.every((n) => /^(GITHUB|RUNNER)_/.test(n))).toBe(true);
    expect(GITLAB_ENV_ALLOW_LIST.every((n) => /^(CI|GITLAB)_/.test(n))).toBe(true);
  });

  it('names a missing or malformed variable', async () => {
    const env = loadCIEnv('github-push');
    const rest = { ...env };
    delete rest.GITHUB_REPOSITORY_ID;
    const error = await expectCode(() => readGitHubContext(rest), 'CI_CONTEXT_INCOMPLETE');
    expect(error.message).toContain('GITHUB_REPOSITORY_ID');
    await expectCode(
      () => readGitHubContext({ ...env, GITHUB_SHA: 'HEAD' }),
      'CI_CONTEXT_INCOMPLETE'
    );
    await expectCode(
      () => readGitHubContext({ ...env, GITHUB_REPOSITORY: '../x' }),
      'CI_CONTEXT_INCOMPLETE'
    );
  });

  it('refuses an unreadable or non-object event payload', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'custody-ci-'));
    const env = loadCIEnv('github-push');
    writeFileSync(path.join(dir, 'bad.json'), '{"truncated":');
    writeFileSync(path.join(dir, 'array.json'), '[]');
    await expectCode(
      () => loadGitHubContext({ ...env, GITHUB_EVENT_PATH: path.join(dir, 'bad.json') }),
      'CI_EVENT_INVALID'
    );
    await expectCode(
      () => loadGitHubContext({ ...env, GITHUB_EVENT_PATH: path.join(dir, 'array.json') }),
      'CI_EVENT_INVALID'
    );
    await expectCode(
      () => loadGitHubContext({ ...env, GITHUB_EVENT_PATH: path.join(dir, 'missing.json') }),
      'CI_EVENT_INVALID'
    );
  });
});

describe('GitLab context', () => {
  it('reads tag and merge-request pipelines', () => {
    const tag = readGitLabContext(loadCIEnv('gitlab-tag'));
    expect([tag.ref, tag.refType, tag.refProtected, tag.mergeRequest]).toEqual([
      'refs/tags/v1.2.0',
      'tag',
      true,
      undefined,
    ]);
    const mr = readGitLabContext(loadCIEnv('gitlab-merge-request'));
    expect(mr.ref).toBe('refs/heads/agent/fix-parser');
    expect(mr.mergeRequest?.iid).toBe('23');
    expect(mr.mergeRequest?.url).toBe('https://gitlab.com/acme-group/hello/-/merge_requests/23');
    expect(JSON.stringify(mr)).not.toContain('jane.doe@example.com');
  });

  it('parses runner tags in JSON and comma forms', () => {
    expect(parseRunnerTags('["b", "a"]')).toEqual(['a', 'b']);
    expect(parseRunnerTags('docker, linux')).toEqual(['docker', 'linux']);
    expect(parseRunnerTags(undefined)).toEqual([]);
  });

  it('names missing or malformed variables', async () => {
    const env = loadCIEnv('gitlab-tag');
    await expectCode(
      () => readGitLabContext({ ...env, CI_PROJECT_ID: 'abc' }),
      'CI_CONTEXT_INCOMPLETE'
    );
    const rest = { ...env };
    delete rest.CI_JOB_NAME;
    const error = await expectCode(() => readGitLabContext(rest), 'CI_CONTEXT_INCOMPLETE');
    expect(error.message).toContain('CI_JOB_NAME');
  });
});

describe('detect', () => {
  it('detects the platform from GITHUB_ACTIONS / GITLAB_CI only', async () => {
    expect(detectPlatform(loadCIEnv('github-tag'))).toBe('github');
    expect(detectPlatform(loadCIEnv('gitlab-tag'))).toBe('gitlab');
    expect(detectPlatform({ CI: 'true' })).toBe('local');
    expect((await detectCIContext(loadCIEnv('gitlab-tag'))).platform).toBe('gitlab');
  });

  it('needs a URI builder id for local builds', async () => {
    await expectCode(() => detectCIContext({}), 'ATTEST_CONTEXT_MISSING');
    await expectCode(() => localContext({ builderId: 'my laptop' }), 'ATTEST_CONTEXT_MISSING');
    await expectCode(
      () => localContext({ builderId: 'https://b', source: { uri: 'https://x', commit: 'HEAD' } }),
      'ATTEST_CONTEXT_MISSING'
    );
    expect(localContext({ builderId: 'https://b' }).builderId).toBe('https://b');
  });
});
