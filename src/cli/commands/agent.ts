// `custody agent scan --range A..B`: lists the agent-authored commits of a range (from their
// trailers and identities) with agent, model and prompt digest, and the inconsistencies found.
import path from 'node:path';
import { scanCommits } from '../../attest/scan.js';
import { gitLog } from '../../ci/git.js';
import { commandAction } from '../action.js';
import type { CliContext, CommandOutput, CommandRegistrar } from '../context.js';
import { formatInconsistencies } from './attest.js';

interface ScanOptions {
  range: string;
  repo?: string;
  model?: string;
  agent?: string;
  strict?: boolean;
}

export const registerAgent: CommandRegistrar = (program, ctx) => {
  const agent = program
    .command('agent')
    .description('inspect AI-agent authorship recorded in commit trailers');
  agent
    .command('scan')
    .description(
      'list agent-authored commits of a range with agent, model, prompt digest and inconsistencies'
    )
    .requiredOption('--range <A..B>', 'commit range, e.g. v1.1.0..v1.2.0')
    .option('--repo <dir>', 'git working tree (default: .)')
    .option(
      '--model <name>',
      'the declared model: trailers naming another model are inconsistent (env CUSTODY_MODEL)'
    )
    .option('--agent <name>', 'the declared agent (env CUSTODY_AGENT)')
    .option('--strict', 'exit 1 when there are inconsistencies')
    .action(commandAction<[ScanOptions]>(ctx, (options) => runScan(ctx, options)));
};

async function runScan(ctx: CliContext, options: ScanOptions): Promise<CommandOutput> {
  const repo = path.resolve(ctx.cwd, options.repo ?? '.');
  const commits = await gitLog(options.range, { repo, env: ctx.env });
  const declaredModel = options.model ?? (ctx.env.CUSTODY_MODEL || undefined);
  const declaredAgent = options.agent ?? (ctx.env.CUSTODY_AGENT || undefined);
  const result = scanCommits(commits, {
    ...(declaredModel === undefined ? {} : { declaredModel }),
    ...(declaredAgent === undefined ? {} : { declaredAgent }),
  });
  const lines = [
    `${commits.length} commit(s) in ${options.range}: ${result.agentCommits.length} agent-authored, ${result.humanCommits.length} human`,
    ...result.agentCommits.map(
      (c) =>
        `  ${c.sha.slice(0, 12)} ${c.agent}${c.model === undefined ? '' : `:${c.model}`}  prompt ${c.promptSha256 === undefined ? '-' : `sha256:${c.promptSha256.slice(0, 16)}…`}  (${c.evidence.join(', ')})`
    ),
  ];
  if (result.inconsistencies.length > 0) {
    lines.push(
      `${result.inconsistencies.length} inconsistenc${result.inconsistencies.length === 1 ? 'y' : 'ies'}:`
    );
    lines.push(...formatInconsistencies(result.inconsistencies));
  }
  return {
    text: lines.join('\n'),
    json: {
      range: options.range,
      commits: commits.length,
      agentCommits: result.agentCommits,
      humanCommits: result.humanCommits,
      inconsistencies: result.inconsistencies,
    },
    exitCode: options.strict === true && result.inconsistencies.length > 0 ? 1 : 0,
  };
}
