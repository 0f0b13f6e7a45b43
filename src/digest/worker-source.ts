// The hashing worker, as source text: custody ships as single-file bundles (dist/cli.js,
// dist/index.js), so the worker cannot be a separate module file; it runs with `eval: true`.
// It repeats the two loops of hash.ts (sync for small files, overlapped 1 MiB reads for the rest).
//
// Protocol: the main thread posts { id, jobs: [{ path, algorithm, streaming }] }; the worker
// answers { id, results: [{ hex, size } | { errno, message }] } in job order, one batch at a time.
export const WORKER_SOURCE = String.raw`
'use strict';
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const fsp = require('node:fs/promises');
const { createHash } = require('node:crypto');
const CHUNK_SIZE = 1024 * 1024;
let current = Buffer.allocUnsafe(CHUNK_SIZE);
let next = Buffer.allocUnsafe(CHUNK_SIZE);

function hashSync(file, algorithm) {
  const hash = createHash(algorithm);
  const fd = fs.openSync(file, 'r');
  let size = 0;
  try {
    for (;;) {
      const bytesRead = fs.readSync(fd, current, 0, CHUNK_SIZE, null);
      if (bytesRead === 0) break;
      hash.update(bytesRead === CHUNK_SIZE ? current : current.subarray(0, bytesRead));
      size += bytesRead;
    }
  } finally {
    fs.closeSync(fd);
  }
  return { hex: hash.digest('hex'), size };
}

async function hashStreaming(file, algorithm) {
  const hash = createHash(algorithm);
  const handle = await fsp.open(file, 'r');
  let size = 0;
  try {
    let pending = handle.read(current, 0, CHUNK_SIZE, null);
    for (;;) {
      const { bytesRead, buffer } = await pending;
      if (bytesRead === 0) break;
      const filled = buffer;
      current = next;
      next = filled;
      pending = handle.read(current, 0, CHUNK_SIZE, null);
      hash.update(bytesRead === CHUNK_SIZE ? filled : filled.subarray(0, bytesRead));
      size += bytesRead;
    }
  } finally {
    await handle.close();
  }
  return { hex: hash.digest('hex'), size };
}

let queue = Promise.resolve();
parentPort.on('message', (batch) => {
  queue = queue.then(async () => {
    const results = [];
    for (const job of batch.jobs) {
      try {
        results.push(job.streaming ? await hashStreaming(job.path, job.algorithm) : hashSync(job.path, job.algorithm));
      } catch (error) {
        results.push({ errno: String((error && error.code) || 'EIO'), message: String((error && error.message) || error) });
      }
    }
    parentPort.postMessage({ id: batch.id, results });
  });
});
`;
