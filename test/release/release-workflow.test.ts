// custody's own release (.github/workflows/release-custody.yml), checked as far as this machine
// allows: the job graph (nothing is published before the release verified twice), least-privilege
// permissions per job, the steps each job must run, custody's published policy, and what `npm pack`
// ships. The YAML's wiring of release.yml/release-publish.yml runs in test/actions.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parsePolicy } from '../../src/policy/load.js';
import { REPO_ROOT } from '../helpers/cli.js';

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  needs?: string | string[];
  if?: string;
  uses?: string;
  with?: Record<string, unknown>;
  permissions?: Record<string, string>;
  steps?: Step[];
}

const WORKFLOW = path.join(REPO_ROOT, '.github/workflows/release-custody.yml');

async function workflow(): Promise<{ on: unknown; jobs: Record<string, Job> }> {
  return parse(await readFile(WORKFLOW, 'utf8')) as { on: unknown; jobs: Record<string, Job> };
}
const needs = (job: Job | undefined): string[] =>
  job?.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs];
/** Every job `name` transitively waits for. */
function upstream(jobs: Record<string, Job>, name: string): Set<string> {
  const out = new Set<string>();
  const visit = (n: string): void => {
    for (const dep of needs(jobs[n])) {
      if (!out.has(dep)) {
        out.add(dep);
        visit(dep);
      }
    }
  };
  visit(name);
  return out;
}
const runs = (job: Job | undefined): string =>
  (job?.steps ?? []).map((s) => s.run ?? '').join('\n');

