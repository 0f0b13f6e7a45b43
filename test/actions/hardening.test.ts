// Every workflow, action and documented example is hardened the way zizmor/actionlint ask:
// each `uses:` pinned by full commit SHA with its tag in a comment (custody's own actions all at the
// one release commit), and no `${{ … }}` spliced into a `run:` script (template injection: the
// expression is pasted into the shell before it runs, so a tag or title can carry `$(…)`).
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from './helpers/runner.js';

type Finding = { rule: 'pin' | 'pin-comment' | 'custody-sha' | 'injection'; where: string };

const CUSTODY = 'custody-dev/custody';

/** `uses:` lines of a YAML text: unpinned, uncommented, or custody refs at another SHA. */
function checkPins(text: string, where: string, custodySha?: Set<string>): Finding[] {
  const out: Finding[] = [];
  for (const [index, line] of text.split('\n').entries()) {
    const match = /^\s*(?:-\s+)?uses:\s*(['"]?)([^\s'"#]+)\1\s*(#.*)?$/.exec(line);
    if (match === null) continue;
    const ref = match[2] ?? '';
    const at = `${where}:${index + 1} ${ref}`;
    if (ref.startsWith('./') || ref.startsWith('docker://')) continue;
    const [name = '', version = ''] = ref.split('@');
    if (!/^[0-9a-f]{40}$/.test(version)) {
      out.push({ rule: 'pin', where: at });
      continue;
    }
    if (!/^#\s*v\d+(\.\d+)*\S*$/.test((match[3] ?? '').trim())) {
      out.push({ rule: 'pin-comment', where: at });
    }
    if (name.startsWith(`${CUSTODY}/`) && custodySha !== undefined) {
      custodySha.add(version);
      if (custodySha.size > 1) out.push({ rule: 'custody-sha', where: at });
    }
  }
  return out;
}

interface Step {
  run?: string;
}
/** `run:` scripts holding an expression, in a workflow's jobs or a composite action's steps. */
function checkInjection(doc: unknown, where: string): Finding[] {
  const out: Finding[] = [];
  const scan = (steps: unknown, scope: string): void => {
    if (!Array.isArray(steps)) return;
    for (const [index, step] of (steps as Step[]).entries()) {
      if (typeof step?.run === 'string' && step.run.includes('${{')) {
        out.push({ rule: 'injection', where: `${where} ${scope} step ${index + 1}` });
      }
    }
  };
  const root = (doc ?? {}) as {
    jobs?: Record<string, { steps?: unknown }>;
    runs?: { steps?: unknown };
  };
  for (const [name, job] of Object.entries(root.jobs ?? {})) scan(job?.steps, `job ${name}`);
  scan(root.runs?.steps, 'runs');
  return out;
}

async function files(): Promise<{ where: string; text: string; yaml: boolean }[]> {
  const out: { where: string; text: string; yaml: boolean }[] = [];
  for (const dir of ['workflows/github', '.github/workflows']) {
    for (const name of (await readdir(path.join(REPO_ROOT, dir))).sort()) {
      if (!name.endsWith('.yml')) continue;
      out.push({
        where: `${dir}/${name}`,
        text: await readFile(path.join(REPO_ROOT, dir, name), 'utf8'),
        yaml: true,
      });
    }
  }
  for (const name of (await readdir(path.join(REPO_ROOT, 'actions'))).sort()) {
    const where = `actions/${name}/action.yml`;
    out.push({ where, text: await readFile(path.join(REPO_ROOT, where), 'utf8'), yaml: true });
  }
  // The YAML examples users copy from the docs.
  for (const doc of ['README.md', 'docs/github-actions.md']) {
    const text = await readFile(path.join(REPO_ROOT, doc), 'utf8');
    for (const [index, block] of [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].entries()) {
      out.push({ where: `${doc} block ${index + 1}`, text: block[1] ?? '', yaml: false });
    }
  }
  return out;
}

describe('workflow hardening', () => {
  it('pins every uses: by commit SHA with its tag, custody at one commit', async () => {
    const custodySha = new Set<string>();
    const findings = (await files()).flatMap((f) => checkPins(f.text, f.where, custodySha));
    expect(findings).toEqual([]);
    expect(custodySha.size).toBe(1);
  });

  it('splices no ${{ }} into any run: script', async () => {
    const findings = (await files())
      .filter((f) => f.yaml)
      .flatMap((f) => checkInjection(parse(f.text), f.where));
    expect(findings).toEqual([]);
  });

  describe('each check rejects', () => {
    const sha = 'a'.repeat(40);
    const rules = (text: string): string[] => checkPins(text, 't', new Set()).map((f) => f.rule);

    it('a tag ref', () => {
      expect(rules('      - uses: actions/checkout@v5\n')).toEqual(['pin']);
    });
    it('a short SHA', () => {
      expect(rules('      - uses: actions/checkout@08c6903 # v5.0.0\n')).toEqual(['pin']);
    });
    it('a branch, quoted', () => {
      expect(rules("    uses: 'acme/x/.github/workflows/r.yml@main'\n")).toEqual(['pin']);
    });
    it('a SHA without its tag comment', () => {
      expect(rules(`      - uses: actions/checkout@${sha}\n`)).toEqual(['pin-comment']);
    });
    it('custody actions at two commits', () => {
      const text = `      - uses: ${CUSTODY}/actions/sign@${sha} # v0.1.0\n      - uses: ${CUSTODY}/actions/verify@${'b'.repeat(40)} # v0.1.0\n`;
      expect(rules(text)).toEqual(['custody-sha']);
    });
    it('accepts local actions and a pinned, commented ref', () => {
      expect(
        rules(`      - uses: ./actions/sign\n      - uses: actions/checkout@${sha} # v5.0.0\n`)
      ).toEqual([]);
    });
    it('an expression in a workflow run: (the old verify-before-deploy deploy step)', () => {
      const doc = parse(
        'jobs:\n  deploy:\n    steps:\n      - run: echo "deploying ${{ inputs.tag }}"\n'
      );
      expect(checkInjection(doc, 't').map((f) => f.rule)).toEqual(['injection']);
    });
    it('an expression in a composite action run:', () => {
      const doc = parse(
        'runs:\n  using: composite\n  steps:\n    - shell: bash\n      run: echo ${{ github.event.pull_request.title }}\n'
      );
      expect(checkInjection(doc, 't').map((f) => f.rule)).toEqual(['injection']);
    });
    it('accepts the expression passed through env:', () => {
      const doc = parse(
        'jobs:\n  deploy:\n    steps:\n      - env:\n          TAG: ${{ inputs.tag }}\n        run: echo "$TAG"\n'
      );
      expect(checkInjection(doc, 't')).toEqual([]);
    });
  });
});

describe('the documented signer pins', () => {
  it('accept release.yml at the release tag and at its commit, nothing else', async () => {
    const custodySha = new Set<string>();
    for (const f of await files()) checkPins(f.text, f.where, custodySha);
    const [sha = ''] = [...custodySha];
    const base = `https://github.com/${CUSTODY}/.github/workflows/release.yml@`;
    const sources = [
      await readFile(path.join(REPO_ROOT, 'workflows/github/verify-before-deploy.yml'), 'utf8'),
      await readFile(path.join(REPO_ROOT, 'docs/github-actions.md'), 'utf8'),
    ];
    const pins = sources.flatMap((text) =>
      [...text.matchAll(/certificate-identity-regexp: (\^https:\S+)/g)].map((m) => m[1] ?? '')
    );
    expect(pins.length).toBeGreaterThanOrEqual(3);
    for (const pin of pins) {
      const re = new RegExp(pin);
      expect(re.test(`${base}refs/tags/v0.1.0`), pin).toBe(true);
      expect(re.test(`${base}${sha}`), pin).toBe(true);
      for (const foreign of [
        `${base}${'f'.repeat(40)}`, // an impostor commit from a fork
        `${base}refs/heads/main`,
        `${base}refs/tags/v0.1.0-rc`,
        `https://github.com/evil/custody/.github/workflows/release.yml@refs/tags/v0.1.0`,
      ]) {
        expect(re.test(foreign), `${pin} vs ${foreign}`).toBe(false);
      }
    }
  });
});
