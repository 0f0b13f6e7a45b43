// Batch bundle verification for `custody verify`: identical bundles are verified once, and big
// batches are spread over worker threads (one per core) while the main thread verifies too.
// Workers load the library build (dist/index.js beside dist/cli.js) or, when running from
// TypeScript sources, src/verify/worker.ts through Node's type stripping. When no worker can
// start, everything runs on the main thread: parallelism is only an optimization.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { TrustContext } from '../../sign/index.js';
import { canonicalJSON } from '../../util/canonical-json.js';
import type { BundleOutcome, BundleRequest } from '../types.js';
import { cacheTrustedChains } from '../chain-cache.js';
import { verifyRequest } from '../verify-one.js';
import type { VerifyWorkerData, VerifyWorkerReply } from '../worker.js';

// Measured on 2 cores (npm run bench -- verify): a worker, which first loads the library bundle,
// pays off from about 250 distinct bundles (500: 2.16 s with one worker vs 2.52 s without).
const DEFAULT_WORKER_THRESHOLD = 250;

export interface BundleVerifierOptions {
  trust: TrustContext;
  /** Worker threads besides the main thread, which verifies too (default: cores - 1, 1 to 3; 0 = none). */
  workers?: number;
  /**
   * Below this many distinct bundles, verify on the main thread only. Default 250 (32 when
   * `workers` is given): a worker loads the whole library bundle (~0.8 s CPU), which on 2 cores
   * costs more than it saves below ~250 bundles at ~4 ms each (bench/verify.bench.mjs).
   */
  workerThreshold?: number;
  /** Bundles per message to a worker (default 16). */
  batchSize?: number;
}

export interface BundleVerifierStats {
  requested: number;
  distinct: number;
  workersStarted: number;
  verifiedByWorkers: number;
  verifiedOnMainThread: number;
}

const TS_RESOLVE_HOOK = `export async function resolve(specifier, context, next) {
  try { return await next(specifier, context); }
  catch (error) {
    if (specifier.startsWith('.') && specifier.endsWith('.js')) return next(specifier.slice(0, -3) + '.ts', context);
    throw error;
  }
}`;

const WORKER_BOOT = `
const { workerData } = require('node:worker_threads');
if (workerData.tsHook) {
  require('node:module').register('data:text/javascript,' + encodeURIComponent(workerData.tsHook));
}
import(workerData.moduleURL).then((m) => m.startVerifyWorker());
`;

/** Where a worker finds startVerifyWorker: the library build beside this bundle, or the TS source. */
function workerModule(): { url: string; tsHook?: string } | undefined {
  const here = import.meta.url;
  const candidate = here.endsWith('.ts')
    ? { url: new URL('../worker.ts', here).href, tsHook: TS_RESOLVE_HOOK }
    : { url: new URL('./index.js', here).href };
  try {
    return existsSync(fileURLToPath(candidate.url)) ? candidate : undefined;
  } catch {
    return undefined;
  }
}

function requestKey(request: BundleRequest): string {
  return createHash('sha256')
    .update(
      canonicalJSON([
        request.bundle,
        request.target ?? null,
        request.publicKeys,
        request.requireTransparencyLog,
      ])
    )
    .digest('hex');
}

export function createBundleVerifier(options: BundleVerifierOptions): {
  verifyBundles(requests: BundleRequest[]): Promise<BundleOutcome[]>;
  stats: BundleVerifierStats;
} {
  const stats: BundleVerifierStats = {
    requested: 0,
    distinct: 0,
    workersStarted: 0,
    verifiedByWorkers: 0,
    verifiedOnMainThread: 0,
  };
  cacheTrustedChains(options.trust);
  const verifyBundles = async (requests: BundleRequest[]): Promise<BundleOutcome[]> => {
    stats.requested += requests.length;
    const groups = new Map<string, BundleRequest[]>();
    for (const request of requests) {
      const key = requestKey(request);
      const group = groups.get(key);
      if (group === undefined) groups.set(key, [request]);
      else group.push(request);
    }
    const distinct = [...groups.values()].map((group) => group[0] as BundleRequest);
    stats.distinct += distinct.length;
    const results = await verifyDistinct(distinct, options, stats);
    const outcomes: BundleOutcome[] = [];
    for (const [index, group] of [...groups.values()].entries()) {
      const result = results[index] as BundleOutcome;
      for (const request of group) outcomes.push({ ...result, id: request.id });
    }
    return outcomes;
  };
  return { verifyBundles, stats };
}

async function verifyDistinct(
  requests: BundleRequest[],
  options: BundleVerifierOptions,
  stats: BundleVerifierStats
): Promise<BundleOutcome[]> {
  const results = new Array<BundleOutcome | undefined>(requests.length);
  const batchSize = options.batchSize ?? 16;
  const queue: number[][] = [];
  for (let start = 0; start < requests.length; start += batchSize) {
    queue.push(
      Array.from({ length: Math.min(batchSize, requests.length - start) }, (_, i) => start + i)
    );
  }
  const wanted =
    requests.length <
    (options.workerThreshold ?? (options.workers === undefined ? DEFAULT_WORKER_THRESHOLD : 32))
      ? 0
      : Math.min(
          options.workers ?? Math.max(1, Math.min(availableParallelism() - 1, 3)),
          queue.length - 1
        );
  const module = wanted > 0 ? workerModule() : undefined;
  const workers: Worker[] = [];
  const pending: Promise<void>[] = [];

  if (module !== undefined) {
    const data: VerifyWorkerData & { moduleURL: string; tsHook?: string } = {
      custodyVerifyWorker: true,
      trustedRoot: options.trust.json,
      moduleURL: module.url,
      ...(module.tsHook === undefined ? {} : { tsHook: module.tsHook }),
    };
    for (let i = 0; i < wanted; i++) {
      let worker: Worker;
      try {
        worker = new Worker(WORKER_BOOT, { eval: true, workerData: data });
      } catch {
        break;
      }
      workers.push(worker);
      stats.workersStarted++;
      pending.push(
        new Promise<void>((resolve) => {
          let current: number[] | undefined;
          const next = (): void => {
            current = queue.shift();
            if (current === undefined) {
              resolve();
              return;
            }
            worker.postMessage({ batch: 0, requests: current.map((index) => requests[index]) });
          };
          const abandon = (): void => {
            // The worker died or failed: its batch goes back to the queue for someone else.
            if (current !== undefined) queue.unshift(current);
            current = undefined;
            resolve();
          };
          worker.on('message', (reply: VerifyWorkerReply) => {
            if ('error' in reply || current === undefined) {
              abandon();
              return;
            }
            reply.outcomes.forEach((outcome, i) => {
              results[(current as number[])[i] as number] = outcome;
            });
            stats.verifiedByWorkers += reply.outcomes.length;
            next();
          });
          worker.on('error', abandon);
          worker.on('exit', abandon);
          next();
        })
      );
    }
  }

  // The main thread verifies too, yielding between batches so worker replies are handled.
  try {
    for (;;) {
      const batch = queue.shift();
      if (batch === undefined) {
        await Promise.all(pending);
        if (queue.length === 0) break;
        continue;
      }
      for (const index of batch) {
        results[index] = verifyRequest(requests[index] as BundleRequest, options.trust);
        stats.verifiedOnMainThread++;
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
  return results.map(
    (result, index) => result ?? verifyRequest(requests[index] as BundleRequest, options.trust)
  );
}
