// `custody attest deploy`: a signed deployment record (https://custody.dev/deployment/v0.1) — the
// deployed digest(s), environment, target, time, deployer and the VSA the deployment relied on —
// appended to <name>.intoto.jsonl so `custody trace` can walk from production back to the commit.
// Registered as a subcommand of `attest` (listed after registerAttest in commands/index.ts).
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { ResourceDescriptor } from '../../attest/intoto.js';
import { appendBundle, planOutput } from '../../attest/output.js';
import { collectSubjects } from '../../attest/subjects.js';
import { CustodyError } from '../../errors.js';
import { readTextLimited, writeFileAtomic } from '../../io/fs.js';
import { describeToken, signStatement } from '../../sign/index.js';
import { parseAttestationText } from '../../trace/adapter/gather.js';
import { sha256Subjects, statementKind } from '../../trace/build.js';
import {
  buildDeploymentStatement,
  DEPLOYMENT_PREDICATE_TYPE,
  VSA_MEDIA_TYPE,
} from '../../trace/deployment.js';
import { prettyCanonicalJSON, canonicalJSON } from '../../util/canonical-json.js';
import { resolveBuildTime } from '../../util/time.js';
import type { InTotoStatement } from '../../attest/intoto.js';
import { commandAction } from '../action.js';
import type { CliContext, CommandOutput, CommandRegistrar } from '../context.js';
import { addSignerFlags, signerConfigFromFlags, type SignerFlags } from './sign.js';

const VSA_FILE_LIMIT = 64 * 1024 * 1024;

export interface DeployOptions extends SignerFlags {
  subject: string[];
  digest: string[];
  environment?: string;
  target?: string;
  targetName?: string;
  deployedAt?: string;
  deployer?: string;
  invocationUri?: string;
  vsa?: string;
  output?: string;
  outputDir?: string;
  name?: string;
  bundlePerKind?: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export const registerAttestDeploy: CommandRegistrar = (program, ctx) => {
  const attest = program.commands.find((c) => c.name() === 'attest');
  if (attest === undefined) {
    throw new Error('registerAttestDeploy must run after registerAttest (commands/index.ts)');
  }
  addSignerFlags(
    attest
      .command('deploy')
      .description(
        `deployment record (${DEPLOYMENT_PREDICATE_TYPE}): digest, environment, target, time, deployer, the VSA relied on`
      )
      .option('--subject <path|glob>', 'deployed artifact file or glob (repeatable)', collect, [])
      .option(
        '--digest <sha256:hex>',
        'deployed digest, when the artifact is not at hand (repeatable)',
        collect,
        []
      )
      .option('--environment <name>', 'deployment environment, e.g. production')
      .option('--target <uri>', 'where it was deployed: a URI (cluster, service, host, registry)')
      .option('--target-name <name>', 'a human name for the target')
      .option(
        '--deployed-at <time>',
        'RFC 3339 time of the deployment (default: now / SOURCE_DATE_EPOCH)'
      )
      .option('--deployer <id>', 'deployer identity to record (default: the OIDC token subject)')
      .option(
        '--invocation-uri <url>',
        'the deployment job (default: the CI run URL from the environment)'
      )
      .option(
        '--vsa <file>',
        'the verification summary (custody verify --vsa) the deployment relied on'
      )
      .option('--output <file>', 'the .intoto.jsonl file to append the bundle to')
      .option(
        '--output-dir <dir>',
        'directory for <name>.intoto.jsonl (default: current directory)'
      )
      .option(
        '--name <name>',
        'base name of the output files (default: the single subject, else "deployment")'
      )
      .option('--bundle-per-kind', 'also write <name>.deployment.sigstore.json')
  ).action(commandAction<[DeployOptions]>(ctx, (options) => runDeploy(ctx, options)));
};

function parseDigest(value: string): string {
  const match = /^sha256:([0-9a-fA-F]{64})$/.exec(value);
  if (match?.[1] === undefined) {
    throw new CustodyError(
      'TRACE_DEPLOY_INPUT_INVALID',
      `--digest must be sha256:<64 hex>, not ${JSON.stringify(value.slice(0, 80))}`
    );
  }
  return match[1].toLowerCase();
}

function parseTime(value: string): Date {
  if (
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value) ||
    Number.isNaN(Date.parse(value))
  ) {
    throw new CustodyError(
      'TRACE_DEPLOY_INPUT_INVALID',
      '--deployed-at must be an RFC 3339 time such as 2026-01-02T03:04:05Z'
    );
  }
  return new Date(value);
}

