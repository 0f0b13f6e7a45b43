// Checksum files on disk: create (walk, hash, write atomically) and verify (read bounded,
// parse, confine every name to the directory, hash). The file I/O of the digest domain.
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { CustodyError, isCustodyError } from '../errors.js';
import { readTextLimited, resolveInside, writeFileAtomic } from '../io/fs.js';
import type { DigestAlgorithm } from './algorithms.js';
import { formatChecksums, parseChecksums, type ChecksumEntry } from './checksums.js';
import { digestFilesSettled, readError, type DigestFilesOptions } from './files.js';
import { verifyChecksums, type ChecksumVerification, type ProvidedDigest } from './verify.js';
import { compareBytes, expandPaths, type SkippedPath } from './walk.js';

/** Checksum files larger than this are refused (INPUT_TOO_LARGE): ~500,000 sha256 lines. */
export const CHECKSUM_FILE_LIMIT = 64 * 1024 * 1024;

const CONFINE_CONCURRENCY = 64;

export interface CreateChecksumFileOptions extends DigestFilesOptions {
  /** Where to write, e.g. `dist/SHA256SUMS`; names inside are relative to its directory. */
  readonly output: string;
  /** Files and directories to list (directories are walked). */
  readonly inputs: readonly string[];
  readonly algorithm?: DigestAlgorithm;
  /** Base for relative paths (default process.cwd()). */
  readonly cwd?: string;
}

export interface CreatedChecksumFile {
  /** Absolute path written. */
  readonly output: string;
  readonly algorithm: DigestAlgorithm;
  /** Entries as written, sorted by name (byte order). */
  readonly entries: readonly { name: string; hex: string; size: number }[];
  readonly skipped: readonly SkippedPath[];
  /** The file's content. */
  readonly text: string;
}

/**
 * Writes a GNU-format checksum file (atomically). Every name is relative to the checksum file's
 * directory; files outside it, or reached through a symlink leaving it, are refused
 * (CHECKSUMS_PATH_UNSAFE) so that `verify` accepts whatever `create` writes. The checksum file
 * itself is skipped in a walk and refused when named (USAGE_INVALID).
 */
