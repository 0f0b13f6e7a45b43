// Adapter: `custody verify IMAGE` gathers the image's evidence from its registry and hands it to
// the same engine as a release directory: the image is one artifact (`HOST/REPO`, its manifest
// digest), its referrer bundles are the bundles. Before that, referrers are screened: anyone with
// push access can attach one, so a bundle that does not verify or whose signer the policy does
// not allow is ignored (listed in the report), never trusted and never a reason to fail. An
// allowed signer's attestation that names another digest fails the image (`image.referrers`).
import path from 'node:path';
import { parseStatement } from '../../attest/intoto.js';
import { parseChecksums } from '../../digest/index.js';
import { readJSONFile } from '../../io/fs.js';
import type { Policy, PolicyFlags, PolicySource } from '../../policy/index.js';
import { validateBom } from '../../sbom/index.js';
import { embeddedTrustedRoot, loadTrustedRoot, type TrustContext } from '../../sign/index.js';
import { createBundleVerifier } from '../../verify/adapter/pool.js';
import { loadPolicy } from '../../verify/adapter/run.js';
import { verifyRelease } from '../../verify/engine.js';
import { matchSigner, policyKeys } from '../../verify/signer.js';
import type {
  AttestationReport,
  BundleInput,
  BundleRequest,
  Check,
  VerificationReport,
  VerifyDeps,
} from '../../verify/types.js';
import { formatReference, subjectName } from '../reference.js';
import { discoverBundles, type Discovery } from './referrers.js';
import { resolveImageArgument } from './publish.js';
import type { OpenImageOptions } from './source.js';

export interface ImageVerificationOptions extends OpenImageOptions {
  image: string;
  policyFile?: string;
  policyFlags: PolicyFlags;
  trustedRoot?: string;
  staging?: boolean;
  cosignTags?: boolean;
  now: Date;
  reportTime?: Date;
}

export interface ImageVerificationResult {
  report: VerificationReport;
  image: { reference: string; digest: string; resolvedFromTag?: string };
  discovery: Discovery;
  notes: string[];
}

