// Container images: references, manifests and indexes, referrer manifests (pure), and in
// adapter/ the registry client, credentials, layouts/archives and referrer discovery.
export {
  checkDigest,
  formatReference,
  isLoopbackRegistry,
  looksLikeImageReference,
  parseImageReference,
  parseRegistryReference,
  subjectName,
  DIGEST_PATTERN,
} from './reference.js';
export type { ImageReference, LocalImageReference, RegistryReference } from './reference.js';
export {
  addToReferrersIndex,
  buildReferrerManifest,
  cosignTag,
  formatPlatform,
  MEDIA_TYPES,
  parseManifest,
  parsePlatform,
  platformManifests,
  referrersTag,
  selectPlatform,
  sha256Digest,
} from './manifest.js';
export type {
  Descriptor,
  ImageIndex,
  ImageManifest,
  ParsedManifest,
  Platform,
} from './manifest.js';
export { OCI_ERROR_CODES } from './codes.js';
