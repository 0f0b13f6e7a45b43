// Public surface of the digest domain: file digests (streamed, all cores) and checksum files.
export {
  DIGEST_ALGORITHMS,
  isDigestAlgorithm,
  parseDigestAlgorithm,
  hexLength,
  algorithmForHexLength,
} from './algorithms.js';
export type { DigestAlgorithm } from './algorithms.js';
export {
  parseChecksums,
  formatChecksums,
  formatChecksumLine,
  escapeChecksumName,
  displayChecksumName,
} from './checksums.js';
export type { ChecksumEntry, ChecksumLine, ParseChecksumsOptions } from './checksums.js';
export { digestFile, digestFiles, digestFilesSettled } from './files.js';
export type {
  FileDigest,
  DigestFilesOptions,
  DigestProgress,
  DigestJob,
  SettledDigest,
} from './files.js';
export { verifyChecksums } from './verify.js';
export type {
  DigestProvider,
  DigestRequest,
  ProvidedDigest,
  ChecksumStatus,
  ChecksumResult,
  ChecksumVerification,
} from './verify.js';
export { expandPaths, compareBytes } from './walk.js';
export type { ExpandedFile, ExpandedPaths, SkippedPath, ExpandOptions } from './walk.js';
export { DIGEST_ERROR_CODES } from './codes.js';
export { createChecksumFile, verifyChecksumFile, CHECKSUM_FILE_LIMIT } from './checksum-file.js';
export type {
  CreateChecksumFileOptions,
  CreatedChecksumFile,
  VerifyChecksumFileOptions,
  VerifiedChecksumFile,
} from './checksum-file.js';
export { createProgressLine, formatProgress } from './progress.js';
export type { ProgressLine } from './progress.js';
