// Runs an action in-process through the same frame as its entry (executeAction), with a recording
// platform instead of @actions/core: for the cases that need no bundle (input and environment
// errors), which then cost milliseconds instead of a process start.
import {
  envInputSource,
  executeAction,
  type ActionPlatform,
} from '../../../src/ci/github/actions/framework.js';
import { ACTIONS } from '../../../src/ci/github/actions/registry.js';
import { renderSummary } from '../../../src/ci/github/summary.js';
import { runnerInputs } from './runner.js';

export interface InProcessRun {
  code: number;
  outputs: Record<string, string>;
  errors: { title: string; message: string }[];
  summary: string;
  masked: string[];
}

export async function runInProcess(
  name: string,
  options: {
    workspace: string;
    inputs?: Record<string, string>;
    env?: Record<string, string | undefined>;
  }
): Promise<InProcessRun> {
  const action = ACTIONS[name];
  if (action === undefined) throw new Error(`no action ${name}`);
  const env = { ...(await runnerInputs(name, options.inputs)), ...options.env };
  const run: InProcessRun = { code: -1, outputs: {}, errors: [], summary: '', masked: [] };
  const source = envInputSource(env);
  const platform: ActionPlatform = {
    ...source,
    setOutput: (n, v) => {
      run.outputs[n] = v;
    },
    setSecret: (s) => {
      run.masked.push(s);
    },
    info: () => undefined,
    warning: () => undefined,
    error: (message, title) => {
      run.errors.push({ title, message });
    },
    writeSummary: (summary) => {
      run.summary += renderSummary(summary);
      return Promise.resolve();
    },
    setExitCode: () => undefined,
  };
  run.code = await executeAction(action, {
    inputs: source,
    loadPlatform: () => Promise.resolve(platform),
    makeDeps: () => ({
      env,
      workspace: options.workspace,
      now: () => new Date(),
      log: { info: () => undefined, warning: () => undefined },
    }),
  });
  return run;
}
