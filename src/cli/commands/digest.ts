// custody digest: sha256sum/sha512sum-compatible digest lines for files and directories.
import { parseDigestAlgorithm } from '../../digest/algorithms.js';
import { formatChecksumLine } from '../../digest/checksums.js';
import { digestFilesSettled, readError } from '../../digest/files.js';
import { createProgressLine } from '../../digest/progress.js';
import { expandPaths, type SkippedPath } from '../../digest/walk.js';
import { commandAction } from '../action.js';
import type { CliContext, CommandOutput, CommandRegistrar } from '../context.js';

interface DigestOptions {
  algorithm: string;
}

export const registerDigest: CommandRegistrar = (program, ctx) => {
  program
    .command('digest')
    .description(
      'print `<hex>  <path>` digest lines exactly like sha256sum/sha512sum; directories are walked in sorted order'
    )
    .argument('<paths...>', 'files and directories to hash')
    .option('-a, --algorithm <name>', 'sha256, sha384 or sha512', 'sha256')
    .addHelpText(
      'after',
      '\nA file named on the command line is printed as given (symlinks followed); a directory expands to\nits files as <dir>/<relative path>, byte-order sorted, following only symlinks that stay inside it.\nExamples:\n  custody digest dist/app.tar.gz\n  custody digest --algorithm sha512 dist/'
    )
    .action(
      commandAction<[string[], DigestOptions]>(ctx, (paths, options) =>
        runDigest(ctx, paths, options)
      )
    );
};

async function runDigest(
  ctx: CliContext,
  paths: readonly string[],
  options: DigestOptions
): Promise<CommandOutput> {
  const algorithm = parseDigestAlgorithm(options.algorithm);
  const expanded = await expandPaths(paths, ctx.cwd);
  reportSkipped(ctx, expanded.skipped);
  const progress = createProgressLine({
    enabled: ctx.io.stderrIsTTY,
    write: (text) => ctx.io.stderr(text),
    now: () => ctx.now().getTime(),
  });
  let digests;
  try {
    digests = await digestFilesSettled(
      expanded.files.map((file) => ({ path: file.absolute, algorithm })),
      { onProgress: (p) => progress.update(p) }
    );
  } finally {
    progress.done();
  }
  const files = expanded.files.map((file, index) => {
    const digest = digests[index];
    if (digest === undefined || !digest.ok) {
      throw readError(file.display, digest?.ok === false ? digest.errno : 'EIO');
    }
    return { path: file.display, hex: digest.hex, size: digest.size };
  });
  return {
    text: files.map((file) => formatChecksumLine({ hex: file.hex, name: file.path })).join(''),
    json: { algorithm, files, skipped: expanded.skipped },
  };
}

export function reportSkipped(ctx: CliContext, skipped: readonly SkippedPath[]): void {
  const why: Record<SkippedPath['reason'], string> = {
    'symlink-leaves-root': 'symlink leaves the directory',
    'dangling-symlink': 'dangling symlink',
    'symlink-cycle': 'symlink cycle',
    'not-a-file': 'not a regular file',
    excluded: '',
  };
  for (const skip of skipped) {
    if (skip.reason !== 'excluded')
      ctx.io.stderr(`custody: skipped ${skip.path}: ${why[skip.reason]}\n`);
  }
}
