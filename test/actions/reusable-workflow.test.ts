// The reusable release workflow, executed step by step from its YAML: a small interpreter walks
// the provenance and publish jobs, evaluates the ${{ }} expressions they use (inputs, runner.temp,
// steps.*.outputs, needs.*.outputs), stands in for checkout and the artifact actions, and runs
// every custody step as the runner would (bundled entry, INPUT_*, local Sigstore stack, loopback
// GitHub API). It proves the YAML's wiring, not just each action alone.
import { copyFile, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  SAMPLE_COMMIT_SHA,
  startLocalSigstoreStack,
  type LocalSigstoreStack,
} from '../../src/stack/index.js';
import { startFakeGitHub, type FakeGitHub } from './helpers/fake-github.js';
import { buildActions, FIXTURES, githubEnv, REPO_ROOT, runAction } from './helpers/runner.js';

interface Step {
  id?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Job {
  if?: string;
  needs?: string;
  outputs?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  on: {
    workflow_call: {
      inputs: Record<string, { default?: unknown }>;
      outputs: Record<string, { value: string }>;
    };
  };
  jobs: Record<string, Job>;
}

const TOKEN = 'ghs_reusableWorkflowToken0123';
let dist: string;
let stack: LocalSigstoreStack;
let github: FakeGitHub;
let workspace: string;
let runnerTemp: string;
let artifacts: string;

beforeAll(async () => {
  [dist, stack, github] = await Promise.all([
    buildActions(),
    startLocalSigstoreStack(),
    startFakeGitHub({ token: TOKEN, owner: 'acme', repo: 'hello' }),
  ]);
  const root = await mkdtemp(path.join(tmpdir(), 'custody-reusable-'));
  workspace = path.join(root, 'workspace');
  runnerTemp = path.join(root, 'runner-temp');
  artifacts = path.join(root, 'artifacts');
  await mkdir(path.join(artifacts, 'release'), { recursive: true });
  await mkdir(workspace);
  await mkdir(runnerTemp);
  for (const file of ['package.json', 'package-lock.json']) {
    await copyFile(path.join(FIXTURES, 'project', file), path.join(workspace, file));
  }
  // What the caller's build job uploaded as the artifact "release".
  await writeFile(path.join(artifacts, 'release', 'hello-1.0.0.tgz'), 'the package\n');
  // Local trust: the workflow verifies against public-good; the test points verify at the stack.
  await copyFile(stack.trustedRootPath, path.join(workspace, 'trusted_root.json'));
  await copyFile(stack.signingConfigPath, path.join(workspace, 'signing_config.json'));
});
afterAll(async () => {
  await Promise.all([stack.close(), github.close()]);
  await rm(dist, { recursive: true, force: true });
  await rm(path.dirname(workspace), { recursive: true, force: true });
});

function evaluate(value: unknown, scope: Record<string, unknown>): string {
  return String(value).replace(/\$\{\{\s*(.+?)\s*\}\}/g, (_m, expr: string) => {
    const resolved = expr.split(/\s*\|\|\s*/).map((part) => {
      let node: unknown = scope;
      for (const key of part.split('.'))
        node = (node as Record<string, unknown> | undefined)?.[key];
      if (node === undefined) throw new Error(`unknown expression ${part}`);
      return node;
    });
    const chosen = resolved.find((v) => v !== false && v !== '') ?? resolved[resolved.length - 1];
    if (typeof chosen === 'string') return chosen;
    if (typeof chosen === 'number' || typeof chosen === 'boolean') return String(chosen);
    throw new Error(`expression ${expr} is not a scalar`);
  });
}

describe('the reusable release workflow, run from its YAML', () => {
  it('produces a release that verifies and publishes it', async () => {
    const load = async (name: string): Promise<Workflow> =>
      parse(await readFile(path.join(REPO_ROOT, '.github/workflows', name), 'utf8')) as Workflow;
    const defaults = (wf: Workflow): Record<string, unknown> =>
      Object.fromEntries(
        Object.entries(wf.on.workflow_call.inputs).map(([name, spec]) => [name, spec.default])
      );
    const release = await load('release.yml');
    const publish = await load('release-publish.yml');
    const env = {
      ...githubEnv('push-tag', { apiURL: github.url }),
      GITHUB_REPOSITORY: 'acme/hello',
      GITHUB_REPOSITORY_ID: '100000001',
      GITHUB_REPOSITORY_OWNER: 'acme',
      GITHUB_REPOSITORY_OWNER_ID: '200000002',
      GITHUB_REF: 'refs/tags/v1.0.0',
      GITHUB_REF_NAME: 'v1.0.0',
      GITHUB_SHA: SAMPLE_COMMIT_SHA,
      GITHUB_WORKFLOW_REF: 'acme/hello/.github/workflows/release.yml@refs/tags/v1.0.0',
      GITHUB_WORKFLOW_SHA: SAMPLE_COMMIT_SHA,
      GITHUB_RUN_ID: '9000000001',
      GITHUB_RUN_NUMBER: '42',
      RUNNER_TEMP: runnerTemp,
      ACTIONS_ID_TOKEN_REQUEST_URL: stack.githubTokenRequest.url,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: stack.githubTokenRequest.token,
    };
    // Test-only inputs: the local stack instead of public-good Sigstore.
    const localStack: Record<string, Record<string, string>> = {
      sign: { 'signing-config': 'signing_config.json' },
      attest: { 'signing-config': 'signing_config.json' },
      verify: { 'trusted-root': 'trusted_root.json' },
    };
    const ran: string[] = [];
    // Runs one called workflow's jobs in order; returns its workflow_call outputs.
    const runWorkflow = async (
      wf: Workflow,
      inputs: Record<string, unknown>
    ): Promise<Record<string, string>> => {
      const jobOutputs: Record<string, Record<string, string>> = {};
      for (const [jobName, job] of Object.entries(wf.jobs)) {
        const scope: Record<string, unknown> = {
          inputs,
          runner: { temp: runnerTemp },
          github: { token: TOKEN },
          needs: Object.fromEntries(
            Object.entries(jobOutputs).map(([k, v]) => [k, { outputs: v }])
          ),
          steps: {},
        };
        if (job.if !== undefined && evaluate(`\${{ ${job.if} }}`, scope) !== 'true') continue;
        for (const step of job.steps) {
          const uses = step.uses ?? '';
          const withs = Object.fromEntries(
            Object.entries(step.with ?? {}).map(([k, v]) => [k, evaluate(v, scope)])
          );
          if (uses.startsWith('actions/checkout@')) continue; // the workspace is the checkout
          if (uses.startsWith('actions/download-artifact@')) {
            await cp(path.join(artifacts, withs.name!), withs.path!, { recursive: true });
            continue;
          }
          if (uses.startsWith('actions/upload-artifact@')) {
            await cp(withs.path!, path.join(artifacts, withs.name!), { recursive: true });
            continue;
          }
          const action = /^custody-dev\/custody\/actions\/(\w+)@/.exec(uses)?.[1];
          if (action === undefined) throw new Error(`the interpreter does not know step ${uses}`);
          const run = await runAction(dist, action, {
            workspace,
            inputs: { ...withs, ...localStack[action] },
            env: action === 'verify' ? { ...env, 'INPUT_GITHUB-TOKEN': TOKEN } : env,
          });
          expect(run.errors, `${jobName}/${step.id ?? action}`).toEqual([]);
          expect(run.code).toBe(0);
          ran.push(`${jobName}/${action}`);
          if (step.id !== undefined)
            (scope.steps as Record<string, unknown>)[step.id] = { outputs: run.outputs };
        }
        jobOutputs[jobName] = Object.fromEntries(
          Object.entries(job.outputs ?? {}).map(([k, v]) => [k, evaluate(v, scope)])
        );
      }
      return Object.fromEntries(
        Object.entries(wf.on.workflow_call.outputs).map(([k, v]) => [
          k,
          evaluate(v.value, {
            jobs: Object.fromEntries(
              Object.entries(jobOutputs).map(([j, o]) => [j, { outputs: o }])
            ),
          }),
        ])
      );
    };
    // The caller (workflows/github/release-on-tag.yml): release.yml, then release-publish.yml
    // with the signer identity release.yml reported.
    const outputs = await runWorkflow(release, { ...defaults(release), 'subject-path': '*.tgz' });
    const published = await runWorkflow(publish, {
      ...defaults(publish),
      'signer-identity': outputs['signer-identity'],
    });
    expect(published.verdict).toBe('PASS');
    expect(ran).toEqual([
      'provenance/sbom',
      'provenance/sign',
      'provenance/attest',
      'provenance/attest',
      'provenance/verify',
      'publish/verify',
    ]);
    expect(outputs.verdict).toBe('PASS');
    expect(outputs['signer-identity']).toBe(
      'https://github.com/acme/hello/.github/workflows/release.yml@refs/tags/v1.0.0'
    );
    expect(outputs['checksums-digest']).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(outputs['sbom-digest']).toMatch(/^sha256:[0-9a-f]{64}$/);
    const names = github.releases[0]!.assets.map((a) => a.name).sort();
    expect(names).toEqual([
      'SHA256SUMS',
      'SHA256SUMS.sigstore.json',
      'hello-1.0.0.tgz',
      'hello-1.0.0.tgz.sigstore.json',
      'provenance.intoto.jsonl',
      'sbom.cdx.json',
      'sbom.intoto.jsonl',
    ]);
    expect(github.attestations).toHaveLength(2);
  });
});
