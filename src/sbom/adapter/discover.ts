// Finding a project's lockfiles (every supported ecosystem) and reading one with the files beside
// it that its reader uses. Bounded: depth, directory count and lockfile count are capped, and
// dependency/output/VCS directories are never entered.
import { open, readdir } from 'node:fs/promises';
import path from 'node:path';
import { CustodyError } from '../../errors.js';
import { pathExists, readFileLimited, readTextLimited } from '../../io/fs.js';
import {
  ecosystemReader,
  looksExecutable,
  parseEcosystemLockfile,
  parseGoBinaryFile,
} from '../ecosystems/index.js';
import type { PackageGraph } from '../graph.js';
import { buildGraph } from '../graph.js';
import { LOCKFILE_NAMES, LOCKFILE_SIZE_LIMIT } from '../lockfile.js';

/** Never entered: installed dependencies, build output, VCS metadata, test data. */
export const SKIPPED_DIRS = new Set([
  'node_modules',
  '.git',
  '.hg',
  '.svn',
  'vendor',
  'target',
  'dist',
  'build',
  'out',
  '.venv',
  'venv',
  '__pycache__',
  '.gradle',
  'bin',
  'obj',
  'fixtures',
  'testdata',
  '__fixtures__',
]);
export const DISCOVERY_MAX_DEPTH = 6;
export const DISCOVERY_MAX_DIRS = 5000;
export const DISCOVERY_MAX_LOCKFILES = 256;
const SIBLING_LIMIT = 16 * 1024 * 1024;
/** Go executables are read whole to find their build info; larger ones are refused. */
export const BINARY_LIMIT = 512 * 1024 * 1024;

async function isExecutableFile(file: string): Promise<boolean> {
  const handle = await open(file, 'r').catch(() => undefined);
  if (handle === undefined) return false;
  try {
    const head = new Uint8Array(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    return bytesRead === 4 && looksExecutable(head);
  } finally {
    await handle.close();
  }
}

/** True when --lockfile names a non-JavaScript lockfile (by name) or an executable (Go build info). */
export async function isEcosystemInput(file: string): Promise<boolean> {
  return ecosystemReader(file) !== undefined || (await isExecutableFile(file));
}

const JS_NAMES: readonly string[] = LOCKFILE_NAMES;

export function isSupportedLockfile(name: string): boolean {
  return (
    JS_NAMES.includes(name) ||
    (ecosystemReader(name) !== undefined && name !== 'dependencies.txt' && name !== 'deps.txt')
  );
}

export interface DiscoveredLockfile {
  /** Relative to the project root, POSIX. */
  readonly relative: string;
  readonly absolute: string;
  readonly javascript: boolean;
}

/**
 * Every supported lockfile under root, sorted by path. Within one directory, npm-shrinkwrap.json
 * wins over package-lock.json, and both over pnpm-lock.yaml and yarn.lock (what npm itself reads),
 * so one JavaScript project gives one lockfile.
 */
export async function discoverLockfiles(root: string): Promise<DiscoveredLockfile[]> {
  const found: DiscoveredLockfile[] = [];
  let dirs = 0;
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (++dirs > DISCOVERY_MAX_DIRS) {
      throw new CustodyError(
        'INPUT_TOO_LARGE',
        `more than ${DISCOVERY_MAX_DIRS} directories under ${root}`,
        {
          hint: 'pass the lockfile with --lockfile, or a smaller project directory',
        }
      );
    }
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const js = JS_NAMES.find((name) => entries.some((e) => e.isFile() && e.name === name));
    for (const entry of entries) {
      if (!entry.isFile()) continue;
      const isJs = JS_NAMES.includes(entry.name);
      if (isJs ? entry.name !== js : !isSupportedLockfile(entry.name)) continue;
      const absolute = path.join(dir, entry.name);
      found.push({
        relative: path.relative(root, absolute).split(path.sep).join('/'),
        absolute,
        javascript: isJs,
      });
      if (found.length > DISCOVERY_MAX_LOCKFILES) {
        throw new CustodyError(
          'INPUT_TOO_LARGE',
          `more than ${DISCOVERY_MAX_LOCKFILES} lockfiles under ${root}`,
          {
            hint: 'pass the lockfile with --lockfile, or a smaller project directory',
          }
        );
      }
    }
    if (depth >= DISCOVERY_MAX_DEPTH) return;
    for (const entry of entries) {
      // Symbolic links are not followed: a lockfile outside the project is not the project's.
      if (!entry.isDirectory() || SKIPPED_DIRS.has(entry.name) || entry.name.startsWith('.'))
        continue;
      await walk(path.join(dir, entry.name), depth + 1);
    }
  };
  await walk(root, 0);
  return found.sort((a, b) => (a.relative < b.relative ? -1 : a.relative > b.relative ? 1 : 0));
}

/** Reads a non-JavaScript lockfile and the sibling files its reader uses → package graph. */
export async function readEcosystemGraph(
  lockfile: string,
  displayPath: string
): Promise<PackageGraph> {
  const reader = ecosystemReader(lockfile);
  if (reader === undefined && (await isExecutableFile(lockfile))) {
    const bytes = await readFileLimited(lockfile, { maxBytes: BINARY_LIMIT, what: 'executable' });
    return buildGraph(parseGoBinaryFile(bytes, displayPath));
  }
  if (reader === undefined) {
    throw new CustodyError(
      'SBOM_LOCKFILE_UNSUPPORTED',
      `${displayPath}: not a lockfile custody reads`
    );
  }
  const text = await readTextLimited(lockfile, { maxBytes: LOCKFILE_SIZE_LIMIT, what: 'lockfile' });
  const dir = path.dirname(lockfile);
  const siblings = new Map<string, string>();
  for (const name of reader.siblings) {
    const file = path.join(dir, name);
    if (await pathExists(file)) {
      siblings.set(name, await readTextLimited(file, { maxBytes: SIBLING_LIMIT, what: name }));
    }
  }
  return buildGraph(
    parseEcosystemLockfile(text, displayPath, {
      projectName: path.basename(path.resolve(dir)),
      siblings,
    })
  );
}
