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
await build({
  absWorkingDir: root,
  entryPoints: [
    { in: 'src/cli/bin.ts', out: 'cli' },
    { in: 'src/index.ts', out: 'index' },
    ...actionEntries,
  ],
  outdir,
  bundle: true,
  splitting: false,
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
});
