import type { ErrorCodeTable } from '../error-codes.js';

// Digests of files and checksum files (SHA256SUMS and friends).
export const DIGEST_ERROR_CODES = {
  DIGEST_ALGORITHM_UNSUPPORTED: {
    exit: 2,
    summary: 'The digest algorithm is not one custody supports: use sha256, sha384 or sha512.',
  },
  CHECKSUMS_LINE_INVALID: {
    exit: 2,
    summary:
      'A checksum file line is neither GNU (`<hex>  name`, `<hex> *name`) nor BSD (`SHA256 (name) = <hex>`) format, or its hex has a length no algorithm has; the message gives the line number.',
  },
  CHECKSUMS_DUPLICATE_NAME: {
    exit: 2,
    summary:
      'A checksum file lists the same file name twice (after normalising ./ and //); the message gives both line numbers.',
  },
  CHECKSUMS_PATH_UNSAFE: {
    exit: 2,
    summary:
      'A checksum file name is absolute, contains .., or is a symlink that leaves the checked directory (also refused when creating); the message gives the line number.',
  },
  CHECKSUMS_EMPTY: {
    exit: 2,
    summary: 'A checksum file has no checksum lines (only blank lines and comments, or nothing).',
  },
  CHECKSUMS_MISMATCH: {
    exit: 1,
    summary:
      'checksums verify: at least one listed file differs from its checksum or cannot be read; the failing names are listed.',
  },
} as const satisfies ErrorCodeTable;
