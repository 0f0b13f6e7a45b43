// Checksum files (SHA256SUMS, SHA512SUMS): parsing and formatting, pure. Reads what GNU
// coreutils writes and `sha256sum -c` reads — `<hex>  name`, `<hex> *name`, the BSD/--tag form
// `SHA256 (name) = <hex>`, and the escaped form (a leading backslash, `\\` `\n` `\r` in the
// name) — and rejects every line that could point a verifier outside its directory.
import path from 'node:path';
import { CustodyError } from '../errors.js';
import {
  algorithmForBsdTag,
  algorithmForHexLength,
  bsdTag,
  hexLength,
  type DigestAlgorithm,
} from './algorithms.js';

export interface ChecksumEntry {
  /** 1-based line number in the checksum file. */
  readonly line: number;
  readonly algorithm: DigestAlgorithm;
  /** Lower-case hex digest. */
  readonly hex: string;
  /** The file name as written (escapes undone), printed back in `name: OK` lines. */
  readonly name: string;
  /** The name normalised (`./a//b` → `a/b`): relative, POSIX, no `..`; what is looked up. */
  readonly path: string;
  readonly format: 'gnu' | 'bsd';
  /** The GNU `*` (binary mode) marker; it changes nothing on POSIX systems. */
  readonly binary: boolean;
}

export interface ParseChecksumsOptions {
  /** Name of the checksum file, used in error messages (`SHA256SUMS:3: …`). */
  readonly source?: string;
}

/** What formatChecksums writes: one line per entry. */
export interface ChecksumLine {
  readonly hex: string;
  readonly name: string;
  /** Needed for the BSD format; inferred from the hex length when absent. */
  readonly algorithm?: DigestAlgorithm;
}

const HEX = /^[0-9a-fA-F]+$/;
const HEX_START = /^[0-9a-fA-F]{64}/;
const BSD_LINE = /^([A-Z0-9]+) ?\((.*)\) = ([0-9a-fA-F]+)$/s;

/**
 * Parses a checksum file. Blank lines and `#` comments are skipped; a trailing CR (CRLF files)
 * is ignored. Throws CHECKSUMS_LINE_INVALID (malformed line), CHECKSUMS_PATH_UNSAFE (absolute
 * name, `..`), CHECKSUMS_DUPLICATE_NAME or CHECKSUMS_EMPTY, each with the line number.
 */
export function parseChecksums(text: string, options: ParseChecksumsOptions = {}): ChecksumEntry[] {
  const source = options.source ?? 'checksums';
  const entries: ChecksumEntry[] = [];
  const seen = new Map<string, number>();
  const lines = text.split('\n');
  // A final newline ends the last line; it does not start an empty one.
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  lines.forEach((rawLine, index) => {
    const lineNumber = index + 1;
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    const trimmed = line.replace(/^[ \t]+/, '');
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const entry = parseLine(trimmed, lineNumber, source);
    const previous = seen.get(entry.path);
    if (previous !== undefined) {
      throw new CustodyError(
        'CHECKSUMS_DUPLICATE_NAME',
        `${source}:${lineNumber}: ${JSON.stringify(entry.name)} is already listed on line ${previous}`,
        {
          hint: 'a checksum file must list each file once; regenerate it',
          details: { file: source, line: lineNumber, previousLine: previous, name: entry.name },
        }
      );
    }
    seen.set(entry.path, lineNumber);
    entries.push(entry);
  });
  if (entries.length === 0) {
    throw new CustodyError('CHECKSUMS_EMPTY', `${source} contains no checksum lines`, {
      hint: 'expected lines like `<hex>  name` (sha256sum) or `SHA256 (name) = <hex>`',
      details: { file: source },
    });
  }
  return entries;
}

