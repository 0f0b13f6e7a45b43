// Release policies for `custody verify`: types, schema, loading and flag overrides.
export type { Policy, SignerRule, PackageRule, FulcioExtensionName } from './types.js';
export { POLICY_API_VERSION, POLICY_KIND, FULCIO_EXTENSION_NAMES } from './types.js';
export { POLICY_SCHEMA } from './schema.js';
export {
  parsePolicy,
  applyPolicyFlags,
  defaultPolicy,
  flagOnlyPolicy,
  checkSemantics,
  parseDuration,
  GITHUB_ACTIONS_ISSUER,
  SLSA_PROVENANCE_V1,
} from './load.js';
export type { LoadedPolicy, PolicySource, PolicyFlags } from './load.js';
export { matchesGlob, matchesAnyGlob } from './match.js';
