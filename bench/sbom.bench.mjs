// SBOM generation, whole process: `custody sbom --include-dev` (schema validation on, as shipped)
// beside `cyclonedx-npm --package-lock-only` (which validates too) on every real lockfile in
// ../shared/bench/lockfiles. Wall time and peak RSS come from GNU time (`/usr/bin/time -f`); both
// tools read a private copy of the project (lockfile + manifests only, no node_modules).
// cyclonedx-npm only reads npm lockfiles; it aborts on actions/attest's invalid root name.
//
//   npm run bench -- sbom            (through bench/run.mjs)
//   node bench/sbom.bench.mjs        (standalone; same thing)
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const description =
  'custody sbom vs cyclonedx-npm --package-lock-only: whole-process wall time and peak RSS';

const GNU_TIME = '/usr/bin/time';

/** Runs a command under GNU time: { seconds, maxRSSMiB } (RSS undefined without GNU time). */
function timed(cmd, args, options) {
  if (existsSync(GNU_TIME)) {
    const result = spawnSync(GNU_TIME, ['-f', 'CUSTODY_BENCH %e %M', cmd, ...args], {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      ...options,
    });
    const match = /CUSTODY_BENCH ([\d.]+) (\d+)/.exec(result.stderr ?? '');
    if (result.status !== 0 || match === null) {
      return { ok: false, status: result.status, stderr: result.stderr };
    }
    return { ok: true, seconds: Number(match[1]), maxRSSMiB: Number(match[2]) / 1024 };
  }
  const start = performance.now();
  const result = spawnSync(cmd, args, { encoding: 'utf8', ...options });
  const seconds = (performance.now() - start) / 1000;
  return result.status === 0
    ? { ok: true, seconds, maxRSSMiB: undefined }
    : { ok: false, status: result.status, stderr: result.stderr };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** warm-up + `runs` timed runs; medians of wall time and peak RSS, or the failure. */
function repeat(runs, warmup, fn) {
  for (let i = 0; i < warmup; i++) {
    const first = fn();
    if (!first.ok) return first;
  }
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const sample = fn();
    if (!sample.ok) return sample;
    samples.push(sample);
  }
  return {
    ok: true,
    seconds: median(samples.map((s) => s.seconds)),
    maxRSSMiB:
      samples[0].maxRSSMiB === undefined ? undefined : median(samples.map((s) => s.maxRSSMiB)),
  };
}

const LOCKFILE_NAMES = ['package-lock.json', 'npm-shrinkwrap.json', 'pnpm-lock.yaml', 'yarn.lock'];

/**
 * The same `custody sbom` command (src/cli/commands/sbom.ts, same options and adapter) bundled
 * alone, without the other commands. The difference to dist/cli.js is the start-up cost of the
 * rest of the CLI, which every custody command pays today.
 */
async function buildSbomOnlyCli(root, outdir) {
  const { build } = await import('esbuild');
  const entry = `
import { Command } from 'commander';
import { exitState } from ${JSON.stringify(path.join(root, 'src/cli/action.ts'))};
import { printError } from ${JSON.stringify(path.join(root, 'src/cli/output.ts'))};
import { registerSbom } from ${JSON.stringify(path.join(root, 'src/cli/commands/sbom.ts'))};
const ctx = {
  io: { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t), stderrIsTTY: false },
  env: process.env, cwd: process.cwd(), now: () => new Date(),
};
const program = new Command('custody').option('--json').option('--debug');
registerSbom(program, ctx);
try {
  await program.parseAsync(process.argv.slice(2), { from: 'user' });
  process.exitCode = exitState.code;
} catch (error) {
  process.exitCode = printError(ctx.io, error, { json: false, debug: false });
}
`;
  const outfile = path.join(outdir, 'sbom-only-cli.mjs');
  await build({
    stdin: { contents: entry, resolveDir: root, loader: 'js' },
    absWorkingDir: root,
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    minify: true,
    keepNames: true,
    logLevel: 'warning',
    banner: {
      js: "import { createRequire as __custodyCreateRequire } from 'node:module'; const require = __custodyCreateRequire(import.meta.url);",
    },
  });
  return outfile;
}

