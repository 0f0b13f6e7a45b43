// Where attestations go: one Sigstore bundle per line in <name>.intoto.jsonl (as
// `gh attestation download` writes; lines are independent, the file is not authenticated as a
// whole), optionally <name>.<kind>.sigstore.json each, or the unsigned statement with
// --statement-only. Every write is atomic (the JSONL is rewritten whole with the new line).
import path from 'node:path';
import { CustodyError } from '../errors.js';
import { pathExists, readTextLimited, writeFileAtomic } from '../io/fs.js';
import { canonicalJSON, prettyCanonicalJSON } from '../util/canonical-json.js';
import type { InTotoStatement } from './intoto.js';

/** A JSONL bundle file larger than this is not appended to (it is not a release's attestations). */
export const JSONL_LIMIT = 256 * 1024 * 1024;

export interface OutputPlan {
  /** The .intoto.jsonl file bundles are appended to. */
  jsonl: string;
  /** Directory and base name for the per-kind files. */
  dir: string;
  name: string;
}

export function planOutput(options: {
  cwd: string;
  outputDir?: string;
  output?: string;
  name?: string;
  subjectFiles: readonly string[];
  checksums?: string;
}): OutputPlan {
  if (options.output !== undefined) {
    const jsonl = path.resolve(options.cwd, options.output);
    const base = path.basename(jsonl).replace(/\.intoto\.jsonl$|\.jsonl$/, '');
    return { jsonl, dir: path.dirname(jsonl), name: options.name ?? base };
  }
  const dir = path.resolve(options.cwd, options.outputDir ?? '.');
  const name = options.name ?? defaultName(options.subjectFiles, options.checksums);
  if (name === '' || name.includes('/') || name.includes('\\') || name === '.' || name === '..') {
    throw new CustodyError(
      'USAGE_INVALID',
      `--name must be a plain file name, got ${JSON.stringify(name)}`
    );
  }
  return { jsonl: path.join(dir, `${name}.intoto.jsonl`), dir, name };
}

function defaultName(files: readonly string[], checksums: string | undefined): string {
  if (files.length === 1 && checksums === undefined) return path.basename(files[0] ?? 'multiple');
  if (files.length === 0 && checksums !== undefined) return path.basename(checksums);
  return 'multiple';
}

/** Appends one bundle as one canonical JSON line; an identical line already present is kept once. */
export async function appendBundle(jsonl: string, bundle: unknown): Promise<void> {
  const line = canonicalJSON(bundle);
  let existing = '';
  if (await pathExists(jsonl)) {
    existing = await readTextLimited(jsonl, {
      maxBytes: JSONL_LIMIT,
      what: 'attestation bundle file',
    });
    if (existing.length > 0 && !existing.endsWith('\n')) existing += '\n';
  }
  if (existing.split('\n').includes(line)) return;
  await writeFileAtomic(jsonl, `${existing}${line}\n`);
}

export async function writeBundleFile(
  plan: OutputPlan,
  kind: string,
  bundle: unknown
): Promise<string> {
  const file = path.join(plan.dir, `${plan.name}.${kind}.sigstore.json`);
  await writeFileAtomic(file, prettyCanonicalJSON(bundle));
  return file;
}

export async function writeStatementFile(
  plan: OutputPlan,
  kind: string,
  statement: InTotoStatement
): Promise<string> {
  const file = path.join(plan.dir, `${plan.name}.${kind}.statement.json`);
  await writeFileAtomic(file, prettyCanonicalJSON(statement));
  return file;
}
