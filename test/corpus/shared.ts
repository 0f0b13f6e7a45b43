// The corpus suite reads third-party data (conformance cases, real-world bundles, real lockfiles)
// in place from the shared folder beside the clone; it is never copied into the repository.
// `npm run test:corpus -- DIR` sets CUSTODY_SHARED; without it, ../shared beside the clone.
import { existsSync } from 'node:fs';
import path from 'node:path';

const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

export const SHARED = path.resolve(process.env.CUSTODY_SHARED ?? path.join(REPO_ROOT, '../shared'));

/** A path inside the shared corpus; fails (never skips) when the corpus is not there. */
export function corpusPath(...parts: string[]): string {
  const p = path.join(SHARED, ...parts);
  if (!existsSync(p)) {
    throw new Error(
      `corpus file ${p} is missing: run the corpus suite with the shared folder, npm run test:corpus -- PATH/TO/shared`
    );
  }
  return p;
}
