// Adapter: reads a release directory (or artifact arguments) into ReleaseInputs. Discovers the
// artifacts, the checksums file, Sigstore bundles (*.sigstore.json, JSON Lines *.intoto.jsonl /
// *.jsonl as gh attestation download and actions/attest write them, GitHub API responses) and
// GitLab runner metadata (*-metadata.json, unsigned). Hashes artifacts with the digest module.
import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseStatement, type InTotoStatement } from '../../attest/intoto.js';
import { digestFilesSettled, parseChecksums, type DigestAlgorithm } from '../../digest/index.js';
import { CustodyError } from '../../errors.js';
import { readFileLimited, resolveInside } from '../../io/fs.js';
import type {
  ArtifactInput,
  BundleInput,
  ReleaseInputs,
  UnsignedStatementInput,
} from '../types.js';

/** Files that describe or verify a release rather than being part of it. */
const CONTROL_FILES = new Set([
  'trusted_root.json',
  'trusted_root.jsonl',
  'signing_config.json',
  'custody-policy.yaml',
  'custody-policy.yml',
  'verification.json',
  'verification.md',
  'trace.html',
  'trace.md',
  'trace.json',
]);
const LEGACY_SIGNATURE_SUFFIXES = ['.sig', '.pem', '.cert', '.crt', '.asc', '.minisig'];
/** SBOM documents: verified through their attestation; artifacts only when the checksums list them. */
const SBOM_DOCUMENT_SUFFIXES = ['.cdx.json', '.cdx.xml', '.spdx.json', '.spdx'];
const DEFAULT_CHECKSUM_NAMES = ['SHA256SUMS', 'SHA512SUMS', 'checksums.txt'];
const BUNDLE_LIMIT = 64 * 1024 * 1024;
const CHECKSUMS_LIMIT = 64 * 1024 * 1024;
const MAX_BUNDLE_LINES = 100_000;

export interface ReadReleaseOptions {
  cwd: string;
  /** One release directory, or artifact files and `sha256:<hex>` digests. */
  targets: string[];
  /** Explicit checksums file (--checksums). */
  checksums?: string;
  /** The checksums file name the policy expects in a release directory. */
  checksumsName: string;
  /** Extra bundle files (--bundle). */
  bundles: string[];
  /** --agent-commits FILE: one commit SHA per line. */
  agentCommits?: string;
  /** Names in the release directory that are not artifacts (the policy file, the outputs). */
  exclude: string[];
}

export interface ReadRelease {
  inputs: ReleaseInputs;
  releaseDir?: string;
  /** trusted_root.json found in the release directory, if any. */
  trustedRootInRelease?: string;
  /** Every attestation file read, with the SHA-256 of its bytes (VSA inputAttestations). */
  attestationFiles: { uri: string; sha256: string }[];
}

type FileKind = 'bundle-json' | 'bundle-jsonl' | 'runner-metadata' | 'control' | 'artifact';

