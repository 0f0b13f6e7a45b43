import type { Command } from 'commander';
import type { CliContext, CommandOutput } from './context.js';
import { globalOptions } from './context.js';
import { printOutput } from './output.js';

/** Exit status of the last command run; read by main(). */
export const exitState = { code: 0 as 0 | 1 | 2 | 3 };

/**
 * Wraps a command implementation: runs it, prints its text or JSON, records its exit status.
 * Errors propagate to main(), which prints them once.
 */
export function commandAction<Args extends unknown[]>(
  ctx: CliContext,
  run: (...args: [...Args, Command]) => Promise<CommandOutput>
): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const output = await run(...(args as [...Args, Command]));
    printOutput(ctx.io, output, globalOptions(command));
    exitState.code = output.exitCode ?? 0;
  };
}
