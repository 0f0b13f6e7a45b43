import { CommanderError } from 'commander';
import { exitState } from './action.js';
import type { CliContext, GlobalOptions } from './context.js';
import { printError } from './output.js';
import { buildProgram, usageErrorFrom } from './program.js';

/** Runs the custody CLI on `argv` (without node and script) and returns the exit status. */
export async function main(argv: readonly string[], ctx: CliContext): Promise<number> {
  const options: GlobalOptions = { json: argv.includes('--json'), debug: argv.includes('--debug') };
  exitState.code = 0;
  const program = buildProgram(ctx);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitState.code;
  } catch (error) {
    if (error instanceof CommanderError) {
      const usage = usageErrorFrom(error);
      if (usage === 0) return 0;
      return printError(ctx.io, usage, options);
    }
    return printError(ctx.io, error, options);
  }
}
