// Public surface of the attest domain: in-toto statements, SLSA provenance, CycloneDX SBOM and
// agent-provenance attestations, commit-trailer scanning, schema validation (docs/attest.md).
export {
  STATEMENT_TYPE_V1,
  INTOTO_PAYLOAD_TYPE,
  parseStatement,
  buildStatement,
  normalizeSubjects,
  dsseMediaType,
} from './intoto.js';
export type { InTotoStatement, ResourceDescriptor } from './intoto.js';
export {
  buildProvenance,
  provenancePredicate,
  SLSA_PROVENANCE_V1,
  GITHUB_BUILD_TYPE,
  GITLAB_BUILD_TYPE,
  LOCAL_BUILD_TYPE,
} from './provenance.js';
export type { SLSAProvenancePredicate, ProvenanceOptions } from './provenance.js';
export {
  buildSBOMStatement,
  CYCLONEDX_PREDICATE_TYPE,
  SPDX_PREDICATE_TYPE as SPDX_DOCUMENT_PREDICATE_TYPE,
  SBOM_SIZE_LIMIT,
} from './sbom.js';
export {
  buildAgentProvenance,
  commitPrompt,
  promptFromDigest,
  promptKeyId,
  planFromDocument,
  AGENT_PROVENANCE_PREDICATE_TYPE,
  PROMPT_HMAC_MIN_KEY_BYTES,
} from './agent.js';
export type {
  AgentProvenanceInput,
  AgentProvenancePredicate,
  Autonomy,
  ApprovalMethod,
  HumanApproval,
  PromptCommitment,
} from './agent.js';
export {
  attestationDescriptor,
  attestationKind,
  statementBytes,
  statementDigest,
  AGENT_PROVENANCE_MEDIA_TYPE,
  SBOM_ATTESTATION_MEDIA_TYPE,
  PROVENANCE_MEDIA_TYPE,
} from './link.js';
export { byproductsFromText } from './byproducts.js';
export {
  parseTrailers,
  trailerValues,
  parseAssistedBy,
  parseIdentity,
  agentForIdentity,
} from './trailers.js';
export type { Trailer, Identity, AssistedBy } from './trailers.js';
export { scanCommits } from './scan.js';
export type {
  CommitRecord,
  AgentCommit,
  AgentEvidence,
  Inconsistency,
  InconsistencyKind,
  ScanOptions,
  ScanResult,
} from './scan.js';
export { validateStatement, statementProblems } from './validate.js';
export type { SchemaProblem } from './validate.js';
export {
  IN_TOTO_STATEMENT_V1_SCHEMA,
  SLSA_PROVENANCE_V1_SCHEMA,
  AGENT_PROVENANCE_V01_SCHEMA,
} from './schemas.js';
export { collectSubjects, resolveSubjectFiles, MAX_SUBJECTS } from './subjects.js';
export type { SubjectInputs, CollectedSubjects } from './subjects.js';
export { ATTEST_ERROR_CODES } from './codes.js';
