import type { ErrorCodeTable } from '../error-codes.js';

export const INPUT_ERROR_CODES = {
  INPUT_NOT_FOUND: {
    exit: 2,
    summary: 'A named input file or directory does not exist. Check the path.',
  },
  INPUT_UNREADABLE: {
    exit: 2,
    summary:
      'An input exists but cannot be read (permissions, a directory where a file was expected).',
  },
  INPUT_TOO_LARGE: {
    exit: 2,
    summary: 'An input is larger than the documented limit for its kind.',
  },
  INPUT_JSON_INVALID: {
    exit: 2,
    summary: 'An input is not well-formed JSON (or is truncated); the message gives the position.',
  },
  INPUT_YAML_INVALID: {
    exit: 2,
    summary: 'An input is not well-formed YAML; the message gives the line.',
  },
  INPUT_SCHEMA_INVALID: {
    exit: 2,
    summary:
      'An input is well-formed but has the wrong shape or types; the message names the field.',
  },
  INPUT_PATH_UNSAFE: {
    exit: 2,
    summary:
      'A path is absolute, contains .., or leaves the directory it must stay in (also through a symlink).',
  },
  OUTPUT_WRITE_FAILED: {
    exit: 3,
    summary: 'An output could not be written; nothing was left half-written.',
  },
} as const satisfies ErrorCodeTable;
