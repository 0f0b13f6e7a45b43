import type { Command } from 'commander';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { CustodyError } from '../../errors.js';
import { commandAction } from '../action.js';
import type { CliContext, CommandOutput, CommandRegistrar } from '../context.js';
import { globalOptions } from '../context.js';
import type { DemoState } from '../demo/state.js';
import { DEMO_STEPS } from '../demo/steps.js';

interface DemoOptions {
  out: string;
  clean: boolean;
}

export const registerDemo: CommandRegistrar = (program, ctx) => {
  program
    .command('demo')
    .description(
      'produce and verify a sample release end to end on an embedded local Sigstore stack (loopback only)'
    )
    .option('--out <dir>', 'release directory to write', 'demo-release')
    .option('--no-clean', 'keep existing files in the output directory')
    .action(
      commandAction<[DemoOptions]>(ctx, (options, command) => runDemoCommand(ctx, options, command))
    );
};

async function runDemoCommand(
  ctx: CliContext,
  options: DemoOptions,
  command: Command
): Promise<CommandOutput> {
  const outDir = path.resolve(ctx.cwd, options.out);
  if (outDir === path.parse(outDir).root || outDir === path.resolve(ctx.cwd)) {
    throw new CustodyError(
      'USAGE_INVALID',
      `refusing to use ${outDir} as the demo output directory`,
      {
        hint: 'pass --out with a dedicated directory, e.g. --out demo-release',
      }
    );
  }
  if (options.clean) await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const quiet = globalOptions(command).json;
  const lines: string[] = [];
  const state: DemoState = {
    ctx,
    outDir,
    artifacts: [],
    facts: new Map(),
    cleanups: [],
    log: (line) => {
      lines.push(line);
      if (!quiet) ctx.io.stdout(`  ${line}\n`);
    },
  };
  const completed: string[] = [];
  try {
    for (const step of DEMO_STEPS) {
      if (!quiet) ctx.io.stdout(`[${step.name}]\n`);
      await step.run(state);
      completed.push(step.name);
    }
  } finally {
    for (const cleanup of state.cleanups.reverse()) await cleanup().catch(() => undefined);
  }
  const verdict = state.facts.get('verdict');
  return {
    text: `demo release written to ${path.relative(ctx.cwd, outDir) || '.'}${typeof verdict === 'string' ? `\nverdict: ${verdict}` : ''}`,
    json: { outDir, steps: completed, artifacts: state.artifacts, log: lines, verdict },
  };
}
