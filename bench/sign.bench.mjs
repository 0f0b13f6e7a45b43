// Bundle verification throughput: custody verifying many bundles in one process, against one
// process per bundle (what scripts built around a CLI do today): custody's own CLI, and sigstore-js
// in a fresh `node` per bundle (bundleFromJSON → toTrustMaterial → Verifier.verify, the core of
// `sigstore verify`). `@sigstore/cli verify` itself cannot run offline (it always refreshes TUF
// metadata and has no --trusted-root), so its process start-up (`sigstore --version`) is timed as
// a floor: a real `sigstore verify` per bundle costs at least that plus the TUF round trips.
// Workload: every conformance case that passes by identity (message signatures and DSSE, bundle
// v0.1–v0.3, Rekor v1 and v2, TSA timestamps), each with its own trusted root, repeated. A failed
// verification throws, so every run checks its results.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const description =
  'Sigstore bundle verification: bundles/s in one process vs one process per bundle (offline)';

const CONFORMANCE = '/work/shared/conformance';

function workload() {
  const { cases } = JSON.parse(readFileSync(path.join(CONFORMANCE, 'MANIFEST.json'), 'utf8'));
  return cases
    .filter((c) => c.expected === 'pass' && c.key === null)
    .map((c) => ({
      rootPath: path.join(CONFORMANCE, c.trusted_root),
      name: c.name,
      bundlePath: path.join(CONFORMANCE, c.bundle),
      artifactPath: path.join(CONFORMANCE, c.artifact),
      bundleText: readFileSync(path.join(CONFORMANCE, c.bundle), 'utf8'),
      artifact: readFileSync(path.join(CONFORMANCE, c.artifact)),
      identity: c.identity,
      issuer: c.issuer,
    }));
}

const SIGSTORE_JS_ONE = `
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
const [repo, bundlePath, artifactPath, rootPath, identity, issuer] = process.argv.slice(2);
const require = createRequire(repo + '/package.json');
const { bundleFromJSON } = require('@sigstore/bundle');
const { TrustedRoot } = require('@sigstore/protobuf-specs');
const { Verifier, toSignedEntity, toTrustMaterial } = require('@sigstore/verify');
const bundle = bundleFromJSON(JSON.parse(readFileSync(bundlePath, 'utf8')));
const verifier = new Verifier(toTrustMaterial(TrustedRoot.fromJSON(JSON.parse(readFileSync(rootPath, 'utf8')))));
verifier.verify(toSignedEntity(bundle, readFileSync(artifactPath)), { subjectAlternativeName: identity, extensions: { issuer } });
`;

