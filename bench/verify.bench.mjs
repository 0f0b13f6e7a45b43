// Whole-release verification: `custody verify` on a release of N artifacts, each with its own
// Sigstore bundle (a keyless DSSE provenance statement signed on the local Sigstore stack, as a
// GitHub Actions workflow would), plus SHA256SUMS and its signature — against the loop users write
// today: one sigstore-js verification process per artifact (bundleFromJSON → toTrustMaterial →
// Verifier.verify with the identity policy, the core of `sigstore verify`). The loop is timed on a
// sample of processes and extrapolated per artifact. Every custody run must say PASS.
// Standalone: `node bench/verify.bench.mjs` (delegates to bench/run.mjs verify).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const description =
  'custody verify on N artifacts × 1 bundle each vs one sigstore-js verification process per artifact';

const SIGSTORE_JS_ONE = `
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
const [repo, bundlePath, rootPath, identity, issuer] = process.argv.slice(2);
const require = createRequire(repo + '/package.json');
const { bundleFromJSON } = require('@sigstore/bundle');
const { TrustedRoot } = require('@sigstore/protobuf-specs');
const { Verifier, toSignedEntity, toTrustMaterial } = require('@sigstore/verify');
const bundle = bundleFromJSON(JSON.parse(readFileSync(bundlePath, 'utf8').split('\\n')[0]));
const verifier = new Verifier(toTrustMaterial(TrustedRoot.fromJSON(JSON.parse(readFileSync(rootPath, 'utf8')))));
verifier.verify(toSignedEntity(bundle), { subjectAlternativeName: identity, extensions: { issuer } });
`;

