// Adapter: Sigstore bundles stored beside an image in its registry. Writing: an OCI 1.1 artifact
// manifest whose `subject` is the image (artifactType application/vnd.dev.sigstore.bundle.v0.3+json,
// as cosign v3 and actions/attest write it); when the registry does not implement the referrers
// API (no OCI-Subject header, or /referrers/ answers 404) the referrers tag schema index
// `sha256-<hex>` is updated too, and on request the same manifest is tagged `sha256-<hex>.sig` or
// `.att`. Reading: the referrers API, else the tag-schema index; every referrer is fetched by
// digest, must name the image as its subject, and its bundle blob is digest-checked.
import { CustodyError } from '../../errors.js';
import {
  addToReferrersIndex,
  buildReferrerManifest,
  cosignTag,
  EMPTY_CONFIG,
  MEDIA_TYPES,
  referrersTag,
  type Descriptor,
  type ImageIndex,
} from '../manifest.js';
import type { RegistryClient } from './registry.js';

export const BUNDLE_BLOB_LIMIT = 64 * 1024 * 1024;
const MAX_REFERRERS = 1000;
const ZERO_DIGEST = `sha256:${'0'.repeat(64)}`;

export interface AttachOptions {
  subject: Descriptor;
  bundle: Uint8Array;
  content: 'message-signature' | 'dsse-envelope';
  predicateType?: string;
  created: string;
  /** Also tag the referrer `sha256-<hex>.sig` / `.att` (cosign's legacy discovery tags). */
  cosignTags?: boolean;
  /** Force the tag-schema index even when the registry reports referrers support. */
  forceTagSchema?: boolean;
}

export interface AttachResult {
  referrer: Descriptor;
  /** How a verifier will find it: the referrers API or the `sha256-<hex>` index. */
  via: 'referrers-api' | 'tag-schema';
  tags: string[];
}

export async function supportsReferrersAPI(client: RegistryClient): Promise<boolean> {
  return (await client.referrers(ZERO_DIGEST)) !== undefined;
}

export async function attachBundle(
  client: RegistryClient,
  options: AttachOptions
): Promise<AttachResult> {
  const { bytes, descriptor } = buildReferrerManifest(options);
  await client.putBlob(EMPTY_CONFIG);
  await client.putBlob(options.bundle);
  const put = await client.putManifest(descriptor.digest, bytes, MEDIA_TYPES.ociManifest);
  const tags: string[] = [];
  const api =
    put.subject === options.subject.digest &&
    options.forceTagSchema !== true &&
    (await supportsReferrersAPI(client));
  if (!api) {
    const tag = referrersTag(options.subject.digest);
    const existing = await readTagIndex(client, tag);
    await client.putManifest(tag, addToReferrersIndex(existing, descriptor), MEDIA_TYPES.ociIndex);
    tags.push(tag);
  }
  if (options.cosignTags === true) {
    const tag = cosignTag(
      options.subject.digest,
      options.content === 'dsse-envelope' ? 'att' : 'sig'
    );
    await client.putManifest(tag, bytes, MEDIA_TYPES.ociManifest);
    tags.push(tag);
  }
  return { referrer: descriptor, via: api ? 'referrers-api' : 'tag-schema', tags };
}

async function readTagIndex(client: RegistryClient, tag: string): Promise<ImageIndex | undefined> {
  const head = await client.headManifest(tag);
  if (head === undefined) return undefined;
  const fetched = await client.getManifest(tag);
  if (fetched.manifest.kind !== 'index') {
    throw new CustodyError(
      'OCI_MANIFEST_INVALID',
      `the referrers tag ${tag} holds a ${fetched.manifest.mediaType}, not an index`,
      {
        hint: 'something else uses this tag; custody does not overwrite it',
      }
    );
  }
  return fetched.manifest;
}

