// actions/sbom: a CycloneDX SBOM from the project's lockfile (npm, pnpm, yarn; no install, no
// network), through the `custody sbom` command, with its path, digest and counts as outputs.
import path from 'node:path';
import { CustodyError } from '../../../errors.js';
import { heading, table } from '../summary.js';
import { expandGlobs, workspacePath } from './common.js';
import { runCustodyCommand } from './cli-bridge.js';
import type { ActionDefinition, ActionDeps, ActionResult, InputReader } from './framework.js';

export const SBOM_INPUTS = ['path', 'output', 'spec-version', 'include-dev', 'files'] as const;
export const SBOM_OUTPUTS = [
  'sbom-path',
  'sbom-digest',
  'spec-version',
  'component-count',
  'serial-number',
] as const;

type SbomInput = (typeof SBOM_INPUTS)[number];
type SbomOutput = (typeof SBOM_OUTPUTS)[number];

const SPEC_VERSIONS = ['1.5', '1.6', '1.7'] as const;

export interface SbomInputs {
  readonly projectPath: string;
  readonly output: string;
  readonly specVersion: (typeof SPEC_VERSIONS)[number];
  readonly includeDev: boolean;
  readonly files: readonly string[];
}

export function readSbomInputs(read: InputReader<SbomInput>): SbomInputs {
  return {
    projectPath: read.withDefault('path', '.'),
    output: read.withDefault('output', 'sbom.cdx.json'),
    specVersion: read.choice('spec-version', SPEC_VERSIONS, '1.6'),
    includeDev: read.boolean('include-dev', false),
    files: read.list('files'),
  };
}

interface SbomJSON {
  lockfile: string | null;
  format: string | null;
  specVersion: string;
  components: number;
  files: number;
  serialNumber: string;
  output: string;
}

export async function runSbom(
  inputs: SbomInputs,
  deps: ActionDeps
): Promise<ActionResult<SbomOutput>> {
  const project = await workspacePath(deps.workspace, inputs.projectPath);
  const output = await workspacePath(deps.workspace, inputs.output, deps.env.RUNNER_TEMP);
  const files = inputs.files.length === 0 ? [] : await expandGlobs(deps.workspace, inputs.files);
  if (inputs.files.length > 0 && files.length === 0) {
    throw new CustodyError('ACTION_NO_SUBJECTS', 'no file matched the files input', {
      details: { patterns: inputs.files },
    });
  }
  const argv = [
    'sbom',
    project,
    '--output',
    output,
    '--spec-version',
    inputs.specVersion,
    ...(inputs.includeDev ? ['--include-dev'] : []),
    ...(files.length > 0 ? ['--files', ...files] : []),
  ];
  const { registerSbom } = await import('../../../cli/commands/sbom.js');
  const { json } = await runCustodyCommand(registerSbom, argv, deps, { cwd: deps.workspace });
  const result = json as SbomJSON;
  const { digestFile } = await import('../../../digest/index.js');
  const digest = `sha256:${await digestFile(output)}`;
  return {
    outputs: {
      'sbom-path': output,
      'sbom-digest': digest,
      'spec-version': result.specVersion,
      'component-count': String(result.components),
      'serial-number': result.serialNumber,
    },
    summary: [
      heading('custody sbom'),
      table(
        ['SBOM', 'format', 'lockfile', 'components', 'files', 'sha256'],
        [
          [
            path.relative(deps.workspace, output) || output,
            `CycloneDX ${result.specVersion}`,
            result.lockfile === null ? 'none' : `${result.lockfile} (${result.format ?? '?'})`,
            String(result.components),
            String(result.files),
            digest.slice('sha256:'.length),
          ],
        ]
      ),
    ],
  };
}

export const SBOM_ACTION: ActionDefinition<SbomInput, SbomOutput, SbomInputs> = {
  name: 'sbom',
  inputNames: SBOM_INPUTS,
  outputNames: SBOM_OUTPUTS,
  secretInputs: [],
  readInputs: readSbomInputs,
  run: runSbom,
};
