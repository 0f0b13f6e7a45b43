// How Fulcio turns verified token claims into a certificate identity: the SAN and the Fulcio
// extensions (sigstore/fulcio docs/oid-info.md; pkg/identity/{github,gitlabcom,email}).
import type { Claims } from './claims.js';
import { GITHUB_ISSUER, GITLAB_ISSUER } from './claims.js';

export const FULCIO_OID_PREFIX = '1.3.6.1.4.1.57264.1';

/** Fulcio extension OIDs by the camelCase names custody's FulcioExtensions uses. */
export const FULCIO_EXTENSION_OIDS = {
  issuer: `${FULCIO_OID_PREFIX}.8`,
  buildSignerURI: `${FULCIO_OID_PREFIX}.9`,
  buildSignerDigest: `${FULCIO_OID_PREFIX}.10`,
  runnerEnvironment: `${FULCIO_OID_PREFIX}.11`,
  sourceRepositoryURI: `${FULCIO_OID_PREFIX}.12`,
  sourceRepositoryDigest: `${FULCIO_OID_PREFIX}.13`,
  sourceRepositoryRef: `${FULCIO_OID_PREFIX}.14`,
  sourceRepositoryIdentifier: `${FULCIO_OID_PREFIX}.15`,
  sourceRepositoryOwnerURI: `${FULCIO_OID_PREFIX}.16`,
  sourceRepositoryOwnerIdentifier: `${FULCIO_OID_PREFIX}.17`,
  buildConfigURI: `${FULCIO_OID_PREFIX}.18`,
  buildConfigDigest: `${FULCIO_OID_PREFIX}.19`,
  buildTrigger: `${FULCIO_OID_PREFIX}.20`,
  runInvocationURI: `${FULCIO_OID_PREFIX}.21`,
  sourceRepositoryVisibilityAtSigning: `${FULCIO_OID_PREFIX}.22`,
  deploymentEnvironment: `${FULCIO_OID_PREFIX}.23`,
} as const;

export type FulcioExtensionName = keyof typeof FULCIO_EXTENSION_OIDS;

/** Deprecated raw-string extensions (.1–.6) real Fulcio still writes. */
const LEGACY_OIDS = {
  issuer: `${FULCIO_OID_PREFIX}.1`,
  githubWorkflowTrigger: `${FULCIO_OID_PREFIX}.2`,
  githubWorkflowSHA: `${FULCIO_OID_PREFIX}.3`,
  githubWorkflowName: `${FULCIO_OID_PREFIX}.4`,
  githubWorkflowRepository: `${FULCIO_OID_PREFIX}.5`,
  githubWorkflowRef: `${FULCIO_OID_PREFIX}.6`,
} as const;

export interface CertificateExtensionValue {
  oid: string;
  value: string;
  /** Raw bytes (the deprecated .1–.6 form) instead of a DER UTF8String. */
  legacy?: boolean;
}

export interface CertificateIdentity {
  subjectAlternativeName: { type: 'url' | 'email'; value: string };
  extensions: CertificateExtensionValue[];
}

export type IdentityResult =
  { ok: true; identity: CertificateIdentity } | { ok: false; reason: string };

/** Derives the certificate identity from verified claims, or says which claim is missing. */
export function certificateIdentityFromClaims(claims: Claims): IdentityResult {
  const issuer = claims.iss;
  if (typeof issuer !== 'string') return { ok: false, reason: 'token has no iss claim' };
  if (issuer === GITHUB_ISSUER) return githubIdentity(claims, issuer);
  if (issuer === GITLAB_ISSUER) return gitlabIdentity(claims, issuer);
  return emailIdentity(claims, issuer);
}

function githubIdentity(claims: Claims, issuer: string): IdentityResult {
  const missing = missingClaims(claims, [
    'job_workflow_ref',
    'job_workflow_sha',
    'repository',
    'repository_owner',
    'sha',
    'ref',
    'event_name',
    'workflow_ref',
    'workflow_sha',
    'run_id',
    'run_attempt',
  ]);
  if (missing !== undefined) return missing;
  const base = 'https://github.com';
  const c = (name: string): string | undefined => claimString(claims, name);
  const extensions: CertificateExtensionValue[] = [
    { oid: LEGACY_OIDS.issuer, value: issuer, legacy: true },
    { oid: LEGACY_OIDS.githubWorkflowTrigger, value: c('event_name')!, legacy: true },
    { oid: LEGACY_OIDS.githubWorkflowSHA, value: c('sha')!, legacy: true },
    ...optional(LEGACY_OIDS.githubWorkflowName, c('workflow'), true),
    { oid: LEGACY_OIDS.githubWorkflowRepository, value: c('repository')!, legacy: true },
    { oid: LEGACY_OIDS.githubWorkflowRef, value: c('ref')!, legacy: true },
    { oid: FULCIO_EXTENSION_OIDS.issuer, value: issuer },
    {
      oid: FULCIO_EXTENSION_OIDS.buildSignerURI,
      value: `${base}/${c('job_workflow_ref')!}`,
    },
    { oid: FULCIO_EXTENSION_OIDS.buildSignerDigest, value: c('job_workflow_sha')! },
    ...optional(FULCIO_EXTENSION_OIDS.runnerEnvironment, c('runner_environment')),
    { oid: FULCIO_EXTENSION_OIDS.sourceRepositoryURI, value: `${base}/${c('repository')!}` },
    { oid: FULCIO_EXTENSION_OIDS.sourceRepositoryDigest, value: c('sha')! },
    { oid: FULCIO_EXTENSION_OIDS.sourceRepositoryRef, value: c('ref')! },
    ...optional(FULCIO_EXTENSION_OIDS.sourceRepositoryIdentifier, c('repository_id')),
    {
      oid: FULCIO_EXTENSION_OIDS.sourceRepositoryOwnerURI,
      value: `${base}/${c('repository_owner')!}`,
    },
    ...optional(FULCIO_EXTENSION_OIDS.sourceRepositoryOwnerIdentifier, c('repository_owner_id')),
    { oid: FULCIO_EXTENSION_OIDS.buildConfigURI, value: `${base}/${c('workflow_ref')!}` },
    { oid: FULCIO_EXTENSION_OIDS.buildConfigDigest, value: c('workflow_sha')! },
    { oid: FULCIO_EXTENSION_OIDS.buildTrigger, value: c('event_name')! },
    {
      oid: FULCIO_EXTENSION_OIDS.runInvocationURI,
      value: `${base}/${c('repository')!}/actions/runs/${c('run_id')!}/attempts/${c('run_attempt')!}`,
    },
    ...optional(
      FULCIO_EXTENSION_OIDS.sourceRepositoryVisibilityAtSigning,
      c('repository_visibility')
    ),
    ...optional(FULCIO_EXTENSION_OIDS.deploymentEnvironment, c('environment')),
  ];
  return {
    ok: true,
    identity: {
      subjectAlternativeName: { type: 'url', value: `${base}/${c('job_workflow_ref')!}` },
      extensions,
    },
  };
}

