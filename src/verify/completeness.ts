// Nothing in the release goes unverified: every regular file of the release directory is either
// verified (an artifact, the checksums file, a bundle file whose bundles all verified from allowed
// signers, an SBOM document equal to an attested BOM, runner metadata the policy accepts) or
// listed as unverified. With a policy file, an unverified file fails unless a glob allows it;
// the flag-only policy lists them. The verified set is what the verify action may publish.
import { matchesGlob } from '../policy/match.js';
import type { Policy } from '../policy/types.js';
import { canonicalJSON } from '../util/canonical-json.js';
import type { AttestationReport, Check, ReleaseInputs } from './types.js';

export const FILES_CHECK_ID = 'release.files';

export interface CompletenessInput {
  inputs: ReleaseInputs;
  policy: Policy;
  attestations: readonly AttestationReport[];
  /** The checksums file is signed by an allowed signer, or every line matched an artifact. */
  checksumsVerified: boolean;
  /** Predicates of verified SBOM attestations from allowed signers. */
  attestedBoms: readonly unknown[];
}

function canonical(value: unknown): string | undefined {
  try {
    return canonicalJSON(value);
  } catch {
    return undefined;
  }
}

export function filesCheck(input: CompletenessInput): Check | undefined {
  const { inputs, policy } = input;
  // Artifact arguments (no release directory): there is no directory to account for.
  if (inputs.files === undefined) return undefined;
  const verified = new Set<string>(inputs.artifacts.map((a) => a.name));
  const unverified = new Map<string, string>();
  if (inputs.checksums !== undefined) {
    if (input.checksumsVerified) verified.add(inputs.checksums.file);
    else unverified.set(inputs.checksums.file, 'checksums file neither signed nor matching');
  }
  const byFile = new Map<string, AttestationReport[]>();
  for (const a of input.attestations) byFile.set(a.file, [...(byFile.get(a.file) ?? []), a]);
  for (const [file, reports] of byFile) {
    if (reports.some((r) => r.kind === 'unsigned-statement')) continue;
    const bad = reports.find((r) => r.status !== 'verified' || r.signerAllowed === false);
    if (bad === undefined) verified.add(file);
    else unverified.set(file, `bundle ${bad.id} did not verify from an allowed signer`);
  }
  const boms = new Set(input.attestedBoms.map(canonical).filter((c) => c !== undefined));
  for (const file of inputs.files) {
    if (file.unsignedStatement === true) {
      if (!policy.provenance.signed) verified.add(file.name);
      else unverified.set(file.name, 'unsigned runner metadata');
    } else if (file.document !== undefined && boms.has(canonical(file.document) ?? '')) {
      verified.add(file.name);
    } else {
      unverified.set(
        file.name,
        file.document !== undefined
          ? 'SBOM document differs from every attested BOM'
          : 'not an artifact, checksums file or attestation'
      );
    }
  }
  for (const name of verified) unverified.delete(name);
  const allowed = [...unverified.keys()].filter((name) =>
    policy.files.allowUnverified.some((glob) => matchesGlob(name, glob))
  );
  const offending = [...unverified.keys()].filter((name) => !allowed.includes(name)).sort();
  const evidence = {
    verified: [...verified].sort(),
    unverified: [...unverified.keys()].sort(),
    ...(allowed.length > 0 ? { allowedUnverified: allowed.sort() } : {}),
  };
  const describe = (names: readonly string[]): string =>
    names.map((n) => `${n} (${unverified.get(n) ?? ''})`).join(', ');
  if (offending.length === 0) {
    return {
      id: FILES_CHECK_ID,
      code: 'VERIFY_FILE_UNVERIFIED',
      status: 'pass',
      message:
        unverified.size === 0
          ? `every file verified (${verified.size})`
          : `${verified.size} file(s) verified; unverified but allowed by policy: ${describe(allowed)}`,
      evidence,
    };
  }
  return {
    id: FILES_CHECK_ID,
    code: 'VERIFY_FILE_UNVERIFIED',
    status: policy.files.requireVerified ? 'fail' : 'pass',
    message: policy.files.requireVerified
      ? `unverified file(s) in the release: ${describe(offending)}; remove them, attest them, or allow them in spec.files.allowUnverified`
      : `${verified.size} file(s) verified; not verified (listed, not published): ${describe(offending)}`,
    evidence,
  };
}
