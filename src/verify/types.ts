// Data types of whole-release verification: what the engine takes (already-read inputs), what
// it asks its dependencies for (bundle verification, checksums parsing, SBOM validation) and
// the report it returns. The report shape is public (docs/verify.md, report.schema.json).
import type { InTotoStatement } from '../attest/intoto.js';
import type { ErrorCode } from '../errors.js';
import type { VerifiedBundle } from '../sign/index.js';

export type DigestAlgorithm = 'sha256' | 'sha384' | 'sha512';

export interface ArtifactInput {
  /** Name as it appears in the release (relative path) or a `sha256:<hex>` digest argument. */
  name: string;
  /** Hex digests the adapter computed; sha256 always. */
  digests: Partial<Record<DigestAlgorithm, string>> & { sha256?: string };
}

export interface BundleInput {
  /** Stable id: file name, plus `#<line>` for JSON Lines files. */
  id: string;
  file: string;
  /** The parsed bundle JSON, or a parse problem (reported as a failed check, not thrown). */
  bundle?: unknown;
  problem?: string;
}

/** An unsigned in-toto statement (GitLab runner `*-metadata.json`). */
export interface UnsignedStatementInput {
  id: string;
  file: string;
  statement?: InTotoStatement;
  problem?: string;
}

export interface ReleaseInputs {
  artifacts: ArtifactInput[];
  checksums?: { file: string; text: string; digests: { sha256: string } };
  bundles: BundleInput[];
  unsignedStatements: UnsignedStatementInput[];
  /** Agent-authored commits known from outside the attestations (--agent-commits). */
  agentCommits?: { source: string; commits: string[] };
}

/** A request to verify one bundle; the target is the artifact a message signature signs. */
export interface BundleRequest {
  id: string;
  bundle: unknown;
  target?: { algorithm: DigestAlgorithm; hex: string };
  /** Candidate PEM keys for key-signed bundles, tried in order. */
  publicKeys: string[];
  /** false lets key-signed bundles verify without a log entry (policy transparency.requireTlog). */
  requireTransparencyLog: boolean;
}

export type BundleOutcome =
  | { id: string; ok: true; verified: VerifiedBundle; keyIndex?: number }
  | { id: string; ok: false; code: ErrorCode; message: string };

export interface ChecksumLine {
  name: string;
  algorithm: string;
  hex: string;
  line: number;
}

export interface SbomValidation {
  valid: boolean;
  specVersion?: string;
  errors: string[];
}

export interface VerifyDeps {
  /** Verifies bundles (any order, possibly in parallel); one outcome per request id. */
  verifyBundles(requests: BundleRequest[]): Promise<BundleOutcome[]>;
  parseChecksums(text: string): ChecksumLine[];
  /** Validates a CycloneDX BOM or an SPDX 2.3 document (the SBOM module). */
  validateSbom(bom: unknown): Promise<SbomValidation>;
}

export type CheckStatus = 'pass' | 'fail' | 'skip';

export interface Check {
  /** Stable id, e.g. `provenance.builder`. */
  id: string;
  /** Stable code: the failure code when it fails, the check's own code otherwise. */
  code: ErrorCode;
  status: CheckStatus;
  message: string;
  evidence?: Record<string, unknown>;
}

export interface ArtifactReport {
  name: string;
  digest: Partial<Record<DigestAlgorithm, string>>;
  verdict: 'PASS' | 'FAIL';
  /** SLSA Build level shown by the accepted provenance: 0 none, 1 unsigned, 2 signed. */
  slsaBuildLevel: 0 | 1 | 2 | 3;
  checks: Check[];
}

export interface AttestationReport {
  id: string;
  file: string;
  kind: 'message-signature' | 'dsse' | 'unsigned-statement' | 'unreadable';
  status: 'verified' | 'invalid' | 'unsigned';
  code?: ErrorCode;
  message?: string;
  predicateType?: string;
  subjects?: number;
  signer?: Record<string, unknown>;
  signerAllowed?: boolean;
  signedAt?: string;
  tlogEntries?: number;
  timestamps?: number;
}

export const REPORT_SCHEMA_VERSION = 'https://custody.dev/verification-report/v1';

export interface VerificationReport {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  verdict: 'PASS' | 'FAIL';
  verifiedAt: string;
  policy: { name: string; uri: string; digest: { sha256: string } };
  trustedRoot?: string;
  release: { checks: Check[] };
  artifacts: ArtifactReport[];
  attestations: AttestationReport[];
  summary: {
    artifacts: number;
    artifactsPassed: number;
    checks: { pass: number; fail: number; skip: number };
    failures: { id: string; code: ErrorCode; subject: string; message: string }[];
  };
}
