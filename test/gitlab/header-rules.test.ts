// Every component template loads on the oldest GitLab custody supports: its header passes
// GitLab's spec rules for that version (test/gitlab/header-rules.ts), and each rule rejects.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';
import { MINIMUM_GITLAB, checkTemplate, type HeaderRule } from './header-rules.js';

const TEMPLATES = readdirSync(path.join(REPO_ROOT, 'templates')).sort();

describe(`component headers load on GitLab ${MINIMUM_GITLAB}`, () => {
  it('finds the five templates', () => {
    expect(TEMPLATES).toEqual(['attest', 'release', 'sbom', 'sign', 'verify']);
  });

  for (const name of TEMPLATES) {
    it(`templates/${name}/template.yml breaks no header rule`, () => {
      const text = readFileSync(path.join(REPO_ROOT, 'templates', name, 'template.yml'), 'utf8');
      expect(checkTemplate(text)).toEqual([]);
    });
  }

  it('the documented minimum is the one the rules check', () => {
    for (const doc of ['README.md', 'docs/gitlab.md']) {
      const text = readFileSync(path.join(REPO_ROOT, doc), 'utf8');
      expect(text, doc).toContain(`GitLab ${MINIMUM_GITLAB}`);
    }
  });
});

/** A valid header + body, for mutation. */
const INPUT = `    job-name:
      description: Name of the job.
      default: custody
      regex: ^[a-z]+$
    signing:
      description: How to sign.
      default: keyless
      options: [keyless, key]
    vsa:
      description: Also write a VSA.
      type: boolean
      default: false
    needs:
      description: Jobs to wait for.
      type: array
      default: []
`;
const BODY = `---
'$[[ inputs.job-name ]]':
  needs: $[[ inputs.needs ]]
  script:
    - echo $[[ inputs.signing ]] $[[ inputs.vsa ]]
`;
const valid = (inputs = INPUT, head = '', body = BODY): string =>
  `${head}spec:\n  inputs:\n${inputs}${body}`;

function rules(text: string): HeaderRule[] {
  return [...new Set(checkTemplate(text).map((v) => v.rule))];
}

describe('each header rule rejects', () => {
  it('accepts the valid sample', () => {
    expect(checkTemplate(valid())).toEqual([]);
  });

  it('accepts *+ inside a character class (literal characters, valid RE2)', () => {
    expect(checkTemplate(valid(INPUT.replace('^[a-z]+$', () => "'^[a-z*+]+$'")))).toEqual([]);
  });

  const cases: [string, string, HeaderRule][] = [
    ['a single document', 'spec:\n  inputs: {}\n', 'documents'],
    ['a YAML error', valid().replace('default: []', 'default: [\n'), 'documents'],
    ['an unknown root key', valid(INPUT, 'include: x.yml\n'), 'root-keys'],
    [
      'spec:description (GitLab 18.10)',
      valid().replace('spec:\n', 'spec:\n  description: The component.\n'),
      'spec-keys',
    ],
    [
      'spec:component (GitLab 18.6)',
      valid().replace('spec:\n', 'spec:\n  component: [name, version]\n'),
      'spec-keys',
    ],
    [
      'input rules (GitLab 18.x)',
      valid(INPUT.replace('      options: [keyless, key]\n', '      rules: []\n')),
      'input-keys',
    ],
    [
      'an upper-case input name',
      valid(INPUT.replace('vsa:', 'VSA:'), '', BODY.replace('inputs.vsa', 'inputs.VSA')),
      'input-name',
    ],
    [
      'an input without description',
      valid(INPUT.replace('      description: How to sign.\n', '')),
      'description',
    ],
    [
      'an over-long description',
      valid(INPUT.replace('How to sign.', 'x'.repeat(501))),
      'description',
    ],
    ['an unknown type', valid(INPUT.replace('type: boolean', 'type: bool')), 'type'],
    [
      'a number default on a string input',
      valid(INPUT.replace('default: custody', 'default: 7')),
      'default-type',
    ],
    [
      'a string default on a boolean',
      valid(INPUT.replace('default: false', "default: 'false'")),
      'default-type',
    ],
    [
      'a default outside the options',
      valid(INPUT.replace('default: keyless', 'default: none')),
      'options',
    ],
    [
      'options on a boolean',
      valid(INPUT.replace('type: boolean\n', 'type: boolean\n      options: [true, false]\n')),
      'options',
    ],
    [
      'more than 50 options',
      valid(
        INPUT.replace(
          '[keyless, key]',
          `[keyless, ${Array.from({ length: 50 }, (_, i) => `o${i}`).join(', ')}]`
        )
      ),
      'options',
    ],
    [
      'a regex on a boolean',
      valid(INPUT.replace('type: boolean\n', 'type: boolean\n      regex: ^t$\n')),
      'regex',
    ],
    ['a /…/ regex literal', valid(INPUT.replace('^[a-z]+$', '/^[a-z]+$/')), 'regex'],
    ['a lookahead (not RE2)', valid(INPUT.replace('^[a-z]+$', '^(?=c)[a-z]+$')), 'regex'],
    ['a possessive quantifier (not RE2)', valid(INPUT.replace('^[a-z]+$', '^[a-z]++$')), 'regex'],
    ['an unanchored regex', valid(INPUT.replace('^[a-z]+$', "'[a-z]+'")), 'regex'],
    [
      'a default the regex refuses',
      valid(INPUT.replace('default: custody', 'default: Custody')),
      'regex',
    ],
    [
      'an empty default on a regex input',
      valid(INPUT.replace('default: custody', "default: ''").replace('^[a-z]+$', '^[a-z]*$')),
      'regex-empty',
    ],
    [
      '$[[ component.version ]] (GitLab 18.6)',
      valid(INPUT, '', BODY.replace('$[[ inputs.vsa ]]', '$[[ component.version ]]')),
      'interpolation',
    ],
    [
      'an undeclared input',
      valid(INPUT, '', BODY.replace('$[[ inputs.vsa ]]', '$[[ inputs.nope ]]')),
      'interpolation',
    ],
    [
      'an unknown function',
      valid(INPUT, '', BODY.replace('$[[ inputs.vsa ]]', '$[[ inputs.vsa | posix_quote ]]')),
      'interpolation',
    ],
  ];
  for (const [what, text, rule] of cases) {
    it(`${what} → ${rule}`, () => {
      expect(rules(text)).toEqual([rule]);
    });
  }
});