export interface DiscoveredBundle {
  /** The referrer manifest's digest (stable id in reports). */
  referrer: string;
  via: 'referrers-api' | 'tag-schema' | 'cosign-tag';
  bundleDigest: string;
  bytes: Uint8Array;
}

export interface IgnoredReferrer {
  referrer: string;
  reason: string;
}

export interface Discovery {
  bundles: DiscoveredBundle[];
  ignored: IgnoredReferrer[];
  via: 'referrers-api' | 'tag-schema';
}

/** Finds the Sigstore bundles attached to `digest`. Anything that does not bind to it is ignored, with the reason. */
export async function discoverBundles(
  client: RegistryClient,
  digest: string,
  options: { cosignTags?: boolean } = {}
): Promise<Discovery> {
  let listed = await client.referrers(digest);
  const via = listed === undefined ? 'tag-schema' : 'referrers-api';
  if (listed === undefined) {
    const index = await readTagIndex(client, referrersTag(digest));
    listed = index?.manifests ?? [];
  }
  const candidates: { descriptor: Descriptor; via: DiscoveredBundle['via'] }[] = listed.map(
    (d) => ({ descriptor: d, via })
  );
  if (options.cosignTags === true) {
    for (const kind of ['sig', 'att'] as const) {
      const head = await client.headManifest(cosignTag(digest, kind));
      if (head !== undefined) candidates.push({ descriptor: head, via: 'cosign-tag' });
    }
  }
  const bundles: DiscoveredBundle[] = [];
  const ignored: IgnoredReferrer[] = [];
  const seen = new Set<string>();
  for (const { descriptor, via: foundVia } of candidates.slice(0, MAX_REFERRERS)) {
    if (seen.has(descriptor.digest)) continue;
    seen.add(descriptor.digest);
    if (
      descriptor.artifactType !== undefined &&
      descriptor.artifactType !== MEDIA_TYPES.sigstoreBundle
    ) {
      ignored.push({
        referrer: descriptor.digest,
        reason: `artifactType ${descriptor.artifactType} is not a Sigstore bundle`,
      });
      continue;
    }
    const fetched = await client.getManifest(descriptor.digest);
    const m = fetched.manifest;
    // Why: a tag-schema index is an ordinary tag anyone with push rights can rewrite; only a
    // manifest that itself names this image as its subject is evidence about this image.
    if (m.subject?.digest !== digest) {
      ignored.push({
        referrer: descriptor.digest,
        reason: `its subject is ${m.subject?.digest ?? 'absent'}, not ${digest}`,
      });
      continue;
    }
    if (m.kind !== 'manifest') {
      ignored.push({ referrer: descriptor.digest, reason: 'an index, not an artifact manifest' });
      continue;
    }
    const layer = m.layers.find((l) => l.mediaType === MEDIA_TYPES.sigstoreBundle);
    if (
      (m.artifactType ?? layer?.mediaType) !== MEDIA_TYPES.sigstoreBundle ||
      layer === undefined
    ) {
      ignored.push({
        referrer: descriptor.digest,
        reason: `artifactType ${m.artifactType ?? m.config.mediaType} is not a Sigstore bundle`,
      });
      continue;
    }
    if (layer.size > BUNDLE_BLOB_LIMIT) {
      ignored.push({
        referrer: descriptor.digest,
        reason: `its bundle is ${layer.size} bytes, over ${BUNDLE_BLOB_LIMIT}`,
      });
      continue;
    }
    const bytes = await client.getBlob(
      layer.digest,
      BUNDLE_BLOB_LIMIT,
      `bundle of referrer ${descriptor.digest}`
    );
    bundles.push({ referrer: descriptor.digest, via: foundVia, bundleDigest: layer.digest, bytes });
  }
  if (candidates.length > MAX_REFERRERS) {
    ignored.push({
      referrer: '…',
      reason: `more than ${MAX_REFERRERS} referrers; the rest were not read`,
    });
  }
  return { bundles, ignored, via };
}