function parseLine(line: string, lineNumber: number, source: string): ChecksumEntry {
  const escaped = line.startsWith('\\');
  const body = escaped ? line.slice(1) : line;
  const invalid = (reason: string): CustodyError =>
    new CustodyError('CHECKSUMS_LINE_INVALID', `${source}:${lineNumber}: ${reason}`, {
      hint: 'expected `<hex>  name`, `<hex> *name` or `SHA256 (name) = <hex>`',
      details: { file: source, line: lineNumber },
    });

  let algorithm: DigestAlgorithm | undefined;
  let hex: string;
  let rawName: string;
  let format: 'gnu' | 'bsd';
  let binary = false;
  // GNU lines start with a hex digit, BSD ones with an upper-case tag: skip the regex for GNU.
  const bsd = /^[A-Z]/.test(body) && !HEX_START.test(body) ? BSD_LINE.exec(body) : null;
  if (bsd !== null) {
    const [, tag = '', name = '', digest = ''] = bsd;
    algorithm = algorithmForBsdTag(tag);
    if (algorithm === undefined) throw invalid(`unsupported algorithm tag ${JSON.stringify(tag)}`);
    if (digest.length !== hexLength(algorithm)) {
      throw invalid(
        `${tag} digest must have ${hexLength(algorithm)} hex digits, found ${digest.length}`
      );
    }
    hex = digest;
    rawName = name;
    format = 'bsd';
  } else {
    const separator = body.search(/[ \t]/);
    if (separator < 0) throw invalid('no file name after the digest');
    hex = body.slice(0, separator);
    if (!HEX.test(hex)) throw invalid('the digest is not hexadecimal');
    algorithm = algorithmForHexLength(hex.length);
    if (algorithm === undefined) {
      throw invalid(
        `a digest of ${hex.length} hex digits matches no algorithm (64 sha256, 96 sha384, 128 sha512)`
      );
    }
    const mode = body.slice(separator, separator + 2);
    if (mode !== '  ' && mode !== ' *') {
      throw invalid('the digest must be followed by two spaces or by " *" and the file name');
    }
    binary = mode === ' *';
    rawName = body.slice(separator + 2);
    format = 'gnu';
  }

  const name = escaped ? unescapeName(rawName, invalid) : rawName;
  if (name === '') throw invalid('empty file name');
  if (name.includes('\0')) throw invalid('file name contains a NUL byte');
  if (!escaped && /[\n\r]/.test(name)) throw invalid('file name contains a line break');
  return {
    line: lineNumber,
    algorithm,
    hex: hex.toLowerCase(),
    name,
    path: safeRelativePath(name, lineNumber, source),
    format,
    binary,
  };
}

function unescapeName(raw: string, invalid: (reason: string) => CustodyError): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const char = raw[i];
    if (char !== '\\') {
      out += char;
      continue;
    }
    const next = raw[++i];
    if (next === '\\') out += '\\';
    else if (next === 'n') out += '\n';
    else if (next === 'r') out += '\r';
    else throw invalid(`invalid escape \\${next ?? ''} in the file name`);
  }
  return out;
}

/** Normalises a listed name, refusing absolute names and any `..` segment (lexical checks). */
function safeRelativePath(name: string, lineNumber: number, source: string): string {
  const unsafe = (reason: string): CustodyError =>
    new CustodyError(
      'CHECKSUMS_PATH_UNSAFE',
      `${source}:${lineNumber}: ${JSON.stringify(name)} ${reason}`,
      {
        hint: 'checksum files must list paths relative to their directory, without ..',
        details: { file: source, line: lineNumber, name },
      }
    );
  if (name.startsWith('/') || name.startsWith('\\') || /^[A-Za-z]:/.test(name)) {
    throw unsafe('is an absolute path');
  }
  if (name.includes('..') && name.split(/[\\/]/).includes('..')) throw unsafe('contains ..');
  if (!/[/.]/.test(name)) return name; // a plain file name: nothing to normalise
  const normalized = path.posix.normalize(name).replace(/^(\.\/)+/, '');
  if (normalized === '.' || normalized === '' || normalized.endsWith('/')) {
    throw unsafe('names a directory, not a file');
  }
  return normalized;
}

/** GNU escaping: a name with `\`, LF or CR is written escaped and its line starts with `\`. */
export function escapeChecksumName(name: string): { escaped: boolean; text: string } {
  if (!/[\\\n\r]/.test(name)) return { escaped: false, text: name };
  return {
    escaped: true,
    text: name.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r'),
  };
}

/** One line as sha256sum/sha512sum print it (`<hex>  name`, escaped like GNU when needed). */
export function formatChecksumLine(line: ChecksumLine, format: 'gnu' | 'bsd' = 'gnu'): string {
  const { escaped, text } = escapeChecksumName(line.name);
  const prefix = escaped ? '\\' : '';
  const hex = line.hex.toLowerCase();
  if (format === 'gnu') return `${prefix}${hex}  ${text}\n`;
  const algorithm = line.algorithm ?? algorithmForHexLength(hex.length);
  if (algorithm === undefined) {
    throw new CustodyError(
      'DIGEST_ALGORITHM_UNSUPPORTED',
      `a digest of ${hex.length} hex digits matches no algorithm`
    );
  }
  return `${prefix}${bsdTag(algorithm)} (${text}) = ${hex}\n`;
}

/** A whole checksum file (GNU `sha256sum` format by default), one line per entry, in order. */
export function formatChecksums(
  entries: readonly ChecksumLine[],
  options: { format?: 'gnu' | 'bsd' } = {}
): string {
  return entries.map((entry) => formatChecksumLine(entry, options.format ?? 'gnu')).join('');
}

/**
 * How `sha256sum -c` (coreutils 9.1) prints a name in its `name: OK` lines: raw, unless it holds
 * a line break; then escaped with a leading `\`. Unlike coreutils, a CR also triggers escaping:
 * printed raw it could move the cursor and hide a FAILED on a terminal.
 */
export function displayChecksumName(name: string): string {
  if (!/[\n\r]/.test(name)) return name;
  return `\\${escapeChecksumName(name).text}`;
}
