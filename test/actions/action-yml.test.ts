// action.yml files and the code agree: same inputs and outputs, every declared input is read,
// node24 runtime, the bundled entry the runner will start exists in src/ci/github/entry.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputReader, type InputSource } from '../../src/ci/github/actions/framework.js';
import { ACTIONS } from '../../src/ci/github/actions/registry.js';
import { actionNames, readActionYaml, REPO_ROOT } from './helpers/runner.js';

const EXPECTED = ['attest', 'gate', 'sbom', 'sign', 'verify'];

describe('action.yml files', () => {
  it('there is one folder per action the issue names, each registered in code', async () => {
    expect(await actionNames()).toEqual(EXPECTED);
    expect(Object.keys(ACTIONS).sort()).toEqual(EXPECTED);
  });

  for (const name of EXPECTED) {
    describe(name, () => {
      it('runs on node24 from the bundled entry', async () => {
        const yml = await readActionYaml(name);
        expect(yml.runs.using).toBe('node24');
        expect(yml.runs.main).toBe(`../../dist/actions/${name}.js`);
        expect(existsSync(path.join(REPO_ROOT, 'src/ci/github/entry', `${name}.ts`))).toBe(true);
        expect(yml.name).toMatch(/^custody /);
        expect(yml.description.length).toBeGreaterThan(20);
      });

      it('declares exactly the inputs and outputs the code reads and writes', async () => {
        const yml = await readActionYaml(name);
        const action = ACTIONS[name]!;
        expect(Object.keys(yml.inputs ?? {}).sort()).toEqual([...action.inputNames].sort());
        expect(Object.keys(yml.outputs ?? {}).sort()).toEqual([...action.outputNames].sort());
      });

      it('declares its token inputs as secrets (masked before validation)', () => {
        const action = ACTIONS[name]!;
        const tokens = action.inputNames.filter((i) => /token|key/.test(i));
        expect([...action.secretInputs].sort()).toEqual(tokens.sort());
      });

      it('inputs are kebab-case with descriptions and defaults; outputs are described', async () => {
        const yml = await readActionYaml(name);
        for (const [input, spec] of Object.entries(yml.inputs ?? {})) {
          expect(input).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
          expect(spec.description, input).toBeTruthy();
          if (spec.required !== true)
            expect(spec.default, `${input} needs a default`).toBeTypeOf('string');
        }
        for (const [output, spec] of Object.entries(yml.outputs ?? {})) {
          expect(output).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
          expect(spec.description, output).toBeTruthy();
        }
      });

      it('the input reader reads every declared input (with the action.yml defaults) and nothing else', async () => {
        const yml = await readActionYaml(name);
        const action = ACTIONS[name]!;
        const asked = new Set<string>();
        const value = (input: string): string => {
          asked.add(input);
          const spec = yml.inputs?.[input];
          if (spec === undefined) throw new Error(`the reader asked for undeclared input ${input}`);
          const given = REQUIRED_FOR_READ[name]?.[input];
          if (given !== undefined) return given;
          return spec.default?.includes('${{') === true
            ? 'ghs_faketoken1234'
            : (spec.default ?? '').trim();
        };
        const source: InputSource = {
          getInput: value,
          getBooleanInput: (input) => value(input) === 'true',
          getMultilineInput: (input) =>
            value(input)
              .split('\n')
              .filter((l) => l !== ''),
        };
        const reader = new InputReader<string>(source);
        action.readInputs(reader);
        expect([...reader.readNames].sort()).toEqual([...action.inputNames].sort());
        expect([...asked].sort()).toEqual([...action.inputNames].sort());
      });
    });
  }
});

/** Values for inputs the action.yml marks required (the runner would refuse to start without them). */
const REQUIRED_FOR_READ: Record<string, Record<string, string>> = {
  sign: { 'subject-path': 'dist/*' },
  // verify refuses to run unpinned; a pin is what a real workflow passes.
  verify: {
    'certificate-identity': 'https://github.com/o/r/.github/workflows/release.yml@refs/tags/v1',
  },
};
