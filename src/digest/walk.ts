// Expands the paths given to `custody digest` / `checksums create` into files.
// - A path named on the command line is taken as given and followed if it is a symlink, like
//   sha256sum does.
// - A directory is walked recursively; its files come out sorted by the byte order of their
//   relative POSIX paths (so `a-b` sorts before `a/b`, the same on every machine).
// - In a walk, a symlink is followed only when its target stays inside the walked root; links
//   that leave the root, dangling links, cycles and special files (pipes, sockets, devices) are
//   skipped and reported, never read.
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { CustodyError } from '../errors.js';

export interface ExpandedFile {
  /** The path to print: the argument as given, or `<dir>/<relative path>` for walked files. */
  readonly display: string;
  /** Absolute path to read. */
  readonly absolute: string;
  /** True when the file was found by walking a directory (not named directly). */
  readonly walked: boolean;
}

export interface SkippedPath {
  readonly path: string;
  readonly reason:
    'symlink-leaves-root' | 'dangling-symlink' | 'symlink-cycle' | 'not-a-file' | 'excluded';
}

export interface ExpandedPaths {
  readonly files: ExpandedFile[];
  readonly skipped: SkippedPath[];
}

export interface ExpandOptions {
  /** Absolute paths never to include from a walk (e.g. the checksum file being written). */
  readonly exclude?: ReadonlySet<string>;
}

export async function expandPaths(
  inputs: readonly string[],
  cwd: string,
  options: ExpandOptions = {}
): Promise<ExpandedPaths> {
  const files: ExpandedFile[] = [];
  const skipped: SkippedPath[] = [];
  for (const input of inputs) {
    const absolute = path.resolve(cwd, input);
    let info;
    try {
      info = await stat(absolute);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        throw new CustodyError('INPUT_NOT_FOUND', `${input} does not exist`, {
          cause: error,
          details: { file: input },
        });
      }
      throw new CustodyError('INPUT_UNREADABLE', `cannot read ${input}: ${code ?? 'error'}`, {
        cause: error,
        details: { file: input },
      });
    }
    if (!info.isDirectory()) {
      files.push({ display: input, absolute, walked: false });
      continue;
    }
    const prefix = input.replace(/[\\/]+$/, '') || input.slice(0, 1);
    const walked = await walkDirectory(absolute, options.exclude ?? new Set());
    for (const rel of walked.files) {
      files.push({
        display: prefix === '/' ? `/${rel}` : `${prefix}/${rel}`,
        absolute: path.join(absolute, ...rel.split('/')),
        walked: true,
      });
    }
    for (const skip of walked.skipped) {
      skipped.push({
        path: prefix === '/' ? `/${skip.path}` : `${prefix}/${skip.path}`,
        reason: skip.reason,
      });
    }
  }
  return { files, skipped };
}

/** Relative POSIX paths of the files under `root`, byte-order sorted. */
async function walkDirectory(
  root: string,
  exclude: ReadonlySet<string>
): Promise<{ files: string[]; skipped: SkippedPath[] }> {
  const realRoot = await realpath(root);
  const files: string[] = [];
  const skipped: SkippedPath[] = [];
  const inside = (real: string): boolean =>
    real === realRoot ||
    real.startsWith(realRoot.endsWith(path.sep) ? realRoot : realRoot + path.sep);

  const visit = async (dir: string, rel: string, ancestors: ReadonlySet<string>): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    for (const entry of entries) {
      const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`;
      const child = path.join(dir, entry.name);
      if (exclude.has(child)) {
        skipped.push({ path: childRel, reason: 'excluded' });
        continue;
      }
      if (entry.isFile()) {
        files.push(childRel);
      } else if (entry.isDirectory()) {
        const real = await realpath(child);
        await visit(child, childRel, new Set([...ancestors, real]));
      } else if (entry.isSymbolicLink()) {
        let real: string;
        try {
          real = await realpath(child);
        } catch {
          skipped.push({ path: childRel, reason: 'dangling-symlink' });
          continue;
        }
        if (!inside(real)) {
          skipped.push({ path: childRel, reason: 'symlink-leaves-root' });
          continue;
        }
        if (exclude.has(real)) {
          skipped.push({ path: childRel, reason: 'excluded' });
          continue;
        }
        const target = await stat(real);
        if (target.isFile()) files.push(childRel);
        else if (!target.isDirectory()) skipped.push({ path: childRel, reason: 'not-a-file' });
        else if (ancestors.has(real)) skipped.push({ path: childRel, reason: 'symlink-cycle' });
        else await visit(child, childRel, new Set([...ancestors, real]));
      } else {
        skipped.push({ path: childRel, reason: 'not-a-file' });
      }
    }
  };
  await visit(root, '', new Set([realRoot]));
  files.sort(compareBytes);
  skipped.sort((a, b) => compareBytes(a.path, b.path));
  return { files, skipped };
}

/** Byte order of the UTF-8 encodings (what `LC_ALL=C sort` does), not UTF-16 code units. */
export function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
