// docs/github-actions.md stays true: its per-action tables list exactly the action.yml inputs
// (with their defaults) and outputs, the reusable workflow's inputs table matches workflow_call,
// and the YAML examples pass only inputs the actions declare.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readActionYaml, REPO_ROOT } from './helpers/runner.js';

const DOC = path.join(REPO_ROOT, 'docs/github-actions.md');

function section(doc: string, title: string): string {
  const start = doc.indexOf(`### ${title}\n`);
  expect(start, title).toBeGreaterThanOrEqual(0);
  const rest = doc.slice(start + title.length + 5);
  const end = rest.search(/\n#{2,3} /);
  return end < 0 ? rest : rest.slice(0, end);
}

function tableRows(text: string, header: string): string[][] {
  const start = text.indexOf(header);
  expect(start, header).toBeGreaterThanOrEqual(0);
  const rows: string[][] = [];
  for (const line of text.slice(start).split('\n').slice(2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim())
    );
  }
  return rows;
}

const unquote = (cell: string): string => cell.replace(/^`|`$/g, '');

describe('docs/github-actions.md', () => {
  for (const name of ['sbom', 'sign', 'attest', 'verify', 'gate']) {
    it(`documents actions/${name} exactly as its action.yml`, async () => {
      const doc = await readFile(DOC, 'utf8');
      const yml = await readActionYaml(name);
      const text = section(doc, `actions/${name}`);
      const inputs = tableRows(text, '| input | default | description |');
      expect(inputs.map((r) => unquote(r[0]!))).toEqual(Object.keys(yml.inputs ?? {}));
      for (const [input, def] of inputs.map((r) => [unquote(r[0]!), r[1]!] as const)) {
        const spec = yml.inputs![input]!;
        const expected =
          spec.required === true
            ? '*(required)*'
            : spec.default === ''
              ? '`""`'
              : `\`${String(spec.default).trim().replace(/\n/g, ', ')}\``;
        expect(def, `${name} ${input} default`).toBe(expected);
      }
      const outputs = tableRows(text, '| output | description |');
      expect(outputs.map((r) => unquote(r[0]!))).toEqual(Object.keys(yml.outputs ?? {}));
      const permissions = /# Permissions \(least privilege\): ([^\n]*)/.exec(
        await readFile(path.join(REPO_ROOT, 'actions', name, 'action.yml'), 'utf8')
      )?.[1];
      expect(text).toContain(`Permissions: ${permissions ?? 'missing'}`);
    });
  }

  for (const name of ['release.yml', 'release-publish.yml']) {
    it(`documents the ${name} inputs exactly`, async () => {
      const doc = await readFile(DOC, 'utf8');
      const wf = parse(await readFile(path.join(REPO_ROOT, 'workflows/github', name), 'utf8')) as {
        on: {
          workflow_call: {
            inputs: Record<string, { default?: unknown; required?: boolean }>;
            outputs: Record<string, unknown>;
          };
        };
      };
      const rows = tableRows(doc, `| \`${name}\` input | default | meaning |`);
      expect(rows.map((r) => unquote(r[0]!))).toEqual(Object.keys(wf.on.workflow_call.inputs));
      for (const row of rows) {
        const spec = wf.on.workflow_call.inputs[unquote(row[0]!)]!;
        const def = spec.default;
        expect(row[1]).toBe(
          spec.required === true ? '(required)' : def === '' ? '`""`' : `\`${String(def)}\``
        );
      }
      for (const output of Object.keys(wf.on.workflow_call.outputs))
        expect(doc).toContain(`\`${output}\``);
    });
  }

  it('YAML examples pass only declared inputs to the actions', async () => {
    const doc = await readFile(DOC, 'utf8');
    const blocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThanOrEqual(4);
    let checked = 0;
    for (const block of blocks) {
      const steps: { uses?: string; with?: Record<string, unknown> }[] = [];
      const value = parse(block) as unknown;
      const visit = (node: unknown): void => {
        if (Array.isArray(node)) node.forEach(visit);
        else if (node !== null && typeof node === 'object') {
          const obj = node as { uses?: unknown; with?: Record<string, unknown> };
          if (typeof obj.uses === 'string')
            steps.push(obj as { uses: string; with?: Record<string, unknown> });
          Object.values(obj).forEach(visit);
        }
      };
      visit(value);
      for (const step of steps) {
        const match = /custody\/actions\/(\w+)@/.exec(step.uses ?? '');
        if (match === null) continue;
        const yml = await readActionYaml(match[1]!);
        for (const input of Object.keys(step.with ?? {})) {
          expect(Object.keys(yml.inputs ?? {}), `${match[1]} ${input}`).toContain(input);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(10);
  });
});
