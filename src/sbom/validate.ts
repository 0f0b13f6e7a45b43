// CycloneDX JSON validation against the schemas bundled in @cyclonedx/cyclonedx-library, with the
// library's ajv setup (src/sbom/schema-setup.ts). The library's own validator reads its schemas
// from disk next to its dist, which a bundled custody cannot do, so the schema files are imported
// (and inlined by the bundler) instead. Validators are compiled once per process, lazily, per
// spec version; the default generation path (1.6, first error) uses precompiled ajv standalone
// code (src/sbom/generated/), because compiling the 1.6 schema costs more than building the SBOM.
import type { ErrorObject } from 'ajv';
import { CustodyError } from '../errors.js';
import { isRecord } from './graph.js';
import { checkBomReferences } from './references.js';
import type { CompiledValidator } from './schema-setup.js';
import { createCycloneDXAjv, loadStandalone, standaloneSource } from './schema-setup.js';

export type ValidateSpecVersion = '1.2' | '1.3' | '1.4' | '1.5' | '1.6' | '1.7';
export const VALIDATE_SPEC_VERSIONS: readonly ValidateSpecVersion[] = [
  '1.2',
  '1.3',
  '1.4',
  '1.5',
  '1.6',
  '1.7',
];

type SchemaLoader = () => Promise<{ default: unknown }>;

// Literal paths, so the bundler inlines the files (the package's exports map hides res/).
const SCHEMAS: Record<ValidateSpecVersion, SchemaLoader> = {
  '1.2': () =>
    import(
      '../../node_modules/@cyclonedx/cyclonedx-library/res/schema/bom-1.2-strict.SNAPSHOT.schema.json',
      { with: { type: 'json' } }
    ),
  '1.3': () =>
    import(
      '../../node_modules/@cyclonedx/cyclonedx-library/res/schema/bom-1.3-strict.SNAPSHOT.schema.json',
      { with: { type: 'json' } }
    ),
  '1.4': () =>
    import(
      '../../node_modules/@cyclonedx/cyclonedx-library/res/schema/bom-1.4.SNAPSHOT.schema.json',
      { with: { type: 'json' } }
    ),
  '1.5': () =>
    import(
      '../../node_modules/@cyclonedx/cyclonedx-library/res/schema/bom-1.5.SNAPSHOT.schema.json',
      { with: { type: 'json' } }
    ),
  '1.6': () =>
    import(
      '../../node_modules/@cyclonedx/cyclonedx-library/res/schema/bom-1.6.SNAPSHOT.schema.json',
      { with: { type: 'json' } }
    ),
  '1.7': () =>
    import(
      '../../node_modules/@cyclonedx/cyclonedx-library/res/schema/bom-1.7.SNAPSHOT.schema.json',
      { with: { type: 'json' } }
    ),
};

const REFERENCED: Record<string, SchemaLoader> = {
  'http://cyclonedx.org/schema/spdx.SNAPSHOT.schema.json': () =>
    import('../../node_modules/@cyclonedx/cyclonedx-library/res/schema/spdx.SNAPSHOT.schema.json', {
      with: { type: 'json' },
    }),
  'http://cyclonedx.org/schema/jsf-0.82.SNAPSHOT.schema.json': () =>
    import(
      '../../node_modules/@cyclonedx/cyclonedx-library/res/schema/jsf-0.82.SNAPSHOT.schema.json',
      { with: { type: 'json' } }
    ),
  'http://cyclonedx.org/schema/cryptography-defs.SNAPSHOT.schema.json': () =>
    import(
      '../../node_modules/@cyclonedx/cyclonedx-library/res/schema/cryptography-defs.SNAPSHOT.schema.json',
      { with: { type: 'json' } }
    ),
};

export interface SchemaError {
  /** JSON pointer (RFC 6901) to the offending value; "" is the document. */
  readonly pointer: string;
  readonly message: string;
  readonly keyword: string;
}

export interface ValidationResult {
  readonly specVersion: ValidateSpecVersion;
  readonly valid: boolean;
  readonly errors: readonly SchemaError[];
}

/** Precompiled validators: version → generated module (see test/sbom/precompiled.test.ts). */
const PRECOMPILED: Partial<Record<ValidateSpecVersion, () => Promise<{ default: unknown }>>> = {
  '1.6': () => import('./generated/validate-1.6.json', { with: { type: 'json' } }),
};

export interface PrecompiledValidatorFile {
  readonly specVersion: ValidateSpecVersion;
  readonly generator: string;
  readonly source: string;
}

async function referencedSchemas(): Promise<Record<string, object>> {
  const entries: [string, object][] = await Promise.all(
    Object.entries(REFERENCED).map(async ([id, load]): Promise<[string, object]> => [
      id,
      (await load()).default as object,
    ])
  );
  return Object.fromEntries(entries);
}

