// OCI and Docker manifests and indexes: parsing untrusted bytes into typed descriptors, choosing a
// platform, and building the artifact manifests that carry Sigstore bundles as OCI 1.1 referrers
// (the layout of @sigstore/oci, which actions/attest pushes with, and of cosign v3).
import { createHash } from 'node:crypto';
import { CustodyError } from '../errors.js';
import { canonicalJSON } from '../util/canonical-json.js';
import { DIGEST_PATTERN } from './reference.js';

export const MEDIA_TYPES = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  sigstoreBundle: 'application/vnd.dev.sigstore.bundle.v0.3+json',
} as const;

export const MANIFEST_ACCEPT = [
  MEDIA_TYPES.ociIndex,
  MEDIA_TYPES.ociManifest,
  MEDIA_TYPES.dockerList,
  MEDIA_TYPES.dockerManifest,
].join(', ');

/** distribution's own limit for a manifest PUT is 4 MiB. */
export const MANIFEST_LIMIT = 4 * 1024 * 1024;
export const EMPTY_CONFIG = new TextEncoder().encode('{}');

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
  platform?: { os: string; architecture: string; variant?: string };
}

export interface ImageManifest {
  kind: 'manifest';
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
  artifactType?: string;
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

export interface ImageIndex {
  kind: 'index';
  mediaType: string;
  manifests: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

export type ParsedManifest = ImageManifest | ImageIndex;

export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function bad(source: string, why: string): never {
  throw new CustodyError('OCI_MANIFEST_INVALID', `${source}: ${why}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringMap(
  value: unknown,
  source: string,
  field: string
): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) bad(source, `${field} must be an object of strings`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') bad(source, `${field}.${k} must be a string`);
    out[k] = v;
  }
  return out;
}

export function parseDescriptor(value: unknown, source: string, field: string): Descriptor {
  if (!isRecord(value)) bad(source, `${field} must be a descriptor object`);
  const { mediaType, digest, size, artifactType, platform } = value;
  if (typeof mediaType !== 'string' || mediaType === '')
    bad(source, `${field}.mediaType is missing`);
  if (typeof digest !== 'string' || !DIGEST_PATTERN.test(digest)) {
    bad(source, `${field}.digest must be sha256:<64 hex>, found ${JSON.stringify(digest)}`);
  }
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    bad(source, `${field}.size must be a non-negative integer`);
  }
  const annotations = stringMap(value.annotations, source, `${field}.annotations`);
  const descriptor: Descriptor = { mediaType, digest, size };
  if (typeof artifactType === 'string') descriptor.artifactType = artifactType;
  if (annotations !== undefined) descriptor.annotations = annotations;
  if (
    isRecord(platform) &&
    typeof platform.os === 'string' &&
    typeof platform.architecture === 'string'
  ) {
    descriptor.platform = {
      os: platform.os,
      architecture: platform.architecture,
      ...(typeof platform.variant === 'string' ? { variant: platform.variant } : {}),
    };
  }
  return descriptor;
}

/**
 * Parses manifest bytes. `contentType` is the registry's Content-Type (or the descriptor's
 * mediaType); the document's own mediaType wins when present and both must agree.
 */
export function parseManifest(
  bytes: Uint8Array,
  contentType: string | undefined,
  source: string
): ParsedManifest {
  if (bytes.byteLength > MANIFEST_LIMIT)
    bad(source, `manifest is ${bytes.byteLength} bytes, over the ${MANIFEST_LIMIT}-byte limit`);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw new CustodyError('OCI_MANIFEST_INVALID', `${source}: not JSON`, { cause: error });
  }
  if (!isRecord(json)) bad(source, 'a manifest must be a JSON object');
  if (json.schemaVersion !== 2)
    bad(source, `schemaVersion must be 2, found ${JSON.stringify(json.schemaVersion)}`);
  const declared = typeof json.mediaType === 'string' ? json.mediaType : undefined;
  const header = contentType?.split(';')[0]?.trim();
  // Why: a document that says it is one type while served as another is how type-confusion
  // attacks between an index and a manifest start; both must agree when both are present.
  if (
    declared !== undefined &&
    header !== undefined &&
    header !== '' &&
    header !== declared &&
    header !== 'application/json' &&
    header !== 'application/octet-stream'
  ) {
    bad(source, `served as ${header} but declares mediaType ${declared}`);
  }
  const mediaType =
    declared ??
    header ??
    (Array.isArray(json.manifests) ? MEDIA_TYPES.ociIndex : MEDIA_TYPES.ociManifest);
  const annotations = stringMap(json.annotations, source, 'annotations');
  const subject =
    json.subject === undefined ? undefined : parseDescriptor(json.subject, source, 'subject');
  if (mediaType === MEDIA_TYPES.ociIndex || mediaType === MEDIA_TYPES.dockerList) {
    if (!Array.isArray(json.manifests)) bad(source, 'an index needs a manifests array');
    if (json.manifests.length > 10_000) bad(source, 'an index lists more than 10,000 manifests');
    return {
      kind: 'index',
      mediaType,
      manifests: json.manifests.map((m, i) => parseDescriptor(m, source, `manifests[${i}]`)),
      ...(subject === undefined ? {} : { subject }),
      ...(annotations === undefined ? {} : { annotations }),
    };
  }
  if (mediaType === MEDIA_TYPES.ociManifest || mediaType === MEDIA_TYPES.dockerManifest) {
    if (!Array.isArray(json.layers)) bad(source, 'a manifest needs a layers array');
    if (json.layers.length > 10_000) bad(source, 'a manifest lists more than 10,000 layers');
    return {
      kind: 'manifest',
      mediaType,
      config: parseDescriptor(json.config, source, 'config'),
      layers: json.layers.map((l, i) => parseDescriptor(l, source, `layers[${i}]`)),
      ...(typeof json.artifactType === 'string' ? { artifactType: json.artifactType } : {}),
      ...(subject === undefined ? {} : { subject }),
      ...(annotations === undefined ? {} : { annotations }),
    };
  }
  return bad(source, `unsupported manifest media type ${mediaType}`);
}

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export function parsePlatform(text: string): Platform {
  const [os, architecture, variant, extra] = text.split('/');
  if (
    os === undefined ||
    os === '' ||
    architecture === undefined ||
    architecture === '' ||
    extra !== undefined
  ) {
    throw new CustodyError(
      'OCI_REFERENCE_INVALID',
      `--platform must be os/arch[/variant], not ${JSON.stringify(text)}`
    );
  }
  return { os, architecture, ...(variant === undefined || variant === '' ? {} : { variant }) };
}

export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, ...(p.variant === undefined ? [] : [p.variant])].join('/');
}

/** The platform manifests of an index (attestation manifests of buildx, `unknown/unknown`, left out). */
export function platformManifests(index: ImageIndex): Descriptor[] {
  return index.manifests.filter(
    (m) =>
      (m.mediaType === MEDIA_TYPES.ociManifest || m.mediaType === MEDIA_TYPES.dockerManifest) &&
      m.platform !== undefined &&
      m.platform.os !== 'unknown'
  );
}

export function selectPlatform(index: ImageIndex, platform: Platform, source: string): Descriptor {
  const found = platformManifests(index).find(
    (m) =>
      m.platform?.os === platform.os &&
      m.platform.architecture === platform.architecture &&
      (platform.variant === undefined || m.platform.variant === platform.variant)
  );
  if (found === undefined) {
    const available = platformManifests(index).map((m) => formatPlatform(m.platform as Platform));
    throw new CustodyError(
      'OCI_PLATFORM_NOT_FOUND',
      `${source} has no manifest for ${formatPlatform(platform)}`,
      {
        hint:
          available.length === 0
            ? 'the index lists no platform manifests'
            : `available: ${available.join(', ')}`,
        details: { available },
      }
    );
  }
  return found;
}

/** The referrers tag schema (distribution-spec): `sha256-<hex>` names the fallback index. */
export function referrersTag(digest: string): string {
  return digest.replace(':', '-');
}

/** cosign's legacy tags: `sha256-<hex>.sig` (signatures) and `.att` (attestations). */
export function cosignTag(digest: string, kind: 'sig' | 'att'): string {
  return `${referrersTag(digest)}.${kind}`;
}

export interface ReferrerManifestInput {
  subject: Descriptor;
  bundle: Uint8Array;
  /** `message-signature` or `dsse-envelope` (dev.sigstore.bundle.content). */
  content: 'message-signature' | 'dsse-envelope';
  predicateType?: string;
  /** RFC 3339 creation time (SOURCE_DATE_EPOCH for determinism). */
  created: string;
}

/** The referrer artifact manifest for one Sigstore bundle, byte-for-byte deterministic. */
export function buildReferrerManifest(input: ReferrerManifestInput): {
  bytes: Uint8Array;
  descriptor: Descriptor;
} {
  const annotations: Record<string, string> = {
    'dev.sigstore.bundle.content': input.content,
    'org.opencontainers.image.created': input.created,
    ...(input.predicateType === undefined
      ? {}
      : { 'dev.sigstore.bundle.predicateType': input.predicateType }),
  };
  const manifest = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.ociManifest,
    artifactType: MEDIA_TYPES.sigstoreBundle,
    config: {
      mediaType: MEDIA_TYPES.ociEmpty,
      digest: sha256Digest(EMPTY_CONFIG),
      size: EMPTY_CONFIG.byteLength,
    },
    layers: [
      {
        mediaType: MEDIA_TYPES.sigstoreBundle,
        digest: sha256Digest(input.bundle),
        size: input.bundle.byteLength,
      },
    ],
    subject: {
      mediaType: input.subject.mediaType,
      digest: input.subject.digest,
      size: input.subject.size,
    },
    annotations,
  };
  const bytes = new TextEncoder().encode(canonicalJSON(manifest));
  return {
    bytes,
    descriptor: {
      mediaType: MEDIA_TYPES.ociManifest,
      digest: sha256Digest(bytes),
      size: bytes.byteLength,
      artifactType: MEDIA_TYPES.sigstoreBundle,
      annotations,
    },
  };
}

/** Adds a referrer to a tag-schema index (or starts one), keeping entries unique and sorted by digest. */
export function addToReferrersIndex(
  existing: ImageIndex | undefined,
  referrer: Descriptor
): Uint8Array {
  const manifests = (existing?.manifests ?? []).filter((m) => m.digest !== referrer.digest);
  manifests.push(referrer);
  manifests.sort((a, b) => (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0));
  const index = { schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests };
  return new TextEncoder().encode(canonicalJSON(index));
}

/** The artifact type of a referrer as the referrers API reports it (artifactType, else config type). */
export function referrerArtifactType(m: ImageManifest): string {
  return m.artifactType ?? m.config.mediaType;
}
