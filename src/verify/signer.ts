// Matches a verified signer against the policy's allowed signers (rules are alternatives; within
// a rule every field set must match) with the one matcher of src/policy/identity.ts.
import {
  requireSourcePin,
  signerRuleMismatch,
  type SignerRule,
  type SigningIdentity,
} from '../policy/index.js';
import type { VerifiedBundle } from '../sign/index.js';

export interface SignerMatch {
  allowed: boolean;
  /** Why no rule matched (first rule's first mismatch), for the report. */
  reason?: string;
  ruleIndex?: number;
}

export function describeSigner(signer: VerifiedBundle['signer']): Record<string, unknown> {
  if (signer.kind === 'key')
    return { kind: 'key', ...(signer.keyHint ? { keyHint: signer.keyHint } : {}) };
  const e = signer.extensions;
  return {
    kind: 'certificate',
    identity: signer.subjectAlternativeName,
    issuer: signer.issuer ?? e.issuer,
    ...(e.sourceRepositoryURI ? { sourceRepositoryURI: e.sourceRepositoryURI } : {}),
    ...(e.sourceRepositoryDigest ? { sourceRepositoryDigest: e.sourceRepositoryDigest } : {}),
    ...(e.sourceRepositoryRef ? { sourceRepositoryRef: e.sourceRepositoryRef } : {}),
    ...(e.buildSignerURI ? { buildSignerURI: e.buildSignerURI } : {}),
    ...(e.runnerEnvironment ? { runnerEnvironment: e.runnerEnvironment } : {}),
    certificateFingerprint: signer.certificateFingerprint,
  };
}

/** The certificate identity of a verified bundle, as the shared matcher (src/policy/identity.ts) reads it. */
export function signingIdentity(
  signer: Extract<VerifiedBundle['signer'], { kind: 'certificate' }>
): SigningIdentity {
  return {
    subjectAlternativeName: signer.subjectAlternativeName,
    issuer: signer.issuer ?? signer.extensions.issuer,
    extensions: { ...signer.extensions },
  };
}

/**
 * `sourcePinnedElsewhere`: the policy pins the source repository outside the signer rules
 * (provenance.sourceRepositories with certificate agreement), which also satisfies the
 * shared-builder rule. Throws POLICY_SOURCE_PIN_REQUIRED when a rule matches a shared builder
 * with nothing pinning the source.
 */
export function matchSigner(
  rules: readonly SignerRule[],
  verified: VerifiedBundle,
  keyIndex?: number,
  options: { sourcePinnedElsewhere?: boolean } = {}
): SignerMatch {
  if (rules.length === 0) return { allowed: false, reason: 'the policy names no allowed signer' };
  // Index of each policy key among the keys the adapter tried (same order as rules with keys).
  const keyRuleIndexes = rules.flatMap((rule, index) =>
    rule.publicKey === undefined ? [] : [index]
  );
  let firstReason: string | undefined;
  for (const [index, rule] of rules.entries()) {
    if (verified.signer.kind === 'key') {
      if (rule.publicKey === undefined) continue;
      if (keyIndex !== undefined && keyRuleIndexes[keyIndex] === index)
        return { allowed: true, ruleIndex: index };
      firstReason ??= 'signed with a key that is not in the policy';
      continue;
    }
    const identity = signingIdentity(verified.signer);
    const reason = signerRuleMismatch(rule, identity);
    if (reason === undefined) {
      requireSourcePin(rule, identity, options.sourcePinnedElsewhere);
      return { allowed: true, ruleIndex: index };
    }
    firstReason ??= reason;
  }
  return { allowed: false, reason: firstReason ?? 'no signer rule matches' };
}

/** The PEM keys of the policy, in rule order (the adapter tries them for key-signed bundles). */
export function policyKeys(rules: readonly SignerRule[]): string[] {
  return rules.flatMap((rule) => (rule.publicKey === undefined ? [] : [rule.publicKey]));
}