function gitlabIdentity(claims: Claims, issuer: string): IdentityResult {
  const missing = missingClaims(claims, [
    'ci_config_ref_uri',
    'ci_config_sha',
    'project_path',
    'namespace_path',
    'sha',
    'ref',
    'ref_type',
    'pipeline_source',
    'job_id',
  ]);
  if (missing !== undefined) return missing;
  const c = (name: string): string | undefined => claimString(claims, name);
  const refType = c('ref_type')!;
  if (refType !== 'branch' && refType !== 'tag') {
    return { ok: false, reason: `unsupported GitLab ref_type ${JSON.stringify(refType)}` };
  }
  const ref = `refs/${refType === 'branch' ? 'heads' : 'tags'}/${c('ref')!}`;
  const configURI = `https://${c('ci_config_ref_uri')!}`;
  const extensions: CertificateExtensionValue[] = [
    { oid: LEGACY_OIDS.issuer, value: issuer, legacy: true },
    { oid: FULCIO_EXTENSION_OIDS.issuer, value: issuer },
    { oid: FULCIO_EXTENSION_OIDS.buildSignerURI, value: configURI },
    { oid: FULCIO_EXTENSION_OIDS.buildSignerDigest, value: c('ci_config_sha')! },
    ...optional(FULCIO_EXTENSION_OIDS.runnerEnvironment, c('runner_environment')),
    {
      oid: FULCIO_EXTENSION_OIDS.sourceRepositoryURI,
      value: `${issuer}/${c('project_path')!}`,
    },
    { oid: FULCIO_EXTENSION_OIDS.sourceRepositoryDigest, value: c('sha')! },
    { oid: FULCIO_EXTENSION_OIDS.sourceRepositoryRef, value: ref },
    ...optional(FULCIO_EXTENSION_OIDS.sourceRepositoryIdentifier, c('project_id')),
    {
      oid: FULCIO_EXTENSION_OIDS.sourceRepositoryOwnerURI,
      value: `${issuer}/${c('namespace_path')!}`,
    },
    ...optional(FULCIO_EXTENSION_OIDS.sourceRepositoryOwnerIdentifier, c('namespace_id')),
    { oid: FULCIO_EXTENSION_OIDS.buildConfigURI, value: configURI },
    { oid: FULCIO_EXTENSION_OIDS.buildConfigDigest, value: c('ci_config_sha')! },
    { oid: FULCIO_EXTENSION_OIDS.buildTrigger, value: c('pipeline_source')! },
    {
      oid: FULCIO_EXTENSION_OIDS.runInvocationURI,
      value: `${issuer}/${c('project_path')!}/-/jobs/${c('job_id')!}`,
    },
    ...optional(FULCIO_EXTENSION_OIDS.sourceRepositoryVisibilityAtSigning, c('project_visibility')),
    ...optional(FULCIO_EXTENSION_OIDS.deploymentEnvironment, c('environment')),
  ];
  return {
    ok: true,
    identity: { subjectAlternativeName: { type: 'url', value: configURI }, extensions },
  };
}

function emailIdentity(claims: Claims, issuer: string): IdentityResult {
  const email = claimString(claims, 'email');
  if (email === undefined) {
    return { ok: false, reason: `token from ${issuer} has no email claim` };
  }
  if (claims.email_verified !== true) {
    return { ok: false, reason: 'token email is not verified (email_verified must be true)' };
  }
  return {
    ok: true,
    identity: {
      subjectAlternativeName: { type: 'email', value: email },
      extensions: [
        { oid: LEGACY_OIDS.issuer, value: issuer, legacy: true },
        { oid: FULCIO_EXTENSION_OIDS.issuer, value: issuer },
      ],
    },
  };
}

/** A claim as Fulcio stringifies it: strings as is, numbers in decimal; anything else absent. */
function claimString(claims: Claims, name: string): string | undefined {
  const value = claims[name];
  if (typeof value === 'string' && value.length > 0) return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

function missingClaims(claims: Claims, names: string[]): IdentityResult | undefined {
  const missing = names.filter((name) => claimString(claims, name) === undefined);
  return missing.length === 0
    ? undefined
    : { ok: false, reason: `token lacks required claims: ${missing.join(', ')}` };
}

function optional(
  oid: string,
  value: string | undefined,
  legacy = false
): CertificateExtensionValue[] {
  if (value === undefined) return [];
  return [legacy ? { oid, value, legacy } : { oid, value }];
}
