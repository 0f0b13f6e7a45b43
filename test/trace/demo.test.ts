// The demo's last step: a deployment record to production, then trace.html/.md/.json of the main
// artifact in the release directory, consistent with re-running `custody trace` on the release.
import { Ajv2020 } from 'ajv/dist/2020.js';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import type { Trace } from '../../src/trace/types.js';
import { REPO_ROOT, runCli } from '../helpers/cli.js';

it('custody demo ends by writing the trace of its release, reaching production', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'custody-demo-trace-'));
  try {
    const run = await runCli(['--json', 'demo', '--out', 'release'], {
      cwd: dir,
      env: { SOURCE_DATE_EPOCH: '1795170600' },
    });
    expect(run.code, run.stderr).toBe(0);
    const json = JSON.parse(run.stdout) as { steps: string[]; log: string[] };
    expect(json.steps[json.steps.length - 1]).toBe('trace');
    const summary = json.log.find((line) => line.startsWith('trace: '));
    expect(summary).toMatch(/^trace: hello-linux-amd64 · deployed to production · /);

    const out = path.join(dir, 'release');
    const trace = JSON.parse(await readFile(path.join(out, 'trace.json'), 'utf8')) as Trace;
    const schema = JSON.parse(
      await readFile(path.join(REPO_ROOT, 'docs/trace.schema.json'), 'utf8')
    );
    const validate = new Ajv2020({ strict: true }).compile(schema);
    expect(validate(trace), JSON.stringify(validate.errors)).toBe(true);
    const trail = trace.artifacts[0]!;
    expect(trail.names).toContain('hello-linux-amd64');
    expect(trail.deployments.map((d) => d.environment)).toEqual(['production']);
    expect(trail.builds[0]?.sourceCommit).toMatch(/^[0-9a-f]{40}$/);
    expect(trail.agents[0]?.approvers.map((a) => a.login)).toEqual(['octocat']);
    expect(trail.sboms).toHaveLength(1);
    // With the verify step's signed VSA the trail is complete; without one, the only error gap is
    // the deployment's missing VSA, shown explicitly.
    const errors = trail.gaps.filter((g) => g.severity === 'error').map((g) => g.code);
    if (trail.verifications.length > 0) {
      expect(trace.complete).toBe(true);
      expect(trail.deployments[0]!.verificationSummary).toMatchObject({
        found: true,
        result: 'PASSED',
      });
    } else {
      expect(errors).toEqual(['DEPLOYMENT_VSA_MISSING']);
    }
    expect(await readFile(path.join(out, 'trace.md'), 'utf8')).toContain(
      '# Custody trace: artifact hello-linux-amd64'
    );
    expect(await readFile(path.join(out, 'trace.html'), 'utf8')).toContain('<svg');

    // The files are what `custody trace` says about the release directory.
    const again = await runCli(
      [
        '--json',
        'trace',
        'release/hello-linux-amd64',
        '--trusted-root',
        'release/trusted_root.json',
      ],
      { cwd: dir, env: { SOURCE_DATE_EPOCH: '1795170600' } }
    );
    expect(again.code, again.stderr).toBe(0);
    const retraced = JSON.parse(again.stdout) as Trace;
    expect(retraced.artifacts[0]!.deployments).toHaveLength(1);
    expect(retraced.artifacts[0]!.builds[0]!.sourceCommit).toBe(trail.builds[0]!.sourceCommit);
    expect(retraced.complete).toBe(trace.complete);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
