// Adapter: opens an image wherever it lives — a registry, an OCI image layout directory, or a
// tarball (`docker save`, `oci-archive`; unpacked into a private temporary directory first) —
// behind one interface, and resolves a tag to a digest exactly once.
import { createReadStream } from 'node:fs';
import { mkdtemp, mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createWriteStream } from 'node:fs';
import * as tarStream from 'tar-stream';
import { CustodyError } from '../../errors.js';
import {
  MANIFEST_LIMIT,
  MEDIA_TYPES,
  parseManifest,
  sha256Digest,
  type Descriptor,
  type ParsedManifest,
} from '../manifest.js';
import {
  DIGEST_PATTERN,
  parseImageReference,
  type ImageReference,
  type LocalImageReference,
  type RegistryReference,
} from '../reference.js';
import { findRegistryCredentials } from './credentials.js';
import { RegistryClient } from './registry.js';

export interface OpenImageOptions {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  fetch?: typeof fetch;
  plainHttp?: boolean;
}

export interface ImageSource {
  reference: ImageReference;
  /** Fetches a manifest by digest (or the source's own tag/default), digest-checked. */
  manifest(reference: string): Promise<{
    bytes: Uint8Array;
    digest: string;
    manifest: ParsedManifest;
    descriptor: Descriptor;
  }>;
  blob(digest: string, limit: number): Promise<Uint8Array>;
  openBlob(digest: string): Promise<NodeJS.ReadableStream>;
  /** The registry client when the image is in a registry (referrers, uploads). */
  registry?: RegistryClient;
  close(): Promise<void>;
}

export interface ResolvedImage {
  source: ImageSource;
  /** The top-level digest (index or manifest): what is signed. */
  digest: string;
  descriptor: Descriptor;
  manifest: ParsedManifest;
  bytes: Uint8Array;
  /** The tag the digest was resolved from, if any. */
  resolvedFromTag?: string;
}

export { isImageArgument } from './argument.js';

async function localReference(arg: string, cwd: string): Promise<ImageReference | undefined> {
  if (/^[a-z-]+:/.test(arg) && !/^[A-Za-z]:[\\/]/.test(arg)) return undefined;
  const absolute = path.resolve(cwd, arg);
  const info = await stat(absolute).catch(() => undefined);
  if (info === undefined) return undefined;
  if (info.isDirectory()) return { kind: 'layout', path: arg };
  return { kind: 'archive', path: arg };
}

export async function openImage(arg: string, options: OpenImageOptions): Promise<ImageSource> {
  const reference = (await localReference(arg, options.cwd)) ?? parseImageReference(arg);
  if (reference.kind === 'registry') {
    const { credentials } = await findRegistryCredentials(reference.registry, options.env);
    const client = new RegistryClient(reference.registry, reference.repository, {
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      ...(credentials === undefined ? {} : { credentials }),
      ...(options.plainHttp === true ? { plainHttp: true } : {}),
    });
    return registrySource(reference, client);
  }
  const absolute = path.resolve(options.cwd, reference.path);
  if (reference.kind === 'layout') return layoutSource(reference, absolute, async () => {});
  const dir = await mkdtemp(path.join(os.tmpdir(), 'custody-image-'));
  try {
    await unpackTar(absolute, dir);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const cleanup = async (): Promise<void> => rm(dir, { recursive: true, force: true });
  const hasIndex = await stat(path.join(dir, 'index.json')).then(
    () => true,
    () => false
  );
  if (hasIndex && reference.format !== 'docker') return layoutSource(reference, dir, cleanup);
  return dockerArchiveSource(reference, dir, cleanup);
}

function registrySource(reference: RegistryReference, client: RegistryClient): ImageSource {
  return {
    reference,
    registry: client,
    manifest: (ref) => client.getManifest(ref),
    blob: (digest, limit) => client.getBlob(digest, limit),
    openBlob: async (digest) => Readable.fromWeb(await client.openBlob(digest)),
    close: async () => {},
  };
}

const ARCHIVE_LIMIT = 64 * 1024 * 1024 * 1024;

/** Unpacks a tarball's regular files into `dir`; names with `..`, absolute names and links are refused. */
async function unpackTar(file: string, dir: string): Promise<void> {
  const info = await stat(file).catch((error: unknown) => {
    throw new CustodyError('INPUT_NOT_FOUND', `image archive ${file} does not exist`, {
      cause: error,
    });
  });
  if (info.size > ARCHIVE_LIMIT)
    throw new CustodyError('INPUT_TOO_LARGE', `image archive ${file} is over 64 GiB`);
  const extract = tarStream.extract();
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, stream, next) => {
      const name = header.name.replace(/^\.\//, '').replace(/\/+$/, '');
      const safe = name !== '' && !name.startsWith('/') && !name.split('/').includes('..');
      if (!safe) {
        stream.resume();
        reject(
          new CustodyError(
            'OCI_ARCHIVE_INVALID',
            `image archive entry ${JSON.stringify(header.name)} is not a safe relative path`
          )
        );
        return;
      }
      if (header.type !== 'file') {
        stream.on('end', next);
        stream.resume();
        return;
      }
      const target = path.join(dir, name);
      mkdir(path.dirname(target), { recursive: true })
        .then(() => pipeline(stream, createWriteStream(target, { flags: 'wx' })))
        .then(() => next(), reject);
    });
    extract.on('finish', resolve);
    extract.on('error', (error: unknown) =>
      reject(
        new CustodyError('OCI_ARCHIVE_INVALID', `image archive ${file} is not a readable tar`, {
          cause: error,
        })
      )
    );
  });
  await Promise.all([
    pipeline(createReadStream(file), extract).catch((error: unknown) => {
      throw error instanceof CustodyError
        ? error
        : new CustodyError('OCI_ARCHIVE_INVALID', `image archive ${file} is not a readable tar`, {
            cause: error,
          });
    }),
    done,
  ]);
}

