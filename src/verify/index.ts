// Whole-release verification (`custody verify`): the pure engine, report renderings, the VSA,
// and the adapters that read a release directory and verify bundles in parallel.
export { verifyRelease, bundleBaseName, coversArtifact } from './engine.js';
export type { VerifyMeta } from './engine.js';
export { REPORT_SCHEMA_VERSION } from './types.js';
export type {
  ArtifactInput,
  ArtifactReport,
  AttestationReport,
  BundleInput,
  BundleOutcome,
  BundleRequest,
  Check,
  CheckStatus,
  ChecksumLine,
  ReleaseInputs,
  SbomValidation,
  UnsignedStatementInput,
  VerificationReport,
  VerifyDeps,
} from './types.js';
export { provenanceFacts, splitGitURI } from './provenance-facts.js';
export type { ProvenanceFacts } from './provenance-facts.js';
export { renderText, renderMarkdown, renderMermaid, verdictLine } from './render.js';
export { buildVsa, VSA_PREDICATE_TYPE, CUSTODY_VERIFIER_ID } from './vsa.js';
export type { VsaPredicate } from './vsa.js';
export { REPORT_SCHEMA } from './report-schema.js';
export { startVerifyWorker } from './worker.js';
export { createBundleVerifier } from './adapter/pool.js';
export type { BundleVerifierOptions, BundleVerifierStats } from './adapter/pool.js';
export { readRelease, parseBundleFile, parseCommitList } from './adapter/release.js';
export type { ReadRelease, ReadReleaseOptions } from './adapter/release.js';
export { runVerification, loadPolicy } from './adapter/run.js';
export type { RunVerificationOptions, RunVerificationResult } from './adapter/run.js';
export { VERIFY_ERROR_CODES } from './codes.js';
export { cacheTrustedChains } from './chain-cache.js';
