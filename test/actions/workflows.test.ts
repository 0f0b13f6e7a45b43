// The example workflows users copy and the action.yml files pass the workflow/action schema
// validator (@action-validator/cli, SchemaStore schemas), the reusable workflow is mirrored into
// .github/workflows, steps only pass inputs the actions declare, and permissions are least-privilege.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readActionYaml, REPO_ROOT } from './helpers/runner.js';

const run = promisify(execFile);
const VALIDATOR = path.join(REPO_ROOT, 'node_modules/.bin/action-validator');
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'custody-validate-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/**
 * @action-validator/cli 0.6.0 (the latest) bundles a SchemaStore snapshot that predates two facts
 * GitHub documents: `runs.using: node24` and the `attestations` permission. Only those two are
 * rewritten before validating (node20 / dropped), and the rewrite is counted so nothing else hides.
 */
function forStaleSchema(text: string): { text: string; rewrites: number } {
  let rewrites = 0;
  const out = text
    .replace(/^(\s*using:\s*)node24\s*$/gm, (_m, p: string) => {
      rewrites++;
      return `${p}node20`;
    })
    .replace(/^\s*attestations:\s*(write|read|none)\b.*\n/gm, () => {
      rewrites++;
      return '';
    });
  return { text: out, rewrites };
}

async function validate(
  file: string,
  kind: 'action' | 'workflow'
): Promise<{ code: number; out: string }> {
  const { text } = forStaleSchema(await readFile(file, 'utf8'));
  // The validator tells actions from workflows by the file name.
  const dir = await mkdtemp(path.join(scratch, 'v-'));
  const target = path.join(dir, kind === 'action' ? 'action.yml' : 'workflow.yml');
  await writeFile(target, text);
  try {
    const { stdout } = await run(VALIDATOR, [target], { env: { PATH: process.env.PATH } });
    return { code: 0, out: stdout };
  } catch (error) {
    const e = error as { code?: number; stdout?: string };
    return { code: e.code ?? -1, out: e.stdout ?? '' };
  }
}

async function yamlFiles(dir: string): Promise<string[]> {
  return (await readdir(path.join(REPO_ROOT, dir)))
    .filter((f) => f.endsWith('.yml'))
    .sort()
    .map((f) => path.join(REPO_ROOT, dir, f));
}

interface Workflow {
  on: Record<string, unknown>;
  permissions?: unknown;
  jobs: Record<
    string,
    {
      permissions?: Record<string, string>;
      uses?: string;
      with?: Record<string, unknown>;
      steps?: { id?: string; uses?: string; with?: Record<string, unknown> }[];
    }
  >;
}