export async function run(ctx) {
  const source = path.resolve(ctx.root, '../shared/bench/lockfiles');
  if (!existsSync(source)) {
    ctx.log(`no lockfiles at ${source}; nothing to measure`);
    return undefined;
  }
  const projects = readdirSync(source, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  const cdxnpm = path.join(
    ctx.root,
    'node_modules/@cyclonedx/cyclonedx-npm/bin/cyclonedx-npm-cli.js'
  );
  const runs = ctx.quick ? 1 : ctx.runs;
  const work = ctx.tmpdir('custody-bench-sbom-');
  const rows = [];
  const notes = [];
  const sbomOnly = await buildSbomOnlyCli(ctx.root, work);
  for (const project of projects) {
    const dir = path.join(work, project);
    cpSync(path.join(source, project), dir, { recursive: true });
    const lockfile = LOCKFILE_NAMES.find((name) => existsSync(path.join(dir, name)));
    if (lockfile === undefined) continue;
    ctx.log(`${project} (${lockfile})`);
    const out = path.join(work, `${project}.custody.cdx.json`);
    const custodyArgs = [ctx.dist.cli, 'sbom', dir, '--include-dev', '-o', out];
    const custody = repeat(runs, 1, () => timed(ctx.node, custodyArgs, { cwd: work }));
    if (!custody.ok) throw new Error(`custody sbom failed on ${project}: ${custody.stderr}`);
    const components = JSON.parse(readFileSync(out, 'utf8')).components.length;
    const noValidate = repeat(runs, 1, () =>
      timed(ctx.node, [...custodyArgs, '--no-validate'], { cwd: work })
    );
    const alone = repeat(runs, 1, () =>
      timed(ctx.node, [sbomOnly, ...custodyArgs.slice(1)], { cwd: work })
    );

    let peer;
    if (lockfile === 'package-lock.json' && existsSync(cdxnpm)) {
      const peerOut = path.join(work, `${project}.cdxnpm.cdx.json`);
      peer = repeat(ctx.quick ? 1 : Math.min(runs, 3), ctx.quick ? 0 : 1, () =>
        timed(
          ctx.node,
          [
            cdxnpm,
            '--package-lock-only',
            '--spec-version',
            '1.6',
            '--output-reproducible',
            '-o',
            peerOut,
          ],
          {
            cwd: dir,
            env: { ...process.env, PATH: `${path.dirname(ctx.node)}:${process.env.PATH ?? ''}` },
          }
        )
      );
      if (!peer.ok)
        notes.push(
          `cyclonedx-npm failed on ${project} (exit ${peer.status}): ${String(peer.stderr)
            .split('\n')
            .filter((l) => l.trim() !== '' && !l.startsWith('CUSTODY_BENCH'))
            .pop()}`
        );
    }
    const mib = (value) => (value === undefined ? 'n/a' : `${value.toFixed(0)} MiB`);
    rows.push({
      lockfile: `${project} (${lockfile})`,
      components,
      'custody wall': ctx.fmt.seconds(custody.seconds),
      'custody RSS': mib(custody.maxRSSMiB),
      'ms / 1k comp.': ((custody.seconds * 1e6) / components).toFixed(0),
      'no-validate wall': noValidate.ok ? ctx.fmt.seconds(noValidate.seconds) : 'failed',
      'sbom-only wall': alone.ok ? ctx.fmt.seconds(alone.seconds) : 'failed',
      'sbom-only RSS': alone.ok ? mib(alone.maxRSSMiB) : '–',
      'cdxnpm wall': peer === undefined ? '–' : peer.ok ? ctx.fmt.seconds(peer.seconds) : 'fails',
      'cdxnpm RSS': peer?.ok === true ? mib(peer.maxRSSMiB) : '–',
      'speed-up': peer?.ok === true ? ctx.fmt.ratio(peer.seconds, custody.seconds) : '–',
      'speed-up (sbom-only)':
        peer?.ok === true && alone.ok ? ctx.fmt.ratio(peer.seconds, alone.seconds) : '–',
      'RSS ratio':
        peer?.ok === true && custody.maxRSSMiB !== undefined
          ? ctx.fmt.ratio(peer.maxRSSMiB, custody.maxRSSMiB)
          : '–',
    });
  }
  const version = timed(ctx.node, [ctx.dist.cli, '--version'], { cwd: work });
  if (version.ok) {
    notes.push(
      `Floor: \`custody --version\` (loading the whole CLI bundle) takes ${ctx.fmt.seconds(version.seconds)} and ${version.maxRSSMiB?.toFixed(0) ?? 'n/a'} MiB on this machine.`
    );
  }
  notes.push(
    '"sbom-only": the same custody sbom command bundled without the other commands (see buildSbomOnlyCli); the gap to "custody" is the start-up of the rest of the CLI.'
  );
  notes.push(
    'custody runs with --include-dev so both tools describe the same packages; speed-up = cdxnpm wall / custody wall; medians after a warm-up.'
  );
  return {
    title: 'custody sbom vs cyclonedx-npm --package-lock-only (CycloneDX 1.6, validated)',
    rows,
    notes,
  };
}

// Standalone: node bench/sbom.bench.mjs [--quick] [--runs N]
if (
  process.argv[1] !== undefined &&
  import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href
) {
  const runner = path.join(path.dirname(fileURLToPath(import.meta.url)), 'run.mjs');
  const result = spawnSync(process.execPath, [runner, 'sbom', ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  process.exitCode = result.status ?? 1;
}
