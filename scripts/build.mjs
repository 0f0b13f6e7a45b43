// Bundles custody into self-contained ESM files: dist/cli.js (the `custody` bin), dist/index.js
// (the library) and dist/actions/<name>.js (one per GitHub Action entry in src/ci/github/entry/).
// Output is deterministic, so a test can rebuild into a temp dir and compare with committed dist/.
import { build } from 'esbuild';
import { existsSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outArg = process.argv.indexOf('--outdir');
const outdir = outArg > 0 ? path.resolve(process.argv[outArg + 1]) : path.join(root, 'dist');

const entryDir = path.join(root, 'src/ci/github/entry');
const actionEntries = existsSync(entryDir)
  ? readdirSync(entryDir)
      .filter((f) => f.endsWith('.ts'))
      .sort()
      .map((f) => ({ in: path.join(entryDir, f), out: `actions/${f.replace(/\.ts$/, '')}` }))
  : [];

await rm(outdir, { recursive: true, force: true });

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  minify: true,
  keepNames: true,
  legalComments: 'none',
  sourcemap: false,
  logLevel: 'warning',
  // Some bundled CommonJS dependencies call require(); give ESM output a real one.
  banner: {
    js: "import { createRequire as __custodyCreateRequire } from 'node:module'; const require = __custodyCreateRequire(import.meta.url);",
  },
};

// The CLI and the library: one self-contained file each.
await build({
  ...common,
  entryPoints: [
    { in: 'src/cli/bin.ts', out: 'cli' },
    { in: 'src/index.ts', out: 'index' },
  ],
  outdir,
  splitting: false,
});

// The actions share chunks, so each entry parses only what its own run path needs at start-up
// (cold start is what a workflow step pays on every run).
if (actionEntries.length > 0) {
  await build({
    ...common,
    entryPoints: actionEntries.map((e) => ({ in: e.in, out: e.out.replace(/^actions\//, '') })),
    outdir: path.join(outdir, 'actions'),
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
  });
}
