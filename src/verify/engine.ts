// The whole-release verification engine. Pure: it takes already-read inputs, a policy and its
// dependencies (bundle verification, checksums parsing, SBOM validation) and returns a report.
// Every check has a stable id and code; a check that cannot be evaluated fails unless the policy
// says it is not required. Bundles are verified once each (in a batch the adapter may run in
// parallel), then statements are matched to artifacts by subject digest.
import { createHash } from 'node:crypto';
import { AGENT_PROVENANCE_PREDICATE_TYPE } from '../attest/agent.js';
import type { InTotoStatement, ResourceDescriptor } from '../attest/intoto.js';
import type { ErrorCode } from '../errors.js';
import { matchesAnyGlob } from '../policy/index.js';
import type { Policy, PolicySource } from '../policy/index.js';
import type { VerifiedBundle } from '../sign/index.js';
import { toRFC3339 } from '../util/time.js';
import { provenanceFacts, splitGitURI, type ProvenanceFacts } from './provenance-facts.js';
import { evaluateSbom } from './sbom-checks.js';
import { describeSigner, matchSigner, policyKeys } from './signer.js';
import type {
  ArtifactInput,
  ArtifactReport,
  AttestationReport,
  BundleOutcome,
  BundleRequest,
  Check,
  DigestAlgorithm,
  ReleaseInputs,
  SbomValidation,
  VerificationReport,
  VerifyDeps,
} from './types.js';
import { REPORT_SCHEMA_VERSION } from './types.js';
import { asObject as obj } from '../util/json.js';

export const CYCLONEDX_PREDICATE_PREFIX = 'https://cyclonedx.org/bom';
const FUTURE_TOLERANCE_MS = 5 * 60 * 1000;

export interface VerifyMeta {
  policySource: PolicySource;
  /** Time stamped into the report (default `now`; SOURCE_DATE_EPOCH for reproducible output). */
  reportTime?: Date;
  trustedRoot?: string;
}

/** A statement the release carries, with how far it can be trusted. */
interface Evidence {
  id: string;
  file: string;
  statement: InTotoStatement;
  /** undefined for unsigned statements (GitLab runner metadata). */
  verified?: VerifiedBundle;
  signerAllowed: boolean;
  signerReason?: string;
}

const BUNDLE_SUFFIXES = [
  '.sigstore.json',
  '.sigstore',
  '.bundle.json',
  '.bundle',
  '.intoto.jsonl',
  '.jsonl',
];

/** `hello.tar.gz.sigstore.json` → `hello.tar.gz` (the file a bundle is named after). */
export function bundleBaseName(file: string): string | undefined {
  const base = file.split('/').pop() ?? file;
  for (const suffix of BUNDLE_SUFFIXES) {
    if (base.endsWith(suffix) && base.length > suffix.length) return base.slice(0, -suffix.length);
  }
  return undefined;
}

function messageDigestHex(
  bundle: unknown
): { algorithm: DigestAlgorithm; hex: string } | undefined {
  const md = obj(obj(obj(bundle)?.messageSignature)?.messageDigest);
  if (md === undefined || typeof md.digest !== 'string') return undefined;
  const algorithm =
    md.algorithm === 'SHA2_512' ? 'sha512' : md.algorithm === 'SHA2_384' ? 'sha384' : 'sha256';
  return { algorithm, hex: Buffer.from(md.digest, 'base64').toString('hex') };
}

function usesPublicKey(bundle: unknown): boolean {
  return obj(obj(obj(bundle)?.verificationMaterial)?.publicKey) !== undefined;
}

