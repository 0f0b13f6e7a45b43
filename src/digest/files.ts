// Hashing many files: bounded concurrency on all cores. The main thread hashes too, starting at
// once, and worker threads join when the job is large enough to pay for their ~20 ms start-up.
// Jobs run largest first from one shared queue (one lane per thread), so a big file never ends
// up last; memory stays constant: two 1 MiB buffers per lane.
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { CustodyError } from '../errors.js';
import type { DigestAlgorithm } from './algorithms.js';
import {
  allocateChunkBuffers,
  CHUNK_SIZE,
  hashFileStreaming,
  hashFileSync,
  type ChunkBuffers,
  type HashedFile,
} from './hash.js';
import { WORKER_SOURCE } from './worker-source.js';

export interface FileDigest {
  /** The path as passed in. */
  readonly path: string;
  readonly algorithm: DigestAlgorithm;
  readonly hex: string;
  /** Bytes hashed. */
  readonly size: number;
}

export interface DigestProgress {
  readonly filesDone: number;
  readonly filesTotal: number;
  readonly bytesDone: number;
  /** Sum of the sizes found before hashing (pipes and devices count as 0). */
  readonly bytesTotal: number;
}

export interface DigestFilesOptions {
  /**
   * Worker threads that hash alongside the main thread. Default: one per extra core
   * (availableParallelism() - 1, at most 3); 0 hashes on the main thread only.
   */
  readonly workers?: number;
  /**
   * Start workers only when the job costs at least this many bytes (file sizes plus 32 KiB per
   * file for open/close). Default 128 MiB: a worker takes ~25 ms to start, and measured on 2
   * cores, 1,000 files of 64 KiB (~55 ms of hashing) gained nothing from one; 100 × 10 MiB did
   * (1.6 vs 1.1 GB/s).
   */
  readonly workerThreshold?: number;
  /** Called after every file and every streamed chunk. */
  readonly onProgress?: (progress: DigestProgress) => void;
  /** Tests only: replaces the worker's code (to prove a crashed worker loses no file). */
  readonly workerSource?: string;
}

/** One file's outcome: its digest, or the errno-style reason it could not be read. */
export type SettledDigest =
  | ({ readonly ok: true } & HashedFile)
  | { readonly ok: false; readonly errno: string; readonly message: string };

export interface DigestJob {
  readonly path: string;
  readonly algorithm: DigestAlgorithm;
}

const PER_FILE_COST = 32 * 1024;
const DEFAULT_WORKER_THRESHOLD = 128 * 1024 * 1024;
const BATCH_MAX_FILES = 16;
const BATCH_MAX_BYTES = 8 * 1024 * 1024;
/** The main thread yields this often (ms) so worker messages and timers are served. */
const YIELD_INTERVAL_MS = 1;

/** Digest of one file (hex), streamed with constant memory; the fast path for one big file. */
export async function digestFile(
  file: string,
  algorithm: DigestAlgorithm = 'sha256'
): Promise<string> {
  try {
    return (await hashFileStreaming(file, algorithm)).hex;
  } catch (error) {
    throw readError(file, errnoOf(error), error);
  }
}

/**
 * Digests of many files, in input order. Throws INPUT_NOT_FOUND / INPUT_UNREADABLE for the first
 * file (in input order) that cannot be read.
 */
export async function digestFiles(
  files: readonly string[],
  algorithm: DigestAlgorithm = 'sha256',
  options: DigestFilesOptions = {}
): Promise<FileDigest[]> {
  const settled = await digestFilesSettled(
    files.map((path) => ({ path, algorithm })),
    options
  );
  return settled.map((result, index) => {
    const path = files[index] as string;
    if (!result.ok) throw readError(path, result.errno, undefined, result.message);
    return { path, algorithm, hex: result.hex, size: result.size };
  });
}