export async function createChecksumFile(
  options: CreateChecksumFileOptions
): Promise<CreatedChecksumFile> {
  const cwd = options.cwd ?? process.cwd();
  const algorithm = options.algorithm ?? 'sha256';
  const output = path.resolve(cwd, options.output);
  const outDir = path.dirname(output);
  const realOutput = await realpath(output).catch(() => output);
  const expanded = await expandPaths(options.inputs, cwd, { exclude: new Set([output]) });

  const byName = new Map<string, string>();
  for (const file of expanded.files) {
    if (path.basename(file.absolute) === path.basename(output)) {
      const real = await realpath(file.absolute).catch(() => file.absolute);
      if (file.absolute === output || real === realOutput) {
        if (file.walked) continue;
        throw new CustodyError(
          'USAGE_INVALID',
          `refusing to list the checksum file ${options.output} in itself`,
          { hint: 'leave the output file out of the PATH arguments' }
        );
      }
    }
    const name = path.relative(outDir, file.absolute).split(path.sep).join('/');
    if (name === '' || name === '..' || name.startsWith('../') || path.isAbsolute(name)) {
      throw new CustodyError(
        'CHECKSUMS_PATH_UNSAFE',
        `${file.display} is outside ${path.relative(cwd, outDir) || '.'}, the directory of the checksum file`,
        {
          hint: 'checksum files list paths relative to their own directory: write the checksum file next to (or above) the files',
          details: { file: file.display },
        }
      );
    }
    try {
      await resolveInside(outDir, name);
    } catch (error) {
      throw unsafePath(error, `${file.display} resolves outside the checksum file's directory`);
    }
    if (!byName.has(name)) byName.set(name, file.absolute);
  }
  const names = [...byName.keys()].sort(compareBytes);
  const settled = await digestFilesSettled(
    names.map((name) => ({ path: byName.get(name) as string, algorithm })),
    options
  );
  const entries = names.map((name, index) => {
    const result = settled[index];
    if (result === undefined || !result.ok) {
      throw readError(name, result?.ok === false ? result.errno : 'EIO');
    }
    return { name, hex: result.hex, size: result.size };
  });
  const text = formatChecksums(entries);
  // Never write a file that verify would refuse (e.g. a name starting with a backslash, which
  // reads as a Windows absolute path): parse it back first.
  try {
    parseChecksums(text, { source: options.output });
  } catch (error) {
    const name = isCustodyError(error) ? error.details?.name : undefined;
    throw new CustodyError(
      'CHECKSUMS_PATH_UNSAFE',
      `cannot list ${typeof name === 'string' ? JSON.stringify(name) : 'a file'}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error, hint: 'rename the file or leave it out' }
    );
  }
  await writeFileAtomic(output, text);
  return { output, algorithm, entries, skipped: expanded.skipped, text };
}

export interface VerifyChecksumFileOptions extends DigestFilesOptions {
  /** The checksum file. */
  readonly file: string;
  /** Directory the names are relative to (default: the checksum file's directory). */
  readonly dir?: string;
  readonly cwd?: string;
}

export interface VerifiedChecksumFile extends ChecksumVerification {
  /** Absolute path of the checksum file and of the directory checked. */
  readonly file: string;
  readonly dir: string;
  readonly entries: readonly ChecksumEntry[];
}

/**
 * Verifies a checksum file. Throws (exit 2) before hashing anything if any line is malformed,
 * duplicated, absolute, has `..`, or is a symlink leaving `dir`; otherwise returns per-file
 * results (ok / mismatch / missing) — a failed file is a result, not an exception.
 */
export async function verifyChecksumFile(
  options: VerifyChecksumFileOptions
): Promise<VerifiedChecksumFile> {
  const cwd = options.cwd ?? process.cwd();
  const file = path.resolve(cwd, options.file);
  const text = await readTextLimited(file, {
    maxBytes: CHECKSUM_FILE_LIMIT,
    what: 'checksum file',
  });
  const entries = parseChecksums(text, { source: options.file });
  const dir = path.resolve(cwd, options.dir ?? path.dirname(options.file));
  const dirInfo = await stat(dir).catch(() => undefined);
  if (dirInfo === undefined || !dirInfo.isDirectory()) {
    throw new CustodyError('INPUT_NOT_FOUND', `directory ${options.dir ?? dir} does not exist`, {
      details: { dir },
    });
  }
  // Confine every name before hashing anything; 64 at a time (each costs a few realpath calls),
  // reporting the first unsafe line in file order.
  const located = new Map<string, string>();
  for (let start = 0; start < entries.length; start += CONFINE_CONCURRENCY) {
    const chunk = entries.slice(start, start + CONFINE_CONCURRENCY);
    const settled = await Promise.allSettled(
      chunk.map((entry) => confineToDirectory(dir, entry.path))
    );
    settled.forEach((outcome, i) => {
      const entry = chunk[i] as ChecksumEntry;
      if (outcome.status === 'fulfilled') {
        located.set(entry.path, outcome.value);
        return;
      }
      throw unsafePath(
        outcome.reason,
        `${options.file}:${entry.line}: ${JSON.stringify(entry.name)} is a symlink that leaves ${options.dir ?? 'the directory'}`,
        { file: options.file, line: entry.line, name: entry.name }
      );
    });
  }
  const verification = await verifyChecksums(entries, async (requests) => {
    const settled = await digestFilesSettled(
      requests.map((request) => ({
        path: located.get(request.path) as string,
        algorithm: request.algorithm,
      })),
      options
    );
    return settled.map((result): ProvidedDigest =>
      result.ok ? { hex: result.hex } : { error: describeErrno(result.errno) }
    );
  });
  return { ...verification, file, dir, entries };
}

/**
 * resolveInside, plus: when the file does not exist, its deepest existing ancestor must not be
 * a symlink out of `dir` either (`up/x` with `up -> /` is refused even if `/x` is missing).
 */
async function confineToDirectory(dir: string, relativePath: string): Promise<string> {
  const candidate = await resolveInside(dir, relativePath);
  if (
    await realpath(candidate).then(
      () => true,
      () => false
    )
  )
    return candidate;
  const realDir = await realpath(dir);
  for (
    let probe = path.dirname(candidate);
    probe.length > dir.length;
    probe = path.dirname(probe)
  ) {
    const real = await realpath(probe).catch(() => undefined);
    if (real === undefined) continue;
    if (real !== realDir && !real.startsWith(realDir + path.sep)) {
      throw new CustodyError(
        'INPUT_PATH_UNSAFE',
        `${relativePath} leaves ${dir} through a symlink`
      );
    }
    break;
  }
  return candidate;
}

function unsafePath(
  error: unknown,
  message: string,
  details?: Record<string, unknown>
): CustodyError {
  if (isCustodyError(error) && error.code === 'INPUT_PATH_UNSAFE') {
    return new CustodyError('CHECKSUMS_PATH_UNSAFE', message, {
      cause: error,
      hint: 'a checksum file may only name files inside its directory',
      ...(details === undefined ? {} : { details }),
    });
  }
  return error instanceof CustodyError
    ? error
    : new CustodyError('INPUT_UNREADABLE', message, { cause: error });
}

/** The words sha256sum uses for the usual errors. */
function describeErrno(errno: string): string {
  switch (errno) {
    case 'ENOENT':
      return 'No such file or directory';
    case 'EACCES':
      return 'Permission denied';
    case 'EISDIR':
      return 'Is a directory';
    default:
      return errno;
  }
}
