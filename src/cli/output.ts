import { CustodyError } from '../errors.js';
import { prettyCanonicalJSON } from '../util/canonical-json.js';
import { redact } from '../util/redact.js';
import type { CliIO, CommandOutput, GlobalOptions } from './context.js';

export function printOutput(io: CliIO, output: CommandOutput, options: GlobalOptions): void {
  if (options.json) {
    if (output.json !== undefined) io.stdout(redact(prettyCanonicalJSON(output.json)));
    return;
  }
  if (output.text !== undefined && output.text.length > 0) {
    io.stdout(redact(output.text.endsWith('\n') ? output.text : `${output.text}\n`));
  }
}

/** Prints an error as one clear line plus a hint; the stack only with --debug. Returns the exit status. */
export function printError(io: CliIO, error: unknown, options: GlobalOptions): 1 | 2 | 3 {
  const custody =
    error instanceof CustodyError
      ? error
      : new CustodyError('INTERNAL_ERROR', error instanceof Error ? error.message : String(error), {
          cause: error,
          hint: 'rerun with --debug and report this as a bug',
        });
  if (options.json) {
    io.stdout(redact(prettyCanonicalJSON({ error: custody.toJSON() })));
  }
  let text = `error[${custody.code}]: ${custody.message}\n`;
  if (custody.hint !== undefined) text += `  hint: ${custody.hint}\n`;
  if (options.debug) {
    text += `${custody.stack ?? ''}\n`;
    let cause: unknown = custody.cause;
    while (cause !== undefined) {
      text += `caused by: ${cause instanceof Error ? (cause.stack ?? cause.message) : JSON.stringify(cause)}\n`;
      cause = cause instanceof Error ? cause.cause : undefined;
    }
  }
  io.stderr(redact(text));
  return custody.exitStatus;
}