/** Like digestFiles, but never throws for a file: each result says ok or why not. */
export async function digestFilesSettled(
  jobs: readonly DigestJob[],
  options: DigestFilesOptions = {}
): Promise<SettledDigest[]> {
  const results = new Array<SettledDigest | undefined>(jobs.length);
  const pending: QueuedJob[] = [];
  let bytesTotal = 0;
  jobs.forEach((job, index) => {
    try {
      const info = statSync(job.path);
      if (info.isDirectory()) {
        results[index] = failure('EISDIR', `${job.path} is a directory`);
        return;
      }
      const size = info.isFile() ? info.size : 0;
      bytesTotal += size;
      // Pipes and devices have no size: stream them (sequential reads, never a blocking sync read).
      pending.push({ ...job, index, size, streaming: !info.isFile() || size > CHUNK_SIZE });
    } catch (error) {
      results[index] = failure(errnoOf(error), messageOf(error));
    }
  });
  pending.sort((a, b) => b.size - a.size || a.index - b.index);
  const queue = new JobQueue(pending);

  let filesDone = jobs.length - pending.length;
  let bytesDone = 0;
  const report = (): void =>
    options.onProgress?.({ filesDone, filesTotal: jobs.length, bytesDone, bytesTotal });
  /** `counted`: bytes of this job already reported chunk by chunk. */
  const settle = (job: QueuedJob, result: SettledDigest, counted = 0): void => {
    results[job.index] = result;
    filesDone++;
    bytesDone += Math.max(0, job.size - counted);
    report();
  };

  const buffers = allocateChunkBuffers();
  const hashOnMainThread = async (job: QueuedJob, lane: ChunkBuffers = buffers): Promise<void> => {
    let counted = 0;
    let result: SettledDigest;
    try {
      const hashed = job.streaming
        ? await hashFileStreaming(job.path, job.algorithm, lane, (bytes) => {
            counted += bytes;
            bytesDone += bytes;
            report();
          })
        : hashFileSync(job.path, job.algorithm, lane.current);
      result = { ok: true, ...hashed };
    } catch (error) {
      result = failure(errnoOf(error), messageOf(error));
    }
    settle(job, result, counted);
  };

  const mainLane = async (): Promise<void> => {
    let lastYield = performance.now();
    for (let job = queue.take(); job !== undefined; job = queue.take()) {
      await hashOnMainThread(job);
      if (performance.now() - lastYield > YIELD_INTERVAL_MS) {
        await yieldToEventLoop();
        lastYield = performance.now();
      }
    }
  };

  const cost = bytesTotal + pending.length * PER_FILE_COST;
  const workerCount =
    pending.length >= 2 && cost >= (options.workerThreshold ?? DEFAULT_WORKER_THRESHOLD)
      ? Math.min(options.workers ?? defaultWorkerCount(), pending.length - 1)
      : 0;
  const workers: Worker[] = [];
  try {
    const lanes: Promise<void>[] = [];
    // Workers first: they boot on their own threads while the main lane already hashes.
    for (let i = 0; i < workerCount; i++) {
      let worker: Worker;
      try {
        worker = new Worker(options.workerSource ?? WORKER_SOURCE, { eval: true });
      } catch {
        break; // no thread available: the main lane does the rest
      }
      workers.push(worker);
      lanes.push(workerLane(worker, queue, settle, hashOnMainThread));
    }
    lanes.push(mainLane());
    await Promise.all(lanes);
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
  return results.map((result) => result ?? failure('EIO', 'internal: a file was never hashed'));
}

/** Jobs in the order lanes take them (an index, not Array.shift: O(1) per take). */
class JobQueue {
  private next = 0;
  constructor(private readonly jobs: readonly QueuedJob[]) {}

  take(): QueuedJob | undefined {
    return this.jobs[this.next++];
  }

  peek(): QueuedJob | undefined {
    return this.jobs[this.next];
  }
}

interface QueuedJob extends DigestJob {
  readonly index: number;
  readonly size: number;
  readonly streaming: boolean;
}

interface WorkerReply {
  readonly id: number;
  readonly results: readonly ({ hex: string; size: number } | { errno: string; message: string })[];
}

/**
 * Feeds one worker batches from the shared queue until it is empty. If the worker dies, its
 * batch is hashed on the main thread instead, so a result is never lost.
 */
function workerLane(
  worker: Worker,
  queue: JobQueue,
  settle: (job: QueuedJob, result: SettledDigest) => void,
  fallback: (job: QueuedJob, lane: ChunkBuffers) => Promise<void>
): Promise<void> {
  return new Promise<void>((resolve) => {
    let inFlight: QueuedJob[] = [];
    let batchId = 0;
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      worker.removeAllListeners('message');
      resolve();
    };
    const sendNext = (): void => {
      inFlight = takeBatch(queue);
      if (inFlight.length === 0) {
        finish();
        return;
      }
      batchId++;
      worker.postMessage({
        id: batchId,
        jobs: inFlight.map((job) => ({
          path: job.path,
          algorithm: job.algorithm,
          streaming: job.streaming,
        })),
      });
    };
    worker.on('message', (reply: WorkerReply) => {
      if (reply.id !== batchId) return;
      inFlight.forEach((job, i) => {
        const result = reply.results[i];
        if (result === undefined) settle(job, failure('EIO', 'worker returned no result'));
        else if ('hex' in result) settle(job, { ok: true, hex: result.hex, size: result.size });
        else settle(job, failure(result.errno, result.message));
      });
      sendNext();
    });
    worker.once('online', sendNext);
    let rescuing = false;
    const rescue = (): void => {
      if (finished || rescuing) return;
      rescuing = true;
      const orphaned = inFlight;
      inFlight = [];
      batchId = -1;
      void (async () => {
        // Own buffers: the main lane may be streaming with its pair right now.
        const lane = allocateChunkBuffers();
        for (const job of orphaned) await fallback(job, lane);
        finish();
      })();
    };
    worker.once('error', rescue);
    worker.once('exit', rescue);
  });
}

/** Largest-first jobs from the queue front, up to 16 files or 8 MiB (always at least one). */
function takeBatch(queue: JobQueue): QueuedJob[] {
  const batch: QueuedJob[] = [];
  let bytes = 0;
  for (
    let job = queue.peek();
    job !== undefined && batch.length < BATCH_MAX_FILES;
    job = queue.peek()
  ) {
    if (batch.length > 0 && bytes + job.size > BATCH_MAX_BYTES) break;
    batch.push(job);
    bytes += job.size;
    queue.take();
  }
  return batch;
}

function defaultWorkerCount(): number {
  return Math.max(0, Math.min(3, availableParallelism() - 1));
}

function failure(errno: string, message: string): SettledDigest {
  return { ok: false, errno, message };
}

function errnoOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : 'EIO';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Maps an errno to custody's input errors: ENOENT → INPUT_NOT_FOUND, the rest INPUT_UNREADABLE. */
export function readError(
  file: string,
  errno: string,
  cause?: unknown,
  message?: string
): CustodyError {
  if (errno === 'ENOENT') {
    return new CustodyError('INPUT_NOT_FOUND', `${file} does not exist`, {
      cause,
      details: { file },
    });
  }
  const reason = errno === 'EISDIR' ? 'it is a directory' : errno;
  return new CustodyError('INPUT_UNREADABLE', `cannot read ${file}: ${reason}`, {
    cause: cause ?? (message === undefined ? undefined : new Error(message)),
    details: { file, errno },
  });
}
