// The subset of rsync that gitlab-ci-local drives, for machines without rsync (the tests put it on
// PATH only when no real rsync is there). Supported: -a/-r/-R (combinable), --delete,
// --delete-excluded, --exclude[=]PATTERN, --exclude-from[=]FILE, --files-from[=]FILE, sources
// ending in `/` or `/.` (copy contents), and rsync's anchored (`/x`), directory-only (`x/`), `*` and
// `**` exclude patterns. Copies keep modes, times and symlinks, as `-a` does.
import fs from 'node:fs';
import path from 'node:path';

interface Options {
  relative: boolean;
  recursive: boolean;
  del: boolean;
  excludes: string[];
  filesFrom: string[] | undefined;
}
type Excluded = (rel: string, isDir: boolean) => boolean;
interface TransferContext {
  recursive: boolean;
  excluded: Excluded;
  seen: Set<string>;
}

function parse(argv: string[]): { opts: Options; sources: string[]; dest: string } {
  const opts: Options = {
    relative: false,
    recursive: false,
    del: false,
    excludes: [],
    filesFrom: undefined,
  };
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const value = (name: string): string => {
      if (arg.includes('=')) return arg.slice(name.length + 3);
      i += 1;
      const next = argv[i];
      if (next === undefined) throw new Error(`rsync shim: ${arg} needs a value`);
      return next;
    };
    if (arg === '--delete' || arg === '--delete-excluded') opts.del = true;
    else if (arg.startsWith('--exclude-from')) {
      const lines = fs.readFileSync(value('exclude-from'), 'utf8').split('\n');
      opts.excludes.push(...lines.filter((l) => l.trim() !== '' && !l.startsWith('#')));
    } else if (arg.startsWith('--exclude')) opts.excludes.push(value('exclude'));
    else if (arg.startsWith('--files-from')) {
      opts.filesFrom = fs
        .readFileSync(value('files-from'), 'utf8')
        .split('\n')
        .filter((l) => l !== '');
      opts.relative = true;
    } else if (/^-[a-zA-Z]+$/.test(arg)) {
      if (arg.includes('a') || arg.includes('r')) opts.recursive = true;
      if (arg.includes('R')) opts.relative = true;
    } else if (arg.startsWith('--')) throw new Error(`rsync shim: unsupported option ${arg}`);
    else positional.push(arg);
  }
  const dest = positional.at(-1);
  if (positional.length < 2 || dest === undefined) {
    throw new Error('rsync shim: need a source and a destination');
  }
  return { opts, sources: positional.slice(0, -1), dest };
}

function patternToRegExp(pattern: string): { re: RegExp; dirOnly: boolean } {
  const anchored = pattern.startsWith('/');
  const dirOnly = pattern.endsWith('/');
  let body = pattern.replace(/^\//, '').replace(/\/$/, '');
  body = body
    .split('**')
    .map((part) =>
      part
        .split('*')
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('[^/]*')
    )
    .join('.*');
  return { re: new RegExp(anchored ? `^${body}$` : `(^|/)${body}$`), dirOnly };
}

function makeExcluded(patterns: string[]): Excluded {
  const compiled = patterns.map(patternToRegExp);
  return (rel, isDir) => compiled.some((p) => (!p.dirOnly || isDir) && p.re.test(rel));
}

function copyEntry(src: string, dst: string): void {
  const stat = fs.lstatSync(src);
  fs.mkdirSync(path.dirname(dst), { recursive: true });
  if (stat.isSymbolicLink()) {
    fs.rmSync(dst, { force: true, recursive: true });
    fs.symlinkSync(fs.readlinkSync(src), dst);
  } else if (stat.isDirectory()) {
    fs.mkdirSync(dst, { recursive: true });
    fs.chmodSync(dst, stat.mode & 0o7777);
  } else {
    if (fs.existsSync(dst) && fs.lstatSync(dst).isDirectory()) fs.rmSync(dst, { recursive: true });
    fs.copyFileSync(src, dst);
    fs.chmodSync(dst, stat.mode & 0o7777);
    fs.utimesSync(dst, stat.atime, stat.mtime);
  }
}

/** Copies root/rel (recursively when asked) to dest/rel, recording what it transferred. */
function transfer(root: string, rel: string, dest: string, ctx: TransferContext): void {
  const { recursive, excluded, seen } = ctx;
  const src = path.join(root, rel);
  const stat = fs.lstatSync(src);
  const isDir = stat.isDirectory();
  if (rel !== '' && excluded(rel, isDir)) return;
  if (rel !== '') {
    copyEntry(src, path.join(dest, rel));
    seen.add(rel);
  } else fs.mkdirSync(dest, { recursive: true });
  if (isDir && (recursive || rel === '')) {
    for (const name of fs.readdirSync(src).sort()) {
      transfer(root, rel === '' ? name : `${rel}/${name}`, dest, ctx);
    }
  }
}

function deleteExtraneous(dest: string, rel: string, seen: Set<string>): void {
  for (const name of fs.readdirSync(path.join(dest, rel))) {
    const child = rel === '' ? name : `${rel}/${name}`;
    if (!seen.has(child)) fs.rmSync(path.join(dest, child), { recursive: true, force: true });
    else if (fs.lstatSync(path.join(dest, child)).isDirectory())
      deleteExtraneous(dest, child, seen);
  }
}

function main(): void {
  const { opts, sources, dest } = parse(process.argv.slice(2));
  const excluded = makeExcluded(opts.excludes);
  const seen = new Set<string>();
  const ctx: TransferContext = { recursive: opts.recursive, excluded, seen };
  for (const source of sources) {
    if (opts.filesFrom !== undefined) {
      for (const line of opts.filesFrom) {
        const rel = path.posix
          .normalize(line)
          .replace(/^(\.\/)+/, '')
          .replace(/\/$/, '');
        if (rel === '.' || rel === '' || !fs.existsSync(path.join(source, rel))) continue;
        // Parent directories are created as rsync -R does.
        transfer(source, rel, dest, ctx);
      }
    } else if (source === '.' || source.endsWith('/') || source.endsWith('/.')) {
      transfer(source, '', dest, ctx);
    } else if (opts.relative) {
      const rel = path.posix.normalize(source).replace(/^(\.\/)+/, '');
      transfer('.', rel, dest, ctx);
    } else {
      transfer(path.dirname(source), path.basename(source), dest, ctx);
    }
  }
  if (opts.del && sources.length === 1 && fs.existsSync(dest)) deleteExtraneous(dest, '', seen);
}

try {
  main();
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