function classify(name: string, exclude: ReadonlySet<string>): FileKind {
  if (CONTROL_FILES.has(name) || exclude.has(name)) return 'control';
  if (LEGACY_SIGNATURE_SUFFIXES.some((s) => name.endsWith(s))) return 'control';
  if (SBOM_DOCUMENT_SUFFIXES.some((s) => name.endsWith(s))) return 'control';
  if (name.endsWith('.sigstore.json') || name.endsWith('.sigstore')) return 'bundle-json';
  if (name.endsWith('.intoto.jsonl') || name.endsWith('.jsonl')) return 'bundle-jsonl';
  if (name === 'artifacts-metadata.json' || name.endsWith('-metadata.json'))
    return 'runner-metadata';
  return 'artifact';
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

const DIGEST_ARGUMENT = /^(sha256|sha384|sha512):([0-9a-fA-F]+)$/;
const HEX_LENGTH: Record<DigestAlgorithm, number> = { sha256: 64, sha384: 96, sha512: 128 };

export async function readRelease(options: ReadReleaseOptions): Promise<ReadRelease> {
  const exclude = new Set(options.exclude);
  const artifactFiles: { name: string; file: string }[] = [];
  const digestArtifacts: ArtifactInput[] = [];
  const bundleFiles: { name: string; file: string; kind: 'bundle-json' | 'bundle-jsonl' }[] = [];
  const metadataFiles: { name: string; file: string }[] = [];
  let checksumsFile: { name: string; file: string } | undefined;
  const controlFiles: { name: string; file: string }[] = [];
  let releaseDir: string | undefined;
  let trustedRootInRelease: string | undefined;

  const single =
    options.targets.length === 1 ? path.resolve(options.cwd, options.targets[0] ?? '') : undefined;
  const singleIsDir =
    single !== undefined && (await stat(single).catch(() => undefined))?.isDirectory() === true;
  if (options.targets.length === 0 || singleIsDir) {
    releaseDir = single ?? options.cwd;
    const entries = await readdir(releaseDir, { withFileTypes: true }).catch((error: unknown) => {
      throw new CustodyError(
        'INPUT_NOT_FOUND',
        `release directory ${releaseDir ?? ''} cannot be read`,
        { cause: error }
      );
    });
    const names = entries
      .filter((e) => !e.name.startsWith('.') && (e.isFile() || e.isSymbolicLink()))
      .map((e) => e.name)
      .sort();
    // The policy's checksums name wins over the defaults; other checksum files are metadata.
    const chosen =
      options.checksums === undefined
        ? [options.checksumsName, ...DEFAULT_CHECKSUM_NAMES].find(
            (n) => names.includes(n) && !exclude.has(n)
          )
        : undefined;
    for (const name of names) {
      // Symlinks must stay inside the release directory.
      const file = await resolveInside(releaseDir, name);
      if ((await stat(file).catch(() => undefined))?.isFile() !== true) continue;
      if (name === 'trusted_root.json') trustedRootInRelease = file;
      if (name === chosen) {
        checksumsFile = { name, file };
        continue;
      }
      if (name === options.checksumsName || DEFAULT_CHECKSUM_NAMES.includes(name)) continue;
      const kind = classify(name, exclude);
      if (kind === 'control' && !exclude.has(name) && !CONTROL_FILES.has(name)) {
        controlFiles.push({ name, file });
      }
      if (kind === 'artifact') artifactFiles.push({ name, file });
      else if (kind === 'bundle-json' || kind === 'bundle-jsonl')
        bundleFiles.push({ name, file, kind });
      else if (kind === 'runner-metadata') metadataFiles.push({ name, file });
    }
  } else {
    for (const target of options.targets) {
      const digest = DIGEST_ARGUMENT.exec(target);
      if (digest !== null) {
        const algorithm = digest[1] as DigestAlgorithm;
        const hex = (digest[2] ?? '').toLowerCase();
        if (hex.length !== HEX_LENGTH[algorithm]) {
          throw new CustodyError(
            'USAGE_INVALID',
            `${target}: a ${algorithm} digest has ${HEX_LENGTH[algorithm]} hex digits`
          );
        }
        digestArtifacts.push({ name: target, digests: { [algorithm]: hex } });
        continue;
      }
      const file = path.resolve(options.cwd, target);
      const info = await stat(file).catch(() => undefined);
      if (info === undefined)
        throw new CustodyError('INPUT_NOT_FOUND', `artifact ${target} does not exist`);
      if (!info.isFile())
        throw new CustodyError(
          'USAGE_INVALID',
          `${target} is a directory: pass one release directory, or files`
        );
      artifactFiles.push({ name: path.basename(file), file });
      for (const suffix of ['.sigstore.json', '.intoto.jsonl']) {
        const sibling = `${file}${suffix}`;
        if ((await stat(sibling).catch(() => undefined))?.isFile() === true) {
          bundleFiles.push({
            name: path.basename(sibling),
            file: sibling,
            kind: suffix === '.intoto.jsonl' ? 'bundle-jsonl' : 'bundle-json',
          });
        }
      }
    }
  }
  if (options.checksums !== undefined) {
    const file = path.resolve(options.cwd, options.checksums);
    checksumsFile = { name: path.basename(file), file };
    const i = artifactFiles.findIndex((a) => a.file === file);
    if (i >= 0) artifactFiles.splice(i, 1);
  }
  for (const extra of options.bundles) {
    const file = path.resolve(options.cwd, extra);
    if (bundleFiles.some((b) => b.file === file)) continue;
    const name = path.basename(file);
    bundleFiles.push({ name, file, kind: name.endsWith('l') ? 'bundle-jsonl' : 'bundle-json' });
    const i = artifactFiles.findIndex((a) => a.file === file);
    if (i >= 0) artifactFiles.splice(i, 1);
  }

  const attestationFiles: { uri: string; sha256: string }[] = [];
  const bundles: BundleInput[] = [];
  for (const entry of bundleFiles) {
    const bytes = await readFileLimited(entry.file, { maxBytes: BUNDLE_LIMIT, what: 'bundle' });
    attestationFiles.push({ uri: entry.name, sha256: sha256(bytes) });
    bundles.push(...parseBundleFile(entry.name, bytes.toString('utf8'), entry.kind));
  }
  const unsignedStatements: UnsignedStatementInput[] = [];
  for (const entry of metadataFiles) {
    const bytes = await readFileLimited(entry.file, {
      maxBytes: BUNDLE_LIMIT,
      what: 'runner metadata',
    });
    const statement = runnerStatement(bytes);
    if (statement === undefined) {
      artifactFiles.push(entry); // not an in-toto statement: an ordinary artifact
      continue;
    }
    attestationFiles.push({ uri: entry.name, sha256: sha256(bytes) });
    unsignedStatements.push({ id: entry.name, file: entry.name, ...statement });
  }

  let checksums: ReleaseInputs['checksums'];
  if (checksumsFile !== undefined) {
    const bytes = await readFileLimited(checksumsFile.file, {
      maxBytes: CHECKSUMS_LIMIT,
      what: 'checksums file',
    });
    checksums = {
      file: checksumsFile.name,
      text: bytes.toString('utf8'),
      digests: { sha256: sha256(bytes) },
    };
    // A metadata-looking file (an SBOM document, a .sig) that the checksums list is an artifact.
    const listed = listedNames(checksums.text);
    for (const control of controlFiles) if (listed.has(control.name)) artifactFiles.push(control);
  }

  // Hash with every algorithm some subject uses without sha256 (npm provenance: sha512 only).
  const algorithms = new Set<DigestAlgorithm>(['sha256']);
  for (const b of bundles)
    for (const algorithm of subjectAlgorithms(b.bundle)) algorithms.add(algorithm);
  for (const s of unsignedStatements)
    for (const subject of s.statement?.subject ?? []) addOnlyAlgorithms(subject.digest, algorithms);
  artifactFiles.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const jobs = artifactFiles.flatMap((a) =>
    [...algorithms].map((algorithm) => ({ path: a.file, algorithm }))
  );
  const settled = await digestFilesSettled(jobs);
  const artifacts: ArtifactInput[] = artifactFiles.map((a, index) => {
    const digests: ArtifactInput['digests'] = {};
    [...algorithms].forEach((algorithm, k) => {
      const result = settled[index * algorithms.size + k];
      if (result === undefined || !result.ok) {
        throw new CustodyError(
          'INPUT_UNREADABLE',
          `cannot read artifact ${a.name}${result !== undefined && !result.ok ? `: ${result.message}` : ''}`
        );
      }
      digests[algorithm] = result.hex;
    });
    return { name: a.name, digests };
  });
  artifacts.push(...digestArtifacts);

  let agentCommits: ReleaseInputs['agentCommits'];
  if (options.agentCommits !== undefined) {
    const file = path.resolve(options.cwd, options.agentCommits);
    agentCommits = {
      source: path.basename(file),
      commits: parseCommitList(
        (
          await readFileLimited(file, { maxBytes: 16 * 1024 * 1024, what: 'agent commits file' })
        ).toString('utf8'),
        file
      ),
    };
  }

  return {
    inputs: {
      artifacts,
      ...(checksums === undefined ? {} : { checksums }),
      bundles,
      unsignedStatements,
      ...(agentCommits === undefined ? {} : { agentCommits }),
    },
    ...(releaseDir === undefined ? {} : { releaseDir }),
    ...(trustedRootInRelease === undefined ? {} : { trustedRootInRelease }),
    attestationFiles: attestationFiles.sort((a, b) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0)),
  };
}

