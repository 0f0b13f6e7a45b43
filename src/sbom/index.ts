// Public surface of the sbom domain: lockfiles → package graph → CycloneDX, and validation.
export { SBOM_ERROR_CODES } from './codes.js';
export { generateSbom, generateSbomFromGraph, lockfileGraph } from './generate.js';
export type { GenerateSbomOptions, GeneratedSbom } from './generate.js';
export {
  buildBom,
  normalizeBom,
  serializeBom,
  npmPurl,
  splitScope,
  uuidV5,
  checkSerialNumber,
  GENERATE_SPEC_VERSIONS,
  DEFAULT_SPEC_VERSION,
  DEV_SCOPES,
} from './bom.js';
export type {
  BomOptions,
  DevScope,
  FileSubject,
  GenerateSpecVersion,
  PackageEnrichment,
} from './bom.js';
export { buildGraph, emptyGraph, packageKey, parseIntegrity } from './graph.js';
export type {
  GraphPackage,
  LockfileFormat,
  LockInstance,
  PackageGraph,
  PackageSource,
  ParsedLockfile,
  RootInfo,
} from './graph.js';
export {
  detectLockfileFormat,
  parseLockfile,
  prepareLockfile,
  LOCKFILE_NAMES,
  LOCKFILE_SIZE_LIMIT,
} from './lockfile.js';
export type { LockfileInput, PreparedLockfile } from './lockfile.js';
export { toManifest } from './manifest.js';
export type { ManifestMap, PackageManifest } from './manifest.js';
export { parseBunLockfile } from './bun.js';
export { parseNpmLockfile } from './npm.js';
export { parsePnpmLockfile } from './pnpm.js';
export { parseYarnBerryLockfile, parseYarnClassicLockfile } from './yarn.js';
export {
  validateBom,
  assertValidBom,
  declaredSpecVersion,
  schemaValidator,
  VALIDATE_SPEC_VERSIONS,
} from './validate.js';
export type { SchemaError, ValidateSpecVersion, ValidationResult } from './validate.js';
export {
  ecosystemReader,
  isEcosystemLockfile,
  parseEcosystemLockfile,
} from './ecosystems/index.js';
export type { EcosystemContext, EcosystemReader, SiblingFiles } from './ecosystems/index.js';
export { mergeGraphs } from './ecosystems/merge.js';
export type { LockfileGraph } from './ecosystems/merge.js';
export {
  buildSpdx,
  serializeSpdx,
  isSpdxDocument,
  validateSpdx,
  assertValidSpdx,
  SPDX_VERSION,
  SPDX_PREDICATE_TYPE,
} from './spdx.js';
export type { SpdxOptions, SpdxValidationResult } from './spdx.js';
