#!/usr/bin/env node
// Entry of dist/cli.js: the only place the CLI touches the real process.
import { main } from './main.js';

const code = await main(process.argv.slice(2), {
  io: {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stderrIsTTY: process.stderr.isTTY === true,
  },
  env: process.env,
  cwd: process.cwd(),
  now: () => new Date(),
});
process.exitCode = code;
