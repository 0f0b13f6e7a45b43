// custody checksums create|verify: SHA256SUMS-style checksum files, compatible with sha256sum -c.
import path from 'node:path';
import { parseDigestAlgorithm } from '../../digest/algorithms.js';
import { createChecksumFile, verifyChecksumFile } from '../../digest/checksum-file.js';
import { displayChecksumName } from '../../digest/checksums.js';
import { createProgressLine, type ProgressLine } from '../../digest/progress.js';
import { commandAction } from '../action.js';
import type { CliContext, CommandOutput, CommandRegistrar } from '../context.js';
import { reportSkipped } from './digest.js';

interface CreateOptions {
  output: string;
  algorithm: string;
}

interface VerifyOptions {
  dir?: string;
}

export const registerChecksums: CommandRegistrar = (program, ctx) => {
  const checksums = program
    .command('checksums')
    .description('create and verify checksum files (SHA256SUMS), compatible with sha256sum -c');
  checksums
    .command('create')
    .description(
      'hash files and directories into a GNU-format checksum file, written atomically; names are relative to its directory'
    )
    .argument('<paths...>', 'files and directories to list (inside the output file’s directory)')
    .requiredOption('-o, --output <file>', 'checksum file to write, e.g. dist/SHA256SUMS')
    .option('-a, --algorithm <name>', 'sha256, sha384 or sha512', 'sha256')
    .addHelpText('after', '\nExample:\n  custody checksums create --output dist/SHA256SUMS dist/')
    .action(
      commandAction<[string[], CreateOptions]>(ctx, (paths, options) =>
        runCreate(ctx, paths, options)
      )
    );
  checksums
    .command('verify')
    .description(
      'check every file listed in a checksum file (GNU or BSD lines; algorithm from the hex length or tag)'
    )
    .argument('<file>', 'the checksum file, e.g. SHA256SUMS')
    .option(
      '-d, --dir <dir>',
      'directory the listed names are relative to (default: the checksum file’s)'
    )
    .addHelpText(
      'after',
      '\nPrints `name: OK`, `name: FAILED` or `name: FAILED open or read` like sha256sum -c.\nExit 1 when a file differs or is missing; exit 2 (nothing hashed) for a malformed line, a duplicate\nname, an absolute name, a .. name or a symlink leaving the directory.\nExample:\n  custody checksums verify dist/SHA256SUMS'
    )
    .action(
      commandAction<[string, VerifyOptions]>(ctx, (file, options) => runVerify(ctx, file, options))
    );
};

function progressFor(ctx: CliContext, label: string): ProgressLine {
  return createProgressLine({
    enabled: ctx.io.stderrIsTTY,
    write: (text) => ctx.io.stderr(text),
    now: () => ctx.now().getTime(),
    label,
  });
}

async function runCreate(
  ctx: CliContext,
  paths: readonly string[],
  options: CreateOptions
): Promise<CommandOutput> {
  const algorithm = parseDigestAlgorithm(options.algorithm);
  const progress = progressFor(ctx, 'hashing');
  let created;
  try {
    created = await createChecksumFile({
      output: options.output,
      inputs: paths,
      algorithm,
      cwd: ctx.cwd,
      onProgress: (p) => progress.update(p),
    });
  } finally {
    progress.done();
  }
  reportSkipped(ctx, created.skipped);
  const shown = path.relative(ctx.cwd, created.output) || created.output;
  return {
    text: `wrote ${shown}: ${created.entries.length} ${created.entries.length === 1 ? 'file' : 'files'} (${algorithm})`,
    json: {
      output: created.output,
      algorithm,
      count: created.entries.length,
      entries: created.entries,
      skipped: created.skipped.filter((skip) => skip.reason !== 'excluded'),
    },
  };
}

async function runVerify(
  ctx: CliContext,
  file: string,
  options: VerifyOptions
): Promise<CommandOutput> {
  const progress = progressFor(ctx, 'verifying');
  let verified;
  try {
    verified = await verifyChecksumFile({
      file,
      cwd: ctx.cwd,
      ...(options.dir === undefined ? {} : { dir: options.dir }),
      onProgress: (p) => progress.update(p),
    });
  } finally {
    progress.done();
  }
  const lines = verified.results.map((result) => {
    const name = displayChecksumName(result.name);
    if (result.status === 'ok') return `${name}: OK\n`;
    if (result.status === 'mismatch') return `${name}: FAILED\n`;
    ctx.io.stderr(`custody: ${name}: ${result.reason ?? 'cannot be read'}\n`);
    return `${name}: FAILED open or read\n`;
  });
  const json = {
    file: verified.file,
    dir: verified.dir,
    ok: verified.ok,
    counts: verified.counts,
    failed: verified.failed,
    results: verified.results,
  };
  if (verified.ok) return { text: lines.join(''), json };
  const { mismatch, missing } = verified.counts;
  const parts = [
    ...(mismatch > 0
      ? [`${mismatch} computed ${mismatch === 1 ? 'checksum' : 'checksums'} did NOT match`]
      : []),
    ...(missing > 0
      ? [`${missing} listed ${missing === 1 ? 'file' : 'files'} could not be read`]
      : []),
  ];
  ctx.io.stderr(
    `error[CHECKSUMS_MISMATCH]: ${parts.join(', ')}: ${verified.failed.map(displayChecksumName).join(', ')}\n`
  );
  return { text: lines.join(''), json, exitCode: 1 };
}