async function readBlobFile(dir: string, digest: string, limit: number): Promise<Uint8Array> {
  if (!DIGEST_PATTERN.test(digest))
    throw new CustodyError('OCI_MANIFEST_INVALID', `unsupported digest ${digest}`);
  const file = path.join(dir, 'blobs', 'sha256', digest.slice('sha256:'.length));
  const handle = await open(file, 'r').catch((error: unknown) => {
    throw new CustodyError('OCI_NOT_FOUND', `the image layout has no blob ${digest}`, {
      cause: error,
    });
  });
  try {
    const { size } = await handle.stat();
    if (size > limit)
      throw new CustodyError(
        'OCI_BLOB_INVALID',
        `blob ${digest} is ${size} bytes, over its ${limit}-byte limit`
      );
    const bytes = await handle.readFile();
    const found = sha256Digest(bytes);
    if (found !== digest) {
      throw new CustodyError(
        'OCI_BLOB_INVALID',
        `blob ${digest} in the image layout has digest ${found}`,
        { details: { expected: digest, found } }
      );
    }
    return bytes;
  } finally {
    await handle.close();
  }
}

async function layoutSource(
  reference: LocalImageReference,
  dir: string,
  close: () => Promise<void>
): Promise<ImageSource> {
  const indexPath = path.join(dir, 'index.json');
  const indexBytes = await readFile(indexPath).catch((error: unknown) => {
    throw new CustodyError(
      'OCI_ARCHIVE_INVALID',
      `${reference.kind === 'layout' ? 'OCI layout' : 'image archive'} ${reference.path} has no index.json`,
      { cause: error }
    );
  });
  const index = parseManifest(indexBytes, MEDIA_TYPES.ociIndex, `${reference.path}/index.json`);
  if (index.kind !== 'index')
    throw new CustodyError('OCI_ARCHIVE_INVALID', `${indexPath} is not an image index`);
  const tag = reference.tag;
  const digest = reference.digest;
  const pick = (): Descriptor => {
    const candidates = index.manifests.filter((m) =>
      digest !== undefined
        ? m.digest === digest
        : tag !== undefined
          ? m.annotations?.['org.opencontainers.image.ref.name'] === tag ||
            m.annotations?.['io.containerd.image.name']?.endsWith(`:${tag}`) === true
          : true
    );
    const only = candidates[0];
    if (only === undefined)
      throw new CustodyError(
        'OCI_NOT_FOUND',
        `${reference.path} has no image ${digest ?? tag ?? ''}`.trim()
      );
    if (candidates.length > 1) {
      throw new CustodyError(
        'OCI_REFERENCE_INVALID',
        `${reference.path} holds ${candidates.length} images; name one with :TAG or @sha256:…`,
        {
          details: {
            images: candidates.map(
              (c) => c.annotations?.['org.opencontainers.image.ref.name'] ?? c.digest
            ),
          },
        }
      );
    }
    return only;
  };
  return {
    reference,
    async manifest(ref) {
      const wanted = ref === '' ? pick().digest : ref;
      const bytes = await readBlobFile(dir, wanted, MANIFEST_LIMIT);
      const listed = index.manifests.find((m) => m.digest === wanted);
      const manifest = parseManifest(bytes, listed?.mediaType, `${reference.path}@${wanted}`);
      return {
        bytes,
        digest: wanted,
        manifest,
        descriptor: { mediaType: manifest.mediaType, digest: wanted, size: bytes.byteLength },
      };
    },
    blob: (d, limit) => readBlobFile(dir, d, limit),
    openBlob: async (d) => {
      await readBlobFileExists(dir, d);
      return createReadStream(path.join(dir, 'blobs', 'sha256', d.slice('sha256:'.length)));
    },
    close,
  };
}

async function readBlobFileExists(dir: string, digest: string): Promise<void> {
  if (!DIGEST_PATTERN.test(digest))
    throw new CustodyError('OCI_MANIFEST_INVALID', `unsupported digest ${digest}`);
  await stat(path.join(dir, 'blobs', 'sha256', digest.slice('sha256:'.length))).catch(
    (error: unknown) => {
      throw new CustodyError('OCI_NOT_FOUND', `the image has no blob ${digest}`, { cause: error });
    }
  );
}

