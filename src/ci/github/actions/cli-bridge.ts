// Runs a custody CLI command in-process with --json and returns its JSON value. The actions use
// it where the CLI command is the adapter that owns the file and CI handling (sbom, attest,
// verify): one implementation, so `custody <cmd>` and the action cannot drift apart. A failing
// command's JSON error comes back as the same CustodyError (same code, message and hint).
import { CustodyError, ERROR_CODES, type ErrorCode } from '../../../errors.js';
import type { ActionDeps } from './framework.js';

export interface CliResult {
  readonly exitCode: number;
  readonly json: unknown;
  /** Progress and warnings the command wrote to stderr, for the step log. */
  readonly stderr: string;
}

export async function runCustodyCli(
  argv: readonly string[],
  deps: ActionDeps,
  options: { cwd: string; env?: Readonly<Record<string, string | undefined>> }
): Promise<CliResult> {
  const { main } = await import('../../../cli/main.js');
  let stdout = '';
  let stderr = '';
  const exitCode = await main(['--json', ...argv], {
    io: {
      stdout: (text) => {
        stdout += text;
      },
      stderr: (text) => {
        stderr += text;
      },
      stderrIsTTY: false,
    },
    env: options.env ?? deps.env,
    cwd: options.cwd,
    now: () => deps.now(),
  });
  let json: unknown;
  try {
    json = stdout.trim() === '' ? undefined : (JSON.parse(stdout) as unknown);
  } catch (error) {
    throw new CustodyError('INTERNAL_ERROR', `custody ${argv[0] ?? ''} printed no JSON`, {
      cause: error,
    });
  }
  const failure = (
    json as
      | { error?: { code?: unknown; message?: unknown; hint?: unknown; details?: unknown } }
      | undefined
  )?.error;
  if (exitCode !== 0 && failure !== undefined) {
    const code =
      typeof failure.code === 'string' && failure.code in ERROR_CODES
        ? (failure.code as ErrorCode)
        : 'INTERNAL_ERROR';
    throw new CustodyError(
      code,
      typeof failure.message === 'string' ? failure.message : `custody ${argv[0] ?? ''} failed`,
      {
        ...(typeof failure.hint === 'string' ? { hint: failure.hint } : {}),
        ...(typeof failure.details === 'object' && failure.details !== null
          ? { details: failure.details as Record<string, unknown> }
          : {}),
      }
    );
  }
  for (const line of stderr.split('\n')) if (line.trim() !== '') deps.log.info(line);
  return { exitCode, json, stderr };
}
