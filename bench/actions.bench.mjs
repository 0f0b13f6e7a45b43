// Cold start of the GitHub Actions: `node dist/actions/<name>.js` as the runner starts it, (1) up
// to the point its inputs are read and validated (CUSTODY_BENCH_EXIT_AFTER_INPUTS=1 returns there)
// and (2) to its first annotation (an invalid input: @actions/core loaded, `::error` printed,
// exit 2), each against `node -e 0`. Goal: inputs read in under 200 ms.
// Standalone: `node bench/actions.bench.mjs [--runs N]` builds a private dist itself.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const description = 'GitHub Actions cold start: inputs read, first annotation, vs node -e 0';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Valid inputs (nothing runs: the bench exits after reading) and one invalid input per action. */
const ACTIONS = {
  sbom: { valid: { 'INPUT_SPEC-VERSION': '1.6' }, invalid: { 'INPUT_SPEC-VERSION': '9.9' } },
  sign: { valid: { 'INPUT_SUBJECT-PATH': 'dist/*' }, invalid: { INPUT_CHECKSUMS: '../SUMS' } },
  attest: {
    valid: { 'INPUT_PREDICATE-TYPE': 'provenance' },
    invalid: { 'INPUT_PREDICATE-TYPE': 'nope' },
  },
  verify: {
    valid: {
      'INPUT_CERTIFICATE-IDENTITY': 'https://github.com/o/r/.github/workflows/r.yml@refs/tags/v1',
    },
    invalid: {},
  },
  gate: {
    valid: { 'INPUT_REQUIRED-APPROVALS': '1' },
    invalid: { 'INPUT_REQUIRED-APPROVALS': 'many' },
  },
};

function timed(node, args, env, expectStatus) {
  const start = performance.now();
  const result = spawnSync(node, args, { env, encoding: 'utf8', cwd: os.tmpdir() });
  const seconds = (performance.now() - start) / 1000;
  if (result.status !== expectStatus) {
    throw new Error(
      `${args.join(' ')} exited ${result.status}, expected ${expectStatus}: ${result.stdout}${result.stderr}`
    );
  }
  return seconds;
}

function median(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function sample(fn, runs) {
  fn(); // warm-up: file cache, not V8 (every run is a new process)
  const samples = [];
  for (let i = 0; i < runs; i++) samples.push(fn());
  return { median: median(samples), min: Math.min(...samples), max: Math.max(...samples) };
}

export async function run(ctx = {}) {
  const node = ctx.node ?? process.execPath;
  const runs = Math.max(ctx.runs ?? 0, ctx.quick ? 5 : 11);
  let distDir = ctx.dist?.dir;
  let ownBuild;
  if (distDir === undefined) {
    ownBuild = mkdtempSync(path.join(os.tmpdir(), 'custody-actions-bench-'));
    const build = spawnSync(node, [path.join(root, 'scripts/build.mjs'), '--outdir', ownBuild], {
      stdio: 'inherit',
    });
    if (build.status !== 0) throw new Error('build failed');
    distDir = ownBuild;
  }
  try {
    const baseEnv = {
      PATH: process.env.PATH ?? '',
      GITHUB_WORKSPACE: os.tmpdir(),
      RUNNER_TEMP: os.tmpdir(),
    };
    const baseline = sample(() => timed(node, ['-e', '0'], baseEnv, 0), runs);
    const ms = (s) => `${(s * 1000).toFixed(0)} ms`;
    const ratio = (s) => `${(s / baseline.median).toFixed(2)}×`;
    const rows = [
      {
        case: 'node -e 0',
        'inputs read': ms(baseline.median),
        'vs node': '1.00×',
        'first annotation': '',
        'vs node ': '',
      },
    ];
    for (const [name, inputs] of Object.entries(ACTIONS)) {
      const file = path.join(distDir, 'actions', `${name}.js`);
      ctx.log?.(`actions: ${name}`);
      const ready = sample(
        () =>
          timed(
            node,
            [file],
            { ...baseEnv, ...inputs.valid, CUSTODY_BENCH_EXIT_AFTER_INPUTS: '1' },
            0
          ),
        runs
      );
      const annotated = sample(
        () => timed(node, [file], { ...baseEnv, ...inputs.invalid }, 2),
        runs
      );
      rows.push({
        case: `actions/${name}`,
        'inputs read': ms(ready.median),
        'vs node': ratio(ready.median),
        'first annotation': ms(annotated.median),
        'vs node ': ratio(annotated.median),
      });
    }
    return {
      title: `Action cold start, median of ${runs} runs (goal: inputs read < 200 ms)`,
      rows,
      notes: [
        'inputs read: process start, bundle load and evaluation, inputs parsed and validated (CUSTODY_BENCH_EXIT_AFTER_INPUTS=1).',
        'first annotation: an invalid input, so @actions/core is loaded and ::error:: is printed before exit 2.',
      ],
    };
  } finally {
    if (ownBuild !== undefined) rmSync(ownBuild, { recursive: true, force: true });
  }
}

if (
  process.argv[1] !== undefined &&
  path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)
) {
  const runsArg = process.argv.indexOf('--runs');
  const table = await run({
    runs: runsArg > 0 ? Number(process.argv[runsArg + 1]) : undefined,
    log: (l) => process.stderr.write(`${l}\n`),
  });
  console.log(table.title);
  console.table(table.rows);
  for (const note of table.notes) console.log(`  ${note}`);
}