describe("custody's release workflow", () => {
  it('runs on version tags only', async () => {
    expect((await workflow()).on).toEqual({ push: { tags: ['v*'] } });
  });

  it('publishes nothing before the release verified with its identity and with the policy', async () => {
    const { jobs } = await workflow();
    for (const publisher of ['publish-github', 'publish-npm', 'image', 'gitlab-catalog']) {
      const before = upstream(jobs, publisher);
      expect([...before].sort(), publisher).toEqual(
        expect.arrayContaining(['build', 'provenance', 'verify'])
      );
    }
    expect(upstream(jobs, 'gitlab-catalog')).toEqual(
      new Set(['build', 'provenance', 'verify', 'publish-github', 'publish-npm', 'image'])
    );
  });

  it('grants each job only the scopes it uses', async () => {
    const { jobs } = await workflow();
    expect(jobs.build?.permissions).toEqual({ contents: 'read' });
    expect(jobs.provenance?.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    expect(jobs.verify?.permissions).toEqual({ contents: 'read' });
    expect(jobs['publish-github']?.permissions).toEqual({
      contents: 'write',
      attestations: 'write',
    });
    expect(jobs['publish-npm']?.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    expect(jobs.image?.permissions).toEqual({
      contents: 'read',
      packages: 'write',
      'id-token': 'write',
      attestations: 'write',
    });
    expect(jobs['gitlab-catalog']?.permissions).toEqual({ contents: 'read' });
  });

  it('build: the committed dist/ is this build, the components pin its CLI, then pack', async () => {
    const text = runs((await workflow()).jobs.build);
    const order = [
      'npm ci',
      'npm run build',
      'git diff --exit-code --stat -- dist',
      'node scripts/release-pin.mjs --check',
      'npm test',
      'npm pack --pack-destination release',
      'cp dist/cli.js release/custody.mjs',
    ].map((command) => text.indexOf(command));
    expect(
      order.every((at) => at >= 0),
      String(order)
    ).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('signs with custody itself: release.yml, release-publish.yml and the verify action', async () => {
    const { jobs } = await workflow();
    expect(jobs.provenance?.uses).toBe('./.github/workflows/release.yml');
    expect(jobs['publish-github']?.uses).toBe('./.github/workflows/release-publish.yml');
    expect(jobs['publish-github']?.with?.['signer-identity']).toBe(
      '${{ needs.provenance.outputs.signer-identity }}'
    );
    const verify = jobs.verify?.steps?.find((s) => s.uses?.includes('/actions/verify@'));
    expect(verify?.with?.policy).toBe('docs/custody-release-policy.yaml');
  });

  it('publishes to npm the tarball that verified, with npm provenance', async () => {
    const job = (await workflow()).jobs['publish-npm'];
    expect(job?.steps?.some((s) => s.with?.name === 'release-custody')).toBe(true);
    expect(runs(job)).toMatch(
      /^npm publish \.\/release\/custody-\*\.tgz --provenance --access public$/m
    );
    expect(runs(job)).not.toMatch(/npm (ci|install|run build)/);
  });

  it('builds the image from the Containerfile by digest and attests that digest', async () => {
    const job = (await workflow()).jobs.image;
    const push = job?.steps?.find((s) => s.id === 'push');
    expect(push?.env?.NODE_IMAGE).toBe('${{ steps.base.outputs.base }}');
    expect(push?.env?.CUSTODY_CLI_SHA256).toBe('${{ needs.build.outputs.cli-sha256 }}');
    expect(push?.run).toContain('docker build --file Containerfile');
    expect(runs(job)).toContain('sha256sum -c -');
    const attests = (job?.steps ?? []).filter((s) => s.uses?.includes('/actions/attest@'));
    expect(attests.map((s) => s.with?.['predicate-type'])).toEqual(['provenance', 'sbom']);
    for (const step of attests) {
      expect(step.with?.['subject-digest']).toBe('${{ steps.push.outputs.digest }}');
      expect(step.with?.['upload-attestation']).toBe(true);
    }
  });

  it("custody's published policy loads and pins custody's reusable workflow at a version tag", async () => {
    const text = await readFile(path.join(REPO_ROOT, 'docs/custody-release-policy.yaml'), 'utf8');
    const loaded = parsePolicy(text, 'custody-release-policy.yaml');
    expect(loaded).toBeDefined();
    const regexp = /subjectRegExp: '([^']+)'/.exec(text)?.[1] ?? '';
    const re = new RegExp(regexp);
    const san = 'https://github.com/custody-dev/custody/.github/workflows/release.yml@';
    expect(re.test(`${san}refs/tags/v0.1.0`)).toBe(true);
    for (const other of [
      `${san}refs/heads/main`,
      `${san}${'a'.repeat(40)}`,
      `${san}refs/tags/v0.1.0-x`,
    ]) {
      expect(re.test(other), other).toBe(false);
    }
  });
});

describe('npm pack', () => {
  it('ships what users run and read, and no test infrastructure', async () => {
    const { stdout } = await promisify(execFile)(
      'npm',
      ['pack', '--dry-run', '--json', '--ignore-scripts'],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, npm_config_loglevel: 'silent' },
        maxBuffer: 16 * 1024 * 1024,
      }
    );
    const [pack] = JSON.parse(stdout) as [{ files: { path: string }[] }];
    const files = pack.files.map((f) => f.path).sort();
    const allowed = [
      /^(package\.json|README\.md|LICENSE)$/,
      /^dist\/[\w./-]+\.js$/,
      /^bin\/[\w.-]+\.m?js$/,
      /^actions\/[a-z]+\/action\.yml$/,
      /^templates\/[a-z]+\/template\.yml$/,
      /^docs\/[\w./-]+\.(md|json|yaml)$/,
    ];
    expect(files.filter((f) => !allowed.some((re) => re.test(f)))).toEqual([]);
    for (const needed of [
      'LICENSE',
      'README.md',
      'dist/cli.js',
      'docs/custody-release-policy.yaml',
      ...['attest', 'gate', 'sbom', 'sign', 'verify'].map((a) => `actions/${a}/action.yml`),
      ...['attest', 'release', 'sbom', 'sign', 'verify'].map((t) => `templates/${t}/template.yml`),
    ]) {
      expect(files, needed).toContain(needed);
    }
    expect(
      files.filter((f) => /(^|\/)(test|fixtures|src|scripts|bench)\/|\.test\.|\.map$/.test(f))
    ).toEqual([]);
  }, 60_000);
});
