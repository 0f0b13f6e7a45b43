// The frame every action runs in: declared input/output names, a reader that only reads declared
// inputs, one try/catch that turns any failure into an annotation carrying the error code, and
// outputs plus step summary written even when the verdict is a failure (later steps and people
// need the report most when something is wrong).
import { CustodyError } from '../../../errors.js';
import { redact, registerSecret } from '../../../util/redact.js';
import type { Summary } from '../summary.js';

/** How the action reads its inputs: @actions/core in production, a map in tests. */
export interface InputSource {
  /** Trimmed value, '' when unset. */
  getInput(name: string): string;
  /** YAML 1.2 core-schema booleans; throws TypeError for anything else. */
  getBooleanInput(name: string): boolean;
  getMultilineInput(name: string): string[];
}

/** What an action may do to the runner besides returning outputs. */
export interface ActionPlatform extends InputSource {
  setOutput(name: string, value: string): void;
  setSecret(value: string): void;
  info(message: string): void;
  warning(message: string): void;
  /** An error annotation; `title` carries the error code. */
  error(message: string, title: string): void;
  writeSummary(summary: Summary): Promise<void>;
  setExitCode(code: number): void;
}

/** Process facts a run function may use, injected so tests pass their own. */
export interface ActionDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** GITHUB_WORKSPACE (the checkout); relative input paths resolve inside it. */
  readonly workspace: string;
  now(): Date;
  readonly log: { info(message: string): void; warning(message: string): void };
}

export interface ActionResult<O extends string> {
  readonly outputs: Readonly<Record<O, string>>;
  readonly summary: Summary;
  /** A verdict failure (verify, gate): outputs and summary are still written, then the step fails. */
  readonly failure?: CustodyError;
}

export interface ActionDefinition<I extends string, O extends string, T> {
  readonly name: string;
  readonly inputNames: readonly I[];
  readonly outputNames: readonly O[];
  /** Token and key inputs: masked before any input is validated, so an early failure masks them too. */
  readonly secretInputs: readonly I[];
  readInputs(reader: InputReader<I>): T;
  run(inputs: T, deps: ActionDeps): Promise<ActionResult<O>>;
}

/** Reads declared inputs only (the type parameter is the action's input list) and records them. */
export class InputReader<I extends string> {
  readonly readNames = new Set<I>();

  constructor(
    private readonly source: InputSource,
    private readonly mask: (secret: string) => void = () => undefined
  ) {}

  /** The value, or undefined when empty. */
  optional(name: I): string | undefined {
    this.readNames.add(name);
    const value = this.source.getInput(name);
    return value === '' ? undefined : value;
  }

  required(name: I): string {
    const value = this.optional(name);
    if (value === undefined) {
      throw new CustodyError('ACTION_INPUT_INVALID', `input ${name} is required`, {
        hint: `set "with: ${name}: ..." on the step`,
      });
    }
    return value;
  }

  withDefault(name: I, fallback: string): string {
    return this.optional(name) ?? fallback;
  }

  boolean(name: I, fallback: boolean): boolean {
    this.readNames.add(name);
    if (this.source.getInput(name) === '') return fallback;
    try {
      return this.source.getBooleanInput(name);
    } catch (error) {
      throw new CustodyError(
        'ACTION_INPUT_INVALID',
        `input ${name} must be true or false, got ${JSON.stringify(this.source.getInput(name))}`,
        { cause: error }
      );
    }
  }

  /** Newline-separated values, blank lines and `#` comments dropped. */
  list(name: I): string[] {
    this.readNames.add(name);
    return this.source
      .getMultilineInput(name)
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
  }

  choice<C extends string>(name: I, options: readonly C[], fallback: C): C {
    const value = this.optional(name) ?? fallback;
    if (!(options as readonly string[]).includes(value)) {
      throw new CustodyError(
        'ACTION_INPUT_INVALID',
        `input ${name} must be one of ${options.join(', ')}, got ${JSON.stringify(value)}`
      );
    }
    return value as C;
  }

  integer(name: I, fallback: number, range: { min: number; max: number }): number {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    const value = /^\d{1,9}$/.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isInteger(value) || value < range.min || value > range.max) {
      throw new CustodyError(
        'ACTION_INPUT_INVALID',
        `input ${name} must be a whole number from ${range.min} to ${range.max}, got ${JSON.stringify(raw)}`
      );
    }
    return value;
  }

  /** A token or key: masked in the runner log and registered for redaction before anything else. */
  secret(name: I): string | undefined {
    const value = this.optional(name);
    if (value !== undefined) {
      this.mask(value);
      registerSecret(value);
    }
    return value;
  }
}

/** Set by bench/actions.bench.mjs: stop right after the inputs are read (cold-start measurement). */
export const EXIT_AFTER_INPUTS_ENV = 'CUSTODY_BENCH_EXIT_AFTER_INPUTS';

