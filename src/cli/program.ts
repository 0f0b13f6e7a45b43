import type { CommanderError } from 'commander';
import { Command } from 'commander';
import { CustodyError } from '../errors.js';
import { VERSION } from '../version.js';
import { COMMANDS } from './commands/index.js';
import type { CliContext } from './context.js';

export function buildProgram(ctx: CliContext): Command {
  const program = new Command('custody')
    .description(
      'Supply-chain provenance for CI: checksums, CycloneDX SBOMs, Sigstore signatures,\nin-toto/SLSA and agent-provenance attestations, offline verification and audit trails.'
    )
    .version(VERSION, '-V, --version')
    .option('--json', 'machine-readable JSON output on stdout', false)
    .option('--debug', 'show stack traces and causes of errors', false)
    .configureHelp({ showGlobalOptions: true, sortSubcommands: true })
    .addHelpText(
      'after',
      '\nExit status: 0 success, 1 verification or policy failure, 2 bad usage or input, 3 environment or network.\nDocs: docs/ (errors: docs/errors.md).'
    );
  program.configureOutput({
    writeOut: (text) => ctx.io.stdout(text),
    writeErr: (text) => ctx.io.stderr(text),
    outputError: () => undefined, // main() prints usage errors in the error[CODE] form
  });
  program.exitOverride();
  for (const register of COMMANDS) register(program, ctx);
  applyToTree(program, (command) => {
    command.exitOverride();
    command.configureOutput({
      writeOut: (text) => ctx.io.stdout(text),
      writeErr: (text) => ctx.io.stderr(text),
      outputError: () => undefined,
    });
  });
  return program;
}

function applyToTree(command: Command, fn: (command: Command) => void): void {
  for (const sub of command.commands) {
    fn(sub);
    applyToTree(sub, fn);
  }
}

/** Turns commander's parse errors into USAGE_INVALID; help/version exits become status 0. */
export function usageErrorFrom(error: CommanderError): CustodyError | 0 {
  if (
    error.code === 'commander.helpDisplayed' ||
    error.code === 'commander.version' ||
    error.code === 'commander.help'
  ) {
    return 0;
  }
  const message = error.message.replace(/^error: /, '');
  return new CustodyError('USAGE_INVALID', message, { hint: 'run custody --help' });
}
