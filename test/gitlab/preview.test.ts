// The example pipelines, as gitlab-ci-local expands them (`--preview`), against golden files, and
// input validation: values outside `options`, failing `regex` or of the wrong type are rejected.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';
import {
  createTestRepo,
  gitlabCiLocal,
  normalizePreview,
  readRepoFile,
  selfReferencing,
  type TestRepo,
} from './gcl.js';

const GOLDEN_DIR = path.join(REPO_ROOT, 'fixtures/gitlab/golden');

function expectGolden(name: string, actual: string): void {
  const file = path.join(GOLDEN_DIR, name);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, actual);
  if (!existsSync(file))
    throw new Error(`missing ${file}: run UPDATE_GOLDEN=1 npm run test:gitlab`);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

const PIPELINES = {
  'release.gitlab-ci.yml': 'workflows/gitlab/release.gitlab-ci.yml',
  'self-managed.gitlab-ci.yml': 'workflows/gitlab/self-managed.gitlab-ci.yml',
  'root.gitlab-ci.yml': '.gitlab-ci.yml',
} as const;

describe('gitlab-ci-local --preview of the example pipelines', () => {
  let repo: TestRepo;

  beforeAll(async () => {
    const files: Record<string, string> = {};
    for (const [name, source] of Object.entries(PIPELINES)) {
      files[name] = selfReferencing(readRepoFile(source));
    }
    repo = await createTestRepo(files);
  });
  afterAll(() => repo.cleanup());

  for (const name of Object.keys(PIPELINES)) {
    it(`expands ${name} as the golden file says`, async () => {
      const result = await gitlabCiLocal(repo, ['--file', name, '--preview']);
      expect(result.stderr).not.toMatch(/invalid|error/i);
      expect(result.code, result.stderr).toBe(0);
      expectGolden(
        name.replace(/\.gitlab-ci\.yml$/, '.preview.yml'),
        normalizePreview(result.stdout, repo)
      );
    });
  }

  it('lists the release chain with its needs', async () => {
    const result = await gitlabCiLocal(repo, ['--file', 'release.gitlab-ci.yml', '--list-json']);
    expect(result.code, result.stderr).toBe(0);
    const jobs = JSON.parse(result.stdout) as {
      name: string;
      stage: string;
      needs: { job: string }[] | null;
    }[];
    const needs = (name: string): string[] | undefined =>
      jobs.find((job) => job.name === name)?.needs?.map((need) => need.job);
    expect(needs('custody-sbom')).toEqual(['build']);
    expect(needs('custody-sign')).toEqual(['custody-sbom']);
    expect(needs('custody-attest')).toEqual(['custody-sign']);
    expect(needs('custody-verify')).toEqual(['custody-attest']);
    expect(jobs.find((job) => job.name === 'custody-verify')?.stage).toBe('test');
  });
});

describe('component inputs are validated', () => {
  let repo: TestRepo;

  const pipeline = (component: string, inputs: Record<string, unknown>): string =>
    `stages: [build, test]\ninclude:\n  - component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/${component}@$CI_COMMIT_SHA\n    inputs: ${JSON.stringify(inputs)}\n`;

  const cases: {
    name: string;
    component: string;
    inputs: Record<string, unknown>;
    error: RegExp;
  }[] = [
    {
      name: 'bad-signing',
      component: 'sign',
      inputs: { signing: 'cosign' },
      error: /not in the list of allowed options/,
    },
    {
      name: 'bad-spec',
      component: 'sbom',
      inputs: { 'spec-version': '2.0' },
      error: /not in the list of allowed options/,
    },
    {
      name: 'bad-release-signing',
      component: 'release',
      inputs: { signing: 'kms' },
      error: /not in the list of allowed options/,
    },
    {
      name: 'traversal-dir',
      component: 'sign',
      inputs: { 'release-dir': '../outside' },
      error: /does not match required regex/,
    },
    {
      name: 'absolute-dir',
      component: 'verify',
      inputs: { 'release-dir': '/etc' },
      error: /does not match required regex/,
    },
    {
      name: 'shell-files',
      component: 'sign',
      inputs: { files: 'dist/*; curl evil' },
      error: /does not match required regex/,
    },
    {
      name: 'shell-job',
      component: 'attest',
      inputs: { 'job-name': 'x$(id)' },
      error: /does not match required regex/,
    },
    {
      name: 'bad-key-var',
      component: 'sign',
      inputs: { 'key-variable': 'MY-KEY' },
      error: /does not match required regex/,
    },
    {
      name: 'bad-type',
      component: 'sbom',
      inputs: { 'include-dev': 'yes' },
      error: /is not a boolean/,
    },
    {
      name: 'bad-needs',
      component: 'release',
      inputs: { needs: 'build' },
      error: /is not a array/,
    },
  ];

  beforeAll(async () => {
    const files: Record<string, string> = {
      'ok.gitlab-ci.yml': pipeline('release', {}),
      'ok-inputs.gitlab-ci.yml': pipeline('release', {
        agent: true,
        'agent-range': '$PREVIOUS_TAG..$CI_COMMIT_SHA',
        'release-dir': 'out/release',
        files: 'dist/*.tgz dist/*.zip',
        'signing-config': '/etc/sigstore/signing_config.json',
        signing: 'key',
        'key-passphrase-variable': 'KEY_PASS',
      }),
    };
    for (const c of cases) files[`${c.name}.gitlab-ci.yml`] = pipeline(c.component, c.inputs);
    repo = await createTestRepo(files);
  });
  afterAll(() => repo.cleanup());

  it('accepts the defaults', async () => {
    const result = await gitlabCiLocal(repo, ['--file', 'ok.gitlab-ci.yml', '--preview']);
    expect(result.code, result.stderr).toBe(0);
  });

  it('accepts valid non-default values', async () => {
    const result = await gitlabCiLocal(repo, ['--file', 'ok-inputs.gitlab-ci.yml', '--preview']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('CUSTODY_AGENT_RANGE: $PREVIOUS_TAG..$CI_COMMIT_SHA');
    expect(result.stdout).toContain('CUSTODY_FILES: dist/*.tgz dist/*.zip');
  });

  // Independent read-only previews, each with its own state dir: run them side by side.
  for (const c of cases) {
    it.concurrent(`rejects ${c.name}`, async () => {
      const result = await gitlabCiLocal(repo, [
        '--file',
        `${c.name}.gitlab-ci.yml`,
        '--state-dir',
        `.gcl-state-${c.name}`,
        '--preview',
      ]);
      expect(result.code).not.toBe(0);
      const output = result.stdout + result.stderr;
      expect(output).toMatch(c.error);
      // Rejected for the input under test, not for something else.
      expect(output).toContain(`\`${Object.keys(c.inputs)[0] ?? ''}\` input`);
    });
  }
});
