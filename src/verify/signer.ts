// Matches a verified signer against the policy's allowed signers (rules are alternatives; within
// a rule every field set must match). Exact strings are compared exactly, never as patterns.
import type { SignerRule } from '../policy/index.js';
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

/** `owner/repo/.github/workflows/x.yml` (github.com implied) or with a host, with or without https://. */
export function normalizeWorkflow(value: string): string {
  const trimmed = value.replace(/@.*$/, '').replace(/\/+$/, '');
  if (/^https?:\/\//.test(trimmed)) return trimmed;
  const firstSegment = trimmed.split('/')[0] ?? '';
  return firstSegment.includes('.') ? `https://${trimmed}` : `https://github.com/${trimmed}`;
}

function ruleMismatch(rule: SignerRule, verified: VerifiedBundle): string | undefined {
  const signer = verified.signer;
  if (signer.kind === 'key') return 'signed with a key, rule expects a certificate';
  if (
    rule.publicKey !== undefined &&
    rule.subject === undefined &&
    rule.subjectRegExp === undefined
  )
    return 'signed with a certificate, rule expects a key';
  const san = signer.subjectAlternativeName;
  const issuer = signer.issuer ?? signer.extensions.issuer;
  if (rule.subject !== undefined && rule.subject !== san)
    return `identity ${JSON.stringify(san)} is not ${JSON.stringify(rule.subject)}`;
  if (rule.subjectRegExp !== undefined && !new RegExp(rule.subjectRegExp, 'u').test(san))
    return `identity ${JSON.stringify(san)} does not match /${rule.subjectRegExp}/`;
  if (rule.issuer !== undefined && rule.issuer !== issuer)
    return `issuer ${JSON.stringify(issuer)} is not ${JSON.stringify(rule.issuer)}`;
  if (rule.issuerRegExp !== undefined && !new RegExp(rule.issuerRegExp, 'u').test(issuer ?? ''))
    return `issuer ${JSON.stringify(issuer)} does not match /${rule.issuerRegExp}/`;
  if (rule.signerWorkflow !== undefined) {
    const signerURI = signer.extensions.buildSignerURI ?? san;
    if (normalizeWorkflow(signerURI) !== normalizeWorkflow(rule.signerWorkflow))
      return `signer workflow ${JSON.stringify(signerURI)} is not ${JSON.stringify(rule.signerWorkflow)}`;
  }
  for (const [name, expected] of Object.entries(rule.extensions ?? {})) {
    const actual = signer.extensions[name as keyof typeof signer.extensions];
    if (expected !== undefined && actual !== expected)
      return `certificate extension ${name} ${actual === undefined ? 'is absent' : JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`;
  }
  return undefined;
}

export function matchSigner(
  rules: readonly SignerRule[],
  verified: VerifiedBundle,
  keyIndex?: number
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
    const reason = ruleMismatch(rule, verified);
    if (reason === undefined) return { allowed: true, ruleIndex: index };
    firstReason ??= reason;
  }
  return { allowed: false, reason: firstReason ?? 'no signer rule matches' };
}

/** The PEM keys of the policy, in rule order (the adapter tries them for key-signed bundles). */
export function policyKeys(rules: readonly SignerRule[]): string[] {
  return rules.flatMap((rule) => (rule.publicKey === undefined ? [] : [rule.publicKey]));
}
