// The action frame: inputs read exactly like @actions/core, coded annotations for every kind of
// failure (non-Errors too), outputs and summary written even on a verdict failure, secrets masked
// before anything is printed and redacted from outputs and summaries.
import * as core from '@actions/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  envInputSource,
  executeAction,
  InputReader,
  type ActionDefinition,
  type ActionPlatform,
} from '../../src/ci/github/actions/framework.js';
import { CustodyError } from '../../src/errors.js';
import { escapeHTML, renderSummary, type Summary } from '../../src/ci/github/summary.js';

const VALUES = [
  '',
  '  x  ',
  'true',
  'True',
  'TRUE',
  'false',
  'FALSE',
  'yes',
  '1',
  'a\n\n b \nc',
  ' \n',
];
const saved = { ...process.env };
afterEach(() => {
  for (const key of Object.keys(process.env)) if (key.startsWith('INPUT_')) delete process.env[key];
  Object.assign(process.env, saved);
});

describe('envInputSource reads inputs exactly like @actions/core', () => {
  for (const value of VALUES) {
    it(`value ${JSON.stringify(value)}`, () => {
      const env = { 'INPUT_MY-INPUT': value, INPUT_WITH_SPACE: value };
      Object.assign(process.env, env);
      const ours = envInputSource(env);
      for (const name of ['my-input', 'with space', 'missing']) {
        expect(ours.getInput(name)).toBe(core.getInput(name));
        expect(ours.getMultilineInput(name)).toEqual(core.getMultilineInput(name));
        let theirs: unknown;
        let mine: unknown;
        try {
          theirs = core.getBooleanInput(name);
        } catch (error) {
          theirs = error instanceof TypeError ? 'TypeError' : error;
        }
        try {
          mine = ours.getBooleanInput(name);
        } catch (error) {
          mine = error instanceof TypeError ? 'TypeError' : error;
        }
        expect(mine).toBe(theirs);
      }
    });
  }
});

describe('InputReader', () => {
  const reader = (env: Record<string, string>) => new InputReader<string>(envInputSource(env));
  it('turns bad booleans, numbers and choices into ACTION_INPUT_INVALID naming the input', () => {
    for (const read of [
      () => reader({ INPUT_FLAG: 'yes' }).boolean('flag', false),
      () => reader({ INPUT_N: '-1' }).integer('n', 1, { min: 0, max: 5 }),
      () => reader({ INPUT_N: '6' }).integer('n', 1, { min: 0, max: 5 }),
      () => reader({ INPUT_N: '1e3' }).integer('n', 1, { min: 0, max: 5000 }),
      () => reader({ INPUT_KIND: 'other' }).choice('kind', ['a', 'b'] as const, 'a'),
      () => reader({}).required('needed'),
    ]) {
      expect(read).toThrow(CustodyError);
      try {
        read();
      } catch (error) {
        expect((error as CustodyError).code).toBe('ACTION_INPUT_INVALID');
        expect((error as CustodyError).message).toMatch(/flag|n|kind|needed/);
      }
    }
  });
  it('lists drop blank lines and # comments; defaults apply to empty inputs', () => {
    const r = reader({ INPUT_LIST: 'a\n# note\n\n b ', INPUT_EMPTY: '' });
    expect(r.list('list')).toEqual(['a', 'b']);
    expect(r.withDefault('empty', 'd')).toBe('d');
    expect(r.boolean('empty', true)).toBe(true);
    expect([...r.readNames].sort()).toEqual(['empty', 'list']);
  });
});

interface Recorded {
  outputs: Record<string, string>;
  errors: { message: string; title: string }[];
  secrets: string[];
  summaries: Summary[];
  exitCode: number | undefined;
  order: string[];
}

function recordingPlatform(env: Record<string, string>): {
  platform: ActionPlatform;
  rec: Recorded;
} {
  const rec: Recorded = {
    outputs: {},
    errors: [],
    secrets: [],
    summaries: [],
    exitCode: undefined,
    order: [],
  };
  const source = envInputSource(env);
  return {
    rec,
    platform: {
      ...source,
      setOutput: (n, v) => {
        rec.order.push('output');
        rec.outputs[n] = v;
      },
      setSecret: (s) => {
        rec.order.push('mask');
        rec.secrets.push(s);
      },
      info: () => rec.order.push('info'),
      warning: () => rec.order.push('warning'),
      error: (message, title) => {
        rec.order.push('error');
        rec.errors.push({ message, title });
      },
      writeSummary: (s) => {
        rec.order.push('summary');
        rec.summaries.push(s);
        return Promise.resolve();
      },
      setExitCode: (c) => {
        rec.exitCode = c;
      },
    },
  };
}