async function buildRelease(ctx, lib, stack, count) {
  const { createHash } = await import('node:crypto');
  const dir = ctx.tmpdir('custody-bench-verify-');
  const release = path.join(dir, 'release');
  mkdirSync(release);
  const token = stack.issueToken('github');
  const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
  const identity = `https://github.com/${claims.job_workflow_ref}`;
  const config = {
    identity: { kind: 'keyless', token },
    fulcioURL: stack.fulcioURL,
    rekorURL: stack.rekorURL,
    tsaURL: stack.tsaURL,
  };
  const names = [];
  let sums = '';
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const name = `pkg-${String(i).padStart(4, '0')}.tar.gz`;
    const content = Buffer.alloc(8 * 1024, i % 251);
    content.write(name);
    writeFileSync(path.join(release, name), content);
    const hex = createHash('sha256').update(content).digest('hex');
    sums += `${hex}  ${name}\n`;
    const statement = {
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name, digest: { sha256: hex } }],
      predicateType: 'https://slsa.dev/provenance/v1',
      predicate: {
        buildDefinition: {
          buildType: 'https://actions.github.io/buildtypes/workflow/v1',
          externalParameters: {
            workflow: {
              ref: claims.ref,
              repository: `https://github.com/${claims.repository}`,
              path: '.github/workflows/release.yml',
            },
          },
          internalParameters: {
            github: { event_name: 'push', runner_environment: 'github-hosted' },
          },
          resolvedDependencies: [
            {
              uri: `git+https://github.com/${claims.repository}@${claims.ref}`,
              digest: { gitCommit: claims.sha },
            },
          ],
        },
        runDetails: { builder: { id: identity } },
      },
    };
    const bundle = await lib.signStatement(statement, config);
    writeFileSync(path.join(release, `${name}.intoto.jsonl`), `${JSON.stringify(bundle)}\n`);
    names.push(name);
    if ((i + 1) % 100 === 0) ctx.log(`  signed ${i + 1}/${count} bundles`);
  }
  writeFileSync(path.join(release, 'SHA256SUMS'), sums);
  writeFileSync(
    path.join(release, 'SHA256SUMS.sigstore.json'),
    JSON.stringify(await lib.signArtifact(Buffer.from(sums), config))
  );
  ctx.log(`  release of ${count} built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const rootPath = path.join(dir, 'trusted_root.json');
  writeFileSync(rootPath, JSON.stringify(stack.trustedRoot));
  return { dir, release, names, rootPath, identity, issuer: claims.iss, sums };
}

/** A release of the first `count` artifacts of `full` (files copied, SHA256SUMS re-signed). */
async function subset(ctx, lib, stack, full, count) {
  const dir = ctx.tmpdir('custody-bench-verify-sub-');
  const release = path.join(dir, 'release');
  mkdirSync(release);
  const names = full.names.slice(0, count);
  for (const name of names) {
    cpSync(path.join(full.release, name), path.join(release, name));
    cpSync(
      path.join(full.release, `${name}.intoto.jsonl`),
      path.join(release, `${name}.intoto.jsonl`)
    );
  }
  const sums = full.sums.split('\n').slice(0, count).join('\n') + '\n';
  writeFileSync(path.join(release, 'SHA256SUMS'), sums);
  const config = {
    identity: { kind: 'keyless', token: stack.issueToken('github') },
    fulcioURL: stack.fulcioURL,
    rekorURL: stack.rekorURL,
    tsaURL: stack.tsaURL,
  };
  writeFileSync(
    path.join(release, 'SHA256SUMS.sigstore.json'),
    JSON.stringify(await lib.signArtifact(Buffer.from(sums), config))
  );
  return { ...full, dir, release, names };
}

/** user+sys CPU seconds of a child process (GNU time), or undefined where it is not installed. */
function cpuSeconds(ctx, args) {
  if (!existsSync('/usr/bin/time')) return undefined;
  const result = spawnSync('/usr/bin/time', ['-f', 'CPU %U %S', ctx.node, ...args], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const match = /CPU ([\d.]+) ([\d.]+)\s*$/.exec(result.stderr ?? '');
  return match === null ? undefined : Number(match[1]) + Number(match[2]);
}

export async function run(ctx) {
  const lib = await import(pathToFileURL(ctx.dist.index).href);
  const sizes = ctx.quick ? [50, 100] : [100, 250, 500];
  const largest = sizes[sizes.length - 1];
  const sample = ctx.quick ? 8 : 20;
  const stack = await lib.startLocalSigstoreStack();
  try {
    ctx.log(`signing a release of ${largest} artifacts on the local stack…`);
    const full = await buildRelease(ctx, lib, stack, largest);
    const releases = new Map([[largest, full]]);
    for (const size of sizes.slice(0, -1))
      releases.set(size, await subset(ctx, lib, stack, full, size));

    const verifyArgs = (r, extra = []) => [
      ctx.dist.cli,
      'verify',
      r.release,
      '--trusted-root',
      r.rootPath,
      '--certificate-identity',
      r.identity,
      '--certificate-oidc-issuer',
      r.issuer,
      '--checksums',
      path.join(r.release, 'SHA256SUMS'),
      '--format',
      'json',
      ...extra,
    ];
    const check = (stdout, count) => {
      const report = JSON.parse(stdout);
      if (report.verdict !== 'PASS' || report.summary.artifacts !== count) {
        throw new Error(
          `custody verify did not PASS ${count} artifacts: ${JSON.stringify(report.summary.failures.slice(0, 3))}`
        );
      }
    };

    // The loop: one sigstore-js process per artifact, on a sample, extrapolated.
    const script = path.join(ctx.tmpdir('custody-bench-verify-js-'), 'verify-one.mjs');
    writeFileSync(script, SIGSTORE_JS_ONE);
    const sampleNames = full.names.slice(0, sample);
    const loop = await ctx.measure(() => {
      for (const name of sampleNames) {
        ctx.spawnTimed(ctx.node, [
          script,
          ctx.root,
          path.join(full.release, `${name}.intoto.jsonl`),
          full.rootPath,
          full.identity,
          full.issuer,
        ]);
      }
    });
    const perProcess = loop.median / sample;
    const loopCpu = sampleNames
      .slice(0, 5)
      .map((name) =>
        cpuSeconds(ctx, [
          script,
          ctx.root,
          path.join(full.release, `${name}.intoto.jsonl`),
          full.rootPath,
          full.identity,
          full.issuer,
        ])
      );
    const cpuPerProcess = loopCpu.every((c) => c !== undefined)
      ? loopCpu.reduce((a, b) => a + b, 0) / loopCpu.length
      : undefined;

    const rows = [];
    for (const size of sizes) {
      const r = releases.get(size);
      const parallel = await ctx.measure(() =>
        check(ctx.spawnTimed(ctx.node, verifyArgs(r)).stdout, size)
      );
      const threaded = await ctx.measure(
        () => check(ctx.spawnTimed(ctx.node, verifyArgs(r, ['--workers', '1'])).stdout, size),
        { runs: 1 }
      );
      const loopSeconds = perProcess * size;
      const cpu = cpuSeconds(ctx, verifyArgs(r));
      rows.push({
        artifacts: size,
        'custody verify': ctx.fmt.seconds(parallel.median),
        'ms/artifact': ((parallel.median * 1000) / size).toFixed(2),
        'custody --workers 1': ctx.fmt.seconds(threaded.median),
        'loop: 1 sigstore-js process/artifact': ctx.fmt.seconds(loopSeconds),
        'speed-up vs loop': ctx.fmt.ratio(loopSeconds, parallel.median),
        'CPU s (custody / loop)':
          cpu === undefined || cpuPerProcess === undefined
            ? 'n/a'
            : `${cpu.toFixed(2)} / ${(cpuPerProcess * size).toFixed(1)}`,
        'CPU ratio':
          cpu === undefined || cpuPerProcess === undefined
            ? 'n/a'
            : ctx.fmt.ratio(cpuPerProcess * size, cpu),
      });
    }
    return {
      title: `verify a release of N artifacts, one keyless DSSE bundle each (+ signed SHA256SUMS), local stack root`,
      rows,
      notes: [
        `loop cost per artifact: ${(perProcess * 1000).toFixed(1)} ms (median of ${sample} processes, extrapolated; it checks only the signature and identity — custody also checks checksums, the checksums signature, provenance fields and certificate agreement).`,
        'custody runs one process; identical bundles are verified once and the trusted chain once per process. By default it verifies on the main thread below 250 distinct bundles; --workers 1 adds a worker thread (which first loads the library bundle).',
        'CPU = user+sys seconds of all threads (GNU time; the loop from 5 processes, extrapolated): independent of other load on the machine, unlike wall time.',
      ],
    };
  } finally {
    await stack.close();
  }
}

// Standalone: node bench/verify.bench.mjs [--quick] [--runs N]
if (
  process.argv[1] !== undefined &&
  import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href
) {
  const runner = path.join(path.dirname(fileURLToPath(import.meta.url)), 'run.mjs');
  const result = spawnSync(process.execPath, [runner, 'verify', ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  process.exitCode = result.status ?? 1;
}