/** Does a subject list name this artifact (by any digest algorithm both sides have)? */
export function coversArtifact(
  subjects: readonly ResourceDescriptor[],
  artifact: ArtifactInput
): boolean {
  return subjects.some((subject) =>
    Object.entries(artifact.digests).some(([algorithm, hex]) => {
      const value = subject.digest?.[algorithm];
      return (
        typeof value === 'string' && hex !== undefined && value.toLowerCase() === hex.toLowerCase()
      );
    })
  );
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function pass(
  id: string,
  code: ErrorCode,
  message: string,
  evidence?: Record<string, unknown>
): Check {
  return { id, code, status: 'pass', message, ...(evidence === undefined ? {} : { evidence }) };
}
function fail(
  id: string,
  code: ErrorCode,
  message: string,
  evidence?: Record<string, unknown>
): Check {
  return { id, code, status: 'fail', message, ...(evidence === undefined ? {} : { evidence }) };
}
function skip(id: string, code: ErrorCode, message: string): Check {
  return { id, code, status: 'skip', message };
}

function isProvenanceType(type: string, policy: Policy): boolean {
  return policy.provenance.predicateTypes.includes(type);
}
function looksLikeProvenance(type: string): boolean {
  return type.startsWith('https://slsa.dev/provenance/');
}
export const SPDX_PREDICATE_PREFIX = 'https://spdx.dev/Document';
function isSbomType(type: string): boolean {
  return (
    type === CYCLONEDX_PREDICATE_PREFIX ||
    type.startsWith(`${CYCLONEDX_PREDICATE_PREFIX}/`) ||
    type === SPDX_PREDICATE_PREFIX ||
    type.startsWith(`${SPDX_PREDICATE_PREFIX}/`)
  );
}

export async function verifyRelease(
  inputs: ReleaseInputs,
  policy: Policy,
  deps: VerifyDeps,
  now: Date,
  meta: VerifyMeta
): Promise<VerificationReport> {
  const artifactsByName = new Map(inputs.artifacts.map((a) => [a.name, a]));
  const checksumsName = inputs.checksums?.file;

  // 1. Plan one verification per bundle: message signatures need the file they sign.
  const requests: BundleRequest[] = [];
  const early: BundleOutcome[] = [];
  const keys = policyKeys(policy.signers);
  const targetOf = new Map<string, string>();
  for (const input of inputs.bundles) {
    if (input.problem !== undefined || input.bundle === undefined) {
      early.push({
        id: input.id,
        ok: false,
        code: 'VERIFY_BUNDLE_INVALID',
        message: input.problem ?? 'unreadable bundle',
      });
      continue;
    }
    const request: BundleRequest = {
      id: input.id,
      bundle: input.bundle,
      publicKeys: usesPublicKey(input.bundle) ? keys : [],
      requireTransparencyLog: policy.transparency.requireTlog,
    };
    if (obj(input.bundle)?.messageSignature !== undefined) {
      const target = messageSignatureTarget(
        input.file,
        input.bundle,
        artifactsByName,
        inputs.checksums
      );
      if (target === undefined) {
        early.push({
          id: input.id,
          ok: false,
          code: 'VERIFY_SUBJECT_MISMATCH',
          message: `${input.file} signs no file of this release`,
        });
        continue;
      }
      targetOf.set(input.id, target.name);
      request.target = { algorithm: target.algorithm, hex: target.hex };
    }
    requests.push(request);
  }
  const outcomes = [...early, ...(requests.length > 0 ? await deps.verifyBundles(requests) : [])];
  const outcomeById = new Map(outcomes.map((o) => [o.id, o]));

  // 2. What each bundle proved, and whether its signer is allowed.
  const attestations: AttestationReport[] = [];
  const evidence: Evidence[] = [];
  const messageSignatures: {
    target: string;
    id: string;
    verified?: VerifiedBundle;
    allowed: boolean;
    reason: string;
  }[] = [];
  const bundleFailures: { id: string; code: ErrorCode; message: string }[] = [];
  for (const input of inputs.bundles) {
    const outcome = outcomeById.get(input.id);
    if (outcome === undefined || !outcome.ok) {
      const code: ErrorCode = outcome?.ok === false ? outcome.code : 'VERIFY_BUNDLE_INVALID';
      const message = outcome?.ok === false ? outcome.message : 'not verified';
      bundleFailures.push({ id: input.id, code, message });
      attestations.push({
        id: input.id,
        file: input.file,
        kind:
          input.bundle === undefined
            ? 'unreadable'
            : obj(input.bundle)?.messageSignature !== undefined
              ? 'message-signature'
              : 'dsse',
        status: 'invalid',
        code,
        message,
      });
      const target = targetOf.get(input.id);
      if (target !== undefined)
        messageSignatures.push({
          target,
          id: input.id,
          allowed: false,
          reason: `${code}: ${message}`,
        });
      continue;
    }
    const verified = outcome.verified;
    const match = matchSigner(policy.signers, verified, outcome.keyIndex);
    attestations.push({
      id: input.id,
      file: input.file,
      kind: verified.kind,
      status: 'verified',
      ...(verified.statement === undefined
        ? {}
        : {
            predicateType: verified.statement.predicateType,
            subjects: verified.statement.subject.length,
          }),
      signer: describeSigner(verified.signer),
      signerAllowed: match.allowed,
      ...(match.allowed
        ? {}
        : {
            code: 'POLICY_SIGNER_NOT_ALLOWED' as const,
            message: match.reason ?? 'signer not allowed',
          }),
      ...(verified.signedAt === undefined ? {} : { signedAt: toRFC3339(verified.signedAt) }),
      tlogEntries: verified.tlogEntries,
      timestamps: verified.timestamps.length,
    });
    if (verified.kind === 'message-signature') {
      const target = targetOf.get(input.id) ?? '';
      messageSignatures.push({
        target,
        id: input.id,
        verified,
        allowed: match.allowed,
        reason: match.reason ?? '',
      });
    } else if (verified.statement !== undefined) {
      evidence.push({
        id: input.id,
        file: input.file,
        statement: verified.statement,
        verified,
        signerAllowed: match.allowed,
        ...(match.reason === undefined ? {} : { signerReason: match.reason }),
      });
      // A bundle named after an artifact must cover that artifact (catches swapped files).
      const base = bundleBaseName(input.file);
      const named = base === undefined ? undefined : artifactsByName.get(base);
      if (named !== undefined && !coversArtifact(verified.statement.subject, named)) {
        bundleFailures.push({
          id: input.id,
          code: 'VERIFY_SUBJECT_MISMATCH',
          message: `${input.file} is named after ${named.name} but does not name it as a subject`,
        });
      }
    }
  }
  for (const input of inputs.unsignedStatements) {
    if (input.statement === undefined) {
      bundleFailures.push({
        id: input.id,
        code: 'INPUT_SCHEMA_INVALID',
        message: input.problem ?? 'unreadable statement',
      });
      attestations.push({
        id: input.id,
        file: input.file,
        kind: 'unsigned-statement',
        status: 'invalid',
        code: 'INPUT_SCHEMA_INVALID',
        message: input.problem ?? 'unreadable',
      });
      continue;
    }
    attestations.push({
      id: input.id,
      file: input.file,
      kind: 'unsigned-statement',
      status: 'unsigned',
      predicateType: input.statement.predicateType,
      subjects: input.statement.subject.length,
    });
    evidence.push({
      id: input.id,
      file: input.file,
      statement: input.statement,
      signerAllowed: false,
      signerReason: 'unsigned',
    });
  }

  // 3. Release-level checks.
  const releaseChecks: Check[] = [];
  releaseChecks.push(
    inputs.artifacts.length > 0
      ? pass(
          'release.artifacts',
          'VERIFY_RELEASE_EMPTY',
          `${inputs.artifacts.length} artifact(s) found`
        )
      : fail('release.artifacts', 'VERIFY_RELEASE_EMPTY', 'no artifacts to verify')
  );
  const checksumLines = checksumEntries(inputs, deps, releaseChecks, policy);
  releaseChecks.push(checksumsSignatureCheck(inputs, policy, messageSignatures, checksumsName));
  releaseChecks.push(
    bundleFailures.length === 0
      ? pass(
          'release.bundles',
          'VERIFY_BUNDLE_INVALID',
          `${inputs.bundles.length} bundle(s) verified`
        )
      : fail(
          'release.bundles',
          bundleFailures[0]?.code ?? 'VERIFY_BUNDLE_INVALID',
          bundleFailures.map((f) => `${f.id}: ${f.message}`).join('; '),
          { failures: bundleFailures }
        )
  );
  const foreign = attestations.filter((a) => a.status === 'verified' && a.signerAllowed === false);
  releaseChecks.push(
    foreign.length === 0
      ? pass(
          'release.signers',
          'POLICY_SIGNER_NOT_ALLOWED',
          'every verified bundle is signed by an allowed signer'
        )
      : fail(
          'release.signers',
          'POLICY_SIGNER_NOT_ALLOWED',
          foreign.map((a) => `${a.id}: ${a.message ?? ''}`).join('; '),
          { bundles: foreign.map((a) => ({ id: a.id, signer: a.signer })) }
        )
  );

  // 4. Per-artifact checks (SBOMs validated once each, up front: validation is async).
  const sbomValidations = new Map<string, SbomValidation>();
  for (const e of evidence) {
    if (e.verified !== undefined && e.signerAllowed && isSbomType(e.statement.predicateType)) {
      sbomValidations.set(e.id, await validateSafely(deps, e.statement.predicate));
    }
  }
  const sbomCache = new Map<string, Check[]>();
  const provenanceForAgents: ProvenanceFacts[] = [];
  const artifacts: ArtifactReport[] = inputs.artifacts.map((artifact) => {
    const checks: Check[] = [];
    checks.push(checksumCheck(artifact, checksumLines, inputs.checksums !== undefined, policy));
    const relied: VerifiedBundle[] = [];
    checks.push(signatureCheck(artifact, messageSignatures, policy, relied));
    const level = provenanceChecks(artifact, evidence, policy, checks, relied, provenanceForAgents);
    sbomChecks(artifact, evidence, policy, sbomValidations, checks, relied, sbomCache);
    const checksumsBundle = messageSignatures.find(
      (m) => m.target === checksumsName && m.allowed && m.verified !== undefined
    );
    if (checksumsBundle?.verified !== undefined && inputs.checksums !== undefined)
      relied.push(checksumsBundle.verified);
    checks.push(freshnessCheck(relied, policy, now));
    checks.push(...transparencyChecks(relied, policy));
    return {
      name: artifact.name,
      digest: { ...artifact.digests },
      verdict: checks.some((c) => c.status === 'fail') ? 'FAIL' : 'PASS',
      slsaBuildLevel: level,
      checks,
    };
  });

  releaseChecks.push(...agentChecks(evidence, provenanceForAgents, inputs, policy));

  const all = [...releaseChecks, ...artifacts.flatMap((a) => a.checks)];
  const failures = [
    ...releaseChecks
      .filter((c) => c.status === 'fail')
      .map((c) => ({ id: c.id, code: c.code, subject: 'release', message: c.message })),
    ...artifacts.flatMap((a) =>
      a.checks
        .filter((c) => c.status === 'fail')
        .map((c) => ({ id: c.id, code: c.code, subject: a.name, message: c.message }))
    ),
  ];
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    verdict: failures.length === 0 ? 'PASS' : 'FAIL',
    verifiedAt: toRFC3339(meta.reportTime ?? now),
    policy: { name: policy.name, uri: meta.policySource.uri, digest: meta.policySource.digest },
    ...(meta.trustedRoot === undefined ? {} : { trustedRoot: meta.trustedRoot }),
    release: { checks: releaseChecks },
    artifacts,
    attestations: attestations.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    summary: {
      artifacts: artifacts.length,
      artifactsPassed: artifacts.filter((a) => a.verdict === 'PASS').length,
      checks: {
        pass: all.filter((c) => c.status === 'pass').length,
        fail: all.filter((c) => c.status === 'fail').length,
        skip: all.filter((c) => c.status === 'skip').length,
      },
      failures,
    },
  };
}

