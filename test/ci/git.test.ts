import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { gitLog, gitSource, sanitizeRemoteURL } from '../../src/ci/git.js';
import {
  createSampleHistory,
  SAMPLE_PROMPT_SHA256,
  type SampleHistory,
} from '../../src/ci/sample-history.js';
import { expectCode } from '../helpers/errors.js';

let history: SampleHistory;
beforeAll(async () => {
  history = await createSampleHistory(
    mkdtempSync(path.join(tmpdir(), 'custody-git-')),
    process.env
  );
});

describe('git adapter', () => {
  it('reads the range oldest first with raw messages, identities and dates', async () => {
    const commits = await gitLog(history.range, { repo: history.repo, env: process.env });
    expect(commits.map((c) => c.sha)).toEqual(history.commits.slice(1));
    expect(commits[0]!.message).toContain(`Agent-Prompt-SHA256: ${SAMPLE_PROMPT_SHA256}`);
    expect(commits[0]!.authorDate).toBe('2026-11-10T14:30:00Z');
    expect(commits[2]!.author).toEqual({ name: 'Max Mustermann', email: 'max@example.org' });
  });

  it('produces the same commit ids on every run (fixed dates, isolated config)', async () => {
    const again = await createSampleHistory(
      mkdtempSync(path.join(tmpdir(), 'custody-git-')),
      process.env
    );
    expect(again.commits).toEqual(history.commits);
  });

  it('reads the source of a working tree', async () => {
    const source = await gitSource({ repo: history.repo, env: process.env });
    expect(source).toEqual({
      commit: history.release,
      ref: 'refs/heads/main',
      uri: 'https://github.com/acme/hello.git',
    });
  });

  it('refuses option-like or malformed ranges before running git', async () => {
    for (const range of [
      '--output=/tmp/x',
      '-p',
      'a..b c',
      'a;rm',
      '',
      '$(id)',
      'HEAD@{-1}..\nx',
    ]) {
      await expectCode(
        () => gitLog(range, { repo: history.repo, env: process.env }),
        'USAGE_INVALID'
      );
    }
    await expectCode(
      () => gitLog('v9..v10', { repo: history.repo, env: process.env }),
      'ATTEST_GIT_FAILED'
    );
    await expectCode(() => gitLog('HEAD', { repo: tmpdir(), env: {} }), 'ATTEST_GIT_FAILED');
  });

  it('strips credentials from remote URLs', () => {
    expect(sanitizeRemoteURL('https://x-access-token:ghs_secret@github.com/acme/hello.git')).toBe(
      'https://github.com/acme/hello.git'
    );
    expect(sanitizeRemoteURL('https://oauth2:glpat-secret@gitlab.com/g/p.git?x=1#y')).toBe(
      'https://gitlab.com/g/p.git'
    );
    expect(sanitizeRemoteURL('git@github.com:acme/hello.git')).toBe(
      'https://github.com/acme/hello.git'
    );
    expect(sanitizeRemoteURL('file:///home/me/repo')).toBeUndefined();
    expect(sanitizeRemoteURL('../relative')).toBeUndefined();
  });
});
