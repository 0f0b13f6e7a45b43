import type { ErrorCodeTable } from '../error-codes.js';

// Container images (OCI_*): references, manifests, registries, image layouts and archives.
export const OCI_ERROR_CODES = {
  OCI_REFERENCE_INVALID: {
    exit: 2,
    summary:
      'An image reference cannot be parsed: use oci://HOST/REPO@sha256:<64 hex>, HOST/REPO:TAG, an OCI layout directory or a docker-save/oci-archive tarball.',
  },
  OCI_REFERENCE_UNPINNED: {
    exit: 1,
    summary:
      'An image is named by tag only where a digest is required (e.g. in a Kubernetes manifest): pin it as IMAGE@sha256:<digest>.',
  },
  OCI_MANIFEST_INVALID: {
    exit: 2,
    summary:
      'An image manifest or index is malformed, too large, of an unsupported media type, or its bytes do not match the digest they were fetched by.',
  },
  OCI_NOT_FOUND: {
    exit: 2,
    summary:
      'The registry, layout or archive has no manifest or blob for this reference (HTTP 404 / missing file); check the name, tag and digest.',
  },
  OCI_PLATFORM_NOT_FOUND: {
    exit: 2,
    summary:
      'A multi-platform index has no manifest for the requested platform (--platform os/arch[/variant]).',
  },
  OCI_BLOB_INVALID: {
    exit: 2,
    summary:
      'A blob (layer, config, attached bundle) is larger than its limit or its bytes do not match its digest.',
  },
  OCI_AUTH_FAILED: {
    exit: 3,
    summary:
      'The registry refused the credentials or the token exchange failed (401/403); check ~/.docker/config.json, DOCKER_CONFIG or the CI registry variables. Credentials are never printed.',
  },
  OCI_REGISTRY_INSECURE: {
    exit: 2,
    summary:
      'Plain HTTP was requested for a registry that is not on loopback; use TLS, or pass --plain-http if you accept an unauthenticated channel.',
  },
  OCI_REGISTRY_FAILED: {
    exit: 3,
    summary:
      'The registry failed (5xx, network error, timeout, unexpected status) or refused an upload; the message gives the request and status.',
  },
  OCI_ARCHIVE_INVALID: {
    exit: 2,
    summary:
      'An image tarball or OCI layout is malformed: no index.json/manifest.json, an unsafe entry name, or a truncated tar.',
  },
  OCI_REFERRER_SUBJECT_MISMATCH: {
    exit: 1,
    summary:
      'An attestation attached to the image, signed by an allowed signer, names another image digest as its subject: it was copied from another image (or the image was replaced).',
  },
  OCI_REFERRER_IGNORED: {
    exit: 1,
    summary:
      'A referrer attached to the image was ignored: its signature does not verify or its signer is not allowed by the policy (anyone with push access can attach referrers).',
  },
} as const satisfies ErrorCodeTable;