function messageSignatureTarget(
  file: string,
  bundle: unknown,
  artifacts: Map<string, ArtifactInput>,
  checksums: ReleaseInputs['checksums']
): { name: string; algorithm: DigestAlgorithm; hex: string } | undefined {
  const base = bundleBaseName(file);
  const candidates: { name: string; digests: Partial<Record<DigestAlgorithm, string>> }[] = [];
  if (checksums !== undefined)
    candidates.push({ name: checksums.file, digests: checksums.digests });
  const named =
    base === undefined
      ? undefined
      : (artifacts.get(base) ?? candidates.find((c) => c.name === base));
  const md = messageDigestHex(bundle);
  const algorithm = md?.algorithm ?? 'sha256';
  if (named !== undefined) {
    const hex = named.digests[algorithm] ?? named.digests.sha256;
    return hex === undefined
      ? undefined
      : {
          name: named.name,
          algorithm: named.digests[algorithm] === undefined ? 'sha256' : algorithm,
          hex,
        };
  }
  if (md === undefined) return undefined;
  // Not named after a file: find the file whose digest it claims (verification then proves it).
  for (const candidate of [...artifacts.values(), ...candidates]) {
    if (candidate.digests[md.algorithm]?.toLowerCase() === md.hex)
      return { name: candidate.name, algorithm: md.algorithm, hex: md.hex };
  }
  return undefined;
}

