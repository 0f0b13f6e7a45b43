#!/usr/bin/env node
// Pins the custody CLI the GitLab components fetch: writes the `cli-url` (this package.json's
// version) and `cli-sha256` (of the built CLI) defaults into every templates/*/template.yml and the
// input tables of docs/gitlab.md. Run before tagging a release, after `npm run build`.
//
//   node scripts/release-pin.mjs            write the pins
//   node scripts/release-pin.mjs --check    exit 1 when a pin is not the built CLI's (release CI)
//   options: --root DIR (the checkout, default .), --cli FILE (default dist/cli.js)
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    check: { type: 'boolean', default: false },
    root: { type: 'string', default: '.' },
    cli: { type: 'string', default: 'dist/cli.js' },
  },
});
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

const stale = [];
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

if (values.check && stale.length > 0) {
  console.error(
    `release-pin: ${stale.join(', ')} do not pin ${values.cli} (sha256 ${sha256}) at ${url}.\n` +
      'Run `npm run release:pin` after the build and commit the result before tagging.'
  );
  process.exit(1);
}
console.log(
  `${values.check ? 'pinned' : stale.length > 0 ? 'wrote' : 'already pinned'}: ${url} sha256 ${sha256}`
);
