// Differential test: custody's trailer parser against `git interpret-trailers --parse`, with
// custody's agent trailers configured in git (they count as "recognised" for the 25% rule).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTrailers } from '../../src/attest/trailers.js';
import { REPO_ROOT } from '../helpers/cli.js';

const CONFIGURED = [
  'Co-authored-by',
  'Assisted-by',
  'Generated-by',
  'Agent-Session',
  'Agent-Prompt-SHA256',
  'Agent-Plan',
];

function gitTrailers(message: string): string[] {
  const config = CONFIGURED.flatMap((key) => ['-c', `trailer.${key.toLowerCase()}.key=${key}`]);
  const out = execFileSync('git', [...config, 'interpret-trailers', '--parse'], {
    input: message,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: '/nonexistent', GIT_CONFIG_NOSYSTEM: '1' },
  });
  // configured keys come back in their configured spelling: compare keys case-insensitively
  return out
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.replace(/^[^:]+/, (key) => key.toLowerCase()));
}

const dir = path.join(REPO_ROOT, 'fixtures/attest/messages');
const messages: [string, string][] = readdirSync(dir)
  .sort()
  .map((f) => [f, readFileSync(path.join(dir, f), 'utf8')]);
messages.push(
  ['crlf', messages[0]![1].replace(/\n/g, '\r\n')],
  [
    'mixed-with-recognised',
    'Title\n\nSome note line\nAssisted-by: a:b\nAcked-by: B <b@example.com>\n',
  ],
  ['mixed-unrecognised', 'Title\n\nnote one\nnote two\nnote three\nnote four\nFoo: bar\n'],
  ['comment-lines', 'Title\n\nBody.\n\n# a comment\nSigned-off-by: A <a@example.com>\n'],
  ['trailing-blank-lines', 'Title\n\nSigned-off-by: A <a@example.com>\n\n\n'],
  ['spaces-before-colon', 'Title\n\nAssisted-by : claude-code:claude-opus-4-1\n'],
  [
    'continuation-several',
    'Title\n\nAssisted-by: x:y\n  tool-a\n\ttool-b\nSigned-off-by: A <a@example.com>\n',
  ]
);

describe('parseTrailers agrees with git interpret-trailers', () => {
  for (const [name, message] of messages) {
    it(name, () => {
      const ours = parseTrailers(message).map((t) => `${t.token}: ${t.value}`);
      expect(ours).toEqual(gitTrailers(message));
    });
  }
});
