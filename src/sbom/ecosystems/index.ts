// The non-JavaScript lockfiles custody reads, by file name: which reader, which sibling files it
// uses, and the ecosystem (purl type) it describes.
import { CustodyError } from '../../errors.js';
import type { EcosystemFormat, ParsedLockfile } from '../graph.js';
import { parseCargoLock } from './cargo.js';
import type { EcoLockfile, EcosystemContext } from './common.js';
import { toParsedLockfile } from './common.js';
import { parseComposerLock } from './composer.js';
import { parseGoMod } from './go.js';
import { parseGoBinary } from './gobinary.js';
import { parseGradleLockfile, parseMavenTree } from './java.js';
import { parseNugetLock } from './nuget.js';
import {
  parsePipfileLock,
  parsePoetryLock,
  parsePylock,
  parseRequirements,
  parseUvLock,
} from './python.js';
import { parseGemfileLock } from './ruby.js';

export type { EcosystemContext, SiblingFiles } from './common.js';

export interface EcosystemReader {
  readonly format: Exclude<EcosystemFormat, 'multiple' | 'gobinary'>;
  /** purl type of the packages it yields. */
  readonly ecosystem: 'pypi' | 'golang' | 'cargo' | 'gem' | 'composer' | 'maven' | 'nuget';
  /** Files beside the lockfile the reader uses when they exist. */
  readonly siblings: readonly string[];
  readonly read: (text: string, file: string, ctx: EcosystemContext) => EcoLockfile;
}

const READERS: readonly (EcosystemReader & { readonly matches: (name: string) => boolean })[] = [
  {
    format: 'uv',
    ecosystem: 'pypi',
    siblings: ['pyproject.toml'],
    read: parseUvLock,
    matches: (n) => n === 'uv.lock',
  },
  {
    format: 'poetry',
    ecosystem: 'pypi',
    siblings: ['pyproject.toml'],
    read: parsePoetryLock,
    matches: (n) => n === 'poetry.lock',
  },
  {
    format: 'pipenv',
    ecosystem: 'pypi',
    siblings: ['pyproject.toml'],
    read: parsePipfileLock,
    matches: (n) => n === 'Pipfile.lock',
  },
  {
    format: 'pylock',
    ecosystem: 'pypi',
    siblings: ['pyproject.toml'],
    read: parsePylock,
    matches: (n) => /^pylock(\.[^.]+)?\.toml$/.test(n),
  },
  {
    format: 'requirements',
    ecosystem: 'pypi',
    siblings: ['pyproject.toml'],
    read: parseRequirements,
    matches: (n) => /^(requirements([-_.][\w.-]*)?|[\w-]+[-_]requirements)\.txt$/.test(n),
  },
  {
    format: 'gomod',
    ecosystem: 'golang',
    siblings: ['go.sum'],
    read: parseGoMod,
    matches: (n) => n === 'go.mod',
  },
  {
    format: 'cargo',
    ecosystem: 'cargo',
    siblings: ['Cargo.toml'],
    read: parseCargoLock,
    matches: (n) => n === 'Cargo.lock',
  },
  {
    format: 'bundler',
    ecosystem: 'gem',
    siblings: [],
    read: parseGemfileLock,
    matches: (n) => n === 'Gemfile.lock' || n === 'gems.locked',
  },
  {
    format: 'composer',
    ecosystem: 'composer',
    siblings: ['composer.json'],
    read: parseComposerLock,
    matches: (n) => n === 'composer.lock',
  },
  {
    format: 'gradle',
    ecosystem: 'maven',
    siblings: [],
    read: parseGradleLockfile,
    matches: (n) => n === 'gradle.lockfile' || (n.endsWith('.lockfile') && n.startsWith('gradle')),
  },
  {
    format: 'maven',
    ecosystem: 'maven',
    siblings: [],
    read: (text, file) => parseMavenTree(text, file),
    matches: (n) => /^(dependency-tree|dependencies|deps)\.txt$/.test(n),
  },
  {
    format: 'nuget',
    ecosystem: 'nuget',
    siblings: [],
    read: parseNugetLock,
    matches: (n) => n === 'packages.lock.json',
  },
];

/** The reader for a lockfile's base name, or undefined when it is not one of these ecosystems. */
export function ecosystemReader(fileName: string): EcosystemReader | undefined {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  return READERS.find((r) => r.matches(base));
}

/** True for a name custody reads as some ecosystem's lockfile (directory discovery). */
export function isEcosystemLockfile(fileName: string): boolean {
  return ecosystemReader(fileName) !== undefined;
}

/** A Go executable's embedded build info (`go version -m`) → the modules linked into it. */
export function parseGoBinaryFile(bytes: Uint8Array, fileName: string): ParsedLockfile {
  return toParsedLockfile(parseGoBinary(bytes, fileName));
}

export { looksExecutable } from './gobinary.js';

export function parseEcosystemLockfile(
  text: string,
  fileName: string,
  ctx: EcosystemContext
): ParsedLockfile {
  const reader = ecosystemReader(fileName);
  if (reader === undefined) {
    throw new CustodyError(
      'SBOM_LOCKFILE_UNSUPPORTED',
      `${fileName}: not a lockfile custody reads`,
      {
        details: { file: fileName },
      }
    );
  }
  return toParsedLockfile(reader.read(text, fileName, ctx));
}