/** Compiles a validator at runtime (all spec versions; every error or the first). */
async function compile(
  version: ValidateSpecVersion,
  allErrors: boolean
): Promise<CompiledValidator> {
  const ajv = createCycloneDXAjv(await referencedSchemas(), { allErrors, source: false });
  return ajv.compile((await SCHEMAS[version]()).default as object) as CompiledValidator;
}

/** The precompiled-validator file content for a spec version, generated from the bundled schemas. */
export async function generatePrecompiledValidator(
  version: ValidateSpecVersion
): Promise<PrecompiledValidatorFile> {
  const ajv = createCycloneDXAjv(await referencedSchemas(), { allErrors: false, source: true });
  return {
    specVersion: version,
    generator: 'custody src/sbom/validate.ts generatePrecompiledValidator (first error only)',
    source: standaloneSource(ajv, (await SCHEMAS[version]()).default as object),
  };
}

const compiled = new Map<string, Promise<CompiledValidator>>();

/** The validator for one spec version, compiled (or loaded precompiled) once per process. */
export function schemaValidator(
  version: ValidateSpecVersion,
  allErrors = false
): Promise<CompiledValidator> {
  const key = `${version}:${allErrors}`;
  let validator = compiled.get(key);
  if (validator === undefined) {
    const precompiled = allErrors ? undefined : PRECOMPILED[version];
    validator =
      precompiled === undefined
        ? compile(version, allErrors)
        : precompiled().then((file) =>
            loadStandalone((file.default as PrecompiledValidatorFile).source)
          );
    compiled.set(key, validator);
  }
  return validator;
}

function toSchemaError(error: ErrorObject): SchemaError {
  let message = error.message ?? error.keyword;
  if (error.keyword === 'additionalProperties' && isRecord(error.params)) {
    message = `${message}: ${String(error.params.additionalProperty)}`;
  } else if (
    error.keyword === 'enum' &&
    isRecord(error.params) &&
    Array.isArray(error.params.allowedValues)
  ) {
    const allowed = error.params.allowedValues as unknown[];
    if (allowed.length <= 8)
      message = `${message}: ${allowed.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  return { pointer: error.instancePath, message, keyword: error.keyword };
}

/** The declared spec version of a parsed CycloneDX JSON document. */
export function declaredSpecVersion(document: unknown, source: string): ValidateSpecVersion {
  if (!isRecord(document) || document.bomFormat !== 'CycloneDX') {
    throw new CustodyError(
      'SBOM_DOCUMENT_INVALID',
      `${source} is not a CycloneDX JSON document (bomFormat is not "CycloneDX")`,
      {
        details: { file: source },
      }
    );
  }
  const version = document.specVersion;
  if (typeof version !== 'string') {
    throw new CustodyError('SBOM_DOCUMENT_INVALID', `${source} has no specVersion string`, {
      details: { file: source },
    });
  }
  if (!(VALIDATE_SPEC_VERSIONS as readonly string[]).includes(version)) {
    throw new CustodyError(
      'SBOM_SPEC_UNSUPPORTED',
      `${source} declares CycloneDX specVersion ${JSON.stringify(version)}; custody validates ${VALIDATE_SPEC_VERSIONS.join(', ')}`,
      { details: { file: source, specVersion: version } }
    );
  }
  return version as ValidateSpecVersion;
}

/**
 * Validates a parsed CycloneDX JSON document against the schema of its declared specVersion.
 * Returns every schema error with its JSON pointer (allErrors) unless `firstErrorOnly`.
 */
export async function validateBom(
  document: unknown,
  options: { source?: string; firstErrorOnly?: boolean } = {}
): Promise<ValidationResult> {
  const version = declaredSpecVersion(document, options.source ?? 'document');
  const validate = await schemaValidator(version, options.firstErrorOnly !== true);
  const valid = validate(document);
  const errors = valid ? [] : (validate.errors ?? []).map(toSchemaError);
  // Duplicate and dangling bom-refs: what the schema cannot express.
  errors.push(...checkBomReferences(document));
  return { specVersion: version, valid: valid && errors.length === 0, errors };
}

/** Validates and throws SBOM_SCHEMA_INVALID (exit 1) with the errors in `details` when invalid. */
export async function assertValidBom(
  document: unknown,
  source = 'SBOM'
): Promise<ValidationResult> {
  const result = await validateBom(document, { source, firstErrorOnly: true });
  if (!result.valid) {
    const first = result.errors[0];
    throw new CustodyError(
      'SBOM_SCHEMA_INVALID',
      `${source} is not valid CycloneDX ${result.specVersion}${first === undefined ? '' : `: ${first.pointer || '/'} ${first.message}`}`,
      { details: { errors: result.errors } }
    );
  }
  return result;
}
