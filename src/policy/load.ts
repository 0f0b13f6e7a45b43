// Policy loading: YAML text → schema-validated document → normalized Policy with defaults, plus
// the flag-only policies built from the cosign/gh vocabulary. Pure: takes text, returns data.
import { createHash } from 'node:crypto';
import { Ajv, type ErrorObject } from 'ajv';
import semver from 'semver';
import { parseDocument } from 'yaml';
import { CustodyError } from '../errors.js';
import { POLICY_SCHEMA } from './schema.js';
import type { PackageRule, Policy, SignerRule } from './types.js';

export const GITHUB_ACTIONS_ISSUER = 'https://token.actions.githubusercontent.com';
export const SLSA_PROVENANCE_V1 = 'https://slsa.dev/provenance/v1';

/** What the verifier records about the policy it applied (for reports and the VSA). */
export interface PolicySource {
  uri: string;
  digest: { sha256: string };
}

export interface LoadedPolicy {
  policy: Policy;
  source: PolicySource;
}

/** The cosign/gh flags that make or amend a policy. */
export interface PolicyFlags {
  certificateIdentity?: string;
  certificateIdentityRegexp?: string;
  certificateOidcIssuer?: string;
  certificateOidcIssuerRegexp?: string;
  signerWorkflow?: string;
  sourceRef?: string;
  sourceDigest?: string;
  denySelfHostedRunners?: boolean;
  predicateType?: string;
  publicKey?: string;
}

let validateDocument: ReturnType<Ajv['compile']> | undefined;

function schemaValidator(): ReturnType<Ajv['compile']> {
  validateDocument ??= new Ajv({ allErrors: true, strict: true }).compile(POLICY_SCHEMA);
  return validateDocument;
}

/** The strict defaults of a policy file: everything is required unless the file says otherwise. */
export function defaultPolicy(name = 'default'): Policy {
  return {
    name,
    signers: [],
    checksums: { required: true, file: 'SHA256SUMS', signed: true },
    signatures: { required: false },
    provenance: {
      required: true,
      signed: true,
      predicateTypes: [SLSA_PROVENANCE_V1],
      builderIds: [],
      buildTypes: [],
      sourceRepositories: [],
      sourceRefs: [],
      sourceDigests: [],
      workflows: [],
      runnerEnvironments: [],
      denySelfHostedRunners: false,
      certificateAgreement: true,
    },
    sbom: {
      required: true,
      specVersions: [],
      deniedLicenses: [],
      deniedPackages: [],
      requiredComponents: [],
    },
    agents: {
      required: false,
      allowedAgents: [],
      allowedModels: [],
      requirePromptDigest: true,
      minApprovals: 1,
      allowedApprovers: [],
      allowedAutonomy: ['assisted'],
    },
    freshness: {},
    transparency: { requireTlog: true, minTimestamps: 0 },
  };
}

/**
 * The policy used when there is no file (gh attestation verify semantics): signed provenance
 * is required; a checksums file and an SBOM are checked when present but not required.
 */
export function flagOnlyPolicy(): Policy {
  const policy = defaultPolicy('command-line flags');
  policy.checksums.required = false;
  policy.sbom.required = false;
  return policy;
}

/** Parses and validates a policy file (YAML or JSON text). */
export function parsePolicy(text: string, sourceName: string): LoadedPolicy {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    throw new CustodyError(
      'INPUT_YAML_INVALID',
      `${sourceName} is not valid YAML: ${first?.message ?? 'parse error'}`,
      { details: { file: sourceName } }
    );
  }
  const value: unknown = doc.toJS({ maxAliasCount: 100 });
  const validate = schemaValidator();
  if (!validate(value)) {
    const errors = (validate.errors ?? []).map(describeSchemaError);
    throw new CustodyError('POLICY_INVALID', `${sourceName}: ${errors.slice(0, 5).join('; ')}`, {
      details: { file: sourceName, errors },
      hint: 'see docs/policy.md and docs/policy.schema.json',
    });
  }
  const policy = normalize(value as PolicyDocumentShape);
  checkSemantics(policy, sourceName);
  return {
    policy,
    source: {
      uri: sourceName,
      digest: { sha256: createHash('sha256').update(text, 'utf8').digest('hex') },
    },
  };
}