/**
 * Legacy `docker save` (manifest.json with Config + Layers paths, no index.json): custody
 * synthesises the Docker v2 manifest from the config and layer files. Its digest is what this
 * archive's image would have locally; a registry may report another digest after compression.
 */
async function dockerArchiveSource(
  reference: LocalImageReference,
  dir: string,
  close: () => Promise<void>
): Promise<ImageSource> {
  const text = await readFile(path.join(dir, 'manifest.json'), 'utf8').catch((error: unknown) => {
    throw new CustodyError(
      'OCI_ARCHIVE_INVALID',
      `image archive ${reference.path} has neither index.json nor manifest.json`,
      { cause: error }
    );
  });
  let entries: { Config?: unknown; Layers?: unknown; RepoTags?: unknown }[];
  try {
    entries = JSON.parse(text) as typeof entries;
  } catch (error) {
    throw new CustodyError('OCI_ARCHIVE_INVALID', `${reference.path}: manifest.json is not JSON`, {
      cause: error,
    });
  }
  const entry = Array.isArray(entries) && entries.length === 1 ? entries[0] : undefined;
  if (
    entry === undefined ||
    typeof entry.Config !== 'string' ||
    !Array.isArray(entry.Layers) ||
    !entry.Layers.every((l) => typeof l === 'string')
  ) {
    throw new CustodyError(
      'OCI_ARCHIVE_INVALID',
      `${reference.path}: manifest.json must describe exactly one image (Config, Layers)`
    );
  }
  const files = new Map<string, string>();
  const describe = async (rel: string, mediaType: string): Promise<Descriptor> => {
    const file = path.join(dir, rel);
    if (rel.split('/').includes('..') || path.isAbsolute(rel))
      throw new CustodyError('OCI_ARCHIVE_INVALID', `unsafe path ${rel} in manifest.json`);
    const bytes = await readFile(file).catch((error: unknown) => {
      throw new CustodyError(
        'OCI_ARCHIVE_INVALID',
        `${reference.path}: ${rel} is listed in manifest.json but missing`,
        { cause: error }
      );
    });
    const digest = sha256Digest(bytes);
    files.set(digest, file);
    // docker save names layers layer.tar whether or not they are compressed: the bytes decide.
    const gzip = bytes[0] === 0x1f && bytes[1] === 0x8b;
    return {
      mediaType: gzip && mediaType.endsWith('.tar') ? `${mediaType}.gzip` : mediaType,
      digest,
      size: bytes.byteLength,
    };
  };
  const config = await describe(entry.Config, MEDIA_TYPES.dockerConfig);
  const layers: Descriptor[] = [];
  for (const layer of entry.Layers)
    layers.push(await describe(layer, 'application/vnd.docker.image.rootfs.diff.tar'));
  const manifestJSON = { schemaVersion: 2, mediaType: MEDIA_TYPES.dockerManifest, config, layers };
  const bytes = new TextEncoder().encode(JSON.stringify(manifestJSON));
  const digest = sha256Digest(bytes);
  const manifest = parseManifest(bytes, MEDIA_TYPES.dockerManifest, reference.path);
  const fileFor = (d: string): string => {
    const f = files.get(d);
    if (f === undefined)
      throw new CustodyError('OCI_NOT_FOUND', `${reference.path} has no blob ${d}`);
    return f;
  };
  return {
    reference,
    manifest: (ref) => {
      if (ref !== '' && ref !== digest)
        return Promise.reject(
          new CustodyError('OCI_NOT_FOUND', `${reference.path} has no manifest ${ref}`)
        );
      return Promise.resolve({
        bytes,
        digest,
        manifest,
        descriptor: { mediaType: MEDIA_TYPES.dockerManifest, digest, size: bytes.byteLength },
      });
    },
    blob: async (d, limit) => {
      const data = await readFile(fileFor(d));
      if (data.byteLength > limit)
        throw new CustodyError('OCI_BLOB_INVALID', `blob ${d} is over its ${limit}-byte limit`);
      return data;
    },
    openBlob: (d) => Promise.resolve(createReadStream(fileFor(d))),
    close,
  };
}

/** Resolves the image's top-level manifest; a tag is looked up once and only the digest is used after. */
export async function resolveImage(source: ImageSource): Promise<ResolvedImage> {
  const ref = source.reference;
  let wanted = '';
  let resolvedFromTag: string | undefined;
  if (ref.kind === 'registry') {
    if (ref.digest !== undefined) wanted = ref.digest;
    else {
      resolvedFromTag = ref.tag ?? 'latest';
      wanted = resolvedFromTag;
    }
  }
  const fetched = await source.manifest(wanted);
  return {
    source,
    digest: fetched.digest,
    descriptor: fetched.descriptor,
    manifest: fetched.manifest,
    bytes: fetched.bytes,
    ...(resolvedFromTag === undefined ? {} : { resolvedFromTag }),
  };
}
