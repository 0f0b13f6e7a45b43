// Signing and single-bundle verification: the public surface of src/sign (see docs/sign.md).
export { loadTrustedRoot, embeddedTrustedRoot, TRUSTED_ROOT_MEDIA_TYPES } from './trust.js';
export type { TrustContext } from './trust.js';
export { verifyBundle, parseBundle, toVerifyError, BUNDLE_MEDIA_TYPES } from './verify.js';
export type {
  ArtifactInput,
  IdentityPolicy,
  Matcher,
  SigstoreBundleJSON,
  VerifiedBundle,
  VerifiedSigner,
  VerifyOptions,
} from './verify.js';
export { certificateIdentity, FULCIO_EXTENSION_OIDS } from './certificate.js';
export type { FulcioExtensions } from './certificate.js';
export { SIGN_ERROR_CODES } from './codes.js';
export {
  signArtifact,
  signStatement,
  signPayload,
  toBundleV03,
  toSignError,
  INSTANCES,
} from './signer.js';
export type { SignerConfig, SignerIdentity, SigstoreInstance, RetryOptions } from './signer.js';
export {
  generateKeyPair,
  parsePrivateKey,
  parsePublicKey,
  keyHint,
  ManagedKeySigner,
  KEY_ALGORITHMS,
} from './keys.js';
export type { GeneratedKeyPair, KeyAlgorithm } from './keys.js';
export { discoverIdentityToken, describeToken, IDENTITY_UNAVAILABLE_HINT } from './identity.js';
export type { IdentityToken, IdentitySource, DiscoverIdentityOptions } from './identity.js';
