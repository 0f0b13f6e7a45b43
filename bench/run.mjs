// custody's benchmark runner: `npm run bench` runs every bench/*.bench.mjs in name order;
// `npm run bench -- digest sbom` runs only bench/digest.bench.mjs and bench/sbom.bench.mjs.
// Options: `--runs N` (timed runs per case, default 3, after one warm-up), `--quick`
// (benches may shrink their workloads), `--keep` (keep the private build).
//
// Bench file contract (bench/<topic>.bench.mjs):
//   export const description = 'one line shown before the results';   // optional
//   export async function run(ctx) { ... return tables; }
// `run` returns a table, an array of tables, or nothing (when it printed its own output). A table is
//   { title: string, rows: Array<Record<string, string | number>>, columns?: string[], notes?: string[] }
// Numbers are printed as given (format them with ctx.fmt); columns default to the first row's keys.
// `ctx` gives:
//   ctx.root                  the repository root
//   ctx.dist.cli / .index     a fresh private build of dist/cli.js and dist/index.js (never the committed dist/)
//   ctx.node                  the Node 24 binary running the bench
//   ctx.runs, ctx.quick       from the command line
//   ctx.tmpdir(prefix)        a temp directory, deleted when the runner exits
//   ctx.measure(fn, {runs?, warmup?})  awaits fn() warmup + runs times: { median, min, max, samples, cpu } in
//                             seconds; cpu = median user+sys CPU of this process (all threads) plus finished
//                             child processes — steadier than wall time on a busy machine
//   ctx.spawnTimed(cmd, args, options) runs a process to completion (spawnSync; throws on exit ≠ 0): seconds + stdout
//   ctx.fmt.seconds(s), ctx.fmt.rate(bytes, s) (GB/s, GB = 1e9 bytes), ctx.fmt.ratio(a, b) ("1.23×")
//   ctx.log(line)             progress on stderr (results go to stdout)
// Benches measure; they do not assert timing. Keep each under a few minutes on 2 cores.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const benchDir = path.join(root, 'bench');

function parseArgs(argv) {
  const options = { names: [], runs: 3, quick: false, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--runs') options.runs = Math.max(1, Number.parseInt(argv[++i] ?? '', 10) || 3);
    else if (arg === '--quick') options.quick = true;
    else if (arg === '--keep') options.keep = true;
    else if (arg === '--help' || arg === '-h') options.help = true;
    else options.names.push(arg.replace(/\.bench\.mjs$/, ''));
  }
  return options;
}

const temps = [];
function tmpdir(prefix = 'custody-bench-') {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  temps.push(dir);
  return dir;
}
function cleanup() {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** CPU seconds (user+sys) of this process and of its waited-for children (Linux /proc; else own only). */
function cpuSeconds() {
  const own = process.cpuUsage();
  let children = 0;
  try {
    // Fields after the parenthesised command name: cutime and cstime are the 14th and 15th.
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    children = (Number(fields[13]) + Number(fields[14])) / 100; // USER_HZ is 100 on Linux
  } catch {
    children = 0;
  }
  return (own.user + own.system) / 1e6 + children;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function measure(fn, { runs, warmup = 1 } = {}) {
  for (let i = 0; i < warmup; i++) await fn();
  const samples = [];
  const cpu = [];
  for (let i = 0; i < (runs ?? ctxRuns); i++) {
    const cpuStart = cpuSeconds();
    const start = performance.now();
    await fn();
    samples.push((performance.now() - start) / 1000);
    cpu.push(cpuSeconds() - cpuStart);
  }
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    median: median(samples),
    min: sorted[0],
    max: sorted[sorted.length - 1],
    samples,
    cpu: median(cpu),
  };
}

function spawnTimed(cmd, args, options = {}) {
  const start = performance.now();
  const result = spawnSync(cmd, args, {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    ...options,
  });
  const seconds = (performance.now() - start) / 1000;
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(
      `${cmd} ${args.slice(0, 3).join(' ')}… exited ${result.status}: ${result.stderr}`
    );
  }
  return { seconds, stdout: result.stdout };
}

