// Runs one custody CLI command in-process with --json and returns its JSON value. The actions use
// it where the CLI command is the adapter that owns the file and CI handling (sbom, attest): one
// implementation, so `custody <cmd>` and the action cannot drift apart. Only the command's own
// registrar is loaded (not the whole CLI), which keeps each action's bundle to what it runs.
// Failures propagate as the command's own CustodyError (same code, message and hint).
import type { CommandRegistrar } from '../../../cli/context.js';
import { CustodyError } from '../../../errors.js';
import type { ActionDeps } from './framework.js';

export interface CliResult {
  readonly exitCode: number;
  readonly json: unknown;
}

export async function runCustodyCommand(
  register: CommandRegistrar,
  argv: readonly string[],
  deps: ActionDeps,
  options: { cwd: string; env?: Readonly<Record<string, string | undefined>> }
): Promise<CliResult> {
  const { Command, CommanderError } = await import('commander');
  const { exitState } = await import('../../../cli/action.js');
  let stdout = '';
  const ctx = {
    io: {
      stdout: (text: string): void => {
        stdout += text;
      },
      stderr: (text: string): void => {
        for (const line of text.split('\n')) if (line.trim() !== '') deps.log.info(line);
      },
      stderrIsTTY: false,
    },
    env: options.env ?? deps.env,
    cwd: options.cwd,
    now: (): Date => deps.now(),
  };
  const program = new Command('custody')
    .option('--json', 'machine-readable JSON output on stdout', false)
    .option('--debug', 'show stack traces', false)
    .exitOverride()
    .configureOutput({
      writeOut: ctx.io.stdout,
      writeErr: ctx.io.stderr,
      outputError: () => undefined,
    });
  register(program, ctx);
  for (const command of program.commands) {
    command.exitOverride();
    for (const sub of command.commands) sub.exitOverride();
  }
  exitState.code = 0;
  try {
    await program.parseAsync(['--json', ...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // The action builds the argv, so a usage error is custody's bug, not the user's input
      // (cli/program.ts is not imported: it would pull every command into the bundle).
      throw new CustodyError(
        'INTERNAL_ERROR',
        `custody ${argv[0] ?? ''}: ${error.message.replace(/^error: /, '')}`,
        {
          cause: error,
        }
      );
    }
    throw error;
  }
  let json: unknown;
  try {
    json = stdout.trim() === '' ? undefined : (JSON.parse(stdout) as unknown);
  } catch (error) {
    throw new CustodyError('INTERNAL_ERROR', `custody ${argv[0] ?? ''} printed no JSON`, {
      cause: error,
    });
  }
  return { exitCode: exitState.code, json };
}
