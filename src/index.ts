// custody's library API: explicit named exports, types separate. Each domain adds its surface here.
export { CustodyError, isCustodyError, ERROR_CODES } from './errors.js';
export type { ErrorCode, ExitStatus, CustodyErrorOptions } from './errors.js';
export { VERSION } from './version.js';
export { renderErrorDocs } from './error-docs.js';
export { startLocalSigstoreStack } from './stack/index.js';
export type {
  LocalSigstoreStack,
  StartLocalSigstoreStackOptions,
  TokenProfile,
} from './stack/index.js';
export {
  digestFile,
  digestFiles,
  digestFilesSettled,
  parseChecksums,
  formatChecksums,
  verifyChecksums,
  createChecksumFile,
  verifyChecksumFile,
  parseDigestAlgorithm,
  DIGEST_ALGORITHMS,
} from './digest/index.js';
export type {
  DigestAlgorithm,
  ChecksumEntry,
  ChecksumLine,
  FileDigest,
  DigestFilesOptions,
  DigestProgress,
  SettledDigest,
  DigestProvider,
  DigestRequest,
  ProvidedDigest,
  ChecksumResult,
  ChecksumStatus,
  ChecksumVerification,
  CreatedChecksumFile,
  VerifiedChecksumFile,
} from './digest/index.js';
export {
  signArtifact,
  signStatement,
  signPayload,
  loadTrustedRoot,
  embeddedTrustedRoot,
  verifyBundle,
  parseBundle,
  certificateIdentity,
  generateKeyPair,
  discoverIdentityToken,
  FULCIO_EXTENSION_OIDS,
  INSTANCES,
} from './sign/index.js';
export type {
  SignerConfig,
  SignerIdentity,
  TrustContext,
  ArtifactInput,
  IdentityPolicy,
  VerifiedBundle,
  VerifiedSigner,
  VerifyOptions,
  FulcioExtensions,
  SigstoreBundleJSON,
  GeneratedKeyPair,
  KeyAlgorithm,
} from './sign/index.js';
