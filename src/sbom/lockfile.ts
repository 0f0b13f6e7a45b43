// Lockfile detection and dispatch to the parser of its format.
import { CustodyError } from '../errors.js';
import { bunFromDocument, bunWorkspaceDirs, readBunLock } from './bun.js';
import type { LockfileFormat, ParsedLockfile } from './graph.js';
import { unsupportedLockfile } from './graph.js';
import type { ManifestMap } from './manifest.js';
import { parseNpmLockfile } from './npm.js';
import { parseLockYAML, parsePnpmDocuments, pnpmFromDocument, pnpmImporterDirs } from './pnpm.js';
import { parseYarnClassicLockfile, yarnBerryFromDocument, yarnBerryWorkspaceDirs } from './yarn.js';

/** Looked for in this order when a directory is given. */
export const LOCKFILE_NAMES = [
  'npm-shrinkwrap.json',
  'package-lock.json',
  'pnpm-lock.yaml',
  'yarn.lock',
  'bun.lock',
  // Found so that a bun project gets the "unsupported format" answer, not "no lockfile".
  'bun.lockb',
] as const;

/** Lockfiles over this size are refused before they are read (the largest real ones are ~10 MB). */
export const LOCKFILE_SIZE_LIMIT = 64 * 1024 * 1024;

/** The format of a lockfile, from its content (the file name is only a tie-breaker). */
export function detectLockfileFormat(text: string, fileName: string): LockfileFormat {
  const head = text.slice(0, 4096).replace(/^\uFEFF/, '');
  const trimmed = head.trimStart();
  const base = fileName.slice(fileName.lastIndexOf('/') + 1);
  if (base.endsWith('.lockb') || head.includes('bun-lockfile-format-v')) {
    throw unsupportedLockfile(
      fileName,
      "bun.lockb is bun's binary lockfile, which custody does not read (the file itself may be fine)",
      'bun >= 1.2 writes the text bun.lock: run `bun install --save-text-lockfile`, commit bun.lock, and point custody at it'
    );
  }
  // bun.lock is JSON too; its root workspace is workspaces[""] where npm has packages[""].
  if (
    base === 'bun.lock' ||
    (trimmed.startsWith('{') && /"workspaces"\s*:\s*\{\s*""\s*:/.test(head))
  ) {
    return 'bun';
  }
  if (trimmed.startsWith('{')) return 'npm';
  if (/^# yarn lockfile v1\s*$/m.test(head)) return 'yarn-classic';
  if (/^__metadata:\s*$/m.test(head)) return 'yarn-berry';
  if (/^lockfileVersion:/m.test(head)) return 'pnpm';
  if (fileName.endsWith('.json')) return 'npm';
  if (fileName.endsWith('pnpm-lock.yaml')) return 'pnpm';
  throw unsupportedLockfile(
    fileName,
    'not a recognised lockfile (package-lock.json, npm-shrinkwrap.json, pnpm-lock.yaml, yarn.lock or bun.lock)'
  );
}

export interface LockfileInput {
  readonly text: string;
  /** Name (or path) used in messages. */
  readonly fileName: string;
  /** package.json contents by directory relative to the lockfile ('' = root). */
  readonly manifests?: ManifestMap;
}

/**
 * A lockfile read far enough to know which workspace manifests its parser wants: the adapter
 * reads those package.json files, then calls build().
 */
export interface PreparedLockfile {
  readonly format: LockfileFormat;
  /** Workspace directories (relative to the lockfile, POSIX) whose package.json the parser uses. */
  readonly workspaceDirs: readonly string[];
  build(manifests?: ManifestMap): ParsedLockfile;
}

export function prepareLockfile(text: string, fileName: string): PreparedLockfile {
  if (text.length > LOCKFILE_SIZE_LIMIT) {
    throw new CustodyError(
      'INPUT_TOO_LARGE',
      `${fileName} is over the ${LOCKFILE_SIZE_LIMIT}-byte lockfile limit`
    );
  }
  const format = detectLockfileFormat(text, fileName);
  switch (format) {
    case 'npm':
      return { format, workspaceDirs: [], build: (m) => parseNpmLockfile(text, fileName, m) };
    case 'yarn-classic':
      return {
        format,
        workspaceDirs: [],
        build: (m) => parseYarnClassicLockfile(text, fileName, m),
      };
    case 'pnpm': {
      const docs = parsePnpmDocuments(text, fileName);
      return {
        format,
        workspaceDirs: pnpmImporterDirs(docs.graph),
        build: (m) => pnpmFromDocument(docs.graph, fileName, m, docs.environment),
      };
    }
    case 'bun': {
      const json = readBunLock(text, fileName);
      return {
        format,
        workspaceDirs: bunWorkspaceDirs(json),
        build: (m) => bunFromDocument(json, fileName, m),
      };
    }
    case 'yarn-berry': {
      const doc = parseLockYAML(text, fileName);
      return {
        format,
        workspaceDirs: yarnBerryWorkspaceDirs(doc),
        build: (m) => yarnBerryFromDocument(doc, fileName, m),
      };
    }
    default:
      // Other ecosystems are read by file name (src/sbom/ecosystems), never detected from content.
      throw unsupportedLockfile(fileName, `${format} lockfiles are read by parseEcosystemLockfile`);
  }
}

export function parseLockfile(input: LockfileInput): ParsedLockfile {
  return prepareLockfile(input.text, input.fileName).build(input.manifests ?? new Map());
}
