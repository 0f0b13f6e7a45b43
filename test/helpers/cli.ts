// Runs the CLI in-process (fast) and captures its output; runDist spawns dist/cli.js like a user.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { main } from '../../src/cli/main.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(
  argv: string[],
  options: { cwd?: string; env?: Record<string, string | undefined>; now?: Date } = {}
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    io: {
      stdout: (t) => {
        stdout += t;
      },
      stderr: (t) => {
        stderr += t;
      },
      stderrIsTTY: false,
    },
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    now: () => options.now ?? new Date(),
  });
  return { code, stdout, stderr };
}

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

export function runDist(
  argv: string[],
  options: { cwd?: string; env?: Record<string, string | undefined>; input?: string } = {}
): CliRun {
  const result = spawnSync(process.execPath, [path.join(REPO_ROOT, 'dist/cli.js'), ...argv], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { PATH: process.env.PATH, ...options.env },
    encoding: 'utf8',
    input: options.input,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}
