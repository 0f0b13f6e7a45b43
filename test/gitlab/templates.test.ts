// Static checks of the component templates: GitLab's authoring rules (spec header, typed and
// constrained inputs, no global keywords), the pinned custody version, the release component
// staying in step with the four single components, and docs/gitlab.md staying true to the inputs.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';

interface InputSpec {
  description?: string;
  default?: unknown;
  type?: 'string' | 'number' | 'boolean' | 'array';
  options?: unknown[];
  regex?: string;
}
interface Job {
  stage: string;
  needs?: unknown;
  variables?: Record<string, string>;
  script: string[];
  id_tokens?: Record<string, { aud: string }>;
  artifacts?: { paths?: string[]; reports?: Record<string, unknown> };
}
interface Template {
  spec: { inputs: Record<string, InputSpec> };
  jobs: Record<string, Job>;
}

const COMPONENTS = ['sbom', 'sign', 'attest', 'verify', 'release'] as const;
const GLOBAL_KEYWORDS = [
  'default',
  'include',
  'stages',
  'variables',
  'workflow',
  'image',
  'services',
  'cache',
  'before_script',
  'after_script',
];

function loadTemplate(name: string): Template {
  const text = readFileSync(path.join(REPO_ROOT, 'templates', name, 'template.yml'), 'utf8');
  const docs = parseAllDocuments(text);
  expect(docs).toHaveLength(2);
  for (const doc of docs) expect(doc.errors).toEqual([]);
  const [header, body] = docs.map((doc) => doc.toJS() as unknown);
  return { spec: (header as { spec: Template['spec'] }).spec, jobs: body as Template['jobs'] };
}

const TEMPLATES = Object.fromEntries(
  COMPONENTS.map((name) => [name, loadTemplate(name)])
) as Record<(typeof COMPONENTS)[number], Template>;

