import type { ErrorCodeTable } from '../error-codes.js';

export const SBOM_ERROR_CODES = {
  SBOM_LOCKFILE_NOT_FOUND: {
    exit: 2,
    summary:
      'No supported lockfile (package-lock.json, npm-shrinkwrap.json, pnpm-lock.yaml, yarn.lock) in the directory; pass --lockfile.',
  },
  SBOM_LOCKFILE_INVALID: {
    exit: 2,
    summary:
      'The lockfile is malformed or truncated (bad JSON/YAML, wrong field types, an entry without a version); the message names the entry.',
  },
  SBOM_LOCKFILE_UNSUPPORTED: {
    exit: 2,
    summary:
      'The lockfile format or lockfileVersion is not supported (npm v1-v3, pnpm v6/v9, yarn v1 and berry are); regenerate it with a current package manager.',
  },
  SBOM_LOCKFILE_CONFLICT: {
    exit: 2,
    summary:
      'The lockfile holds conflicting entries for one package (same name@version, different integrity); regenerate the lockfile.',
  },
  SBOM_SPEC_UNSUPPORTED: {
    exit: 2,
    summary:
      'The requested or declared CycloneDX specVersion is not supported (generate: 1.5-1.7; validate: 1.2-1.7).',
  },
  SBOM_DOCUMENT_INVALID: {
    exit: 2,
    summary:
      'The file to validate is not a CycloneDX JSON document (no bomFormat "CycloneDX" or no specVersion).',
  },
  SBOM_SCHEMA_INVALID: {
    exit: 1,
    summary:
      'The CycloneDX document does not conform to its JSON schema; each error is reported with its JSON pointer.',
  },
} as const satisfies ErrorCodeTable;
