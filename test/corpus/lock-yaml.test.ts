// The fast lockfile YAML reader must give exactly what the `yaml` package gives, or give up.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { corpusPath } from './shared.js';
import { readLockfileYAML } from '../../src/sbom/lock-yaml.js';
import { REPO_ROOT } from '../helpers/cli.js';

const LOCKFILES = corpusPath('bench/lockfiles');

describe('readLockfileYAML', () => {
  for (const file of [
    path.join(LOCKFILES, 'vite-pnpm/pnpm-lock.yaml'),
    path.join(LOCKFILES, 'jest-yarn-berry/yarn.lock'),
    path.join(REPO_ROOT, 'fixtures/sbom/pnpm-v6/pnpm-lock.yaml'),
  ]) {
    it(`reads ${path.relative(path.dirname(LOCKFILES), file)} exactly as yaml does`, async () => {
      const text = await readFile(file, 'utf8');
      const fast = readLockfileYAML(text);
      expect(fast).toBeDefined();
      expect(fast).toEqual(parse(text));
    });
  }

  it('reads scalars, quoting and flow collections as YAML 1.2 does', () => {
    const text = [
      'a: 1',
      'b: true',
      'c: null',
      "d: 'it''s: here'",
      'e: "tab\\tand \\u00e9"',
      "f: {integrity: sha512-x==, tarball: 'https://h/p.tgz', n: {m: [x, 'y', 3]}}",
      'g: []',
      'h: {}',
      'i:',
      'j:',
      '  k: v # not a comment? yes it is',
      'l:',
      '  - one',
      "  - 'two'",
      'm:',
      '- same-indent',
      'n: after',
      "'@scope/n@1.0.0(p@2)':",
      '  resolution: {integrity: sha512-AA==}',
      '',
    ].join('\n');
    const withoutComment = text.replace(' # not a comment? yes it is', '');
    expect(readLockfileYAML(withoutComment)).toEqual(parse(withoutComment));
    // A trailing comment on a plain value is left to the full parser.
    expect(readLockfileYAML(text)).toBeUndefined();
  });

  it('gives up on YAML outside the lockfile subset', () => {
    for (const text of [
      'a:\n  - x: 1\n',
      'a: &x 1\nb: *x\n',
      'a: |\n  text\n',
      'a: 1.5\n',
      '1.10: x\n',
      'a: !!str 1\n',
      'a: 1\na: 2\n',
      'a:\n\tb: 1\n',
      'a: b\n  c\n',
      'a: x: y\n',
      '---\na: 1\n',
      '',
    ]) {
      expect(readLockfileYAML(text), JSON.stringify(text)).toBeUndefined();
    }
  });
});