function checksumEntries(
  inputs: ReleaseInputs,
  deps: VerifyDeps,
  releaseChecks: Check[],
  policy: Policy
): Map<string, { algorithm: string; hex: string; line: number }> | undefined {
  if (inputs.checksums === undefined) {
    releaseChecks.push(
      policy.checksums.required
        ? fail(
            'checksums.present',
            'VERIFY_CHECKSUMS_MISSING',
            `no checksums file (${policy.checksums.file}) in the release`
          )
        : skip(
            'checksums.present',
            'VERIFY_CHECKSUMS_MISSING',
            'no checksums file; the policy does not require one'
          )
    );
    return undefined;
  }
  let lines;
  try {
    lines = deps.parseChecksums(inputs.checksums.text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    releaseChecks.push(
      fail(
        'checksums.present',
        'VERIFY_CHECKSUMS_MISSING',
        `${inputs.checksums.file} cannot be parsed: ${message}`
      )
    );
    return new Map();
  }
  releaseChecks.push(
    pass(
      'checksums.present',
      'VERIFY_CHECKSUMS_MISSING',
      `${inputs.checksums.file}: ${lines.length} entr${lines.length === 1 ? 'y' : 'ies'}`
    )
  );
  const map = new Map<string, { algorithm: string; hex: string; line: number }>();
  const duplicates: string[] = [];
  for (const line of lines) {
    if (map.has(line.name)) duplicates.push(line.name);
    map.set(line.name, { algorithm: line.algorithm, hex: line.hex.toLowerCase(), line: line.line });
  }
  const names = new Set(inputs.artifacts.map((a) => a.name));
  const missing = [...map.keys()].filter((name) => !names.has(name)).sort();
  releaseChecks.push(
    missing.length === 0 && duplicates.length === 0
      ? pass('checksums.entries', 'VERIFY_ARTIFACT_MISSING', 'every listed file is in the release')
      : fail(
          'checksums.entries',
          'VERIFY_ARTIFACT_MISSING',
          [
            missing.length > 0 ? `listed but missing: ${missing.join(', ')}` : '',
            duplicates.length > 0 ? `listed twice: ${duplicates.join(', ')}` : '',
          ]
            .filter(Boolean)
            .join('; '),
          { missing, duplicates }
        )
  );
  return map;
}

function checksumsSignatureCheck(
  inputs: ReleaseInputs,
  policy: Policy,
  signatures: {
    target: string;
    id: string;
    verified?: VerifiedBundle;
    allowed: boolean;
    reason: string;
  }[],
  checksumsName: string | undefined
): Check {
  const id = 'checksums.signature';
  if (!policy.checksums.signed)
    return skip(
      id,
      'VERIFY_CHECKSUMS_SIGNATURE',
      'the policy does not require a signed checksums file'
    );
  if (inputs.checksums === undefined || checksumsName === undefined) {
    return policy.checksums.required
      ? fail(id, 'VERIFY_CHECKSUMS_SIGNATURE', 'no checksums file to check the signature of')
      : skip(id, 'VERIFY_CHECKSUMS_SIGNATURE', 'no checksums file');
  }
  const bundles = signatures.filter((s) => s.target === checksumsName);
  const good = bundles.find((s) => s.verified !== undefined && s.allowed);
  if (good !== undefined) {
    return pass(id, 'VERIFY_CHECKSUMS_SIGNATURE', `${checksumsName} signed (${good.id})`, {
      bundle: good.id,
      signer: good.verified === undefined ? undefined : describeSigner(good.verified.signer),
    });
  }
  if (bundles.length === 0)
    return fail(
      id,
      'VERIFY_CHECKSUMS_SIGNATURE',
      `no signature bundle for ${checksumsName} (expected ${checksumsName}.sigstore.json)`
    );
  return fail(
    id,
    'VERIFY_CHECKSUMS_SIGNATURE',
    bundles.map((b) => `${b.id}: ${b.reason}`).join('; ')
  );
}

function checksumCheck(
  artifact: ArtifactInput,
  lines: Map<string, { algorithm: string; hex: string; line: number }> | undefined,
  present: boolean,
  policy: Policy
): Check {
  const id = 'checksum';
  if (lines === undefined || !present) {
    return policy.checksums.required
      ? fail(id, 'VERIFY_CHECKSUMS_MISSING', 'no checksums file')
      : skip(id, 'VERIFY_CHECKSUM_MISMATCH', 'no checksums file; not required');
  }
  const entry = lines.get(artifact.name);
  if (entry === undefined)
    return fail(
      id,
      'VERIFY_CHECKSUM_MISSING',
      `${artifact.name} is not listed in the checksums file`
    );
  const actual = artifact.digests[entry.algorithm as DigestAlgorithm];
  if (actual === undefined)
    return fail(
      id,
      'VERIFY_CHECKSUM_MISMATCH',
      `no ${entry.algorithm} digest computed for ${artifact.name}`
    );
  return actual.toLowerCase() === entry.hex
    ? pass(id, 'VERIFY_CHECKSUM_MISMATCH', `${entry.algorithm} matches line ${entry.line}`, {
        line: entry.line,
      })
    : fail(
        id,
        'VERIFY_CHECKSUM_MISMATCH',
        `${entry.algorithm} ${actual} differs from line ${entry.line} (${entry.hex})`,
        { line: entry.line, expected: entry.hex, actual }
      );
}

function signatureCheck(
  artifact: ArtifactInput,
  signatures: {
    target: string;
    id: string;
    verified?: VerifiedBundle;
    allowed: boolean;
    reason: string;
  }[],
  policy: Policy,
  relied: VerifiedBundle[]
): Check {
  const id = 'signature';
  const mine = signatures.filter((s) => s.target === artifact.name);
  if (mine.length === 0) {
    return policy.signatures.required
      ? fail(id, 'VERIFY_SIGNATURE_MISSING', `no signature bundle for ${artifact.name}`)
      : skip(id, 'VERIFY_SIGNATURE_MISSING', 'no per-artifact signature bundle; not required');
  }
  const bad = mine.filter((s) => s.verified === undefined || !s.allowed);
  for (const s of mine) if (s.verified !== undefined && s.allowed) relied.push(s.verified);
  if (bad.length > 0) {
    const code: ErrorCode = bad.some((b) => b.verified !== undefined)
      ? 'POLICY_SIGNER_NOT_ALLOWED'
      : 'VERIFY_SIGNATURE_INVALID';
    return fail(id, code, bad.map((b) => `${b.id}: ${b.reason}`).join('; '));
  }
  return pass(id, 'VERIFY_SIGNATURE_MISSING', `signed (${mine.map((s) => s.id).join(', ')})`);
}

function provenanceChecks(
  artifact: ArtifactInput,
  evidence: Evidence[],
  policy: Policy,
  checks: Check[],
  relied: VerifiedBundle[],
  forAgents: ProvenanceFacts[]
): 0 | 1 | 2 {
  const P = policy.provenance;
  const covering = evidence.filter((e) => coversArtifact(e.statement.subject, artifact));
  const signed = covering.filter(
    (e) =>
      e.verified !== undefined &&
      e.signerAllowed &&
      isProvenanceType(e.statement.predicateType, policy)
  );
  const unsigned = covering.filter(
    (e) =>
      e.verified === undefined &&
      looksLikeProvenance(e.statement.predicateType) &&
      isProvenanceType(e.statement.predicateType, policy)
  );
  let accepted: Evidence[];
  let level: 0 | 1 | 2;
  if (signed.length > 0) {
    accepted = P.signed ? signed : [...signed, ...unsigned];
    level = 2;
    checks.push(
      pass(
        'provenance',
        'VERIFY_PROVENANCE_MISSING',
        `SLSA provenance: ${signed.map((e) => e.id).join(', ')}`,
        { attestations: signed.map((e) => e.id) }
      )
    );
  } else if (unsigned.length > 0) {
    level = 1;
    if (P.signed) {
      checks.push(
        fail(
          'provenance',
          'VERIFY_PROVENANCE_UNSIGNED',
          `only unsigned provenance (${unsigned.map((e) => e.file).join(', ')}: SLSA Build L1); the policy requires signed provenance`
        )
      );
      return level;
    }
    accepted = unsigned;
    checks.push(
      pass(
        'provenance',
        'VERIFY_PROVENANCE_MISSING',
        `unsigned provenance accepted by policy (SLSA Build L1): ${unsigned.map((e) => e.id).join(', ')}`
      )
    );
  } else {
    const hints = covering
      .filter((e) => looksLikeProvenance(e.statement.predicateType))
      .map((e) =>
        !isProvenanceType(e.statement.predicateType, policy)
          ? `${e.id} has predicate type ${e.statement.predicateType}, not ${P.predicateTypes.join(' or ')}`
          : `${e.id}: signer not allowed (${e.signerReason ?? ''})`
      );
    checks.push(
      P.required
        ? fail(
            'provenance',
            'VERIFY_PROVENANCE_MISSING',
            `no valid provenance names ${artifact.name}${hints.length > 0 ? `: ${hints.join('; ')}` : ''}`
          )
        : skip('provenance', 'VERIFY_PROVENANCE_MISSING', 'no provenance; not required')
    );
    return 0;
  }
  for (const e of accepted) if (e.verified !== undefined) relied.push(e.verified);
  const facts = accepted.map((e) => ({
    e,
    facts: provenanceFacts(e.statement.predicateType, e.statement.predicate),
  }));
  forAgents.push(...facts.map((f) => f.facts));

  const field = (
    id: string,
    label: string,
    patterns: readonly string[],
    value: (f: ProvenanceFacts, e: Evidence) => (string | undefined)[]
  ): void => {
    if (patterns.length === 0) {
      checks.push(skip(id, 'VERIFY_PROVENANCE_MISMATCH', `the policy sets no ${label}`));
      return;
    }
    const problems: string[] = [];
    const seen: string[] = [];
    for (const { e, facts: f } of facts) {
      const values = value(f, e);
      if (values.every((v) => v === undefined)) problems.push(`${e.id}: no ${label}`);
      for (const v of values) {
        if (v === undefined) continue;
        seen.push(v);
        if (!matchesAnyGlob(v, patterns))
          problems.push(
            `${e.id}: ${label} ${JSON.stringify(v)} not in ${JSON.stringify(patterns)}`
          );
      }
    }
    checks.push(
      problems.length === 0
        ? pass(id, 'VERIFY_PROVENANCE_MISMATCH', `${label} ${[...new Set(seen)].join(', ')}`)
        : fail(id, 'VERIFY_PROVENANCE_MISMATCH', problems.join('; '), { expected: patterns })
    );
  };
  const certExt = (e: Evidence): Record<string, string | undefined> =>
    e.verified?.signer.kind === 'certificate' ? { ...e.verified.signer.extensions } : {};
  field('provenance.builder', 'builder id', P.builderIds, (f) => [f.builderId]);
  field('provenance.build-type', 'build type', P.buildTypes, (f) => [f.buildType]);
  field('provenance.source-repository', 'source repository', P.sourceRepositories, (f) => [
    f.sourceRepository,
  ]);
  field('provenance.source-ref', 'source ref', P.sourceRefs, (f, e) => [
    f.sourceRef,
    certExt(e).sourceRepositoryRef,
  ]);
  field('provenance.source-digest', 'source commit', P.sourceDigests, (f) => [f.sourceCommit]);
  field('provenance.workflow', 'workflow', P.workflows, (f) => [f.workflow]);
  field('provenance.runner-environment', 'runner environment', P.runnerEnvironments, (f, e) => [
    f.runnerEnvironment,
    certExt(e).runnerEnvironment,
  ]);
  if (P.denySelfHostedRunners) {
    const problems: string[] = [];
    for (const { e, facts: f } of facts) {
      const values = [f.runnerEnvironment, certExt(e).runnerEnvironment].filter(
        (v) => v !== undefined
      );
      if (values.length === 0) problems.push(`${e.id}: runner environment unknown`);
      else if (values.some((v) => v === 'self-hosted'))
        problems.push(`${e.id}: built on a self-hosted runner`);
    }
    checks.push(
      problems.length === 0
        ? pass(
            'provenance.self-hosted',
            'VERIFY_PROVENANCE_MISMATCH',
            'built on a platform-hosted runner'
          )
        : fail('provenance.self-hosted', 'VERIFY_PROVENANCE_MISMATCH', problems.join('; '))
    );
  } else {
    checks.push(
      skip(
        'provenance.self-hosted',
        'VERIFY_PROVENANCE_MISMATCH',
        'self-hosted runners are not denied'
      )
    );
  }
  checks.push(certificateAgreement(facts, P.certificateAgreement));
  return level;
}

function normalizeRepo(url: string): string {
  return splitGitURI(url).repository.toLowerCase();
}

function certificateAgreement(
  facts: { e: Evidence; facts: ProvenanceFacts }[],
  required: boolean
): Check {
  const id = 'provenance.certificate';
  if (!required)
    return skip(
      id,
      'VERIFY_CERT_PROVENANCE_DISAGREE',
      'the policy does not require provenance/certificate agreement'
    );
  const problems: string[] = [];
  let compared = 0;
  for (const { e, facts: f } of facts) {
    if (e.verified === undefined) continue; // unsigned provenance: accepted only when the policy allows it
    if (e.verified.signer.kind !== 'certificate') {
      problems.push(`${e.id}: signed with a key, no certificate to compare with`);
      continue;
    }
    const ext = e.verified.signer.extensions;
    if (f.sourceCommit === undefined) problems.push(`${e.id}: provenance names no source commit`);
    else if (ext.sourceRepositoryDigest === undefined)
      problems.push(
        `${e.id}: provenance claims commit ${f.sourceCommit}, the certificate carries none`
      );
    else if (ext.sourceRepositoryDigest.toLowerCase() !== f.sourceCommit)
      problems.push(
        `${e.id}: provenance commit ${f.sourceCommit} ≠ certificate ${ext.sourceRepositoryDigest}`
      );
    if (f.sourceRepository === undefined)
      problems.push(`${e.id}: provenance names no source repository`);
    else if (ext.sourceRepositoryURI === undefined)
      problems.push(
        `${e.id}: provenance claims repository ${f.sourceRepository}, the certificate carries none`
      );
    else if (normalizeRepo(ext.sourceRepositoryURI) !== normalizeRepo(f.sourceRepository))
      problems.push(
        `${e.id}: provenance repository ${f.sourceRepository} ≠ certificate ${ext.sourceRepositoryURI}`
      );
    if (
      f.sourceRef !== undefined &&
      ext.sourceRepositoryRef !== undefined &&
      f.sourceRef !== ext.sourceRepositoryRef
    )
      problems.push(
        `${e.id}: provenance ref ${f.sourceRef} ≠ certificate ${ext.sourceRepositoryRef}`
      );
    compared++;
  }
  if (problems.length > 0) return fail(id, 'VERIFY_CERT_PROVENANCE_DISAGREE', problems.join('; '));
  if (compared === 0)
    return skip(id, 'VERIFY_CERT_PROVENANCE_DISAGREE', 'no signed provenance to compare');
  return pass(
    id,
    'VERIFY_CERT_PROVENANCE_DISAGREE',
    'provenance repository and commit match the signing certificate'
  );
}

function sbomChecks(
  artifact: ArtifactInput,
  evidence: Evidence[],
  policy: Policy,
  validations: Map<string, SbomValidation>,
  checks: Check[],
  relied: VerifiedBundle[],
  cache: Map<string, Check[]>
): void {
  const S = policy.sbom;
  const sboms = evidence.filter(
    (e) =>
      e.verified !== undefined &&
      e.signerAllowed &&
      isSbomType(e.statement.predicateType) &&
      coversArtifact(e.statement.subject, artifact)
  );
  if (sboms.length === 0) {
    checks.push(
      S.required
        ? fail(
            'sbom',
            'VERIFY_SBOM_MISSING',
            `no signed CycloneDX SBOM attestation names ${artifact.name}`
          )
        : skip('sbom', 'VERIFY_SBOM_MISSING', 'no SBOM attestation; not required')
    );
    return;
  }
  checks.push(
    pass('sbom', 'VERIFY_SBOM_MISSING', `SBOM attestation: ${sboms.map((e) => e.id).join(', ')}`)
  );
  for (const e of sboms) if (e.verified !== undefined) relied.push(e.verified);
  const merged = new Map<string, Check>();
  for (const e of sboms) {
    let result = cache.get(e.id);
    if (result === undefined) {
      result = evaluateOneSbom(
        e,
        S,
        validations.get(e.id) ?? { valid: false, errors: ['not validated'] }
      );
      cache.set(e.id, result);
    }
    for (const check of result) {
      const prior = merged.get(check.id);
      if (prior === undefined || (prior.status !== 'fail' && check.status === 'fail'))
        merged.set(check.id, check);
    }
  }
  checks.push(...merged.values());
}

async function validateSafely(deps: VerifyDeps, bom: unknown): Promise<SbomValidation> {
  try {
    return await deps.validateSbom(bom);
  } catch (error) {
    return { valid: false, errors: [error instanceof Error ? error.message : String(error)] };
  }
}

function evaluateOneSbom(e: Evidence, S: Policy['sbom'], validation: SbomValidation): Check[] {
  const out: Check[] = [];
  out.push(
    validation.valid
      ? pass(
          'sbom.valid',
          'VERIFY_SBOM_INVALID',
          (validation.specVersion?.startsWith('SPDX-') === true
            ? `valid ${validation.specVersion}`
            : `valid CycloneDX ${validation.specVersion ?? ''}`
          ).trim()
        )
      : fail(
          'sbom.valid',
          'VERIFY_SBOM_INVALID',
          `${e.id}: ${validation.errors.slice(0, 3).join('; ')}`
        )
  );
  const findings = evaluateSbom(e.statement.predicate, S);
  out.push(
    S.specVersions.length === 0
      ? skip('sbom.spec-version', 'POLICY_SBOM_SPEC_VERSION', 'the policy sets no spec version')
      : findings.specVersionAllowed
        ? pass(
            'sbom.spec-version',
            'POLICY_SBOM_SPEC_VERSION',
            `specVersion ${findings.specVersion ?? ''}`
          )
        : fail(
            'sbom.spec-version',
            'POLICY_SBOM_SPEC_VERSION',
            `specVersion ${findings.specVersion ?? '(none)'} not in ${JSON.stringify(S.specVersions)}`
          )
  );
  out.push(
    S.deniedLicenses.length === 0
      ? skip('sbom.licenses', 'POLICY_LICENSE_DENIED', 'the policy denies no license')
      : findings.deniedLicenses.length === 0
        ? pass('sbom.licenses', 'POLICY_LICENSE_DENIED', 'no denied license')
        : fail(
            'sbom.licenses',
            'POLICY_LICENSE_DENIED',
            findings.deniedLicenses.map((d) => `${d.component}: ${d.reason}`).join('; '),
            { denied: findings.deniedLicenses }
          )
  );
  out.push(
    S.deniedPackages.length === 0
      ? skip('sbom.packages', 'POLICY_PACKAGE_DENIED', 'the policy denies no package')
      : findings.deniedPackages.length === 0
        ? pass('sbom.packages', 'POLICY_PACKAGE_DENIED', 'no denied package')
        : fail(
            'sbom.packages',
            'POLICY_PACKAGE_DENIED',
            findings.deniedPackages
              .map((d) => `${d.component} (${d.rule}): ${d.reason}`)
              .join('; '),
            { denied: findings.deniedPackages }
          )
  );
  out.push(
    S.requiredComponents.length === 0
      ? skip('sbom.components', 'POLICY_COMPONENT_MISSING', 'the policy requires no component')
      : findings.missingComponents.length === 0
        ? pass('sbom.components', 'POLICY_COMPONENT_MISSING', 'every required component is present')
        : fail(
            'sbom.components',
            'POLICY_COMPONENT_MISSING',
            `missing: ${findings.missingComponents.join(', ')}`
          )
  );
  return out;
}

function freshnessCheck(relied: VerifiedBundle[], policy: Policy, now: Date): Check {
  const id = 'freshness';
  const maxAge = policy.freshness.maxAgeSeconds;
  if (maxAge === undefined) return skip(id, 'VERIFY_STALE', 'the policy sets no maximum age');
  if (relied.length === 0)
    return fail(id, 'VERIFY_STALE', 'no signed attestation to take a signing time from');
  const problems: string[] = [];
  let oldest: Date | undefined;
  for (const bundle of relied) {
    const at = bundle.signedAt;
    if (at === undefined) {
      problems.push('a bundle has no verified signing time');
      continue;
    }
    if (oldest === undefined || at < oldest) oldest = at;
    const age = (now.getTime() - at.getTime()) / 1000;
    if (age > maxAge)
      problems.push(
        `signed ${toRFC3339(at)}, ${Math.floor(age / 86400)} day(s) ago, over the maximum of ${Math.floor(maxAge / 86400)} day(s)`
      );
    if (at.getTime() - now.getTime() > FUTURE_TOLERANCE_MS)
      problems.push(`signed in the future (${toRFC3339(at)})`);
  }
  if (problems.length > 0) return fail(id, 'VERIFY_STALE', [...new Set(problems)].join('; '));
  return pass(
    id,
    'VERIFY_STALE',
    `oldest signature ${oldest === undefined ? '?' : toRFC3339(oldest)}`
  );
}

function transparencyChecks(relied: VerifiedBundle[], policy: Policy): Check[] {
  const T = policy.transparency;
  if (relied.length === 0) {
    return [
      skip('transparency.tlog', 'VERIFY_TLOG_MISSING', 'no signed attestation'),
      skip('transparency.timestamps', 'VERIFY_TIMESTAMP_MISSING', 'no signed attestation'),
    ];
  }
  const noTlog = relied.filter((b) => b.tlogEntries < 1).length;
  const minStamps = Math.min(...relied.map((b) => b.timestamps.length));
  // A transparency log gives every bundle a signing time; without one, minTimestamps decides.
  const neededStamps = Math.max(T.minTimestamps, T.requireTlog ? 1 : 0);
  return [
    !T.requireTlog
      ? skip(
          'transparency.tlog',
          'VERIFY_TLOG_MISSING',
          'the policy does not require a transparency log'
        )
      : noTlog === 0
        ? pass(
            'transparency.tlog',
            'VERIFY_TLOG_MISSING',
            `${relied.length} bundle(s) with verified log entries`
          )
        : fail(
            'transparency.tlog',
            'VERIFY_TLOG_MISSING',
            `${noTlog} bundle(s) without a transparency-log entry`
          ),
    minStamps >= neededStamps
      ? pass(
          'transparency.timestamps',
          'VERIFY_TIMESTAMP_MISSING',
          `at least ${minStamps} verified timestamp(s) per bundle`
        )
      : fail(
          'transparency.timestamps',
          'VERIFY_TIMESTAMP_MISSING',
          `a bundle has ${minStamps} verified timestamp(s), need ${neededStamps}`
        ),
  ];
}

interface AgentPredicateView {
  agentName?: string;
  agentId?: string;
  modelName?: string;
  modelVersion?: string;
  promptDigest?: string;
  autonomy?: string;
  approvers: string[];
  commits: string[];
  perCommit: { commit: string; agent?: string; model?: string }[];
}

function agentView(statement: InTotoStatement): AgentPredicateView {
  const p = obj(statement.predicate) ?? {};
  const agent = obj(p.agent) ?? {};
  const model = obj(p.model) ?? {};
  const prompt = obj(p.prompt);
  const digest = obj(prompt?.digest);
  const str = (v: unknown): string | undefined =>
    typeof v === 'string' && v.length > 0 ? v : undefined;
  const changes = (Array.isArray(p.changes) ? p.changes : [])
    .map(obj)
    .filter((c) => c !== undefined);
  const perCommit = changes.flatMap((c) => {
    const commit = str(obj(c.digest)?.gitCommit)?.toLowerCase();
    const ann = obj(c.annotations);
    return commit === undefined
      ? []
      : [
          {
            commit,
            ...(str(ann?.agent) ? { agent: str(ann?.agent) } : {}),
            ...(str(ann?.model) ? { model: str(ann?.model) } : {}),
          },
        ];
  });
  const subjectCommits = statement.subject.flatMap((s) =>
    typeof s.digest?.gitCommit === 'string' ? [s.digest.gitCommit.toLowerCase()] : []
  );
  const approvers = (Array.isArray(p.humanApprovals) ? p.humanApprovals : []).flatMap((a) => {
    const id = str(obj(obj(a)?.approver)?.id);
    return id === undefined ? [] : [id];
  });
  const sha = str(digest?.sha256);
  return {
    ...(str(agent.name) ? { agentName: str(agent.name) } : {}),
    ...(str(agent.id) ? { agentId: str(agent.id) } : {}),
    ...(str(model.name) ? { modelName: str(model.name) } : {}),
    ...(str(model.version) ? { modelVersion: str(model.version) } : {}),
    ...(sha !== undefined && /^[0-9a-f]{64}$/.test(sha) ? { promptDigest: sha } : {}),
    ...(str(p.autonomy) ? { autonomy: str(p.autonomy) } : {}),
    approvers,
    commits: [...new Set([...perCommit.map((c) => c.commit), ...subjectCommits])],
    perCommit,
  };
}

function agentChecks(
  evidence: Evidence[],
  provenance: ProvenanceFacts[],
  inputs: ReleaseInputs,
  policy: Policy
): Check[] {
  const A = policy.agents;
  const agentEvidence = evidence.filter(
    (e) => e.statement.predicateType === AGENT_PROVENANCE_PREDICATE_TYPE
  );
  const trusted = agentEvidence.filter((e) => e.verified !== undefined && e.signerAllowed);
  const views = trusted.map((e) => ({ e, view: agentView(e.statement) }));
  const claimed = new Map<string, string>();
  for (const e of agentEvidence)
    for (const c of agentView(e.statement).commits) claimed.set(c, e.id);
  for (const c of inputs.agentCommits?.commits ?? []) {
    claimed.set(c.toLowerCase(), inputs.agentCommits?.source ?? 'agent commits');
  }
  // Provenance links: a linked agent attestation must be present (by payload digest); an
  // AI-assisted dependency without a link must have its commit covered.
  const trustedDigests = new Set(
    trusted.flatMap((e) =>
      e.verified?.payload === undefined ? [] : [sha256Hex(e.verified.payload)]
    )
  );
  const missingLinks: string[] = [];
  for (const f of provenance) {
    for (const link of f.agentLinks) {
      if (link.attestationDigest !== undefined) {
        if (!trustedDigests.has(link.attestationDigest)) missingLinks.push(link.attestationDigest);
      } else if (link.commit !== undefined) {
        claimed.set(link.commit, 'provenance annotation');
      }
    }
  }
  const covered = new Set(views.flatMap((v) => v.view.commits));
  const uncovered = [...claimed.keys()].filter((c) => !covered.has(c)).sort();
  const unlinked = [...new Set(missingLinks)].sort();

  const checks: Check[] = [];
  checks.push(
    trusted.length > 0
      ? pass(
          'agents.present',
          'VERIFY_AGENT_PROVENANCE_MISSING',
          `${trusted.length} agent-provenance attestation(s)`
        )
      : A.required
        ? fail(
            'agents.present',
            'VERIFY_AGENT_PROVENANCE_MISSING',
            'the policy requires agent provenance and none is valid'
          )
        : skip(
            'agents.present',
            'VERIFY_AGENT_PROVENANCE_MISSING',
            'no agent provenance; not required'
          )
  );
  const coverageProblems = [
    ...uncovered.map(
      (c) =>
        `commit ${c.slice(0, 12)} (from ${claimed.get(c) ?? '?'}) is not covered by a valid agent attestation`
    ),
    ...unlinked.map(
      (d) =>
        `provenance links agent provenance sha256:${d.slice(0, 12)}…, which the release does not carry from an allowed signer`
    ),
  ];
  checks.push(
    coverageProblems.length === 0
      ? pass(
          'agents.coverage',
          'VERIFY_AGENT_UNCOVERED',
          claimed.size === 0
            ? 'no agent-authored commits found'
            : `${claimed.size} agent-authored commit(s), all covered`
        )
      : fail('agents.coverage', 'VERIFY_AGENT_UNCOVERED', coverageProblems.join('; '), {
          uncovered,
          unlinkedAttestations: unlinked,
        })
  );
  if (views.length === 0) {
    for (const [id, code] of [
      ['agents.agent', 'POLICY_AGENT_NOT_ALLOWED'],
      ['agents.model', 'POLICY_MODEL_NOT_ALLOWED'],
      ['agents.prompt', 'POLICY_PROMPT_DIGEST_MISSING'],
      ['agents.approvals', 'POLICY_APPROVALS_INSUFFICIENT'],
      ['agents.autonomy', 'POLICY_AUTONOMY_NOT_ALLOWED'],
    ] as const) {
      checks.push(skip(id, code, 'no agent provenance to check'));
    }
    return checks;
  }
  const collect = (
    id: string,
    code: ErrorCode,
    okMessage: string,
    problemsOf: (v: AgentPredicateView, e: Evidence) => string[]
  ): void => {
    const problems = views.flatMap(({ e, view }) =>
      problemsOf(view, e).map((p) => `${e.id}: ${p}`)
    );
    checks.push(
      problems.length === 0 ? pass(id, code, okMessage) : fail(id, code, problems.join('; '))
    );
  };
  collect(
    'agents.agent',
    'POLICY_AGENT_NOT_ALLOWED',
    A.allowedAgents.length === 0 ? 'any agent allowed' : 'agents allowed',
    (v) => {
      if (A.allowedAgents.length === 0) return [];
      const names = [v.agentName, ...v.perCommit.map((c) => c.agent)].filter(
        (n) => n !== undefined
      );
      if (names.length === 0) return ['no agent name'];
      const ok = (n: string): boolean =>
        matchesAnyGlob(n, A.allowedAgents) ||
        (v.agentId !== undefined &&
          n === v.agentName &&
          matchesAnyGlob(v.agentId, A.allowedAgents));
      return [...new Set(names.filter((n) => !ok(n)))].map(
        (n) => `agent ${JSON.stringify(n)} is not allowed`
      );
    }
  );
  collect(
    'agents.model',
    'POLICY_MODEL_NOT_ALLOWED',
    A.allowedModels.length === 0 ? 'any model allowed' : 'models allowed',
    (v) => {
      if (A.allowedModels.length === 0) return [];
      const names = [v.modelName, ...v.perCommit.map((c) => c.model)].filter(
        (n) => n !== undefined
      );
      if (names.length === 0) return ['no model name'];
      return [...new Set(names.filter((n) => !matchesAnyGlob(n, A.allowedModels)))].map(
        (n) => `model ${JSON.stringify(n)} is not allowed`
      );
    }
  );
  collect(
    'agents.prompt',
    'POLICY_PROMPT_DIGEST_MISSING',
    A.requirePromptDigest ? 'prompt digest present' : 'prompt digest not required',
    (v) =>
      A.requirePromptDigest && v.promptDigest === undefined
        ? ['no prompt digest (prompt.digest.sha256)']
        : []
  );
  collect(
    'agents.approvals',
    'POLICY_APPROVALS_INSUFFICIENT',
    `at least ${A.minApprovals} approval(s) from allowed humans`,
    (v) => {
      const agentIds = new Set([v.agentName, v.agentId].filter((x) => x !== undefined));
      const humans = new Set(
        v.approvers.filter((id) => !agentIds.has(id) && matchesAnyGlob(id, A.allowedApprovers))
      );
      return humans.size >= A.minApprovals
        ? []
        : [`${humans.size} approval(s) from allowed humans, need ${A.minApprovals}`];
    }
  );
  collect(
    'agents.autonomy',
    'POLICY_AUTONOMY_NOT_ALLOWED',
    `autonomy in ${JSON.stringify(A.allowedAutonomy)}`,
    (v) =>
      v.autonomy !== undefined && A.allowedAutonomy.includes(v.autonomy)
        ? []
        : [`autonomy ${JSON.stringify(v.autonomy ?? null)} is not allowed`]
  );
  return checks;
}
