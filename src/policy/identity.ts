// One signer rule, one matcher. Every place that decides whether a certificate identity is allowed
// (verifyBundle, verifyRelease, the gate, trace, the actions) builds a SignerRule here and asks
// signerRuleMismatch, so a pin means the same thing everywhere:
//   - exact strings are compared exactly, never as patterns;
//   - regular expressions match the WHOLE value: a pattern p is compiled as ^(?:p)$ (cosign and
//     sigstore-js search for p anywhere, so `acme/app` there also matches `evil/acme/app-fork`);
//   - a signer workflow `[host/]owner/repo/path@ref` pins the ref when one is given;
//   - a source pin (repository or owner) is compared with the certificate's source-repository
//     extensions, case-insensitively (GitHub and GitLab paths are);
//   - a certificate made by a workflow outside its source repository (a shared/reusable builder)
//     is accepted only by a rule that also pins the source: the workflow identity alone would
//     accept every repository that calls that workflow.
import { CustodyError, type ErrorCode } from '../errors.js';
import type { SignerRule } from './types.js';

export const GITHUB_ACTIONS_ISSUER = 'https://token.actions.githubusercontent.com';

/** The identity of a verified certificate, as the matcher sees it. */
export interface SigningIdentity {
  readonly subjectAlternativeName: string | undefined;
  readonly issuer: string | undefined;
  readonly extensions: Readonly<Partial<Record<string, string>>>;
}

/** What users are told about regular expressions (help texts, docs, errors). */
export const FULL_MATCH_NOTE =
  'matched against the whole value, as ^(?:RE)$ (unlike cosign, which finds RE anywhere)';

const compiled = new Map<string, RegExp>();

/** The --help paragraph of every command that takes identity pins. */
export const IDENTITY_HELP =
  'Identity pins: regular expressions (--certificate-identity-regexp, --certificate-oidc-issuer-regexp)\n' +
  'match the WHOLE value, as ^(?:RE)$. cosign searches for RE anywhere: a cosign pattern without\n' +
  '^…$ is stricter here, and an anchored one means the same. --signer-workflow owner/repo/path@ref\n' +
  'requires that ref. A reusable (shared) workflow signs for every repository that calls it: pin the\n' +
  'source with --repo OWNER/REPO, --owner OWNER or --source-repository URI (required then).';

/** Compiles a user's pattern as a full match. The pattern must be valid on its own first, so `a)|(b` cannot escape the group. */
export function fullMatch(
  pattern: string,
  what: string,
  code: ErrorCode = 'USAGE_INVALID'
): RegExp {
  const cached = compiled.get(pattern);
  if (cached !== undefined) return cached;
  try {
    new RegExp(pattern, 'u');
    const regexp = new RegExp(`^(?:${pattern})$`, 'u');
    if (compiled.size > 256) compiled.clear();
    compiled.set(pattern, regexp);
    return regexp;
  } catch (error) {
    throw new CustodyError(
      code,
      `${what} ${JSON.stringify(pattern)} is not a valid regular expression`,
      {
        cause: error,
        hint: `JavaScript (Unicode) syntax; it is ${FULL_MATCH_NOTE}`,
      }
    );
  }
}

