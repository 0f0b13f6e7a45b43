// Hashing one file, two ways, both with constant memory:
// - small files (up to one chunk): one synchronous open/read/close. Fewest syscalls and no
//   event-loop round trips, which is what dominates for thousands of small files;
// - everything else: 1 MiB reads into two reused buffers, the next read in flight on the libuv
//   pool while the current chunk is hashed. Node's default 64 KiB stream spends ~45 % of the time
//   in syscalls and event-loop hops; this reaches the hash's own speed (see docs/digest.md).
// src/digest/worker-source.ts repeats these two loops for the worker threads; keep them in step.
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { DigestAlgorithm } from './algorithms.js';

/** Read size: 1 MiB measured fastest here (256 KiB: 5 % slower; 4 MiB: no gain, more memory). */
export const CHUNK_SIZE = 1024 * 1024;

export interface HashedFile {
  readonly hex: string;
  /** Bytes hashed. */
  readonly size: number;
}

/** The two chunk buffers one hashing lane reuses for every file. */
export interface ChunkBuffers {
  current: Buffer;
  next: Buffer;
}

export function allocateChunkBuffers(): ChunkBuffers {
  return { current: Buffer.allocUnsafe(CHUNK_SIZE), next: Buffer.allocUnsafe(CHUNK_SIZE) };
}

/** Hashes a file synchronously; meant for files of at most a chunk or two. */
export function hashFileSync(file: string, algorithm: DigestAlgorithm, buffer: Buffer): HashedFile {
  const hash = createHash(algorithm);
  const fd = openSync(file, 'r');
  let size = 0;
  try {
    for (;;) {
      const bytesRead = readSync(fd, buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      hash.update(bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead));
      size += bytesRead;
    }
  } finally {
    closeSync(fd);
  }
  return { hex: hash.digest('hex'), size };
}

/**
 * Hashes a file of any size (also pipes and devices: reads are sequential), overlapping each
 * read with hashing the previous chunk. `onBytes` reports progress per chunk.
 */
export async function hashFileStreaming(
  file: string,
  algorithm: DigestAlgorithm,
  buffers: ChunkBuffers = allocateChunkBuffers(),
  onBytes?: (bytes: number) => void
): Promise<HashedFile> {
  const hash = createHash(algorithm);
  const handle = await open(file, 'r');
  let size = 0;
  try {
    let pending = handle.read(buffers.current, 0, CHUNK_SIZE, null);
    for (;;) {
      const { bytesRead, buffer } = await pending;
      if (bytesRead === 0) break;
      // Swap: the next read fills the other buffer while this one is hashed.
      const filled = buffer;
      buffers.current = buffers.next;
      buffers.next = filled;
      pending = handle.read(buffers.current, 0, CHUNK_SIZE, null);
      hash.update(bytesRead === CHUNK_SIZE ? filled : filled.subarray(0, bytesRead));
      size += bytesRead;
      onBytes?.(bytesRead);
    }
  } finally {
    await handle.close();
  }
  return { hex: hash.digest('hex'), size };
}