export async function run(ctx) {
  const lib = await import(pathToFileURL(ctx.dist.index).href);
  const cases = workload();
  const roots = new Map();
  for (const c of cases) {
    if (!roots.has(c.rootPath)) {
      roots.set(c.rootPath, lib.loadTrustedRoot(JSON.parse(readFileSync(c.rootPath, 'utf8'))));
    }
  }
  const rounds = ctx.quick ? 3 : 10;
  const perProcess = ctx.quick ? cases.slice(0, 4) : cases;

  // 1. custody library, one process
  const inProcess = await ctx.measure(() => {
    for (let r = 0; r < rounds; r++) {
      for (const c of cases) {
        lib.verifyBundle(
          c.bundleText,
          { kind: 'bytes', bytes: c.artifact },
          roots.get(c.rootPath),
          {
            subjectAlternativeName: c.identity,
            issuer: c.issuer,
          }
        );
      }
    }
  });
  const inProcessCount = rounds * cases.length;

  // 1b. sigstore-js Verifier in the same process (no subject check, no extra checks): the floor
  const require = createRequire(path.join(ctx.root, 'package.json'));
  const { bundleFromJSON } = require('@sigstore/bundle');
  const { TrustedRoot } = require('@sigstore/protobuf-specs');
  const { Verifier, toSignedEntity, toTrustMaterial } = require('@sigstore/verify');
  const verifiers = new Map();
  for (const c of cases) {
    if (!verifiers.has(c.rootPath)) {
      const root = TrustedRoot.fromJSON(JSON.parse(readFileSync(c.rootPath, 'utf8')));
      verifiers.set(c.rootPath, new Verifier(toTrustMaterial(root)));
    }
  }
  const jsInProcess = await ctx.measure(() => {
    for (let r = 0; r < rounds; r++) {
      for (const c of cases) {
        const bundle = bundleFromJSON(JSON.parse(c.bundleText));
        verifiers.get(c.rootPath).verify(toSignedEntity(bundle, c.artifact), {
          subjectAlternativeName: c.identity,
          extensions: { issuer: c.issuer },
        });
      }
    }
  });

  // 2. custody CLI, one process per bundle
  const cliOne = await ctx.measure(() => {
    for (const c of perProcess) {
      ctx.spawnTimed(ctx.node, [
        ctx.dist.cli,
        'verify-bundle',
        '--bundle',
        c.bundlePath,
        '--certificate-identity',
        c.identity,
        '--certificate-oidc-issuer',
        c.issuer,
        '--trusted-root',
        c.rootPath,
        c.artifactPath,
      ]);
    }
  });

  // 3. sigstore-js core, one `node` process per bundle (resolved from this repository)
  const script = path.join(ctx.tmpdir('custody-bench-sign-'), 'sigstore-verify-one.mjs');
  writeFileSync(script, SIGSTORE_JS_ONE);
  const jsOne = await ctx.measure(() => {
    for (const c of perProcess) {
      ctx.spawnTimed(ctx.node, [
        script,
        ctx.root,
        c.bundlePath,
        c.artifactPath,
        c.rootPath,
        c.identity,
        c.issuer,
      ]);
    }
  });

  // 4. @sigstore/cli start-up floor (it cannot verify offline)
  const sigstoreBin = path.join(ctx.root, 'node_modules/@sigstore/cli/bin/run');
  const cliFloor = await ctx.measure(() => {
    for (let i = 0; i < perProcess.length; i++)
      ctx.spawnTimed(ctx.node, [sigstoreBin, '--version']);
  });

  const rate = (count, seconds) => (count / seconds).toFixed(1);
  const rows = [
    {
      tool: 'sigstore-js Verifier, 1 process',
      bundles: inProcessCount,
      seconds: ctx.fmt.seconds(jsInProcess.median),
      'bundles/s': rate(inProcessCount, jsInProcess.median),
    },
    {
      tool: 'custody library, 1 process',
      bundles: inProcessCount,
      seconds: ctx.fmt.seconds(inProcess.median),
      'bundles/s': rate(inProcessCount, inProcess.median),
    },
    {
      tool: 'custody verify-bundle, 1 process/bundle',
      bundles: perProcess.length,
      seconds: ctx.fmt.seconds(cliOne.median),
      'bundles/s': rate(perProcess.length, cliOne.median),
    },
    {
      tool: 'sigstore-js (node -e verify), 1 process/bundle',
      bundles: perProcess.length,
      seconds: ctx.fmt.seconds(jsOne.median),
      'bundles/s': rate(perProcess.length, jsOne.median),
    },
    {
      tool: '@sigstore/cli start-up only (floor), 1 process/bundle',
      bundles: perProcess.length,
      seconds: ctx.fmt.seconds(cliFloor.median),
      'bundles/s': rate(perProcess.length, cliFloor.median),
    },
  ];
  return {
    title: `verify ${cases.length} distinct conformance bundles (each with its trusted root, identity policy)`,
    rows,
    notes: [
      `in-process speed-up over sigstore-js one-process-per-bundle: ${ctx.fmt.ratio(jsOne.median / perProcess.length, inProcess.median / inProcessCount)}`,
      '@sigstore/cli verify needs TUF (network) and has no --trusted-root; its row is start-up only, a lower bound.',
    ],
  };
}
