// Entry of a bundle-verification worker thread (see adapter/pool.ts). Exported from the library
// so the bundled CLI can start workers from dist/index.js; not for direct use.
import { parentPort, workerData } from 'node:worker_threads';
import { loadTrustedRoot, type TrustContext } from '../sign/index.js';
import { cacheTrustedChains } from './chain-cache.js';
import type { BundleOutcome, BundleRequest } from './types.js';
import { verifyRequest } from './verify-one.js';

export interface VerifyWorkerData {
  custodyVerifyWorker: true;
  trustedRoot: unknown;
}

export type VerifyWorkerMessage = { batch: number; requests: BundleRequest[] };
export type VerifyWorkerReply =
  { batch: number; outcomes: BundleOutcome[] } | { batch: number; error: string };

export function startVerifyWorker(): void {
  const port = parentPort;
  const data = workerData as Partial<VerifyWorkerData> | undefined;
  if (port === null || data?.custodyVerifyWorker !== true) return;
  let trust: TrustContext | undefined;
  port.on('message', (message: VerifyWorkerMessage) => {
    try {
      trust ??= cacheTrustedChains(loadTrustedRoot(data.trustedRoot));
      const context = trust;
      const outcomes = message.requests.map((request) => verifyRequest(request, context));
      port.postMessage({ batch: message.batch, outcomes } satisfies VerifyWorkerReply);
    } catch (error) {
      port.postMessage({
        batch: message.batch,
        error: error instanceof Error ? error.message : String(error),
      } satisfies VerifyWorkerReply);
    }
  });
}