/** Amends `base` with command-line flags; identity flags replace the file's signers. */
export function applyPolicyFlags(base: Policy, flags: PolicyFlags): Policy {
  const policy = structuredClone(base);
  const identityGiven =
    flags.certificateIdentity !== undefined ||
    flags.certificateIdentityRegexp !== undefined ||
    flags.signerWorkflow !== undefined ||
    flags.publicKey !== undefined;
  if (identityGiven) {
    if (flags.certificateIdentity !== undefined && flags.certificateIdentityRegexp !== undefined) {
      throw new CustodyError(
        'USAGE_INVALID',
        '--certificate-identity and --certificate-identity-regexp are mutually exclusive'
      );
    }
    const rule: SignerRule = {};
    if (flags.certificateIdentity !== undefined) rule.subject = flags.certificateIdentity;
    if (flags.certificateIdentityRegexp !== undefined)
      rule.subjectRegExp = flags.certificateIdentityRegexp;
    if (flags.certificateOidcIssuer !== undefined) rule.issuer = flags.certificateOidcIssuer;
    if (flags.certificateOidcIssuerRegexp !== undefined)
      rule.issuerRegExp = flags.certificateOidcIssuerRegexp;
    if (flags.signerWorkflow !== undefined) {
      rule.signerWorkflow = flags.signerWorkflow;
      if (rule.issuer === undefined && rule.issuerRegExp === undefined)
        rule.issuer = GITHUB_ACTIONS_ISSUER;
    }
    if (flags.publicKey !== undefined) rule.publicKey = flags.publicKey;
    policy.signers = [rule];
  } else if (
    flags.certificateOidcIssuer !== undefined ||
    flags.certificateOidcIssuerRegexp !== undefined
  ) {
    throw new CustodyError(
      'USAGE_INVALID',
      '--certificate-oidc-issuer needs --certificate-identity[-regexp] or --signer-workflow',
      { hint: 'an issuer alone would accept any identity of that issuer' }
    );
  }
  if (flags.sourceRef !== undefined) policy.provenance.sourceRefs = [flags.sourceRef];
  if (flags.sourceDigest !== undefined) {
    if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(flags.sourceDigest)) {
      throw new CustodyError(
        'USAGE_INVALID',
        `--source-digest must be a 40- or 64-hex git commit, got ${JSON.stringify(flags.sourceDigest)}`
      );
    }
    policy.provenance.sourceDigests = [flags.sourceDigest];
  }
  if (flags.denySelfHostedRunners === true) policy.provenance.denySelfHostedRunners = true;
  if (flags.predicateType !== undefined) policy.provenance.predicateTypes = [flags.predicateType];
  checkSemantics(policy, 'command-line flags');
  return policy;
}