/**
 * Reads inputs from INPUT_* variables with exactly @actions/core's rules (getInput,
 * getBooleanInput, getMultilineInput; test/actions/framework.test.ts compares them). It exists so
 * reading inputs does not load @actions/core, whose @actions/http-client import evaluates undici
 * (~100 ms of a cold start): @actions/core is loaded after the inputs are valid.
 */
export function envInputSource(env: Readonly<Record<string, string | undefined>>): InputSource {
  const getInput = (name: string): string =>
    (env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
  return {
    getInput,
    getBooleanInput: (name) => {
      const value = getInput(name);
      if (['true', 'True', 'TRUE'].includes(value)) return true;
      if (['false', 'False', 'FALSE'].includes(value)) return false;
      throw new TypeError(
        `Input does not meet YAML 1.2 "Core Schema" specification: ${name}\n` +
          'Support boolean input list: `true | True | TRUE | false | False | FALSE`'
      );
    },
    getMultilineInput: (name) =>
      getInput(name)
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => line.trim()),
  };
}

/**
 * Runs one action: read inputs, run, write outputs and summary, annotate failures with their code.
 * Never throws; the exit code is the CustodyError's exit class (1 verdict, 2 input, 3 environment).
 * The platform (and with it @actions/core) is loaded only after the inputs are read.
 */
export async function executeAction<I extends string, O extends string, T>(
  action: ActionDefinition<I, O, T>,
  host: {
    inputs: InputSource;
    loadPlatform: () => Promise<ActionPlatform>;
    makeDeps: (platform: ActionPlatform) => ActionDeps;
    /** Benchmarks only: return once the inputs are read. */
    exitAfterInputs?: boolean;
  }
): Promise<number> {
  const secrets: string[] = [];
  for (const name of action.secretInputs) {
    const value = host.inputs.getInput(name);
    if (value !== '') {
      registerSecret(value);
      secrets.push(value);
    }
  }
  let parsed: { ok: true; value: T } | { ok: false; error: unknown };
  try {
    parsed = {
      ok: true,
      value: action.readInputs(
        new InputReader<I>(host.inputs, (s) => {
          if (!secrets.includes(s)) secrets.push(s);
        })
      ),
    };
  } catch (error) {
    parsed = { ok: false, error };
  }
  if (parsed.ok && host.exitAfterInputs === true) return 0;
  const platform = await host.loadPlatform();
  const deps = host.makeDeps(platform);
  // Masks go out before anything else is printed.
  for (const secret of secrets) platform.setSecret(secret);
  let exitCode = 0;
  try {
    if (!parsed.ok) throw parsed.error;
    const result = await action.run(parsed.value, deps);
    for (const name of action.outputNames) {
      platform.setOutput(name, redact(result.outputs[name]));
    }
    await platform.writeSummary(result.summary);
    if (result.failure !== undefined) {
      exitCode = annotate(platform, result.failure);
    }
  } catch (error) {
    exitCode = annotate(platform, error);
  }
  platform.setExitCode(exitCode);
  return exitCode;
}

/** What every entry does: this process's INPUT_* and GITHUB_* variables, @actions/core, exit code. */
export async function runEntry<I extends string, O extends string, T>(
  action: ActionDefinition<I, O, T>
): Promise<void> {
  await executeAction(action, {
    inputs: envInputSource(process.env),
    loadPlatform: async () => (await import('./core-platform.js')).corePlatform(),
    makeDeps: processDeps,
    exitAfterInputs: process.env[EXIT_AFTER_INPUTS_ENV] === '1',
  });
}

/** The process facts an entry passes to its run function; logging goes through the platform. */
export function processDeps(platform: ActionPlatform): ActionDeps {
  return {
    env: process.env,
    workspace: process.env.GITHUB_WORKSPACE ?? process.cwd(),
    now: () => new Date(),
    log: { info: (m) => platform.info(m), warning: (m) => platform.warning(m) },
  };
}

/** One error annotation, `[CODE] message` with the code as title; non-Errors become INTERNAL_ERROR. */
function annotate(platform: ActionPlatform, error: unknown): 1 | 2 | 3 {
  const custody =
    error instanceof CustodyError
      ? error
      : new CustodyError(
          'INTERNAL_ERROR',
          error instanceof Error ? error.message : `non-error thrown: ${safeString(error)}`,
          { cause: error, hint: 'report this as a bug with the step log' }
        );
  const hint = custody.hint === undefined ? '' : `\nhint: ${custody.hint}`;
  platform.error(redact(`[${custody.code}] ${custody.message}${hint}`), custody.code);
  if (!(error instanceof CustodyError) && error instanceof Error && error.stack !== undefined) {
    platform.info(redact(error.stack));
  }
  return custody.exitStatus;
}

function safeString(value: unknown): string {
  try {
    return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    return Object.prototype.toString.call(value);
  }
}
