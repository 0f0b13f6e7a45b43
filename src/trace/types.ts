// The trace model: what `custody trace` reports, as JSON (schema: docs/trace.schema.json) and as
// the input of the Markdown and HTML renderers. Everything in it comes from verified attestations;
// anything that failed or is missing is a gap, never a fact.
import type { InTotoStatement } from '../attest/intoto.js';
import type { FulcioExtensions } from '../sign/certificate.js';

export const TRACE_VERSION = 'https://custody.dev/trace/v1';

/** An attestation as read and checked by the adapter: verified, or why it could not be. */
export type VerifiedAttestation = VerifiedEntry | FailedEntry;

export interface AttestationSource {
  /** Where it came from: `file` or `file#line` (JSON Lines), or `rekor:<uuid>`. */
  source: string;
}

export interface EntrySigner {
  kind: 'certificate' | 'key';
  /** Certificate SAN (keyless) or key hint. */
  identity: string;
  issuer?: string;
  extensions?: FulcioExtensions;
}

export interface VerifiedEntry extends AttestationSource {
  status: 'verified';
  kind: 'dsse' | 'message-signature';
  /** DSSE bundles: the verified in-toto statement. */
  statement?: InTotoStatement;
  /** SHA-256 of the DSSE payload: how attestations reference each other. */
  payloadSha256?: string;
  /** Message signatures: the signed artifact digest. */
  messageDigest?: { algorithm: string; hex: string };
  signer: EntrySigner;
  /** Verified tlog integrated time or TSA time, RFC 3339. */
  signedAt?: string;
}

export interface FailedEntry extends AttestationSource {
  /** failed: signature/trust checks failed; unsigned: a bare statement; unreadable: not an attestation. */
  status: 'failed' | 'unsigned' | 'unreadable';
  reason: { code: string; message: string };
  /** Subject digests read from the UNVERIFIED content, only to tell which artifact it claims. */
  claimedSubjects: string[];
  claimedPredicateType?: string;
}

export type TraceTarget =
  | { kind: 'artifact'; sha256: string; name?: string }
  | { kind: 'digest'; sha256: string }
  | { kind: 'commit'; commit: string };

export type GapSeverity = 'error' | 'warning';

export interface Gap {
  code: GapCode;
  severity: GapSeverity;
  /** The link of the chain it breaks. */
  link:
    'signature' | 'deployment' | 'build' | 'source' | 'agent' | 'sbom' | 'verification' | 'input';
  message: string;
  /** The attestation concerned (its source), when there is one. */
  attestation?: string;
  /** For failed attestations: the verification error code. */
  reason?: string;
}

export const GAP_CODES = [
  'ATTESTATION_UNVERIFIED',
  'ATTESTATION_UNSIGNED',
  'ATTESTATION_UNREADABLE',
  'ATTESTATION_NOT_PROVIDED',
  'SIGNATURE_MISSING',
  'DEPLOYMENT_MISSING',
  'DEPLOYMENT_VSA_MISSING',
  'DEPLOYMENT_VSA_NOT_FOUND',
  'DEPLOYMENT_RECORD_INVALID',
  'PROVENANCE_MISSING',
  'PROVENANCE_SOURCE_MISSING',
  'PROVENANCE_CERTIFICATE_DISAGREE',
  'BYPRODUCT_NOT_FOUND',
  'AGENT_PROVENANCE_MISSING',
  'AGENT_APPROVAL_MISSING',
  'SBOM_MISSING',
  'VSA_MISSING',
  'VSA_FAILED',
  'COMMIT_NOT_BUILT',
] as const;
export type GapCode = (typeof GAP_CODES)[number];

/** A verified attestation, as the trace cites it. */
export interface AttestationRef {
  source: string;
  predicateType?: string;
  payloadSha256?: string;
  signer: { kind: 'certificate' | 'key'; identity: string; issuer?: string };
  signedAt?: string;
}

