// `custody trace`: the commit-to-deploy audit trail (docs/trace.md). Pure core (buildTrace, the
// renderers, the deployment predicate) plus the adapter that reads and verifies attestation files.
export { buildTrace, statementKind, sha256Subjects } from './build.js';
export type { BuildTraceOptions, StatementKind } from './build.js';
export { renderTraceMarkdown } from './render-markdown.js';
export { renderTraceHTML, traceGraph, renderGraphSVG } from './render-html.js';
export type { TraceGraph, GraphNode, GraphNodeKind } from './render-html.js';
export {
  buildDeploymentStatement,
  deploymentProblems,
  DEPLOYMENT_PREDICATE_TYPE,
  DEPLOYMENT_MEDIA_TYPE,
  DEPLOYMENT_V01_SCHEMA,
} from './deployment.js';
export type { DeploymentPredicate, DeploymentInput } from './deployment.js';
export {
  gatherAttestations,
  parseAttestationText,
  verifyAttestations,
  ATTESTATION_FILE_LIMIT,
} from './adapter/gather.js';
export type { RawAttestation } from './adapter/gather.js';
export { TRACE_VERSION, GAP_CODES } from './types.js';
export type {
  Trace,
  TraceTarget,
  ArtifactTrail,
  Gap,
  GapCode,
  GapSeverity,
  VerifiedAttestation,
  VerifiedEntry,
  FailedEntry,
  AttestationRef,
  DeploymentLink,
  BuildLink,
  AgentLink,
  SbomLink,
  VerificationLink,
  TimelineEvent,
  AttestationSummary,
} from './types.js';
export { TRACE_ERROR_CODES } from './codes.js';