/** Bundles in a file: one JSON bundle, a GitHub API response, or JSON Lines (one per line). */
export function parseBundleFile(
  name: string,
  text: string,
  kind: 'bundle-json' | 'bundle-jsonl'
): BundleInput[] {
  const out: BundleInput[] = [];
  const fromValue = (value: unknown, id: string): void => {
    const o =
      value !== null && typeof value === 'object' && !Array.isArray(value)
        ? (value as Record<string, unknown>)
        : undefined;
    if (o === undefined) {
      out.push({ id, file: name, problem: 'not a JSON object' });
    } else if (Array.isArray(o.attestations)) {
      // GitHub attestations API: {attestations: [{bundle, repository_id}]}
      o.attestations.forEach((a, i) => fromValue(a, `${id}[${i}]`));
    } else if (
      typeof o.mediaType === 'string' ||
      o.dsseEnvelope !== undefined ||
      o.messageSignature !== undefined
    ) {
      out.push({ id, file: name, bundle: o });
    } else if (o.bundle !== undefined) {
      fromValue(o.bundle, id);
    } else if (typeof o.payloadType === 'string' && Array.isArray(o.signatures)) {
      out.push({
        id,
        file: name,
        problem: 'a bare DSSE envelope carries no certificate or key: a Sigstore bundle is needed',
      });
    } else {
      out.push({ id, file: name, problem: 'not a Sigstore bundle' });
    }
  };
  const parse = (line: string, id: string): void => {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      out.push({
        id,
        file: name,
        problem: `not valid JSON (${error instanceof Error ? error.message : String(error)})`,
      });
      return;
    }
    fromValue(value, id);
  };
  const trimmed = text.trim();
  if (trimmed.length === 0) {
    out.push({ id: name, file: name, problem: 'empty file' });
    return out;
  }
  if (kind === 'bundle-json') {
    parse(trimmed, name);
    return out;
  }
  // JSON Lines; a pretty-printed single bundle in a .jsonl file is accepted too.
  let single: unknown;
  try {
    single = JSON.parse(trimmed);
  } catch {
    single = undefined;
  }
  if (single !== undefined && trimmed.includes('\n')) {
    fromValue(single, name);
    return out;
  }
  const lines = text.split('\n');
  if (lines.length > MAX_BUNDLE_LINES) {
    throw new CustodyError('INPUT_TOO_LARGE', `${name} has more than ${MAX_BUNDLE_LINES} lines`);
  }
  const oneLine = lines.filter((l) => l.trim().length > 0).length === 1;
  lines.forEach((line, index) => {
    if (line.trim().length === 0) return;
    parse(line, oneLine ? name : `${name}#${index + 1}`);
  });
  return out;
}

