#!/usr/bin/env node
// Pins the custody CLI the GitLab components fetch: writes the `cli-url` (this package.json's
// version) and `cli-sha256` (of the built CLI) defaults into every templates/*/template.yml and the
// input tables of docs/gitlab.md. Run before tagging a release, after `npm run build`.
//
//   node scripts/release-pin.mjs [--image node:24-slim@sha256:<digest>] [--actions-sha <commit>]
//        write the pins (and the components' default image, and custody's own `uses:` refs)
//   node scripts/release-pin.mjs --check
//        exit 1 when a pin is not the built CLI's, the default image is not pinned by digest, or
//        custody's own `uses:` refs are not all at one commit tagged v<version> (release CI)
//   options: --root DIR (the checkout, default .), --cli FILE (default dist/cli.js)
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    check: { type: 'boolean', default: false },
    root: { type: 'string', default: '.' },
    cli: { type: 'string', default: 'dist/cli.js' },
    image: { type: 'string' },
    'actions-sha': { type: 'string' },
  },
});
if (values.image !== undefined && !/^[^\s@]+@sha256:[0-9a-f]{64}$/.test(values.image)) {
  console.error(`release-pin: --image must be <name>@sha256:<64 hex>, got ${values.image}`);
  process.exit(2);
}
if (values['actions-sha'] !== undefined && !/^[0-9a-f]{40}$/.test(values['actions-sha'])) {
  console.error(
    `release-pin: --actions-sha must be a full commit SHA, got ${values['actions-sha']}`
  );
  process.exit(2);
}
const root = path.resolve(values.root);
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const sha256 = createHash('sha256')
  .update(readFileSync(path.resolve(root, values.cli)))
  .digest('hex');
const url = `https://github.com/custody-dev/custody/releases/download/v${pkg.version}/custody.mjs`;

// The default line right under each input's description (templates) and the table cell (docs).
const TEMPLATE_PINS = [
  [/(\n    cli-url:\n(?: {6}.*\n)*? {6}default: )(\S+)\n/, url],
  [/(\n    cli-sha256:\n(?: {6}.*\n)*? {6}default: )(\S+)\n/, sha256],
];
const DOC_PINS = [
  [/(\| `cli-url` \| `)([^`]+)(`)/g, url],
  [/(\| `cli-sha256` \| `)([^`]+)(`)/g, sha256],
];

if (values.image !== undefined) {
  TEMPLATE_PINS.push([/(\n    image:\n(?: {6}.*\n)*? {6}default: )(\S+)\n/, values.image]);
  DOC_PINS.push([/(\| `image` \| `)([^`]+)(`)/g, values.image]);
}

const stale = [];
const problems = [];
const files = readdirSync(path.join(root, 'templates')).map((name) =>
  path.join('templates', name, 'template.yml')
);
for (const file of [...files, 'docs/gitlab.md']) {
  const full = path.join(root, file);
  const before = readFileSync(full, 'utf8');
  let after = before;
  const pins = file.endsWith('.md') ? DOC_PINS : TEMPLATE_PINS;
  for (const [pattern, value] of pins) {
    if (!pattern.test(after)) {
      console.error(
        `release-pin: ${file} has no ${pattern.source.includes('sha') ? 'cli-sha256' : 'cli-url'} pin`
      );
      process.exit(2);
    }
    pattern.lastIndex = 0;
    after = after.replace(pattern, (_match, head, _old, tail) =>
      typeof tail === 'string' ? `${head}${value}${tail}` : `${head}${value}\n`
    );
  }
  if (after !== before) {
    stale.push(file);
    if (!values.check) writeFileSync(full, after);
  }
}

// The default image of the components: by digest at release (a tag names whatever it names today).
for (const file of files) {
  const text = readFileSync(path.join(root, file), 'utf8');
  const image = /\n    image:\n(?: {6}.*\n)*? {6}default: (\S+)\n/.exec(text)?.[1];
  if (image !== undefined && !/@sha256:[0-9a-f]{64}$/.test(image)) {
    problems.push(`${file}: the default image ${image} is not pinned by digest (--image)`);
  }
}

// custody's own actions and reusable workflows, in the workflows and the docs' examples.
const refFiles = ['README.md', 'docs/github-actions.md'];
for (const dir of ['workflows/github', '.github/workflows']) {
  if (!existsSync(path.join(root, dir))) continue;
  for (const name of readdirSync(path.join(root, dir), { withFileTypes: true })) {
    if (name.isFile() && name.name.endsWith('.yml')) refFiles.push(path.join(dir, name.name));
  }
}
const REF = /(uses: custody-dev\/custody\/[^@\s]+@)([0-9a-f]{40}|[^\s#]+)( # \S+)?/g;
const shas = new Set();
for (const file of refFiles) {
  const full = path.join(root, file);
  let text;
  try {
    text = readFileSync(full, 'utf8');
  } catch {
    continue;
  }
  const sha = values['actions-sha'];
  const after =
    sha === undefined
      ? text
      : text
          .replace(REF, (_m, head) => `${head}${sha} # v${pkg.version}`)
          // The documented signer pins: release.yml at this tag or at this commit.
          .replaceAll(
            /(refs\/tags\/v)\d+\\\.\d+\\\.\d+\|[0-9a-f]{40}(\)\$)/g,
            `$1${pkg.version.replaceAll('.', '\\.')}|${sha}$2`
          );
  for (const match of after.matchAll(REF)) {
    shas.add(match[2]);
    if (match[3] !== ` # v${pkg.version}`) {
      problems.push(`${file}: ${match[0]} is not tagged # v${pkg.version}`);
    }
  }
  if (after !== text) {
    stale.push(file);
    if (!values.check) writeFileSync(full, after);
  }
}
if (shas.size > 1)
  problems.push(`custody's uses: refs name ${shas.size} commits: ${[...shas].join(', ')}`);

if (values.check && (problems.length > 0 || stale.length > 0)) {
  if (stale.length > 0) {
    problems.unshift(`${stale.join(', ')} do not pin ${values.cli} (sha256 ${sha256}) at ${url}`);
  }
  console.error(
    `release-pin: ${problems.join('\n  ')}\n` +
      'Run `npm run release:pin` (with --image and --actions-sha) after the build and commit the result before tagging.'
  );
  process.exit(1);
}
console.log(
  `${values.check ? 'pinned' : stale.length > 0 ? 'wrote' : 'already pinned'}: ${url} sha256 ${sha256}`
);
