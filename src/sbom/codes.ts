import type { ErrorCodeTable } from '../error-codes.js';

export const SBOM_ERROR_CODES = {
  SBOM_LOCKFILE_NOT_FOUND: {
    exit: 2,
    summary:
      'No supported lockfile (npm, pnpm, yarn; uv, poetry, Pipfile.lock, pylock.toml, requirements*.txt; go.mod; Cargo.lock; Gemfile.lock; composer.lock; gradle.lockfile, dependency-tree.txt; packages.lock.json) in the directory; pass --lockfile.',
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
      'The requested or declared specVersion is not supported (CycloneDX generate: 1.5-1.7, validate: 1.2-1.7; SPDX: 2.3).',
  },
  SBOM_DOCUMENT_INVALID: {
    exit: 2,
    summary:
      'The file to validate is neither a CycloneDX JSON document (bomFormat "CycloneDX" + specVersion) nor an SPDX JSON document (spdxVersion "SPDX-…").',
  },
  SBOM_SCHEMA_INVALID: {
    exit: 1,
    summary:
      'The CycloneDX or SPDX document does not conform to its JSON schema (SPDX: or a relationship names no element of the document); each error is reported with its JSON pointer.',
  },
} as const satisfies ErrorCodeTable;