/** Rejects policies that are well-formed but cannot be enforced safely. */
export function checkSemantics(policy: Policy, sourceName: string): void {
  const problems: string[] = [];
  policy.signers.forEach((rule, index) => {
    const at = `spec.signers[${index}]`;
    for (const key of ['subjectRegExp', 'issuerRegExp'] as const) {
      const pattern = rule[key];
      if (pattern === undefined) continue;
      try {
        new RegExp(pattern, 'u');
      } catch {
        problems.push(`${at}.${key} is not a valid regular expression`);
      }
    }
    if (rule.publicKey !== undefined) return;
    const identityPinned =
      rule.subject !== undefined ||
      rule.subjectRegExp !== undefined ||
      rule.signerWorkflow !== undefined;
    const issuerPinned = rule.issuer !== undefined || rule.issuerRegExp !== undefined;
    if (!identityPinned || !issuerPinned) {
      problems.push(
        `${at} must pin an identity (subject, subjectRegExp or signerWorkflow) and an issuer (issuer or issuerRegExp)`
      );
    }
  });
  const signedRequired =
    policy.provenance.signed || policy.checksums.signed || policy.signatures.required;
  if (signedRequired && policy.signers.length === 0) {
    problems.push(
      'spec.signers is empty: name at least one allowed signer (or pass --certificate-identity and --certificate-oidc-issuer)'
    );
  }
  const rules: [string, PackageRule[]][] = [
    ['spec.sbom.deniedPackages', policy.sbom.deniedPackages],
    ['spec.sbom.requiredComponents', policy.sbom.requiredComponents],
  ];
  for (const [at, list] of rules) {
    list.forEach((rule, index) => {
      if (rule.versions !== undefined && semver.validRange(rule.versions) === null) {
        problems.push(`${at}[${index}].versions is not a valid semver range`);
      }
    });
  }
  if (problems.length > 0) {
    throw new CustodyError('POLICY_INVALID', `${sourceName}: ${problems.join('; ')}`, {
      details: { file: sourceName, errors: problems },
      hint: 'see docs/policy.md',
    });
  }
}

/** Parses a duration like "90d" or "12h" into seconds. */
export function parseDuration(text: string): number {
  const match = /^(\d{1,6})(s|m|h|d|w)$/.exec(text);
  if (match === null) {
    throw new CustodyError('POLICY_INVALID', `invalid duration ${JSON.stringify(text)}`, {
      hint: 'use a number and a unit: s, m, h, d or w (e.g. 90d)',
    });
  }
  const units: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
  return Number(match[1]) * (units[match[2] ?? 's'] ?? 1);
}

interface PolicyDocumentShape {
  metadata?: { name?: string };
  spec: {
    signers?: SignerRule[];
    checksums?: Partial<Policy['checksums']>;
    signatures?: Partial<Policy['signatures']>;
    provenance?: Partial<Policy['provenance']>;
    sbom?: Partial<Policy['sbom']>;
    agents?: Partial<Policy['agents']>;
    freshness?: { maxAge?: string };
    transparency?: Partial<Policy['transparency']>;
  };
}

function normalize(doc: PolicyDocumentShape): Policy {
  const base = defaultPolicy(doc.metadata?.name ?? 'unnamed');
  const spec = doc.spec;
  return {
    name: base.name,
    signers: spec.signers ?? [],
    checksums: { ...base.checksums, ...spec.checksums },
    signatures: { ...base.signatures, ...spec.signatures },
    provenance: { ...base.provenance, ...spec.provenance },
    sbom: { ...base.sbom, ...spec.sbom },
    agents: { ...base.agents, ...spec.agents },
    freshness:
      spec.freshness?.maxAge === undefined
        ? {}
        : { maxAgeSeconds: parseDuration(spec.freshness.maxAge) },
    transparency: { ...base.transparency, ...spec.transparency },
  };
}

function describeSchemaError(error: ErrorObject): string {
  const path = schemaPathToField(error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
      return `${path}: unknown field ${JSON.stringify(params.additionalProperty)}`;
    case 'required':
      return `${path}: missing required field ${JSON.stringify(params.missingProperty)}`;
    case 'const':
      return `${path} must be ${JSON.stringify(params.allowedValue)}`;
    case 'enum':
      return `${path} must be one of ${JSON.stringify(params.allowedValues)}`;
    default:
      return `${path} ${error.message ?? 'is invalid'}`;
  }
}

/** "/spec/signers/0/subject" → "spec.signers[0].subject" (the document root is "policy"). */
function schemaPathToField(instancePath: string): string {
  if (instancePath === '') return 'policy';
  return instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce(
      (acc, part) =>
        /^\d+$/.test(part) ? `${acc}[${part}]` : acc === '' ? part : `${acc}.${part}`,
      ''
    );
}