function obj(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function usesPublicKey(bundle: unknown): boolean {
  return obj(obj(bundle)?.verificationMaterial)?.publicKey !== undefined;
}

export async function loadTrust(
  cwd: string,
  trustedRoot: string | undefined,
  staging: boolean | undefined
): Promise<TrustContext> {
  if (trustedRoot !== undefined) {
    return loadTrustedRoot(
      await readJSONFile(path.resolve(cwd, trustedRoot), {
        what: 'trusted root',
        maxBytes: 16 * 1024 * 1024,
      })
    );
  }
  return embeddedTrustedRoot(staging === true ? 'staging' : 'public-good');
}

function addCheck(report: VerificationReport, check: Check): void {
  report.release.checks.push(check);
  report.summary.checks[check.status]++;
  if (check.status === 'fail') {
    report.summary.failures.push({
      id: check.id,
      code: check.code,
      subject: 'release',
      message: check.message,
    });
    report.verdict = 'FAIL';
  }
}

export async function runImageVerification(
  options: ImageVerificationOptions
): Promise<ImageVerificationResult> {
  const { policy: loaded, source: policySource } = await loadPolicy(
    options.cwd,
    options.policyFile,
    options.policyFlags
  );
  // An image has no checksums file: its manifest digest, recomputed from the bytes, is the checksum.
  const policy = { ...loaded, checksums: { ...loaded.checksums, required: false, signed: false } };
  const trust = await loadTrust(options.cwd, options.trustedRoot, options.staging);
  const image = await resolveImageArgument(options.image, options);
  const notes: string[] = [];
  try {
    const ref = image.source.reference;
    const pinned =
      ref.kind === 'registry'
        ? formatReference({ ...ref, digest: image.digest })
        : formatReference(ref);
    if (image.resolvedFromTag !== undefined)
      notes.push(
        `${formatReference(ref)} resolved once to ${image.digest}; everything below is about that digest`
      );
    const client = image.source.registry;
    const discovery: Discovery =
      client === undefined
        ? { bundles: [], ignored: [], via: 'tag-schema' }
        : await discoverBundles(
            client,
            image.digest,
            options.cosignTags === true ? { cosignTags: true } : {}
          );
    if (client === undefined)
      notes.push(
        'a local image carries no referrers; pass the registry reference to verify its attestations'
      );
    const report = await verifyImageEvidence({
      name: subjectName(ref),
      pinned,
      digest: image.digest,
      ...(image.resolvedFromTag === undefined ? {} : { resolvedFromTag: image.resolvedFromTag }),
      discovery,
      policy,
      policySource,
      trust,
      trustedRootLabel:
        options.trustedRoot === undefined
          ? `embedded:${trust.name}`
          : path.basename(options.trustedRoot),
      now: options.now,
      ...(options.reportTime === undefined ? {} : { reportTime: options.reportTime }),
    });
    return {
      report,
      image: {
        reference: pinned,
        digest: image.digest,
        ...(image.resolvedFromTag === undefined ? {} : { resolvedFromTag: image.resolvedFromTag }),
      },
      discovery,
      notes,
    };
  } finally {
    await image.source.close();
  }
}

export interface ImageEvidence {
  /** The artifact name in the report: `HOST/REPO`. */
  name: string;
  pinned: string;
  digest: string;
  resolvedFromTag?: string;
  discovery: Discovery;
  policy: Policy;
  policySource: PolicySource;
  trust: TrustContext;
  trustedRootLabel: string;
  now: Date;
  reportTime?: Date;
}

/** Screens the discovered referrer bundles and runs the release engine on the image (no I/O). */
export async function verifyImageEvidence(input: ImageEvidence): Promise<VerificationReport> {
  const { name, pinned, discovery, policy, trust } = input;
  const image = { digest: input.digest, resolvedFromTag: input.resolvedFromTag };
  const options = { now: input.now, reportTime: input.reportTime };
  const policySource = input.policySource;
  const hex = image.digest.slice('sha256:'.length);
  const parsed: BundleInput[] = discovery.bundles.map((b) => {
    const id = `referrer:${b.referrer}`;
    const file = `${b.referrer}.sigstore.json`;
    try {
      return { id, file, bundle: JSON.parse(new TextDecoder().decode(b.bytes)) as unknown };
    } catch {
      return { id, file, problem: 'the referrer blob is not JSON' };
    }
  });

  // Screening: verify every referrer once, keep only those an allowed signer made.
  const verifier = createBundleVerifier({ trust, workers: 0 });
  const keys = policyKeys(policy.signers);
  const requests: BundleRequest[] = parsed.flatMap((b) =>
    b.bundle === undefined
      ? []
      : [
          {
            id: b.id,
            bundle: b.bundle,
            publicKeys: usesPublicKey(b.bundle) ? keys : [],
            requireTransparencyLog: policy.transparency.requireTlog,
            ...(obj(b.bundle)?.messageSignature !== undefined
              ? { target: { algorithm: 'sha256' as const, hex } }
              : {}),
          },
        ]
  );
  const outcomes = new Map((await verifier.verifyBundles(requests)).map((o) => [o.id, o]));
  const kept: BundleInput[] = [];
  const ignoredReports: AttestationReport[] = [];
  const elsewhere: string[] = [];
  for (const b of parsed) {
    const outcome = outcomes.get(b.id);
    const kind = obj(b.bundle)?.dsseEnvelope !== undefined ? 'dsse' : 'message-signature';
    if (outcome === undefined || !outcome.ok) {
      ignoredReports.push({
        id: b.id,
        file: b.file,
        kind: b.bundle === undefined ? 'unreadable' : kind,
        status: 'invalid',
        code: outcome?.ok === false ? outcome.code : 'VERIFY_BUNDLE_INVALID',
        message: `ignored: ${outcome?.ok === false ? outcome.message : (b.problem ?? 'unreadable')}`,
      });
      continue;
    }
    const match =
      policy.signers.length === 0
        ? { allowed: true }
        : matchSigner(policy.signers, outcome.verified, outcome.keyIndex);
    if (!match.allowed) {
      ignoredReports.push({
        id: b.id,
        file: b.file,
        kind,
        status: 'verified',
        signerAllowed: false,
        code: 'OCI_REFERRER_IGNORED',
        message: `ignored: signer not allowed (${match.reason ?? 'no rule matches'})`,
      });
      continue;
    }
    const statement =
      outcome.verified.payload === undefined || kind !== 'dsse'
        ? undefined
        : safeStatement(outcome.verified.payload);
    if (
      statement !== undefined &&
      !statement.subject.some((s) => s.digest?.sha256?.toLowerCase() === hex)
    ) {
      elsewhere.push(
        `${b.id} (${statement.predicateType}) names ${statement.subject.map((s) => `${s.name ?? ''}@sha256:${s.digest?.sha256 ?? '?'}`).join(', ')}`
      );
    }
    kept.push(b);
  }

  const deps: VerifyDeps = {
    verifyBundles: (rs) => verifier.verifyBundles(rs),
    parseChecksums: (text) =>
      parseChecksums(text, { source: 'checksums' }).map((e) => ({
        name: e.path,
        algorithm: e.algorithm,
        hex: e.hex,
        line: e.line,
      })),
    validateSbom: async (bom) => {
      const result = await validateBom(bom, { source: 'attested SBOM', firstErrorOnly: true });
      return {
        valid: result.valid,
        specVersion: result.specVersion,
        errors: result.errors.map((e) => `${e.pointer || '/'} ${e.message}`),
      };
    },
  };
  const report = await verifyRelease(
    { artifacts: [{ name, digests: { sha256: hex } }], bundles: kept, unsignedStatements: [] },
    policy,
    deps,
    options.now,
    {
      policySource,
      ...(options.reportTime === undefined ? {} : { reportTime: options.reportTime }),
      trustedRoot: input.trustedRootLabel,
    }
  );
  report.attestations.push(...ignoredReports);
  report.attestations.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  addCheck(report, {
    id: 'image.digest',
    code: 'OCI_MANIFEST_INVALID',
    status: 'pass',
    message: `${pinned}: manifest bytes hash to the digest${image.resolvedFromTag === undefined ? '' : ` (tag ${image.resolvedFromTag} resolved once)`}`,
    evidence: {
      digest: image.digest,
      ...(image.resolvedFromTag === undefined ? {} : { tag: image.resolvedFromTag }),
    },
  });
  addCheck(
    report,
    elsewhere.length > 0
      ? {
          id: 'image.referrers',
          code: 'OCI_REFERRER_SUBJECT_MISMATCH',
          status: 'fail',
          message: `attached to ${image.digest} but about another image: ${elsewhere.join('; ')}`,
        }
      : {
          id: 'image.referrers',
          code: 'OCI_REFERRER_SUBJECT_MISMATCH',
          status: 'pass',
          message: `${kept.length} referrer bundle(s) used (${discovery.via}); ${ignoredReports.length + discovery.ignored.length} ignored`,
          evidence: {
            via: discovery.via,
            used: kept.length,
            ignored: [
              ...discovery.ignored,
              ...ignoredReports.map((r) => ({ referrer: r.id, reason: r.message ?? '' })),
            ],
          },
        }
  );
  return report;
}

function safeStatement(payload: Uint8Array): ReturnType<typeof parseStatement> | undefined {
  try {
    return parseStatement(payload);
  } catch {
    return undefined;
  }
}