function action(run: ActionDefinition<'token', 'result', { token: string | undefined }>['run']) {
  return {
    name: 'test',
    inputNames: ['token'],
    outputNames: ['result'],
    secretInputs: ['token'],
    readInputs: (read: InputReader<'token'>) => ({ token: read.secret('token') }),
    run,
  } satisfies ActionDefinition<'token', 'result', { token: string | undefined }>;
}

async function execute(def: ReturnType<typeof action>, env: Record<string, string>) {
  const { platform, rec } = recordingPlatform(env);
  const code = await executeAction(def, {
    inputs: envInputSource(env),
    loadPlatform: () => Promise.resolve(platform),
    makeDeps: () => ({
      env,
      workspace: '/tmp',
      now: () => new Date(0),
      log: { info: () => undefined, warning: () => undefined },
    }),
  });
  return { code, rec };
}

describe('executeAction', () => {
  const TOKEN = 'ghp_superSecretToken123456';
  it('masks secrets first, redacts them from outputs and summaries', async () => {
    const { code, rec } = await execute(
      action((inputs) =>
        Promise.resolve({
          outputs: { result: `token was ${inputs.token ?? ''}` },
          summary: [{ kind: 'text', text: `token ${inputs.token ?? ''}` }],
        })
      ),
      { INPUT_TOKEN: TOKEN }
    );
    expect(code).toBe(0);
    expect(rec.order[0]).toBe('mask');
    expect(rec.secrets).toEqual([TOKEN]);
    expect(rec.outputs.result).toBe('token was ***');
    expect(renderSummary(rec.summaries[0]!)).not.toContain(TOKEN);
  });

  it('writes outputs and summary, then fails with the verdict code and its exit class', async () => {
    const { code, rec } = await execute(
      action(() =>
        Promise.resolve({
          outputs: { result: 'FAIL' },
          summary: [{ kind: 'text' as const, text: 'why' }],
          failure: new CustodyError('GATE_DENIED', 'no human approval'),
        })
      ),
      {}
    );
    expect(code).toBe(1);
    expect(rec.exitCode).toBe(1);
    expect(rec.order).toEqual(['output', 'summary', 'error']);
    expect(rec.errors).toEqual([
      { title: 'GATE_DENIED', message: '[GATE_DENIED] no human approval' },
    ]);
  });

  it('annotates thrown CustodyErrors with code and hint, exit class from the code table', async () => {
    const { code, rec } = await execute(
      action(() => {
        throw new CustodyError('SIGN_IDENTITY_UNAVAILABLE', 'no token', {
          hint: 'add id-token: write',
        });
      }),
      {}
    );
    expect(code).toBe(3);
    expect(rec.errors[0]).toEqual({
      title: 'SIGN_IDENTITY_UNAVAILABLE',
      message: '[SIGN_IDENTITY_UNAVAILABLE] no token\nhint: add id-token: write',
    });
    expect(rec.outputs).toEqual({});
  });

  it('turns plain Errors and non-Errors into INTERNAL_ERROR annotations, never silence', async () => {
    for (const thrown of [new Error('boom'), 'a string', { weird: true }, undefined]) {
      const { code, rec } = await execute(
        action(() => {
          // Deliberately not an Error: the frame must still annotate it.
          // eslint-disable-next-line @typescript-eslint/only-throw-error
          throw thrown;
        }),
        {}
      );
      expect(code).not.toBe(0);
      expect(rec.errors).toHaveLength(1);
      expect(rec.errors[0]!.title).toBe('INTERNAL_ERROR');
    }
  });

  it('reports input errors before running, with the platform loaded for the annotation', async () => {
    let ran = false;
    const def = {
      ...action(() => {
        ran = true;
        return Promise.resolve({ outputs: { result: '' }, summary: [] });
      }),
      readInputs: (read: InputReader<'token'>) => ({ token: read.required('token') }),
    };
    const { code, rec } = await execute(def, {});
    expect(ran).toBe(false);
    expect(code).toBe(2);
    expect(rec.errors[0]!.title).toBe('ACTION_INPUT_INVALID');
  });
});

describe('summary rendering', () => {
  it('escapes table cells (attacker-controlled commit subjects) and keeps custody markdown', () => {
    const html = renderSummary([
      { kind: 'heading', text: 'x<y', level: 2 },
      { kind: 'table', header: ['a'], rows: [['<img src=x onerror=alert(1)>']] },
      { kind: 'markdown', markdown: '```mermaid\ngraph LR\n```' },
    ]);
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img');
    expect(html).toContain('```mermaid');
    expect(escapeHTML(`"'&`)).toBe('&quot;&#39;&amp;');
  });
});