describe('workflow and action schemas', () => {
  it('every example and project workflow validates', async () => {
    const files = [
      ...(await yamlFiles('workflows/github')),
      ...(await yamlFiles('.github/workflows')),
    ];
    expect(files.length).toBeGreaterThanOrEqual(5);
    for (const file of files) {
      const result = await validate(file, 'workflow');
      expect(result, path.relative(REPO_ROOT, file)).toEqual({ code: 0, out: '' });
    }
  });

  it('every action.yml validates', async () => {
    for (const name of ['sbom', 'sign', 'attest', 'verify', 'gate']) {
      const result = await validate(path.join(REPO_ROOT, 'actions', name, 'action.yml'), 'action');
      expect(result, name).toEqual({ code: 0, out: '' });
    }
  });

  it('the validator rejects a broken workflow and a broken action (the check can fail)', async () => {
    const broken = path.join(scratch, 'broken.yml');
    await writeFile(broken, 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stepz: []\n');
    expect((await validate(broken, 'workflow')).code).not.toBe(0);
    await writeFile(broken, 'name: x\ndescription: y\nruns:\n  using: node24\n');
    expect((await validate(broken, 'action')).code).not.toBe(0);
  });

  it('only rewrites node24 and attestations for the stale schema', () => {
    const { text, rewrites } = forStaleSchema(
      'runs:\n  using: node24\npermissions:\n  attestations: write\n  contents: write\n'
    );
    expect(rewrites).toBe(2);
    expect(text).toBe('runs:\n  using: node20\npermissions:\n  contents: write\n');
  });
});

describe('the reusable release workflow', () => {
  for (const name of ['release.yml', 'release-publish.yml']) {
    it(`is mirrored byte for byte into .github/workflows/${name}`, async () => {
      const example = await readFile(path.join(REPO_ROOT, 'workflows/github', name), 'utf8');
      const mirrored = await readFile(path.join(REPO_ROOT, '.github/workflows', name), 'utf8');
      expect(mirrored).toBe(example);
    });
  }

  it('asks only read scopes (and id-token) of a caller; publishing is release-publish.yml', async () => {
    const release = parse(
      await readFile(path.join(REPO_ROOT, 'workflows/github/release.yml'), 'utf8')
    ) as Workflow;
    for (const [name, job] of Object.entries(release.jobs)) {
      for (const [scope, level] of Object.entries(job.permissions ?? {})) {
        expect(
          level === 'read' || (scope === 'id-token' && level === 'write'),
          `${name} ${scope}`
        ).toBe(true);
      }
    }
    const publish = parse(
      await readFile(path.join(REPO_ROOT, 'workflows/github/release-publish.yml'), 'utf8')
    ) as Workflow;
    expect(Object.keys(publish.jobs)).toEqual(['publish']);
    expect(publish.jobs.publish?.permissions).toEqual({ contents: 'write', attestations: 'write' });
  });

  it('is a workflow_call workflow that runs sbom, sign, attest and verify in that order', async () => {
    const wf = parse(
      await readFile(path.join(REPO_ROOT, 'workflows/github/release.yml'), 'utf8')
    ) as Workflow;
    expect(Object.keys(wf.on)).toEqual(['workflow_call']);
    expect(wf.permissions).toEqual({});
    const order = (wf.jobs.provenance?.steps ?? [])
      .map((s) => /actions\/(sbom|sign|attest|verify)@/.exec(s.uses ?? '')?.[1])
      .filter((s) => s !== undefined);
    expect(order).toEqual(['sbom', 'sign', 'attest', 'attest', 'verify']);
  });
});

describe('workflows use the actions as declared, with least privilege', () => {
  it('custody steps pass only declared inputs and read only declared outputs', async () => {
    for (const file of [
      ...(await yamlFiles('workflows/github')),
      ...(await yamlFiles('.github/workflows')),
    ]) {
      const text = await readFile(file, 'utf8');
      const wf = parse(text) as Workflow;
      const stepAction = new Map<string, string>();
      for (const job of Object.values(wf.jobs)) {
        for (const step of job.steps ?? []) {
          const match = /custody\/actions\/(\w+)@/.exec(step.uses ?? '');
          if (match === null) continue;
          const yml = await readActionYaml(match[1]!);
          for (const input of Object.keys(step.with ?? {})) {
            expect(
              Object.keys(yml.inputs ?? {}),
              `${path.basename(file)}: ${match[1]} input ${input}`
            ).toContain(input);
          }
          if (step.id !== undefined) stepAction.set(step.id, match[1]!);
        }
      }
      for (const [, id, output] of text.matchAll(/steps\.([\w-]+)\.outputs\.([\w-]+)/g)) {
        const action = stepAction.get(id!);
        if (action === undefined) continue;
        expect(
          Object.keys((await readActionYaml(action)).outputs ?? {}),
          `${path.basename(file)}: ${id}.${output}`
        ).toContain(output);
      }
    }
  });

  it('id-token: write only in jobs that sign; contents/attestations: write only in jobs that upload', async () => {
    for (const file of await yamlFiles('workflows/github')) {
      const wf = parse(await readFile(file, 'utf8')) as Workflow;
      for (const [name, job] of Object.entries(wf.jobs)) {
        const perms = job.permissions ?? {};
        const uses = (job.steps ?? []).map((s) => s.uses ?? '').join(' ');
        const withs = JSON.stringify((job.steps ?? []).map((s) => s.with ?? {}));
        const callsRelease = (job.uses ?? '').includes('/.github/workflows/release.yml@');
        const callsPublish = (job.uses ?? '').includes('/.github/workflows/release-publish.yml@');
        const where = `${path.basename(file)} job ${name}`;
        if (perms['id-token'] === 'write')
          expect(callsRelease || /actions\/(sign|attest)@/.test(uses), where).toBe(true);
        if (perms.contents === 'write')
          expect(callsPublish || withs.includes('upload-release'), where).toBe(true);
        if (perms.attestations === 'write')
          expect(callsPublish || withs.includes('upload-attestations'), where).toBe(true);
        // A verify-only call of release.yml grants no write scope but id-token.
        if (callsRelease) {
          expect(perms.contents, where).toBe('read');
          expect(perms.attestations, where).toBeUndefined();
        }
        if (/actions\/(sign|attest)@/.test(uses)) expect(perms['id-token'], where).toBe('write');
      }
    }
  });
});
