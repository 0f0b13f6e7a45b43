import type { Command } from 'commander';

export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Progress lines are shown only on an interactive stderr. */
  readonly stderrIsTTY: boolean;
}

/** Everything a command may take from the process: passed in, so commands are testable in-process. */
export interface CliContext {
  readonly io: CliIO;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  now(): Date;
}

export interface GlobalOptions {
  json: boolean;
  debug: boolean;
}

/** What a command returns: text for people, a value for --json, and its exit status. */
export interface CommandOutput {
  text?: string;
  json?: unknown;
  exitCode?: 0 | 1 | 2 | 3;
}

export type CommandRegistrar = (program: Command, ctx: CliContext) => void;

export function globalOptions(command: Command): GlobalOptions {
  const opts = command.optsWithGlobals<Partial<GlobalOptions>>();
  return { json: opts.json === true, debug: opts.debug === true };
}
