// The production ActionPlatform: @actions/core, which speaks the runner's file commands
// (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY) and workflow commands (::add-mask::, ::error::).
import * as core from '@actions/core';
import { renderSummary, type Summary } from '../summary.js';
import type { ActionPlatform } from './framework.js';

export function corePlatform(): ActionPlatform {
  return {
    getInput: (name) => core.getInput(name),
    getBooleanInput: (name) => core.getBooleanInput(name),
    getMultilineInput: (name) => core.getMultilineInput(name),
    setOutput: (name, value) => core.setOutput(name, value),
    setSecret: (value) => core.setSecret(value),
    info: (message) => core.info(message),
    warning: (message) => core.warning(message),
    // setFailed would add a second, untitled annotation; error + exit code is the same, titled.
    error: (message, title) => core.error(message, { title }),
    writeSummary: async (summary: Summary) => {
      if (summary.length === 0) return;
      if (process.env.GITHUB_STEP_SUMMARY === undefined) {
        core.info(renderSummary(summary));
        return;
      }
      await core.summary.addRaw(renderSummary(summary)).write();
    },
    setExitCode: (code) => {
      process.exitCode = code;
    },
  };
}