/** `https://host/path` from `[https://][host/]path` (github.com when the first segment has no dot). */
function withHost(value: string): string {
  const trimmed = value.replace(/\/+$/, '');
  if (/^https?:\/\//i.test(trimmed)) return trimmed;
  const first = trimmed.split('/')[0] ?? '';
  return first.includes('.') ? `https://${trimmed}` : `https://github.com/${trimmed}`;
}

export interface WorkflowPin {
  /** `https://host/owner/repo/path/to/workflow.yml`, without a ref. */
  readonly uri: string;
  readonly ref?: string;
}

/** Parses gh's `--signer-workflow` form, with an optional `@ref` that is then required. */
export function parseWorkflowPin(value: string): WorkflowPin {
  const at = value.indexOf('@');
  const ref = at === -1 ? undefined : value.slice(at + 1);
  if (ref === '') {
    throw new CustodyError(
      'USAGE_INVALID',
      `signer workflow ${JSON.stringify(value)} has an empty @ref`,
      {
        hint: 'write owner/repo/.github/workflows/release.yml@refs/tags/v1.2.3, or leave out @ to allow every ref',
      }
    );
  }
  return {
    uri: withHost(at === -1 ? value : value.slice(0, at)),
    ...(ref === undefined ? {} : { ref }),
  };
}

/** Does the workflow URI (`https://…/workflow.yml@refs/…`) match the pin? A ref given is exact (`v1` also reads as refs/tags/v1 or refs/heads/v1). */
export function workflowPinMatches(pin: WorkflowPin, actual: string): boolean {
  const at = actual.indexOf('@');
  const uri = (at === -1 ? actual : actual.slice(0, at)).replace(/\/+$/, '');
  const ref = at === -1 ? undefined : actual.slice(at + 1);
  if (uri !== pin.uri) return false;
  if (pin.ref === undefined) return true;
  if (ref === undefined) return false;
  return (
    ref === pin.ref ||
    (!pin.ref.startsWith('refs/') &&
      (ref === `refs/tags/${pin.ref}` || ref === `refs/heads/${pin.ref}`))
  );
}

/** A repository pin (`OWNER/REPO`, `host/group/sub/project` or a URI) as a comparable URI. */
export function normalizeRepositoryPin(value: string): string {
  return withHost(value.trim())
    .replace(/\.git$/i, '')
    .replace(/^http:\/\//i, 'https://')
    .toLowerCase();
}

function normalizeURI(value: string): string {
  return value
    .replace(/\/+$/, '')
    .replace(/\.git$/i, '')
    .replace(/^http:\/\//i, 'https://')
    .toLowerCase();
}

/** The repository a certificate's signing workflow lives in is not its source repository. */
export function isSharedBuilder(identity: SigningIdentity): boolean {
  const signer = identity.extensions.buildSignerURI;
  const source = identity.extensions.sourceRepositoryURI;
  if (signer === undefined || source === undefined) return false;
  return !normalizeURI(signer).startsWith(`${normalizeURI(source)}/`);
}

/** Does the rule say which source repository (or owner) it accepts? */
export function rulePinsSource(rule: SignerRule): boolean {
  const e = rule.extensions ?? {};
  return (
    rule.sourceRepository !== undefined ||
    rule.sourceOwner !== undefined ||
    e.sourceRepositoryURI !== undefined ||
    e.sourceRepositoryIdentifier !== undefined ||
    e.sourceRepositoryOwnerURI !== undefined
  );
}

/**
 * The one matcher: why `identity` does not satisfy `rule`, or undefined when it does. Every field
 * the rule sets must match (AND). Key-only rules never match a certificate.
 */
export function signerRuleMismatch(
  rule: SignerRule,
  identity: SigningIdentity
): string | undefined {
  const san = identity.subjectAlternativeName;
  const issuer = identity.issuer ?? identity.extensions.issuer;
  const ext = identity.extensions;
  if (
    rule.publicKey !== undefined &&
    rule.subject === undefined &&
    rule.subjectRegExp === undefined &&
    rule.signerWorkflow === undefined
  )
    return 'signed with a certificate, rule expects a key';
  if (rule.subject !== undefined && rule.subject !== san)
    return `identity ${JSON.stringify(san)} is not ${JSON.stringify(rule.subject)}`;
  if (
    rule.subjectRegExp !== undefined &&
    (san === undefined ||
      !fullMatch(rule.subjectRegExp, 'subjectRegExp', 'POLICY_INVALID').test(san))
  )
    return `identity ${JSON.stringify(san)} does not match ^(?:${rule.subjectRegExp})$`;
  if (rule.issuer !== undefined && rule.issuer !== issuer)
    return `issuer ${JSON.stringify(issuer)} is not ${JSON.stringify(rule.issuer)}`;
  if (
    rule.issuerRegExp !== undefined &&
    (issuer === undefined ||
      !fullMatch(rule.issuerRegExp, 'issuerRegExp', 'POLICY_INVALID').test(issuer))
  )
    return `issuer ${JSON.stringify(issuer)} does not match ^(?:${rule.issuerRegExp})$`;
  if (rule.signerWorkflow !== undefined) {
    const signerURI = ext.buildSignerURI ?? san ?? '';
    if (!workflowPinMatches(parseWorkflowPin(rule.signerWorkflow), signerURI))
      return `signer workflow ${JSON.stringify(signerURI)} is not ${JSON.stringify(rule.signerWorkflow)}`;
  }
  if (rule.sourceRepository !== undefined) {
    const actual = ext.sourceRepositoryURI;
    if (
      actual === undefined ||
      normalizeURI(actual) !== normalizeRepositoryPin(rule.sourceRepository)
    )
      return `source repository ${actual === undefined ? 'is absent' : JSON.stringify(actual)}, expected ${JSON.stringify(normalizeRepositoryPin(rule.sourceRepository))}`;
  }
  if (rule.sourceOwner !== undefined) {
    const owner = normalizeRepositoryPin(rule.sourceOwner);
    const actual = ext.sourceRepositoryURI;
    if (actual === undefined || !normalizeURI(actual).startsWith(`${owner}/`))
      return `source repository ${actual === undefined ? 'is absent' : JSON.stringify(actual)} is not owned by ${JSON.stringify(owner)}`;
  }
  for (const [name, expected] of Object.entries(rule.extensions ?? {})) {
    const actual = ext[name];
    if (expected !== undefined && actual !== expected)
      return `certificate extension ${name} ${actual === undefined ? 'is absent' : JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`;
  }
  return undefined;
}

/** The flags that name a source pin, for the error that asks for one. */
export const SOURCE_PIN_FLAGS =
  '--repo OWNER/REPO, --owner OWNER or --source-repository URI (action input `repo`/`owner`/`source-repository`; policy field `sourceRepository`/`sourceOwner`)';

/**
 * Refuses a rule that matched a shared builder's certificate without pinning the source: the
 * workflow identity alone accepts a release built by any repository that calls the workflow.
 */
export function requireSourcePin(
  rule: SignerRule,
  identity: SigningIdentity,
  sourcePinnedElsewhere = false
): void {
  if (sourcePinnedElsewhere || rulePinsSource(rule) || !isSharedBuilder(identity)) return;
  throw new CustodyError(
    'POLICY_SOURCE_PIN_REQUIRED',
    `the signer ${identity.extensions.buildSignerURI ?? ''} is a shared workflow outside the source repository ${identity.extensions.sourceRepositoryURI ?? ''}: pinning it alone accepts a release built by any repository that calls it`,
    {
      hint: `add ${SOURCE_PIN_FLAGS}`,
      details: {
        buildSignerURI: identity.extensions.buildSignerURI,
        sourceRepositoryURI: identity.extensions.sourceRepositoryURI,
      },
    }
  );
}

/** cosign/gh identity flags (and the same action inputs). */
export interface IdentityFlags {
  certificateIdentity?: string | undefined;
  certificateIdentityRegexp?: string | undefined;
  certificateOidcIssuer?: string | undefined;
  certificateOidcIssuerRegexp?: string | undefined;
  signerWorkflow?: string | undefined;
  repo?: string | undefined;
  owner?: string | undefined;
  sourceRepository?: string | undefined;
}

/** Flag name per field, for messages (CLI spelling by default). */
export interface FlagNames {
  readonly identity: string;
  readonly identityRegexp: string;
  readonly issuer: string;
  readonly issuerRegexp: string;
  readonly repo: string;
  readonly owner: string;
  readonly sourceRepository: string;
}

export const CLI_FLAG_NAMES: FlagNames = {
  identity: '--certificate-identity',
  identityRegexp: '--certificate-identity-regexp',
  issuer: '--certificate-oidc-issuer',
  issuerRegexp: '--certificate-oidc-issuer-regexp',
  repo: '--repo',
  owner: '--owner',
  sourceRepository: '--source-repository',
};

/** The source-pin fields of a rule from --repo/--owner/--source-repository (at most one). */
export function sourcePinFromFlags(
  flags: IdentityFlags,
  names: FlagNames = CLI_FLAG_NAMES,
  code: ErrorCode = 'USAGE_INVALID'
): Pick<SignerRule, 'sourceRepository' | 'sourceOwner'> {
  const given = [flags.repo, flags.owner, flags.sourceRepository].filter((v) => v !== undefined);
  if (given.length > 1) {
    throw new CustodyError(
      code,
      `${names.repo}, ${names.owner} and ${names.sourceRepository} are alternatives: give one`
    );
  }
  if (flags.repo !== undefined) {
    const parts = flags.repo
      .replace(/^https?:\/\//i, '')
      .replace(/\/+$/, '')
      .split('/');
    const withoutHost = (parts[0] ?? '').includes('.') ? parts.slice(1) : parts;
    if (withoutHost.length < 2 || withoutHost.some((p) => p === '')) {
      throw new CustodyError(
        code,
        `${names.repo} must be OWNER/REPO (or HOST/GROUP/PROJECT), got ${JSON.stringify(flags.repo)}`
      );
    }
    return { sourceRepository: flags.repo };
  }
  if (flags.owner !== undefined) {
    if (flags.owner.trim() === '' || /[\s@]/.test(flags.owner))
      throw new CustodyError(
        code,
        `${names.owner} must be an owner name, got ${JSON.stringify(flags.owner)}`
      );
    return { sourceOwner: flags.owner };
  }
  if (flags.sourceRepository !== undefined) {
    if (!/^https?:\/\/[^/]+\/.+/i.test(flags.sourceRepository))
      throw new CustodyError(
        code,
        `${names.sourceRepository} must be a URI like https://github.com/OWNER/REPO, got ${JSON.stringify(flags.sourceRepository)}`
      );
    return { sourceRepository: flags.sourceRepository };
  }
  return {};
}

/**
 * The signer rule the identity flags describe, or undefined when they name no identity. Regexps are
 * checked here (full match); the issuer defaults to GitHub Actions' for --signer-workflow.
 */
export function signerRuleFromFlags(
  flags: IdentityFlags,
  names: FlagNames = CLI_FLAG_NAMES,
  code: ErrorCode = 'USAGE_INVALID'
): SignerRule | undefined {
  if (flags.certificateIdentity !== undefined && flags.certificateIdentityRegexp !== undefined) {
    throw new CustodyError(
      code,
      `${names.identity} and ${names.identityRegexp} are mutually exclusive`
    );
  }
  if (
    flags.certificateOidcIssuer !== undefined &&
    flags.certificateOidcIssuerRegexp !== undefined
  ) {
    throw new CustodyError(
      code,
      `${names.issuer} and ${names.issuerRegexp} are mutually exclusive`
    );
  }
  const source = sourcePinFromFlags(flags, names, code);
  const identityGiven =
    flags.certificateIdentity !== undefined ||
    flags.certificateIdentityRegexp !== undefined ||
    flags.signerWorkflow !== undefined;
  if (!identityGiven) return undefined;
  const rule: SignerRule = { ...source };
  if (flags.certificateIdentity !== undefined) rule.subject = flags.certificateIdentity;
  if (flags.certificateIdentityRegexp !== undefined) {
    fullMatch(flags.certificateIdentityRegexp, names.identityRegexp, code);
    rule.subjectRegExp = flags.certificateIdentityRegexp;
  }
  if (flags.certificateOidcIssuer !== undefined) rule.issuer = flags.certificateOidcIssuer;
  if (flags.certificateOidcIssuerRegexp !== undefined) {
    fullMatch(flags.certificateOidcIssuerRegexp, names.issuerRegexp, code);
    rule.issuerRegExp = flags.certificateOidcIssuerRegexp;
  }
  if (flags.signerWorkflow !== undefined) {
    parseWorkflowPin(flags.signerWorkflow);
    rule.signerWorkflow = flags.signerWorkflow;
    if (rule.issuer === undefined && rule.issuerRegExp === undefined)
      rule.issuer = GITHUB_ACTIONS_ISSUER;
  }
  return rule;
}

/** The first rule `identity` satisfies (source pin enforced for shared builders), or why none does. */
export function matchSignerRules(
  rules: readonly SignerRule[],
  identity: SigningIdentity,
  options: { sourcePinnedElsewhere?: boolean } = {}
): { ruleIndex: number; reason?: undefined } | { ruleIndex?: undefined; reason: string } {
  if (rules.length === 0) return { reason: 'no allowed signer is named' };
  let first: string | undefined;
  for (const [index, rule] of rules.entries()) {
    const reason = signerRuleMismatch(rule, identity);
    if (reason === undefined) {
      requireSourcePin(rule, identity, options.sourcePinnedElsewhere);
      return { ruleIndex: index };
    }
    first ??= reason;
  }
  return { reason: first ?? 'no signer rule matches' };
}