export interface SignatureLink {
  attestation: AttestationRef;
}

export interface DeploymentLink {
  environment: string;
  target: { uri: string; name?: string };
  deployedAt: string;
  /** Claimed in the predicate; the authenticated deployer is attestation.signer. */
  deployer?: { id: string; issuer?: string };
  invocationUri?: string;
  verificationSummary?: { sha256: string; name?: string; found: boolean; result?: string };
  attestation: AttestationRef;
}

export interface BuildLink {
  builderId?: string;
  buildType?: string;
  /** Workflow file (GitHub) or pipeline entry point (GitLab). */
  workflow?: string;
  /** The CI run: certificate Run Invocation URI, else the provenance invocationId. */
  runUrl?: string;
  sourceRepository?: string;
  sourceRef?: string;
  sourceCommit?: string;
  runnerEnvironment?: string;
  startedOn?: string;
  finishedOn?: string;
  /** Fulcio certificate extensions of the signer (authenticated by the CA, not by the tenant). */
  certificate?: {
    buildSignerURI?: string;
    runInvocationURI?: string;
    sourceRepositoryURI?: string;
    sourceRepositoryRef?: string;
    sourceRepositoryDigest?: string;
    buildTrigger?: string;
    runnerEnvironment?: string;
  };
  /** Attestations the provenance links by digest (runDetails.byproducts). */
  byproducts: { name?: string; sha256: string; mediaType?: string; found: boolean }[];
  attestation: AttestationRef;
}

export interface ApproverLink {
  id: string;
  login?: string;
  method?: string;
  timestamp?: string;
  evidence?: string;
}

export interface AgentLink {
  agent: { name: string; version?: string; id?: string };
  model: { name: string; provider?: string; version?: string };
  prompt?: { digest: string; commitment?: string };
  plan?: { id?: string; uri?: string; sha256?: string };
  session?: { id?: string; startedOn?: string; finishedOn?: string; invocationUri?: string };
  autonomy?: string;
  approvers: ApproverLink[];
  commits: { sha: string; authorDate?: string }[];
  attestation: AttestationRef;
}

export interface SbomLink {
  specVersion?: string;
  serialNumber?: string;
  componentCount: number;
  licenses: string[];
  attestation: AttestationRef;
}

export interface VerificationLink {
  verifier?: string;
  result?: string;
  verifiedLevels: string[];
  timeVerified?: string;
  policy?: string;
  resourceUri?: string;
  attestation: AttestationRef;
}

/** The chain of one artifact digest. */
export interface ArtifactTrail {
  sha256: string;
  names: string[];
  signatures: SignatureLink[];
  deployments: DeploymentLink[];
  builds: BuildLink[];
  agents: AgentLink[];
  sboms: SbomLink[];
  verifications: VerificationLink[];
  gaps: Gap[];
}

export interface AttestationSummary {
  source: string;
  status: 'verified' | 'failed' | 'unsigned' | 'unreadable';
  predicateType?: string;
  /** Whether it concerns the traced artifact(s). */
  relevant: boolean;
  reason?: { code: string; message: string };
  signer?: string;
}

export interface TimelineEvent {
  time: string;
  kind:
    | 'commit'
    | 'agent'
    | 'approval'
    | 'build'
    | 'signature'
    | 'sbom'
    | 'verification'
    | 'deployment';
  label: string;
  artifact?: string;
}

export interface Trace {
  traceVersion: typeof TRACE_VERSION;
  generatedAt: string;
  target: TraceTarget;
  /** No gap of severity error in any artifact's trail nor in the inputs. */
  complete: boolean;
  artifacts: ArtifactTrail[];
  /** Gaps that concern no single artifact (unreadable inputs, a commit built into nothing). */
  gaps: Gap[];
  timeline: TimelineEvent[];
  attestations: AttestationSummary[];
  counts: { considered: number; verified: number; relevant: number; ignored: number; gaps: number };
}