describe('component templates', () => {
  it('are exactly the five components, one templates/<name>/template.yml each', () => {
    const dirs = readdirSync(path.join(REPO_ROOT, 'templates')).sort();
    expect(dirs).toEqual([...COMPONENTS].sort());
  });

  for (const name of COMPONENTS) {
    describe(name, () => {
      const { spec, jobs } = TEMPLATES[name];

      it('declares only spec:inputs (GitLab 17.0 refuses spec:description, spec:component)', () => {
        expect(Object.keys(spec)).toEqual(['inputs']);
      });

      it('describes and constrains every input', () => {
        for (const [input, def] of Object.entries(spec.inputs)) {
          expect(input).toMatch(/^[a-z][a-z0-9-]*$/);
          expect(def.description, input).toBeTruthy();
          expect(def.default, `${input} has a default`).not.toBeUndefined();
          const type = def.type ?? 'string';
          if (def.options !== undefined) {
            expect(type).not.toBe('boolean');
            expect(def.options, input).toContain(def.default);
          }
          if (def.regex !== undefined) {
            expect(type, `${input}: regex only on strings`).toBe('string');
            expect(def.regex).not.toMatch(/^\/|\(\?[=!<]|\\[1-9]/); // RE2: no slashes, lookaround, backrefs
            expect(def.default, `${input}: GitLab 17.0 refuses '' for a regex`).not.toBe('');
            expect(String(def.default), `${input} default vs regex`).toMatch(new RegExp(def.regex));
          }
          if (type === 'boolean') expect(typeof def.default).toBe('boolean');
          if (type === 'array') expect(Array.isArray(def.default)).toBe(true);
        }
      });

      it('uses no global keywords; job names and stages come from inputs', () => {
        for (const [jobName, job] of Object.entries(jobs)) {
          expect(GLOBAL_KEYWORDS).not.toContain(jobName);
          expect(jobName).toMatch(/\$\[\[ inputs\.job-(name|prefix) \]\]/);
          expect(job.stage).toMatch(/^\$\[\[ inputs\.(verify-)?stage \]\]$/);
          expect(job.variables?.CUSTODY_COMMAND).toBe('$[[ inputs.custody-command ]]');
          expect(job.script[0]).toContain('$CUSTODY_COMMAND --version');
        }
      });

      it('references only declared inputs and uses every declared one', () => {
        const text = readFileSync(path.join(REPO_ROOT, 'templates', name, 'template.yml'), 'utf8');
        const body = text.split('\n---\n')[1] ?? '';
        const used = new Set(
          [...body.matchAll(/\$\[\[ inputs\.([a-z0-9-]+) \]\]/g)].map((m) => m[1])
        );
        expect([...used].sort()).toEqual(Object.keys(spec.inputs).sort());
      });
    });
  }

  it('fetches the CLI of this version, pinned by SHA-256, when custody-command is empty', () => {
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    const pins = new Set<string>();
    for (const name of COMPONENTS) {
      const inputs = TEMPLATES[name].spec.inputs;
      expect(inputs['custody-command']?.default).toBe('');
      expect(inputs['cli-url']?.default).toBe(
        `https://github.com/custody-dev/custody/releases/download/v${pkg.version}/custody.mjs`
      );
      expect(inputs['cli-sha256']?.default).toMatch(/^[0-9a-f]{64}$/);
      pins.add(String(inputs['cli-sha256']?.default));
      // No npx, no registry name: nothing runs by a mutable name.
      expect(JSON.stringify(TEMPLATES[name])).not.toMatch(/npx|npm (exec|install)/);
    }
    expect(pins.size).toBe(1);
  });

  it('runs the same install step first in every job', () => {
    const steps = new Set(
      COMPONENTS.flatMap((name) => Object.values(TEMPLATES[name].jobs).map((job) => job.script[0]))
    );
    expect(steps.size).toBe(1);
    const [step] = [...steps];
    expect(step).toContain('if [ -z "$CUSTODY_COMMAND" ]');
    expect(step).toContain('(cli-sha256)');
  });

  it('asks for a sigstore ID token in every signing job', () => {
    for (const [name, job] of [
      ['sign', TEMPLATES.sign.jobs['$[[ inputs.job-name ]]']],
      ['attest', TEMPLATES.attest.jobs['$[[ inputs.job-name ]]']],
      ['release-sign', TEMPLATES.release.jobs['$[[ inputs.job-prefix ]]-sign']],
      ['release-attest', TEMPLATES.release.jobs['$[[ inputs.job-prefix ]]-attest']],
    ] as const) {
      expect(job?.id_tokens, name).toEqual({
        SIGSTORE_ID_TOKEN: { aud: '$[[ inputs.oidc-audience ]]' },
      });
    }
  });

  it('publishes the SBOM as a CycloneDX report and every job a dotenv report', () => {
    const sbom = TEMPLATES.sbom.jobs['$[[ inputs.job-name ]]'];
    expect(sbom?.artifacts?.reports?.cyclonedx).toEqual([
      '$[[ inputs.release-dir ]]/sbom.cdx.json',
    ]);
    for (const name of COMPONENTS) {
      for (const job of Object.values(TEMPLATES[name].jobs)) {
        expect(job.artifacts?.reports?.dotenv).toMatch(/^custody-[a-z]+\.env$/);
      }
    }
  });

  describe('the release component', () => {
    const steps = ['sbom', 'sign', 'attest', 'verify'] as const;
    const single = (step: (typeof steps)[number]): Job => {
      const job = TEMPLATES[step].jobs['$[[ inputs.job-name ]]'];
      if (job === undefined) throw new Error(`no job in ${step}`);
      return job;
    };
    const chained = (step: (typeof steps)[number]): Job => {
      const job = TEMPLATES.release.jobs[`$[[ inputs.job-prefix ]]-${step}`];
      if (job === undefined) throw new Error(`no ${step} job in release`);
      return job;
    };

    it('runs the same scripts as the single components', () => {
      for (const step of steps) expect(chained(step).script, step).toEqual(single(step).script);
    });

    it('sets the same job variables as the single components', () => {
      for (const step of steps) {
        expect(Object.keys(chained(step).variables ?? {}).sort(), step).toEqual(
          Object.keys(single(step).variables ?? {}).sort()
        );
      }
    });

    it('chains sbom → sign → attest → verify through needs', () => {
      expect(chained('sbom').needs).toBe('$[[ inputs.needs ]]');
      expect(chained('sign').needs).toEqual([{ job: '$[[ inputs.job-prefix ]]-sbom' }]);
      expect(chained('attest').needs).toEqual([{ job: '$[[ inputs.job-prefix ]]-sign' }]);
      expect(chained('verify').needs).toEqual([{ job: '$[[ inputs.job-prefix ]]-attest' }]);
    });

    it('offers the single components’ inputs with the same definitions', () => {
      const release = TEMPLATES.release.spec.inputs;
      const own = new Set(['job-prefix', 'verify-stage', 'needs', 'files', 'stage']);
      for (const [input, def] of Object.entries(release)) {
        if (own.has(input)) continue;
        const origin = steps.find((step) => TEMPLATES[step].spec.inputs[input] !== undefined);
        expect(origin, `${input} comes from a single component`).toBeDefined();
        if (origin !== undefined) expect(def, input).toEqual(TEMPLATES[origin].spec.inputs[input]);
      }
    });
  });
});

describe('docs/gitlab.md', () => {
  const docs = readFileSync(path.join(REPO_ROOT, 'docs/gitlab.md'), 'utf8');

  /** The input rows of the table under `### <component>`: name → default cell. */
  function documentedInputs(component: string): Map<string, string> {
    const section = docs.split(/^### /m).find((part) => part.startsWith(`\`${component}\``));
    if (section === undefined)
      throw new Error(`docs/gitlab.md has no ### \`${component}\` section`);
    const rows = new Map<string, string>();
    for (const line of section.split('\n')) {
      const match = /^\| `([a-z0-9-]+)` \| ([^|]*) \|/.exec(line);
      if (match?.[1] !== undefined) rows.set(match[1], (match[2] ?? '').trim());
    }
    return rows;
  }

  function renderDefault(def: InputSpec): string {
    if (Array.isArray(def.default)) return `\`${JSON.stringify(def.default)}\``;
    if (def.default === '') return '(empty)';
    return `\`${String(def.default)}\``;
  }

  for (const name of COMPONENTS) {
    it(`documents every input of ${name} with its default`, () => {
      const documented = documentedInputs(name);
      const inputs = TEMPLATES[name].spec.inputs;
      expect([...documented.keys()].sort()).toEqual(Object.keys(inputs).sort());
      for (const [input, def] of Object.entries(inputs)) {
        expect(documented.get(input), input).toBe(renderDefault(def));
      }
    });
  }
});
