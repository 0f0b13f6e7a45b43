// Adapter: streams an image's layers (registry, layout or archive), checks each layer's digest
// while reading, decompresses gzip/zstd/plain tar, and keeps only the files the SBOM needs plus
// the whiteouts; then applies the layers in order. RPM databases are read with Node's built-in
// node:sqlite from a private copy (with its WAL), never in place.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';
import * as tarStream from 'tar-stream';
import { CustodyError } from '../../errors.js';
import {
  MEDIA_TYPES,
  parsePlatform,
  selectPlatform,
  type Descriptor,
  type ImageManifest,
  type Platform,
} from '../manifest.js';
import {
  applyLayers,
  classifyEntry,
  isInterestingPath,
  maxKeptFileSize,
  normalizeEntryPath,
  type LayerChanges,
  type RootFile,
} from '../rootfs.js';
import type { ResolvedImage } from './source.js';

const MAX_LAYERS = 512;

export interface ImageRoot {
  manifest: ImageManifest;
  manifestDigest: string;
  platform?: string;
  root: Map<string, RootFile>;
  layers: number;
  bytesRead: number;
}

function decompressor(mediaType: string): Transform | PassThrough {
  if (
    mediaType.endsWith('+gzip') ||
    mediaType.endsWith('.tar.gzip') ||
    mediaType === 'application/vnd.docker.image.rootfs.diff.tar.gzip'
  )
    return zlib.createGunzip();
  if (mediaType.endsWith('+zstd')) return zlib.createZstdDecompress();
  if (mediaType.endsWith('.tar') || mediaType === 'application/vnd.docker.image.rootfs.diff.tar')
    return new PassThrough();
  throw new CustodyError('OCI_MANIFEST_INVALID', `unsupported layer media type ${mediaType}`);
}

async function readLayer(
  stream: Readable,
  layer: Descriptor,
  counter: { bytes: number }
): Promise<LayerChanges> {
  const changes: LayerChanges = { digest: layer.digest, files: [], deletions: [], opaqueDirs: [] };
  const hash = createHash('sha256');
  let read = 0;
  const hasher = new Transform({
    transform(chunk: Buffer, _enc, done) {
      read += chunk.byteLength;
      // Why: the manifest (digest-checked) states the layer's size; a source that sends more is
      // not serving this layer, and reading on would let it stream without end.
      if (read > layer.size) {
        done(
          new CustodyError(
            'OCI_BLOB_INVALID',
            `layer ${layer.digest} is longer than its declared ${layer.size} bytes`
          )
        );
        return;
      }
      hash.update(chunk);
      counter.bytes += chunk.byteLength;
      done(null, chunk);
    },
  });
  const extract = tarStream.extract();
  extract.on('entry', (header, entry, next) => {
    const p = normalizeEntryPath(header.name);
    if (p === undefined) {
      entry.on('end', next);
      entry.resume();
      return;
    }
    const c = classifyEntry(p);
    if (c.kind === 'opaque') changes.opaqueDirs.push(c.dir);
    else if (c.kind === 'delete') changes.deletions.push(c.path);
    const interesting = c.kind === 'file' && isInterestingPath(p);
    if (!interesting || header.type !== 'file' || (header.size ?? 0) > maxKeptFileSize(p)) {
      // A link or an oversized file in place of a package database hides the lower one.
      if (interesting) changes.deletions.push(p);
      entry.on('end', next);
      entry.resume();
      return;
    }
    const chunks: Buffer[] = [];
    entry.on('data', (d: unknown) => {
      chunks.push(d as Buffer);
    });
    entry.on('end', () => {
      changes.files.push({ path: p, bytes: Buffer.concat(chunks) });
      next();
    });
  });
  try {
    await pipeline(stream, hasher, decompressor(layer.mediaType), extract);
  } catch (error) {
    if (error instanceof CustodyError) throw error;
    throw new CustodyError(
      'OCI_BLOB_INVALID',
      `layer ${layer.digest} is not a readable (compressed) tar`,
      { cause: error }
    );
  }
  const found = `sha256:${hash.digest('hex')}`;
  // Why: the layer bytes are what the SBOM describes; a layer that is not the one the manifest
  // names (a swapped blob, a truncated download) must not produce an SBOM for this digest.
  if (found !== layer.digest) {
    throw new CustodyError('OCI_BLOB_INVALID', `layer ${layer.digest} has digest ${found}`, {
      details: { expected: layer.digest, found },
    });
  }
  return changes;
}

/** Picks the platform manifest of an index (default linux/amd64, or the only one) and reads its root. */
export async function readImageRoot(
  image: ResolvedImage,
  platformText?: string
): Promise<ImageRoot> {
  let manifest = image.manifest;
  let manifestDigest = image.digest;
  let platform: string | undefined;
  if (manifest.kind === 'index') {
    const wanted: Platform = parsePlatform(platformText ?? 'linux/amd64');
    const chosen = selectPlatform(manifest, wanted, image.digest);
    const fetched = await image.source.manifest(chosen.digest);
    manifest = fetched.manifest;
    manifestDigest = fetched.digest;
    platform = platformText ?? 'linux/amd64';
  }
  if (manifest.kind !== 'manifest')
    throw new CustodyError('OCI_MANIFEST_INVALID', `${manifestDigest} is a nested index`);
  if (manifest.artifactType !== undefined || manifest.config.mediaType === MEDIA_TYPES.ociEmpty) {
    throw new CustodyError(
      'OCI_MANIFEST_INVALID',
      `${manifestDigest} is an artifact (${manifest.artifactType ?? manifest.config.mediaType}), not a container image`
    );
  }
  if (manifest.layers.length > MAX_LAYERS)
    throw new CustodyError(
      'OCI_MANIFEST_INVALID',
      `${manifestDigest} has more than ${MAX_LAYERS} layers`
    );
  const counter = { bytes: 0 };
  const layers: LayerChanges[] = [];
  for (const layer of manifest.layers) {
    layers.push(
      await readLayer((await image.source.openBlob(layer.digest)) as Readable, layer, counter)
    );
  }
  return {
    manifest,
    manifestDigest,
    ...(platform === undefined ? {} : { platform }),
    root: applyLayers(layers),
    layers: layers.length,
    bytesRead: counter.bytes,
  };
}

interface SqliteModule {
  DatabaseSync: new (
    file: string,
    options?: { readOnly?: boolean }
  ) => {
    prepare(sql: string): { all(): Record<string, unknown>[] };
    close(): void;
  };
}

/** Reads rpmdb.sqlite's Packages blobs from a private copy (db + WAL) with node:sqlite. */
export function readRpmBlobs(db: Uint8Array, wal: Uint8Array | undefined): Uint8Array[] {
  let sqlite: SqliteModule;
  try {
    sqlite = createRequire(import.meta.url)('node:sqlite') as SqliteModule;
  } catch (error) {
    throw new Error('node:sqlite is not available in this Node.js (needs Node 22.5+)', {
      cause: error,
    });
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'custody-rpmdb-'));
  try {
    const file = path.join(dir, 'rpmdb.sqlite');
    writeFileSync(file, db);
    if (wal !== undefined) writeFileSync(`${file}-wal`, wal);
    const database = new sqlite.DatabaseSync(file);
    try {
      return database
        .prepare('SELECT blob FROM Packages ORDER BY hnum')
        .all()
        .flatMap((row) => (row.blob instanceof Uint8Array ? [row.blob] : []));
    } finally {
      database.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