const fmt = {
  seconds: (s) => `${s.toFixed(3)} s`,
  rate: (bytes, s) => `${(bytes / s / 1e9).toFixed(2)} GB/s`,
  ratio: (a, b) => `${(a / b).toFixed(2)}×`,
};

function printTable(table) {
  const rows = table.rows ?? [];
  const columns = table.columns ?? Object.keys(rows[0] ?? {});
  const cells = rows.map((row) => columns.map((c) => String(row[c] ?? '')));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i].length)));
  const numeric = columns.map((_, i) =>
    cells.every((r) => /^[\d.,×%-]+(\s?\S+)?$/.test(r[i]) || r[i] === '')
  );
  const line = (values) =>
    `| ${values.map((v, i) => (numeric[i] ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join(' | ')} |`;
  process.stdout.write(`\n### ${table.title}\n\n`);
  process.stdout.write(`${line(columns)}\n`);
  process.stdout.write(
    `|${widths.map((w, i) => (numeric[i] ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|\n`
  );
  for (const row of cells) process.stdout.write(`${line(row)}\n`);
  for (const note of table.notes ?? []) process.stdout.write(`\n${note}\n`);
}

let ctxRuns = 3;

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const available = readdirSync(benchDir)
    .filter((f) => f.endsWith('.bench.mjs'))
    .sort()
    .map((f) => f.replace(/\.bench\.mjs$/, ''));
  if (options.help) {
    process.stdout.write(
      `usage: npm run bench -- [--runs N] [--quick] [NAME...]\nbenches: ${available.join(', ')}\n`
    );
    return 0;
  }
  const unknown = options.names.filter((n) => !available.includes(n));
  if (unknown.length > 0) {
    process.stderr.write(
      `unknown bench ${unknown.join(', ')}; available: ${available.join(', ')}\n`
    );
    return 2;
  }
  const selected =
    options.names.length > 0 ? available.filter((n) => options.names.includes(n)) : available;
  ctxRuns = options.runs;

  const distDir = tmpdir('custody-bench-dist-');
  process.stderr.write(`building a private dist into ${distDir}\n`);
  const build = spawnSync(
    process.execPath,
    [path.join(root, 'scripts/build.mjs'), '--outdir', distDir],
    {
      cwd: root,
      stdio: 'inherit',
    }
  );
  if (build.status !== 0) throw new Error('build failed');

  const ctx = {
    root,
    dist: {
      dir: distDir,
      cli: path.join(distDir, 'cli.js'),
      index: path.join(distDir, 'index.js'),
    },
    node: process.execPath,
    runs: options.runs,
    quick: options.quick,
    tmpdir,
    measure,
    spawnTimed,
    fmt,
    log: (line) => process.stderr.write(`  ${line}\n`),
  };
  process.stdout.write(
    `custody benchmarks — node ${process.version}, ${os.availableParallelism()} cores (${os.cpus()[0]?.model ?? 'cpu'}), ` +
      `median of ${options.runs} runs after a warm-up; load average at start ${os.loadavg()[0].toFixed(2)}\n`
  );
  let failed = 0;
  for (const name of selected) {
    const module = await import(pathToFileURL(path.join(benchDir, `${name}.bench.mjs`)).href);
    process.stdout.write(`\n## ${name}${module.description ? ` — ${module.description}` : ''}\n`);
    try {
      const result = await module.run(ctx);
      const tables = result === undefined ? [] : Array.isArray(result) ? result : [result];
      for (const table of tables) printTable(table);
    } catch (error) {
      failed++;
      process.stderr.write(
        `bench ${name} failed: ${error instanceof Error ? error.stack : String(error)}\n`
      );
    }
  }
  if (options.keep) temps.splice(temps.indexOf(distDir), 1);
  return failed > 0 ? 1 : 0;
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    cleanup(); // never leave a 1 GiB bench file behind
    process.exit(130);
  });
}

let code = 1;
try {
  code = await main();
} finally {
  cleanup();
}
process.exitCode = code;
