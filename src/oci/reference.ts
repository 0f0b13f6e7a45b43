// Image references: the names custody accepts for a container image. Pure parsing; the adapter
// decides between a registry name and a local path (an OCI layout directory, a tarball).
//   oci://HOST[:PORT]/REPO@sha256:<hex>     a registry image pinned by digest
//   oci://HOST/REPO:TAG, HOST/REPO:TAG      a tag, resolved to a digest once (the digest is signed)
//   oci-layout:DIR[:TAG|@sha256:…]          an OCI image layout directory (skopeo's `oci:` too)
//   oci-archive:FILE, docker-archive:FILE   an OCI layout tarball / `docker save` output
import { CustodyError } from '../errors.js';

export const DIGEST_PATTERN = /^sha256:[a-f0-9]{64}$/;
const ANY_DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
// distribution/reference grammar, simplified: path components and tags.
const COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9a-fA-F:]+\])(?::[0-9]{1,5})?$/;

export interface RegistryReference {
  kind: 'registry';
  /** host[:port] as written (docker.io names are normalised to docker.io). */
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
}

export interface LocalImageReference {
  kind: 'layout' | 'archive';
  path: string;
  /** For archives: 'docker' (manifest.json) or 'oci' (index.json); detected when absent. */
  format?: 'docker' | 'oci';
  tag?: string;
  digest?: string;
}

export type ImageReference = RegistryReference | LocalImageReference;

/** The canonical text of a reference (`HOST/REPO@sha256:…`, `HOST/REPO:TAG`, `oci-layout:DIR`). */
export function formatReference(ref: ImageReference): string {
  if (ref.kind === 'registry') {
    const name = `${ref.registry}/${ref.repository}`;
    if (ref.digest !== undefined) return `${name}@${ref.digest}`;
    return `${name}:${ref.tag ?? 'latest'}`;
  }
  const prefix = ref.kind === 'layout' ? 'oci-layout' : `${ref.format ?? 'oci'}-archive`;
  const suffix =
    ref.digest !== undefined ? `@${ref.digest}` : ref.tag !== undefined ? `:${ref.tag}` : '';
  return `${prefix}:${ref.path}${suffix}`;
}

/** The repository name an attestation subject carries (`HOST/REPO`, as actions/attest's subject-name). */
export function subjectName(ref: ImageReference): string {
  return ref.kind === 'registry' ? `${ref.registry}/${ref.repository}` : formatReference(ref);
}

function invalid(text: string, why: string): never {
  throw new CustodyError(
    'OCI_REFERENCE_INVALID',
    `invalid image reference ${JSON.stringify(text)}: ${why}`,
    {
      hint: 'use oci://HOST/REPO@sha256:<digest>, HOST/REPO:TAG, oci-layout:DIR or oci-archive:FILE',
    }
  );
}

export function checkDigest(text: string, digest: string): string {
  if (DIGEST_PATTERN.test(digest)) return digest;
  if (ANY_DIGEST.test(digest))
    invalid(text, `only sha256 digests are supported, not ${digest.split(':')[0]}`);
  return invalid(text, `${JSON.stringify(digest)} is not a sha256:<64 lowercase hex> digest`);
}

/** True when the text names an image rather than a file: a transport prefix or HOST/REPO with a tag or digest. */
export function looksLikeImageReference(text: string): boolean {
  if (/^(oci|oci-layout|oci-archive|docker-archive|docker):/.test(text)) return true;
  const slash = text.indexOf('/');
  if (slash <= 0) return false;
  const host = text.slice(0, slash);
  if (!(host.includes('.') || host.includes(':') || host === 'localhost')) return false;
  if (!HOST.test(host)) return false;
  const rest = text.slice(slash + 1);
  return rest.includes('@sha256:') || /:[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(rest);
}

function parseLocal(
  text: string,
  kind: 'layout' | 'archive',
  format: 'docker' | 'oci' | undefined,
  body: string
): LocalImageReference {
  let filePath = body;
  let tag: string | undefined;
  let digest: string | undefined;
  const at = body.lastIndexOf('@');
  if (at > 0 && body.slice(at + 1).startsWith('sha256:')) {
    digest = checkDigest(text, body.slice(at + 1));
    filePath = body.slice(0, at);
  } else if (kind === 'layout') {
    // oci-layout:DIR:TAG — the tag is after the last colon when it is a valid tag and not a Windows drive.
    const colon = body.lastIndexOf(':');
    if (colon > 1 && TAG.test(body.slice(colon + 1)) && !body.slice(colon + 1).includes('/')) {
      tag = body.slice(colon + 1);
      filePath = body.slice(0, colon);
    }
  }
  if (filePath === '') invalid(text, 'no path');
  return {
    kind,
    path: filePath,
    ...(format === undefined ? {} : { format }),
    ...(tag === undefined ? {} : { tag }),
    ...(digest === undefined ? {} : { digest }),
  };
}

/** Parses a registry reference (with or without `oci://`/`docker://`). */
export function parseRegistryReference(text: string): RegistryReference {
  let body = text.replace(/^(oci|docker):\/\//, '');
  if (body.length > 4096) invalid(text.slice(0, 64) + '…', 'longer than 4096 characters');
  let digest: string | undefined;
  const at = body.indexOf('@');
  if (at >= 0) {
    digest = checkDigest(text, body.slice(at + 1));
    body = body.slice(0, at);
  }
  let tag: string | undefined;
  const lastSlash = body.lastIndexOf('/');
  const colon = body.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = body.slice(colon + 1);
    body = body.slice(0, colon);
    if (!TAG.test(tag)) invalid(text, `${JSON.stringify(tag)} is not a valid tag`);
  }
  const parts = body.split('/');
  let registry: string;
  let repoParts: string[];
  const first = parts[0] ?? '';
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    registry = first;
    repoParts = parts.slice(1);
  } else {
    registry = 'docker.io';
    repoParts = parts.length === 1 ? ['library', ...parts] : parts;
  }
  if (!HOST.test(registry)) invalid(text, `${JSON.stringify(registry)} is not a registry host`);
  if (registry === 'index.docker.io' || registry === 'registry-1.docker.io') registry = 'docker.io';
  if (repoParts.length === 0 || repoParts.some((p) => !COMPONENT.test(p))) {
    invalid(text, 'the repository must be lowercase path components (a-z, 0-9, ., _, -)');
  }
  return {
    kind: 'registry',
    registry,
    repository: repoParts.join('/'),
    ...(tag === undefined ? {} : { tag }),
    ...(digest === undefined ? {} : { digest }),
  };
}

/** Parses any image reference; plain paths are for the adapter (it checks the filesystem first). */
export function parseImageReference(text: string): ImageReference {
  const transport = /^(oci-layout|oci|oci-archive|docker-archive):(?!\/\/)(.*)$/s.exec(text);
  if (transport !== null) {
    const [, name, body = ''] = transport;
    if (name === 'oci-layout' || name === 'oci') return parseLocal(text, 'layout', undefined, body);
    return parseLocal(text, 'archive', name === 'docker-archive' ? 'docker' : 'oci', body);
  }
  return parseRegistryReference(text);
}

/** The loopback hosts for which plain HTTP is the default (a registry on this machine). */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registry.replace(/:[0-9]+$/, '').replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.[0-9]+\.[0-9]+\.[0-9]+$/.test(host);
}