/** The CI run URL from the environment (GitHub Actions, GitLab CI), if any. */
export function ciRunURL(env: Readonly<Record<string, string | undefined>>): string | undefined {
  if (env.GITHUB_ACTIONS === 'true' && env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID) {
    const server = env.GITHUB_SERVER_URL ?? 'https://github.com';
    const attempt = env.GITHUB_RUN_ATTEMPT ? `/attempts/${env.GITHUB_RUN_ATTEMPT}` : '';
    return `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}${attempt}`;
  }
  if (env.GITLAB_CI === 'true' && env.CI_JOB_URL) return env.CI_JOB_URL;
  return undefined;
}

export interface ReliedVsa {
  descriptor: ResourceDescriptor;
  result: 'PASSED' | 'FAILED';
  signed: boolean;
}

/**
 * Reads the VSA a deployment relies on (a Sigstore bundle, a .intoto.jsonl or a bare statement)
 * and picks the one covering every deployed digest. Its digest is the SHA-256 of the DSSE payload
 * (how custody links attestations); the signature itself is checked by `custody trace`.
 */
export function reliedVsa(text: string, file: string, digests: readonly string[]): ReliedVsa {
  const candidates = parseAttestationText(text, file, { walked: false });
  const problems: string[] = [];
  for (const candidate of candidates) {
    if (candidate.value === undefined) {
      problems.push(candidate.problem ?? 'unreadable');
      continue;
    }
    const value = candidate.value as { dsseEnvelope?: { payload?: unknown }; _type?: unknown };
    let payload: Buffer;
    let signed: boolean;
    if (typeof value.dsseEnvelope?.payload === 'string') {
      payload = Buffer.from(value.dsseEnvelope.payload, 'base64');
      signed = true;
    } else if (typeof value._type === 'string') {
      payload = Buffer.from(canonicalJSON(value));
      signed = false;
    } else {
      problems.push(`${candidate.source} is not a DSSE bundle or statement`);
      continue;
    }
    let statement: InTotoStatement;
    try {
      statement = JSON.parse(payload.toString('utf8')) as InTotoStatement;
    } catch {
      problems.push(`${candidate.source}: the payload is not JSON`);
      continue;
    }
    if (statementKind(statement.predicateType) !== 'vsa' || !Array.isArray(statement.subject)) {
      problems.push(`${candidate.source} is not a verification summary`);
      continue;
    }
    const covered = sha256Subjects(statement);
    if (!digests.every((d) => covered.includes(d))) {
      problems.push(`${candidate.source} does not cover every deployed digest`);
      continue;
    }
    const result = (statement.predicate as { verificationResult?: unknown } | undefined)
      ?.verificationResult;
    if (result !== 'PASSED' && result !== 'FAILED') {
      problems.push(`${candidate.source} has no verificationResult`);
      continue;
    }
    return {
      descriptor: {
        name: path.basename(file),
        digest: { sha256: createHash('sha256').update(payload).digest('hex') },
        mediaType: VSA_MEDIA_TYPE,
      },
      result,
      signed,
    };
  }
  throw new CustodyError(
    'TRACE_DEPLOY_VSA_INVALID',
    `no verification summary in ${file} covers the deployed digest(s)${problems.length === 0 ? '' : `: ${problems.join('; ')}`}`,
    { hint: 'pass the VSA written by custody verify --vsa for this release' }
  );
}

