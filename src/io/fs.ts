// Filesystem adapter: the only place domain code's file I/O goes through. Writes are atomic
// (temp file in the same directory, fsync, rename), reads are bounded and fail with codes.
import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { mkdir, open, readFile, realpath, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { CustodyError } from '../errors.js';

/** Default read limit for JSON/YAML documents (bundles, policies, statements). */
export const DEFAULT_DOCUMENT_LIMIT = 64 * 1024 * 1024;

/** Writes `data` to `target` atomically: a crash leaves either the old file or the new one. */
export async function writeFileAtomic(
  target: string,
  data: string | Uint8Array,
  options: { mode?: number } = {}
): Promise<void> {
  const dir = path.dirname(target);
  const temp = path.join(dir, `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await mkdir(dir, { recursive: true });
    const handle = await open(temp, 'wx', options.mode ?? 0o644);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw new CustodyError(
      'OUTPUT_WRITE_FAILED',
      `could not write ${target}: ${describeFsError(error)}`,
      {
        cause: error,
        hint: 'check that the directory exists and is writable',
      }
    );
  }
}

/** Reads a whole file, refusing files over `maxBytes` before reading them. */
export async function readFileLimited(
  file: string,
  options: { maxBytes?: number; what?: string } = {}
): Promise<Buffer> {
  const maxBytes = options.maxBytes ?? DEFAULT_DOCUMENT_LIMIT;
  const what = options.what ?? 'file';
  let size: number;
  try {
    const info = await stat(file);
    if (!info.isFile()) {
      throw new CustodyError('INPUT_UNREADABLE', `${what} ${file} is not a regular file`);
    }
    size = info.size;
  } catch (error) {
    if (error instanceof CustodyError) throw error;
    throw fsInputError(error, file, what);
  }
  if (size > maxBytes) {
    throw new CustodyError(
      'INPUT_TOO_LARGE',
      `${what} ${file} is ${size} bytes, over the limit of ${maxBytes} bytes`,
      { details: { file, size, limit: maxBytes } }
    );
  }
  try {
    return await readFile(file);
  } catch (error) {
    throw fsInputError(error, file, what);
  }
}

export async function readTextLimited(
  file: string,
  options: { maxBytes?: number; what?: string } = {}
): Promise<string> {
  return (await readFileLimited(file, options)).toString('utf8');
}

/** Parses JSON text; malformed or truncated input becomes INPUT_JSON_INVALID, never a stack trace. */
export function parseJSONText(text: string, source: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CustodyError('INPUT_JSON_INVALID', `${source} is not valid JSON: ${reason}`, {
      cause: error,
      details: { file: source },
    });
  }
}

export async function readJSONFile(
  file: string,
  options: { maxBytes?: number; what?: string } = {}
): Promise<unknown> {
  return parseJSONText(await readTextLimited(file, options), file);
}

export async function pathExists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * Resolves an untrusted relative path inside `baseDir`, refusing absolute paths, `..` segments,
 * and (when the target exists) symlinks whose real path leaves `baseDir`.
 */
export async function resolveInside(baseDir: string, untrustedPath: string): Promise<string> {
  if (untrustedPath.length === 0 || untrustedPath.includes('\0')) {
    throw new CustodyError('INPUT_PATH_UNSAFE', `empty or NUL-containing path is not allowed`);
  }
  if (path.isAbsolute(untrustedPath) || /^[A-Za-z]:[\\/]/.test(untrustedPath)) {
    throw new CustodyError(
      'INPUT_PATH_UNSAFE',
      `absolute path ${JSON.stringify(untrustedPath)} is not allowed`
    );
  }
  if (untrustedPath.split(/[\\/]/).includes('..')) {
    throw new CustodyError(
      'INPUT_PATH_UNSAFE',
      `path ${JSON.stringify(untrustedPath)} contains ..`
    );
  }
  const base = path.resolve(baseDir);
  const candidate = path.resolve(base, untrustedPath);
  let realBase: string;
  let realCandidate: string;
  try {
    realBase = await realpath(base);
    realCandidate = await realpath(candidate);
  } catch {
    return candidate; // does not exist (yet): the lexical checks above are what applies
  }
  if (realCandidate !== realBase && !realCandidate.startsWith(realBase + path.sep)) {
    throw new CustodyError(
      'INPUT_PATH_UNSAFE',
      `path ${JSON.stringify(untrustedPath)} resolves outside ${baseDir} through a symlink`
    );
  }
  return candidate;
}

export function isExecutableMode(mode: number): boolean {
  return (mode & fsConstants.S_IXUSR) !== 0;
}

function fsInputError(error: unknown, file: string, what: string): CustodyError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') {
    return new CustodyError('INPUT_NOT_FOUND', `${what} ${file} does not exist`, { cause: error });
  }
  return new CustodyError(
    'INPUT_UNREADABLE',
    `cannot read ${what} ${file}: ${describeFsError(error)}`,
    {
      cause: error,
    }
  );
}

function describeFsError(error: unknown): string {
  const errno = error as NodeJS.ErrnoException | undefined;
  return errno?.code ?? (error instanceof Error ? error.message : String(error));
}
