// `custody stack start`: runs the local Sigstore stack in the foreground for other processes
// (GitHub Action runs, gitlab-ci-local pipelines, manual tries) until SIGINT/SIGTERM or --ttl.
// Readiness signal: DIR/stack.json appears (written atomically, mode 0600: it holds tokens).
import type { Command } from 'commander';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { CustodyError } from '../../errors.js';
import { writeFileAtomic } from '../../io/fs.js';
import {
  startLocalSigstoreStack,
  TOKEN_PROFILES,
  type LocalSigstoreStack,
} from '../../stack/index.js';
import { redact } from '../../util/redact.js';
import { commandAction } from '../action.js';
import type { CliContext, CommandOutput, CommandRegistrar } from '../context.js';
import { globalOptions } from '../context.js';

export const STACK_FILE = 'stack.json';
export const STACK_ENV_FILE = 'stack.env';
const DEFAULT_TTL_SECONDS = 1800;
const MAX_TTL_SECONDS = 24 * 60 * 60;

interface StackStartOptions {
  dir: string;
  printEnv: boolean;
  ttl: string;
}

export const registerStack: CommandRegistrar = (program, ctx) => {
  const stack = program
    .command('stack')
    .description('local Sigstore services on 127.0.0.1 for tests and demos (never for production)');
  stack
    .command('start')
    .description(
      'start Fulcio, Rekor, a TSA and an OIDC issuer on loopback in the foreground; writes DIR/stack.json when ready'
    )
    .option(
      '--dir <dir>',
      'directory for trusted_root.json, signing_config.json, stack.json',
      '.custody-stack'
    )
    .option('--print-env', 'print the non-secret environment lines (KEY=value) once running', false)
    .option('--ttl <seconds>', 'stop after this many seconds', String(DEFAULT_TTL_SECONDS))
    .action(
      commandAction<[StackStartOptions]>(ctx, (options, command) =>
        runStackStart(ctx, options, command)
      )
    );
};

async function runStackStart(
  ctx: CliContext,
  options: StackStartOptions,
  command: Command
): Promise<CommandOutput> {
  const ttlSeconds = parseTTL(options.ttl);
  const dir = path.resolve(ctx.cwd, options.dir);
  const stackFile = path.join(dir, STACK_FILE);
  const envFile = path.join(dir, STACK_ENV_FILE);
  await removeRuntimeFiles(stackFile, envFile);
  const stack = await startLocalSigstoreStack({ dir });
  const startedAt = new Date();
  const expiresAt = new Date(startedAt.getTime() + ttlSeconds * 1000);
  let reason: string;
  try {
    const env = environmentOf(stack, stackFile);
    const secretEnv = {
      ...env,
      ACTIONS_ID_TOKEN_REQUEST_URL: stack.githubTokenRequest.url,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: stack.githubTokenRequest.token,
    };
    // Tokens live as long as the stack, so a consumer may read them at any time before it stops.
    const exp = Math.floor(expiresAt.getTime() / 1000) + 60;
    const tokens = Object.fromEntries(
      TOKEN_PROFILES.map((profile) => [profile, stack.issueToken(profile, { exp })])
    );
    await writeFileAtomic(
      envFile,
      Object.entries(secretEnv)
        .map(([key, value]) => `${key}=${value}\n`)
        .join(''),
      { mode: 0o600 }
    );
    await writeFileAtomic(
      stackFile,
      `${JSON.stringify(
        {
          fulcioURL: stack.fulcioURL,
          rekorURL: stack.rekorURL,
          tsaURL: stack.tsaURL,
          oidcURL: stack.oidcURL,
          trustedRootPath: stack.trustedRootPath,
          signingConfigPath: stack.signingConfigPath,
          githubTokenRequest: stack.githubTokenRequest,
          tokens,
          env: secretEnv,
          startedAt: startedAt.toISOString(),
          expiresAt: expiresAt.toISOString(),
        },
        null,
        2
      )}\n`,
      { mode: 0o600 }
    );
    if (!globalOptions(command).json) {
      const lines = options.printEnv
        ? Object.entries(env).map(([key, value]) => `${key}=${value}`)
        : [
            `local Sigstore stack running until ${expiresAt.toISOString()} or Ctrl-C (tests and demos only)`,
            `  fulcio          ${stack.fulcioURL}`,
            `  rekor           ${stack.rekorURL}`,
            `  tsa             ${stack.tsaURL}`,
            `  oidc issuer     ${stack.oidcURL}`,
            `  trusted root    ${stack.trustedRootPath}`,
            `  signing config  ${stack.signingConfigPath}`,
            `  stack file      ${stackFile} (mode 0600: tokens, GitHub token-request credentials)`,
          ];
      ctx.io.stdout(redact(`${lines.join('\n')}\n`));
    }
    reason = await waitForStop(ttlSeconds);
  } finally {
    await removeRuntimeFiles(stackFile, envFile);
    await stack.close();
  }
  return {
    text: `local Sigstore stack stopped (${reason})`,
    json: {
      stopped: reason,
      fulcioURL: stack.fulcioURL,
      rekorURL: stack.rekorURL,
      tsaURL: stack.tsaURL,
      oidcURL: stack.oidcURL,
      trustedRootPath: stack.trustedRootPath,
      signingConfigPath: stack.signingConfigPath,
    },
  };
}

/** The non-secret variables: URLs and paths (tokens stay in stack.json / stack.env). */
function environmentOf(stack: LocalSigstoreStack, stackFile: string): Record<string, string> {
  return {
    CUSTODY_STACK_FILE: stackFile,
    SIGSTORE_FULCIO_URL: stack.fulcioURL,
    SIGSTORE_REKOR_URL: stack.rekorURL,
    SIGSTORE_TSA_URL: stack.tsaURL,
    SIGSTORE_OIDC_ISSUER: stack.oidcURL,
    SIGSTORE_TRUSTED_ROOT: stack.trustedRootPath,
    SIGSTORE_SIGNING_CONFIG: stack.signingConfigPath,
  };
}

function parseTTL(text: string): number {
  if (!/^\d{1,6}$/.test(text) || Number(text) < 1 || Number(text) > MAX_TTL_SECONDS) {
    throw new CustodyError(
      'USAGE_INVALID',
      `--ttl must be a whole number of seconds from 1 to ${MAX_TTL_SECONDS}, got ${JSON.stringify(text)}`
    );
  }
  return Number(text);
}

/** Resolves on SIGINT, SIGTERM or when the TTL runs out; leaves no listener or timer behind. */
function waitForStop(ttlSeconds: number): Promise<string> {
  return new Promise((resolve) => {
    const finish = (reason: string): void => {
      clearTimeout(timer);
      process.off('SIGINT', onInterrupt);
      process.off('SIGTERM', onTerminate);
      resolve(reason);
    };
    const onInterrupt = (): void => finish('SIGINT');
    const onTerminate = (): void => finish('SIGTERM');
    const timer = setTimeout(() => finish(`ttl of ${ttlSeconds} s reached`), ttlSeconds * 1000);
    process.once('SIGINT', onInterrupt);
    process.once('SIGTERM', onTerminate);
  });
}

async function removeRuntimeFiles(...files: string[]): Promise<void> {
  await Promise.all(files.map((file) => rm(file, { force: true })));
}