async function runDeploy(ctx: CliContext, options: DeployOptions): Promise<CommandOutput> {
  if (options.environment === undefined || options.environment.trim() === '') {
    throw new CustodyError(
      'TRACE_DEPLOY_INPUT_INVALID',
      '--environment is required (e.g. production)'
    );
  }
  if (options.target === undefined) {
    throw new CustodyError('TRACE_DEPLOY_INPUT_INVALID', '--target <uri> is required');
  }
  const collected =
    options.subject.length === 0
      ? { subjects: [], files: [] }
      : await collectSubjects({ subjects: options.subject, cwd: ctx.cwd });
  const subjects: ResourceDescriptor[] = [
    ...collected.subjects,
    ...options.digest.map((d) => ({ digest: { sha256: parseDigest(d) } })),
  ];
  const digests = [
    ...new Set(subjects.map((s) => s.digest?.sha256).filter((d): d is string => d !== undefined)),
  ];
  let vsa: ReliedVsa | undefined;
  if (options.vsa !== undefined) {
    const file = path.resolve(ctx.cwd, options.vsa);
    vsa = reliedVsa(
      await readTextLimited(file, { maxBytes: VSA_FILE_LIMIT, what: 'VSA file' }),
      options.vsa,
      digests
    );
    if (vsa.result === 'FAILED') {
      throw new CustodyError(
        'TRACE_DEPLOY_VSA_FAILED',
        `the verification summary ${options.vsa} says FAILED: refusing to record a deployment that relied on it`
      );
    }
    if (!vsa.signed) {
      ctx.io.stderr(
        'warning: the VSA is unsigned; custody trace will report it as a gap (sign it with custody verify --vsa-sign)\n'
      );
    }
  }
  const { config, identityLabel } = await signerConfigFromFlags(ctx, options);
  const claims =
    config.identity.kind === 'keyless' && typeof config.identity.token === 'string'
      ? describeToken(config.identity.token)
      : {};
  const deployerId = options.deployer ?? claims.subject;
  const invocationUri = options.invocationUri ?? ciRunURL(ctx.env);
  const statement = buildDeploymentStatement({
    subjects,
    environment: options.environment,
    target: {
      uri: options.target,
      ...(options.targetName === undefined ? {} : { name: options.targetName }),
    },
    deployedAt:
      options.deployedAt === undefined
        ? resolveBuildTime(ctx.env.SOURCE_DATE_EPOCH, ctx.now())
        : parseTime(options.deployedAt),
    ...(deployerId === undefined
      ? {}
      : {
          deployer: {
            id: deployerId,
            ...(options.deployer === undefined && claims.issuer !== undefined
              ? { issuer: claims.issuer }
              : {}),
          },
        }),
    ...(invocationUri === undefined ? {} : { invocationUri }),
    ...(vsa === undefined
      ? {}
      : { verificationSummary: vsa.descriptor, verificationResult: vsa.result }),
  });
  const plan = planOutput({
    cwd: ctx.cwd,
    subjectFiles: collected.files,
    ...(options.output === undefined ? {} : { output: options.output }),
    ...(options.outputDir === undefined ? {} : { outputDir: options.outputDir }),
    name:
      options.name ??
      (collected.files.length === 1 && options.digest.length === 0
        ? path.basename(collected.files[0] ?? 'deployment')
        : 'deployment'),
  });
  const bundle = await signStatement(statement, config);
  await appendBundle(plan.jsonl, bundle);
  let bundleFile: string | undefined;
  if (options.bundlePerKind === true) {
    bundleFile = path.join(plan.dir, `${plan.name}.deployment.sigstore.json`);
    await writeFileAtomic(bundleFile, prettyCanonicalJSON(bundle));
  }
  const rel = (file: string): string => path.relative(ctx.cwd, file) || file;
  return {
    text: [
      `deployment record: ${digests.length} digest(s) → ${options.environment} (${options.target}), signed as ${identityLabel}`,
      `  relied on: ${vsa === undefined ? 'no VSA (--vsa not given)' : `${options.vsa ?? ''} (${vsa.result})`}`,
      `  → ${rel(plan.jsonl)}${bundleFile === undefined ? '' : `, ${rel(bundleFile)}`}`,
    ].join('\n'),
    json: {
      kind: 'deployment',
      predicateType: DEPLOYMENT_PREDICATE_TYPE,
      subjects: statement.subject.length,
      environment: options.environment,
      target: options.target,
      deployedAt: statement.predicate?.deployedAt,
      verificationSummary: vsa?.descriptor.digest?.sha256 ?? null,
      signed: true,
      identity: identityLabel,
      jsonl: rel(plan.jsonl),
      ...(bundleFile === undefined ? {} : { bundle: rel(bundleFile) }),
    },
  };
}
