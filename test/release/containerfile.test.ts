// A structural lint of the Containerfile (hadolint is not available offline): the rules that
// matter for an image that signs releases, each with a failing case. Mirrors hadolint where it has
// a rule (DL3006/DL3007 pinned base, DL3020 no ADD, DL4006 pipefail, DL3002 not root) and adds
// custody's own (no fetch by name at build time, the CLI checked by SHA-256, ARG scoping).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';

type Rule =
  | 'from-digest'
  | 'no-add'
  | 'no-fetch'
  | 'checksum'
  | 'copy-sources'
  | 'arg-scope'
  | 'pipefail'
  | 'user'
  | 'no-entrypoint'
  | 'labels';

interface Instruction {
  op: string;
  args: string;
  stage: number;
}

/** Instructions with continuation lines joined and comments dropped. */
function parse(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending = '';
  let stage = -1;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    pending += (pending === '' ? '' : ' ') + line.replace(/\\$/, '').trim();
    if (line.endsWith('\\')) continue;
    const match = /^([A-Za-z]+)\s+(.*)$/.exec(pending);
    pending = '';
    if (match === null) continue;
    const op = (match[1] ?? '').toUpperCase();
    if (op === 'FROM') stage += 1;
    out.push({ op, args: match[2] ?? '', stage });
  }
  return out;
}

/** Files the image may take from the build context: the CLI and its licence, nothing else. */
const COPY_SOURCES = new Set(['dist/cli.js', 'LICENSE']);

function lint(text: string): Rule[] {
  const found = new Set<Rule>();
  const instructions = parse(text);
  const globalArgs = new Map<string, string | undefined>();
  const stageArgs = new Set<string>();
  let shellPipefail = false;
  let user: string | undefined;
  for (const { op, args, stage } of instructions) {
    if (op === 'ARG') {
      const [name = '', value] = args.split('=', 2);
      if (stage < 0) globalArgs.set(name, value);
      else stageArgs.add(name);
    }
    if (op === 'FROM') {
      stageArgs.clear();
      const image = args.split(/\s+/)[0] ?? '';
      const arg = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/.exec(image);
      // A base image by digest, or a build argument with no default (the release passes a digest).
      if (arg !== null) {
        if (!globalArgs.has(arg[1] ?? '') || globalArgs.get(arg[1] ?? '') !== undefined) {
          found.add('from-digest');
        }
      } else if (!/@sha256:[0-9a-f]{64}$/.test(image)) found.add('from-digest');
    }
    if (op === 'ADD') found.add('no-add');
    if (op === 'COPY') {
      const parts = args.split(/\s+/).filter((part) => !part.startsWith('--'));
      for (const source of parts.slice(0, -1)) {
        if (!COPY_SOURCES.has(source)) found.add('copy-sources');
      }
    }
    if (op === 'SHELL' && args.includes('pipefail')) shellPipefail = true;
    if (op === 'RUN') {
      if (/\b(curl|wget|npx|npm\s+(i|install|ci)|apt-get|apk\s+add|pip\s+install)\b/.test(args)) {
        found.add('no-fetch');
      }
      if (/(^|[^|])\|([^|]|$)/.test(args.replace(/'[^']*'|"[^"]*"/g, '')) && !shellPipefail) {
        found.add('pipefail');
      }
      for (const used of args.matchAll(/\$\{?([A-Z_][A-Z0-9_]*)\}?/g)) {
        const name = used[1] ?? '';
        if (globalArgs.has(name) && !stageArgs.has(name)) found.add('arg-scope');
      }
    }
    if (op === 'USER') user = args.trim();
    if (op === 'ENTRYPOINT') found.add('no-entrypoint');
  }
  const run = instructions.filter((i) => i.op === 'RUN').map((i) => i.args);
  if (!run.some((args) => /sha256sum -c/.test(args) && /CUSTODY_CLI_SHA256/.test(args))) {
    found.add('checksum');
  }
  if (user === undefined || /^(root|0)(:|$)/.test(user)) found.add('user');
  const labels = instructions
    .filter((i) => i.op === 'LABEL')
    .map((i) => i.args)
    .join(' ');
  for (const label of ['org.opencontainers.image.source', 'org.opencontainers.image.licenses']) {
    if (!labels.includes(`${label}=`)) found.add('labels');
  }
  return [...found].sort();
}

const CONTAINERFILE = readFileSync(path.join(REPO_ROOT, 'Containerfile'), 'utf8');

describe('Containerfile', () => {
  it('passes every rule', () => {
    expect(lint(CONTAINERFILE)).toEqual([]);
  });

  it('is what the release workflow builds, with a digest-pinned base and the CLI checksum', () => {
    const workflow = readFileSync(
      path.join(REPO_ROOT, '.github/workflows/release-custody.yml'),
      'utf8'
    );
    expect(workflow).toContain(
      'docker build --file Containerfile --build-arg NODE_IMAGE="$NODE_IMAGE"'
    );
    expect(workflow).toContain('NODE_IMAGE: ${{ steps.base.outputs.base }}');
    expect(workflow).toContain('--build-arg CUSTODY_CLI_SHA256="$CUSTODY_CLI_SHA256"');
  });

  const cases: [string, (text: string) => string, Rule][] = [
    [
      'a base image by tag',
      (t) => t.replace('FROM ${NODE_IMAGE}', 'FROM node:24-slim'),
      'from-digest',
    ],
    [
      'a default base by tag',
      (t) => t.replace('ARG NODE_IMAGE\nFROM', 'ARG NODE_IMAGE=node:24\nFROM'),
      'from-digest',
    ],
    ['ADD', (t) => t.replace('COPY --chmod=0444 LICENSE', 'ADD LICENSE'), 'no-add'],
    [
      'a fetch by name',
      (t) => t.replace('&& chmod 0555', '&& npm install -g custody && chmod 0555'),
      'no-fetch',
    ],
    ['no checksum of the CLI', (t) => t.replace('sha256sum -c', 'sha256sum'), 'checksum'],
    [
      'the whole context copied',
      (t) => t.replace('COPY --chmod=0444 LICENSE', 'COPY . '),
      'copy-sources',
    ],
    [
      'an ARG not redeclared after FROM',
      (t) => t.replace(/\nARG NODE_IMAGE\nARG CUSTODY/, '\nARG CUSTODY'),
      'arg-scope',
    ],
    [
      'a pipe without pipefail',
      (t) => t.replace('&& custody --version', '&& custody --version | head -1'),
      'pipefail',
    ],
    ['running as root', (t) => t.replace('USER node', 'USER root'), 'user'],
    [
      'an ENTRYPOINT',
      (t) => t.replace('USER node', 'ENTRYPOINT ["custody"]\nUSER node'),
      'no-entrypoint',
    ],
    [
      'no licence label',
      (t) => t.replace('org.opencontainers.image.licenses', 'licenses'),
      'labels',
    ],
  ];
  for (const [what, mutate, rule] of cases) {
    it(`rejects ${what} (${rule})`, () => {
      const mutated = mutate(CONTAINERFILE);
      expect(mutated).not.toBe(CONTAINERFILE);
      expect(lint(mutated)).toEqual([rule]);
    });
  }
});
