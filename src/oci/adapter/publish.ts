// Adapter: the image side of `custody sign IMAGE` and `custody attest … --subject IMAGE
// --push-to-registry`. A tag is resolved to a digest once; the digest is what is signed (a
// message signature over the manifest bytes, so messageDigest = the image digest, as for a
// file) and what the bundle is attached to as an OCI 1.1 referrer.
import type { InTotoStatement, ResourceDescriptor } from '../../attest/intoto.js';
import { CustodyError } from '../../errors.js';
import { signArtifact, type SignerConfig, type SigstoreBundleJSON } from '../../sign/index.js';
import { canonicalJSON } from '../../util/canonical-json.js';
import { platformManifests, type Descriptor } from '../manifest.js';
import { formatReference, subjectName, type RegistryReference } from '../reference.js';
import { attachBundle, type AttachResult } from './referrers.js';
import type { RegistryClient } from './registry.js';
import { openImage, resolveImage, type OpenImageOptions, type ResolvedImage } from './source.js';

export interface ImagePushOptions {
  cosignTags?: boolean;
  forceTagSchema?: boolean;
  /** RFC 3339 time written into the referrer manifest (SOURCE_DATE_EPOCH). */
  created: string;
}

export interface SignedImage {
  reference: string;
  digest: string;
  resolvedFromTag?: string;
  bundle: SigstoreBundleJSON;
  pushed?: AttachResult;
}

function registryOf(image: ResolvedImage, what: string): RegistryClient {
  if (image.source.registry === undefined) {
    throw new CustodyError(
      'USAGE_INVALID',
      `${what} needs an image in a registry; ${formatReference(image.source.reference)} is local`,
      {
        hint: 'push the image first (skopeo copy / docker push), or write the bundle to a file with --bundle',
      }
    );
  }
  return image.source.registry;
}

/** Opens and resolves an image argument to its pinned digest (closing the source is the caller's). */
export async function resolveImageArgument(
  arg: string,
  options: OpenImageOptions
): Promise<ResolvedImage> {
  const source = await openImage(arg, options);
  try {
    return await resolveImage(source);
  } catch (error) {
    await source.close();
    throw error;
  }
}

/** The image's subject descriptors for an in-toto statement: `HOST/REPO` + the manifest digest. */
export function imageSubject(image: ResolvedImage): ResourceDescriptor {
  return {
    name: subjectName(image.source.reference),
    digest: { sha256: image.digest.slice('sha256:'.length) },
  };
}

/** The digests `--recursive` also signs: each platform manifest of an index. */
export function platformDescriptors(image: ResolvedImage): Descriptor[] {
  return image.manifest.kind === 'index' ? platformManifests(image.manifest) : [];
}

export async function signImage(
  image: ResolvedImage,
  config: SignerConfig,
  options: ImagePushOptions & { push: boolean; recursive?: boolean }
): Promise<SignedImage[]> {
  const targets: { descriptor: Descriptor; bytes: Uint8Array }[] = [
    { descriptor: image.descriptor, bytes: image.bytes },
  ];
  if (options.recursive === true) {
    for (const d of platformDescriptors(image)) {
      const fetched = await image.source.manifest(d.digest);
      targets.push({ descriptor: fetched.descriptor, bytes: fetched.bytes });
    }
  }
  const client = options.push ? registryOf(image, 'pushing a signature') : undefined;
  const ref = image.source.reference;
  const out: SignedImage[] = [];
  for (const target of targets) {
    const bundle = await signArtifact(target.bytes, config);
    const pushed =
      client === undefined
        ? undefined
        : await attachBundle(client, {
            subject: target.descriptor,
            bundle: new TextEncoder().encode(canonicalJSON(bundle)),
            content: 'message-signature',
            created: options.created,
            ...(options.cosignTags === true ? { cosignTags: true } : {}),
            ...(options.forceTagSchema === true ? { forceTagSchema: true } : {}),
          });
    const pinned =
      ref.kind === 'registry'
        ? formatReference({ ...ref, digest: target.descriptor.digest } satisfies RegistryReference)
        : formatReference(ref);
    out.push({
      reference: pinned,
      digest: target.descriptor.digest,
      ...(image.resolvedFromTag === undefined || target.descriptor.digest !== image.digest
        ? {}
        : { resolvedFromTag: image.resolvedFromTag }),
      bundle,
      ...(pushed === undefined ? {} : { pushed }),
    });
  }
  return out;
}

/**
 * Attaches a signed statement to every image among its subjects. The statement's subject digest
 * is used, never the tag again: a tag moved since the statement was made must not receive it.
 */
export async function pushAttestation(
  images: ResolvedImage[],
  statement: InTotoStatement,
  bundle: SigstoreBundleJSON,
  options: ImagePushOptions
): Promise<{ reference: string; pushed: AttachResult }[]> {
  const bytes = new TextEncoder().encode(canonicalJSON(bundle));
  const results: { reference: string; pushed: AttachResult }[] = [];
  for (const image of images) {
    const client = registryOf(image, '--push-to-registry');
    const hex = image.digest.slice('sha256:'.length);
    if (!statement.subject.some((s) => s.digest?.sha256 === hex)) {
      throw new CustodyError(
        'ATTEST_SUBJECT_INVALID',
        `the statement does not name ${image.digest} as a subject`
      );
    }
    const pushed = await attachBundle(client, {
      subject: image.descriptor,
      bundle: bytes,
      content: 'dsse-envelope',
      predicateType: statement.predicateType,
      created: options.created,
      ...(options.cosignTags === true ? { cosignTags: true } : {}),
      ...(options.forceTagSchema === true ? { forceTagSchema: true } : {}),
    });
    const ref = image.source.reference as RegistryReference;
    results.push({ reference: formatReference({ ...ref, digest: image.digest }), pushed });
  }
  return results;
}