function runnerStatement(
  bytes: Uint8Array
): { statement: InTotoStatement } | { problem: string } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return undefined;
  }
  const type = (value as { _type?: unknown } | null)?._type;
  if (typeof type !== 'string' || !type.startsWith('https://in-toto.io/Statement/'))
    return undefined;
  try {
    return { statement: parseStatement(bytes) };
  } catch (error) {
    return { problem: error instanceof Error ? error.message : String(error) };
  }
}

function addOnlyAlgorithms(
  digest: Record<string, string> | undefined,
  into: Set<DigestAlgorithm>
): void {
  if (digest === undefined || typeof digest.sha256 === 'string') return;
  for (const algorithm of ['sha512', 'sha384'] as const)
    if (typeof digest[algorithm] === 'string') into.add(algorithm);
}

/** Subject digest algorithms of a DSSE bundle, read from the (not yet verified) payload. */
function subjectAlgorithms(bundle: unknown): DigestAlgorithm[] {
  const payload = (bundle as { dsseEnvelope?: { payload?: unknown } } | undefined)?.dsseEnvelope
    ?.payload;
  if (typeof payload !== 'string') return [];
  try {
    const statement = JSON.parse(Buffer.from(payload, 'base64').toString('utf8')) as {
      subject?: { digest?: Record<string, string> }[];
    };
    const found = new Set<DigestAlgorithm>();
    for (const subject of statement.subject ?? []) addOnlyAlgorithms(subject.digest, found);
    return [...found];
  } catch {
    return [];
  }
}

function listedNames(text: string): Set<string> {
  try {
    return new Set(parseChecksums(text).map((entry) => entry.path));
  } catch {
    return new Set(); // the engine reports the broken checksums file
  }
}

export function parseCommitList(text: string, source: string): string[] {
  const commits: string[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (line.length === 0) return;
    const sha = line.split(/\s+/)[0]?.toLowerCase() ?? '';
    if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(sha)) {
      throw new CustodyError(
        'INPUT_SCHEMA_INVALID',
        `${source}:${index + 1}: expected a full commit SHA, got ${JSON.stringify(sha.slice(0, 80))}`
      );
    }
    commits.push(sha);
  });
  return [...new Set(commits)].sort();
}
