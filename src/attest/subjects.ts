// Attestation subjects from files, globs and checksum files. The file-reading edge of the attest
// domain: it goes through the digest module (streamed hashing, safe directory walks) and the file
// adapter. As in actions/attest, a file subject is named by its base name and a checksums entry by
// its name in the file; unlike actions/attest, the checksums file itself is always a subject too.
import path from 'node:path';
import picomatch from 'picomatch';
import {
  CHECKSUM_FILE_LIMIT,
  digestFile,
  digestFiles,
  expandPaths,
  parseChecksums,
} from '../digest/index.js';
import { CustodyError } from '../errors.js';
import { readTextLimited } from '../io/fs.js';
import type { ResourceDescriptor } from './intoto.js';
import { normalizeSubjects } from './intoto.js';

/** More subjects than this in one statement is refused (actions/attest allows 1024). */
export const MAX_SUBJECTS = 10_000;

export interface SubjectInputs {
  /** Files or globs (picomatch syntax, relative to cwd). */
  subjects?: readonly string[];
  /** A SHA256SUMS/SHA512SUMS file whose entries are taken as subjects (their digests as written). */
  checksums?: string;
  cwd: string;
}

export interface CollectedSubjects {
  subjects: ResourceDescriptor[];
  /** Files named directly or matched, absolute, for output naming. */
  files: string[];
}

export async function collectSubjects(inputs: SubjectInputs): Promise<CollectedSubjects> {
  const descriptors: ResourceDescriptor[] = [];
  const files = await resolveSubjectFiles(inputs.subjects ?? [], inputs.cwd);
  const digests = await digestFiles(files, 'sha256');
  for (const digest of digests) {
    descriptors.push({ name: path.basename(digest.path), digest: { sha256: digest.hex } });
  }
  if (inputs.checksums !== undefined) {
    const file = path.resolve(inputs.cwd, inputs.checksums);
    const text = await readTextLimited(file, {
      maxBytes: CHECKSUM_FILE_LIMIT,
      what: 'checksums file',
    });
    for (const entry of parseChecksums(text, { source: inputs.checksums })) {
      descriptors.push({ name: entry.name, digest: { [entry.algorithm]: entry.hex } });
    }
    descriptors.push({
      name: path.basename(file),
      digest: { sha256: await digestFile(file, 'sha256') },
    });
  }
  if (descriptors.length > MAX_SUBJECTS) {
    throw new CustodyError(
      'ATTEST_SUBJECT_INVALID',
      `${descriptors.length} subjects is over the limit of ${MAX_SUBJECTS} per statement`
    );
  }
  return { subjects: normalizeSubjects(descriptors), files };
}

/** Expands files and globs into absolute file paths (sorted, unique). A glob matching nothing fails. */
export async function resolveSubjectFiles(
  patterns: readonly string[],
  cwd: string
): Promise<string[]> {
  const found = new Set<string>();
  for (const pattern of patterns) {
    const scan = picomatch.scan(pattern);
    if (!scan.isGlob) {
      const expanded = await expandPaths([pattern], cwd);
      for (const file of expanded.files) found.add(file.absolute);
      continue;
    }
    const base = path.resolve(cwd, scan.base === '' ? '.' : scan.base);
    const isMatch = picomatch(scan.glob, { dot: false });
    let expanded;
    try {
      expanded = await expandPaths([base], cwd);
    } catch (error) {
      throw new CustodyError('ATTEST_SUBJECT_INVALID', `--subject ${pattern} matched no files`, {
        cause: error,
      });
    }
    let matched = 0;
    for (const file of expanded.files) {
      const relative = path.relative(base, file.absolute).split(path.sep).join('/');
      if (isMatch(relative)) {
        found.add(file.absolute);
        matched++;
      }
    }
    if (matched === 0) {
      throw new CustodyError('ATTEST_SUBJECT_INVALID', `--subject ${pattern} matched no files`, {
        hint: 'quote globs so the shell does not expand them, e.g. --subject "dist/*.tar.gz"',
      });
    }
  }
  return [...found].sort();
}
