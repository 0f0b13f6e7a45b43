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
export {
  parseStatement,
  buildStatement,
  buildProvenance,
  buildSBOMStatement,
  buildAgentProvenance,
  commitPrompt,
  promptFromDigest,
  planFromDocument,
  attestationDescriptor,
  statementDigest,
  byproductsFromText,
  parseTrailers,
  parseAssistedBy,
  agentForIdentity,
  scanCommits,
  validateStatement,
  statementProblems,
  collectSubjects,
  STATEMENT_TYPE_V1,
  INTOTO_PAYLOAD_TYPE,
  SLSA_PROVENANCE_V1,
  GITHUB_BUILD_TYPE,
  GITLAB_BUILD_TYPE,
  LOCAL_BUILD_TYPE,
  CYCLONEDX_PREDICATE_TYPE,
  AGENT_PROVENANCE_PREDICATE_TYPE,
  AGENT_PROVENANCE_MEDIA_TYPE,
  SBOM_SIZE_LIMIT,
  AGENT_PROVENANCE_V01_SCHEMA,
} from './attest/index.js';
export type {
  InTotoStatement,
  ResourceDescriptor,
  SLSAProvenancePredicate,
  ProvenanceOptions,
  AgentProvenanceInput,
  AgentProvenancePredicate,
  HumanApproval,
  PromptCommitment,
  Trailer,
  CommitRecord,
  AgentCommit,
  Inconsistency,
  ScanResult,
} from './attest/index.js';
export {
  detectCIContext,
  detectPlatform,
  readGitHubContext,
  loadGitHubContext,
  readGitLabContext,
  githubApprovalsForCommits,
  gitlabApprovalsForCommits,
  gitLog,
  GITHUB_ENV_ALLOW_LIST,
  GITLAB_ENV_ALLOW_LIST,
} from './ci/index.js';
export type {
  CIContext,
  GitHubContext,
  GitLabContext,
  LocalContext,
  GitHubApprovalsOptions,
  GitLabApprovalsOptions,
} from './ci/index.js';
export {
  verifyRelease,
  runVerification,
  loadPolicy,
  readRelease,
  createBundleVerifier,
  cacheTrustedChains,
  startVerifyWorker,
  renderText as renderVerificationText,
  renderMarkdown as renderVerificationMarkdown,
  buildVsa,
  VSA_PREDICATE_TYPE,
  REPORT_SCHEMA,
  REPORT_SCHEMA_VERSION,
} from './verify/index.js';
export type {
  VerificationReport,
  ReleaseInputs,
  VerifyDeps,
  Check,
  RunVerificationOptions,
  RunVerificationResult,
} from './verify/index.js';
export {
  parsePolicy,
  applyPolicyFlags,
  defaultPolicy,
  flagOnlyPolicy,
  POLICY_SCHEMA,
} from './policy/index.js';
export type { Policy, SignerRule, PolicyFlags, PolicySource } from './policy/index.js';
export {
  generateSbom,
  generateSbomFromGraph,
  lockfileGraph,
  parseLockfile,
  prepareLockfile,
  detectLockfileFormat,
  buildGraph as buildPackageGraph,
  buildBom,
  normalizeBom,
  serializeBom,
  validateBom,
  assertValidBom,
  npmPurl,
  toManifest,
  LOCKFILE_NAMES,
  LOCKFILE_SIZE_LIMIT,
  GENERATE_SPEC_VERSIONS,
  VALIDATE_SPEC_VERSIONS,
  ecosystemReader,
  parseEcosystemLockfile,
  mergeGraphs,
  buildSpdx,
  serializeSpdx,
  validateSpdx,
  assertValidSpdx,
  isSpdxDocument,
  SPDX_VERSION,
} from './sbom/index.js';
export type {
  GenerateSbomOptions,
  GeneratedSbom,
  BomOptions,
  FileSubject,
  GenerateSpecVersion,
  ValidateSpecVersion,
  PackageEnrichment,
  PackageGraph,
  GraphPackage,
  LockfileFormat,
  LockfileInput,
  PreparedLockfile,
  PackageManifest,
  ManifestMap,
  SchemaError,
  ValidationResult,
  EcosystemContext,
  SpdxOptions,
  SpdxValidationResult,
} from './sbom/index.js';
export {
  buildTrace,
  renderTraceMarkdown,
  renderTraceHTML,
  traceGraph,
  buildDeploymentStatement,
  gatherAttestations,
  verifyAttestations,
  DEPLOYMENT_PREDICATE_TYPE,
  DEPLOYMENT_V01_SCHEMA,
  TRACE_VERSION,
  GAP_CODES,
} from './trace/index.js';
export type {
  Trace,
  TraceTarget,
  ArtifactTrail,
  Gap,
  GapCode,
  VerifiedAttestation,
  DeploymentPredicate,
  DeploymentInput,
} from './trace/index.js';
export { agentCommits, humanApprovers, decideGate, isBotLogin } from './ci/github/gate.js';
export type {
  GateCommit,
  GateReview,
  GateRules,
  GateDecision,
  GateVerdict,
  AgentAuthoredCommit,
} from './ci/github/gate.js';
// Container images (src/oci): references, manifests, referrers; registry, layouts, image SBOM, verify.
export {
  parseImageReference,
  formatReference,
  looksLikeImageReference,
  parseManifest,
  buildReferrerManifest,
  referrersTag,
  MEDIA_TYPES as OCI_MEDIA_TYPES,
} from './oci/index.js';
export type { ImageReference, Descriptor as OciDescriptor, ParsedManifest } from './oci/index.js';
export { buildImageSbom } from './oci/sbom.js';
export { imagesInManifests } from './oci/manifests-yaml.js';
export { RegistryClient } from './oci/adapter/registry.js';
export { findRegistryCredentials } from './oci/adapter/credentials.js';
export { openImage, resolveImage } from './oci/adapter/source.js';
export { attachBundle, discoverBundles } from './oci/adapter/referrers.js';
export { signImage, pushAttestation, resolveImageArgument } from './oci/adapter/publish.js';
export { readImageRoot } from './oci/adapter/layers.js';
export { runImageVerification, verifyImageEvidence } from './oci/adapter/verify.js';
export type { ImageVerificationOptions, ImageVerificationResult } from './oci/adapter/verify.js';
