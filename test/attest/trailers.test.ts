import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanCommits, type CommitRecord } from '../../src/attest/scan.js';
import {
  agentForIdentity,
  parseAssistedBy,
  parseIdentity,
  parseTrailers,
  trailerValues,
} from '../../src/attest/trailers.js';
import { REPO_ROOT } from '../helpers/cli.js';

// claude-crlf: the committed fixture has LF endings (.gitattributes); the test makes it CRLF.
const message = (name: string): string =>
  name === 'claude-crlf'
    ? message('claude-coauthor').replace(/\n/g, '\r\n')
    : readFileSync(path.join(REPO_ROOT, 'fixtures/attest/messages', `${name}.txt`), 'utf8');

const commit = (
  sha: string,
  msg: string,
  author = 'Jane Doe <jane.doe@example.com>'
): CommitRecord => ({
  sha: sha.repeat(40).slice(0, 40),
  author: parseIdentity(author)!,
  committer: undefined,
  authorDate: '2026-11-20T10:00:00Z',
  message: msg,
});

describe('parseTrailers (git interpret-trailers rules)', () => {
  it('reads the kernel-form trailer block with several trailers after a multi-line body', () => {
    const trailers = parseTrailers(message('kernel-form'));
    expect(trailers.map((t) => t.token)).toEqual([
      'assisted-by',
      'agent-session',
      'agent-prompt-sha256',
      'agent-plan',
      'signed-off-by',
    ]);
    expect(trailerValues(trailers, 'assisted-by')).toEqual([
      'claude-code:claude-opus-4-1 eslint vitest',
    ]);
  });

  it('handles CRLF line endings and case-insensitive keys', () => {
    expect(message('claude-crlf')).toContain('\r\n');
    const trailers = parseTrailers(message('claude-crlf'));
    expect(trailerValues(trailers, 'Co-authored-by')).toEqual(['Claude <noreply@anthropic.com>']);
    expect(trailerValues(trailers, 'Agent-Prompt-SHA256')).toEqual([
      '2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae',
    ]);
    expect(trailers.every((t) => !t.value.includes('\r'))).toBe(true);
  });

  it('joins folded continuation lines', () => {
    const trailers = parseTrailers(message('folded'));
    expect(trailerValues(trailers, 'Assisted-by')).toEqual(['aider:gpt-4o ruff mypy']);
    expect(parseAssistedBy('aider:gpt-4o ruff mypy')).toEqual({
      agent: 'aider',
      model: 'gpt-4o',
      tools: ['ruff', 'mypy'],
    });
  });

  it('ignores trailer-like lines outside the last paragraph', () => {
    expect(parseTrailers(message('not-last-paragraph'))).toEqual([]);
  });

  it('never treats the title as trailers', () => {
    expect(parseTrailers(message('title-only'))).toEqual([]);
  });

  it('applies the 25% rule to mixed paragraphs', () => {
    expect(parseTrailers(message('mostly-prose'))).toEqual([]);
    const mixed =
      'Title\n\nSome note line\nSigned-off-by: A <a@example.com>\nAcked-by: B <b@example.com>\n';
    expect(parseTrailers(mixed).map((t) => t.token)).toEqual(['signed-off-by', 'acked-by']);
    // a mixed paragraph without a recognised key is not a trailer block
    expect(parseTrailers('Title\n\nSome note line\nFoo: bar\n')).toEqual([]);
  });

  it('ignores everything after a --- patch divider', () => {
    expect(trailerValues(parseTrailers(message('patch-divider')), 'Assisted-by')).toEqual([
      'claude-code:claude-sonnet-4-5',
    ]);
  });

  it('recognises agent identities and leaves humans alone', () => {
    expect(agentForIdentity(parseIdentity('Claude <noreply@anthropic.com>')!)).toBe('claude-code');
    expect(
      agentForIdentity(parseIdentity('Copilot <175728472+Copilot@users.noreply.github.com>')!)
    ).toBe('copilot');
    expect(
      agentForIdentity(
        parseIdentity(
          'devin-ai-integration[bot] <158243242+devin-ai-integration[bot]@users.noreply.github.com>'
        )!
      )
    ).toBe('devin');
    expect(agentForIdentity(parseIdentity('Cursor Agent <cursoragent@cursor.com>')!)).toBe(
      'cursor'
    );
    expect(
      agentForIdentity(
        parseIdentity('renovate[bot] <29139614+renovate[bot]@users.noreply.github.com>')!
      )
    ).toBe('renovate');
    expect(
      agentForIdentity(parseIdentity('octocat <583231+octocat@users.noreply.github.com>')!)
    ).toBeUndefined();
    expect(agentForIdentity(parseIdentity('Jane Doe <jane.doe@example.com>')!)).toBeUndefined();
  });
});

describe('scanCommits', () => {
  const commits = [
    commit('a', message('kernel-form')),
    commit('b', message('claude-crlf')),
    commit('c', message('folded')),
    commit('d', message('human')),
    commit('e', message('copilot-signoff'), 'Copilot <175728472+Copilot@users.noreply.github.com>'),
    commit('f', message('not-last-paragraph')),
  ];

  it('lists agent commits with agent, model, prompt digest and evidence', () => {
    const result = scanCommits(commits, { declaredModel: 'claude-opus-4-1' });
    expect(
      result.agentCommits.map((c) => [c.sha[0], c.agent, c.model, c.promptSha256?.slice(0, 8)])
    ).toEqual([
      ['a', 'claude-code', 'claude-opus-4-1', '9f86d081'],
      ['b', 'claude-code', undefined, '2c26b46b'],
      ['c', 'aider', 'gpt-4o', 'fcde2b2e'],
      ['e', 'copilot', undefined, undefined],
    ]);
    expect(result.agentCommits[0]!.evidence).toEqual(['assisted-by', 'agent-trailer']);
    expect(result.agentCommits[0]!.tools).toEqual(['eslint', 'vitest']);
    expect(result.agentCommits[3]!.evidence).toEqual(['co-authored-by', 'author']);
    expect(result.humanCommits.map((s) => s[0])).toEqual(['d', 'f']);
  });

  it('reports a model that differs from the declared one, a missing prompt digest and agent sign-offs', () => {
    const result = scanCommits(commits, { declaredModel: 'claude-opus-4-1' });
    expect(result.inconsistencies.map((i) => [i.commit[0], i.kind])).toEqual([
      ['c', 'model-mismatch'],
      ['e', 'missing-prompt-digest'],
      ['e', 'agent-signoff'],
    ]);
  });

  it('reports nothing for consistent commits', () => {
    expect(
      scanCommits([commits[0]!], { declaredModel: 'claude-opus-4-1' }).inconsistencies
    ).toEqual([]);
  });

  it('flags malformed and conflicting prompt digests', () => {
    const bad = scanCommits([
      commit('1', 'T\n\nAssisted-by: x:y\nAgent-Prompt-SHA256: nothex\n'),
      commit(
        '2',
        `T\n\nAssisted-by: x:y\nAssisted-by: x:z\nAgent-Prompt-SHA256: ${'a'.repeat(64)}\nAgent-Prompt-SHA256: ${'b'.repeat(64)}\n`
      ),
    ]);
    expect(bad.inconsistencies.map((i) => [i.commit[0], i.kind])).toEqual([
      ['1', 'malformed-prompt-digest'],
      ['2', 'conflicting-trailers'],
      ['2', 'conflicting-trailers'],
    ]);
  });
});
