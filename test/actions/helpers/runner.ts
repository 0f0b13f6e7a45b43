// Runs a bundled action the way the GitHub runner does: `node dist/actions/<name>.js` with INPUT_*
// variables (action.yml defaults applied, as the runner does), GITHUB_OUTPUT / GITHUB_STEP_SUMMARY
// files and GITHUB_* context, then parses what the action wrote.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
export const FIXTURES = path.join(REPO_ROOT, 'fixtures/github');

export interface ActionYaml {
  name: string;
  description: string;
  inputs?: Record<string, { description?: string; required?: boolean; default?: string }>;
  outputs?: Record<string, { description?: string }>;
  runs: { using: string; main: string };
}

export async function readActionYaml(name: string): Promise<ActionYaml> {
  return parse(
    await readFile(path.join(REPO_ROOT, 'actions', name, 'action.yml'), 'utf8')
  ) as ActionYaml;
}

export async function actionNames(): Promise<string[]> {
  return (await readdir(path.join(REPO_ROOT, 'actions'), { withFileTypes: true }))
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

/**
 * A private build with the project's own build script (`node scripts/build.mjs --outdir DIR`), so
 * the tests run exactly the dist/actions/<name>.js files the runner would start.
 */
export async function buildActions(): Promise<string> {
  const outdir = await mkdtemp(path.join(tmpdir(), 'custody-gh-dist-'));
  await new Promise<void>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [path.join(REPO_ROOT, 'scripts/build.mjs'), '--outdir', outdir],
      {
        cwd: REPO_ROOT,
        stdio: ['ignore', 'ignore', 'pipe'],
      }
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`build failed (${code}): ${stderr}`))
    );
  });
  return outdir;
}

export interface ActionRun {
  code: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  /** `::error title=CODE::message` commands, parsed. */
  errors: { title: string | undefined; message: string }[];
  /** Values the action masked with ::add-mask::. */
  masked: string[];
}

export interface RunOptions {
  inputs?: Record<string, string>;
  env?: Record<string, string | undefined>;
  workspace: string;
}

/** Inputs the runner would set: action.yml defaults (without ${{ }} expressions) overlaid by `with:`. */
export async function runnerInputs(
  name: string,
  given: Record<string, string> = {}
): Promise<Record<string, string>> {
  const yml = await readActionYaml(name);
  const env: Record<string, string> = {};
  for (const [input, spec] of Object.entries(yml.inputs ?? {})) {
    const value =
      given[input] ?? (spec.default?.includes('${{') === true ? '' : (spec.default ?? ''));
    env[`INPUT_${input.toUpperCase()}`] = value;
  }
  for (const input of Object.keys(given)) {
    if (!(input in (yml.inputs ?? {}))) throw new Error(`action ${name} has no input ${input}`);
  }
  return env;
}

export async function runAction(
  dist: string,
  name: string,
  options: RunOptions
): Promise<ActionRun> {
  const files = await mkdtemp(path.join(tmpdir(), `custody-run-${name}-`));
  const outputFile = path.join(files, 'output');
  const summaryFile = path.join(files, 'summary');
  await writeFile(outputFile, '');
  await writeFile(summaryFile, '');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: files,
    RUNNER_TEMP: files,
    GITHUB_WORKSPACE: options.workspace,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    ...(await runnerInputs(name, options.inputs)),
  };
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  const child = spawn(process.execPath, [path.join(dist, 'actions', `${name}.js`)], {
    cwd: options.workspace,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
  clearTimeout(timer);
  const result: ActionRun = {
    code,
    stdout,
    stderr,
    outputs: parseGitHubOutput(await readFile(outputFile, 'utf8')),
    summary: await readFile(summaryFile, 'utf8'),
    errors: parseErrorCommands(stdout),
    masked: [...stdout.matchAll(/^::add-mask::(.*)$/gm)].map((m) => m[1] ?? ''),
  };
  await rm(files, { recursive: true, force: true });
  return result;
}

/** GITHUB_OUTPUT file format: `name<<DELIMITER\nvalue\nDELIMITER\n` (and legacy `name=value`). */
export function parseGitHubOutput(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line === '') continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc !== null) {
      const [, name, delimiter] = heredoc;
      const value: string[] = [];
      i++;
      while (i < lines.length && lines[i] !== delimiter) value.push(lines[i++] ?? '');
      if (i >= lines.length) throw new Error(`unterminated heredoc for output ${name}`);
      outputs[name!] = value.join('\n');
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0) throw new Error(`malformed GITHUB_OUTPUT line: ${line}`);
    outputs[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return outputs;
}

function unescapeCommand(text: string): string {
  return text
    .replace(/%0D/g, '\r')
    .replace(/%0A/g, '\n')
    .replace(/%3A/g, ':')
    .replace(/%2C/g, ',')
    .replace(/%25/g, '%');
}

function parseErrorCommands(stdout: string): { title: string | undefined; message: string }[] {
  return [...stdout.matchAll(/^::error(?: ([^:]*))?::(.*)$/gm)].map((m) => {
    const props = m[1] ?? '';
    const title = /(?:^|,)title=([^,]*)/.exec(props)?.[1];
    return {
      title: title === undefined ? undefined : unescapeCommand(title),
      message: unescapeCommand(m[2] ?? ''),
    };
  });
}

/** GITHUB_* context of a run for one of the fixture events. */
export function githubEnv(
  event: 'pull_request' | 'push-tag',
  overrides: { apiURL?: string; serverURL?: string } = {}
): Record<string, string> {
  const common = {
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_SERVER_URL: overrides.serverURL ?? 'https://github.com',
    GITHUB_API_URL: overrides.apiURL ?? 'https://api.github.com',
    GITHUB_REPOSITORY: 'octo-org/widget',
    GITHUB_REPOSITORY_ID: '123456',
    GITHUB_REPOSITORY_OWNER: 'octo-org',
    GITHUB_REPOSITORY_OWNER_ID: '654321',
    GITHUB_RUN_ID: '9000001',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_RUN_NUMBER: '17',
    GITHUB_JOB: 'release',
    GITHUB_ACTOR: 'octo-dev',
    RUNNER_ENVIRONMENT: 'github-hosted',
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
  };
  if (event === 'pull_request') {
    return {
      ...common,
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: path.join(FIXTURES, 'events/pull_request.json'),
      GITHUB_REF: 'refs/pull/42/merge',
      GITHUB_REF_NAME: '42/merge',
      GITHUB_SHA: '1111111111111111111111111111111111111111',
      GITHUB_HEAD_REF: 'agent/retry',
      GITHUB_BASE_REF: 'main',
      GITHUB_WORKFLOW_REF: 'octo-org/widget/.github/workflows/gate.yml@refs/pull/42/merge',
      GITHUB_WORKFLOW_SHA: '1111111111111111111111111111111111111111',
    };
  }
  return {
    ...common,
    GITHUB_EVENT_NAME: 'push',
    GITHUB_EVENT_PATH: path.join(FIXTURES, 'events/push-tag.json'),
    GITHUB_REF: 'refs/tags/v1.2.3',
    GITHUB_REF_NAME: 'v1.2.3',
    GITHUB_REF_TYPE: 'tag',
    GITHUB_SHA: '9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a291807',
    GITHUB_WORKFLOW_REF: 'octo-org/widget/.github/workflows/release.yml@refs/tags/v1.2.3',
    GITHUB_WORKFLOW_SHA: '9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a291807',
  };
}
