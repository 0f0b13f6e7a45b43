// npm run test:corpus [-- SHARED_DIR] [vitest args...]: the corpus suite over third-party data.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
let shared = process.env.CUSTODY_SHARED ?? path.join(root, '../shared');
if (args.length > 0 && !args[0].startsWith('-')) shared = args.shift();
shared = path.resolve(shared);
if (!existsSync(shared)) {
  console.error(`corpus folder ${shared} does not exist: npm run test:corpus -- PATH/TO/shared`);
  process.exit(2);
}
const vitest = path.join(root, 'node_modules/vitest/vitest.mjs');
const result = spawnSync(
  process.execPath,
  [vitest, 'run', '-c', 'vitest.corpus.config.ts', ...args],
  {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, CUSTODY_SHARED: shared },
  }
);
process.exit(result.status ?? 1);
