// The release policy as custody evaluates it: the YAML document (PolicyDocument) after schema
// validation, defaults and flag overrides (Policy). Empty lists mean "no constraint".

export const POLICY_API_VERSION = 'custody.dev/v1alpha1';
export const POLICY_KIND = 'ReleasePolicy';

/** Names of Fulcio certificate extensions a signer rule may pin (camelCase, as in src/sign). */
export const FULCIO_EXTENSION_NAMES = [
  'issuer',
  'buildSignerURI',
  'buildSignerDigest',
  'runnerEnvironment',
  'sourceRepositoryURI',
  'sourceRepositoryDigest',
  'sourceRepositoryRef',
  'sourceRepositoryIdentifier',
  'sourceRepositoryOwnerURI',
  'buildConfigURI',
  'buildConfigDigest',
  'buildTrigger',
  'runInvocationURI',
  'sourceRepositoryVisibilityAtSigning',
  'deploymentEnvironment',
] as const;
export type FulcioExtensionName = (typeof FULCIO_EXTENSION_NAMES)[number];

/** One allowed signer. Every field that is set must match (AND); rules are alternatives (OR). */
export interface SignerRule {
  /** OIDC issuer, exact (cosign --certificate-oidc-issuer). */
  issuer?: string;
  /** OIDC issuer, regular expression (anchored by the user). */
  issuerRegExp?: string;
  /** Certificate SAN (identity), exact (cosign --certificate-identity). */
  subject?: string;
  /** Certificate SAN, regular expression (cosign --certificate-identity-regexp). */
  subjectRegExp?: string;
  /** Workflow that signed, as gh --signer-workflow: `[host/]owner/repo/path/to/workflow.yml`. */
  signerWorkflow?: string;
  /** Exact values of Fulcio extensions the certificate must carry. */
  extensions?: Partial<Record<FulcioExtensionName, string>>;
  /** A PEM public key, for key-signed bundles (no certificate). */
  publicKey?: string;
}

export interface PackageRule {
  /** Component name (glob) or package URL prefix when it starts with `pkg:`. */
  name: string;
  /** semver range; absent = every version. */
  versions?: string;
}

export interface Policy {
  name: string;
  signers: SignerRule[];
  checksums: { required: boolean; file: string; signed: boolean };
  signatures: { required: boolean };
  provenance: {
    required: boolean;
    /** false accepts unsigned provenance (GitLab runner metadata, SLSA Build L1). */
    signed: boolean;
    predicateTypes: string[];
    builderIds: string[];
    buildTypes: string[];
    sourceRepositories: string[];
    sourceRefs: string[];
    sourceDigests: string[];
    workflows: string[];
    runnerEnvironments: string[];
    denySelfHostedRunners: boolean;
    /** Provenance may claim only the repository and commit its signing certificate carries. */
    certificateAgreement: boolean;
  };
  sbom: {
    required: boolean;
    specVersions: string[];
    deniedLicenses: string[];
    deniedPackages: PackageRule[];
    requiredComponents: PackageRule[];
  };
  agents: {
    /** true: the release must carry at least one agent-provenance attestation. */
    required: boolean;
    allowedAgents: string[];
    allowedModels: string[];
    requirePromptDigest: boolean;
    minApprovals: number;
    allowedApprovers: string[];
    allowedAutonomy: string[];
  };
  freshness: { maxAgeSeconds?: number };
  transparency: { requireTlog: boolean; minTimestamps: number };
}
