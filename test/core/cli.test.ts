import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

describe('cli frame', () => {
  it('prints help with exit status 0', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: custody');
    expect(run.stdout).toContain('Exit status');
  });

  it('rejects an unknown command with USAGE_INVALID and exit 2, without a stack trace', async () => {
    const run = await runCli(['no-such-command']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error\[USAGE_INVALID\]: /);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('reports usage errors as JSON with --json', async () => {
    const run = await runCli(['--json', 'no-such-command']);
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout).error.code).toBe('USAGE_INVALID');
  });
});
