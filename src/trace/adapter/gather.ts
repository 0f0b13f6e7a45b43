// Reads attestations for `custody trace` from files and directories (*.intoto.jsonl, Sigstore
// bundles, VSAs, bare statements) and verifies each Sigstore bundle with src/sign. Every input is
// kept: verified, or with the reason it could not be used (the core turns those into gaps).
import { createHash } from 'node:crypto';
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { CustodyError, isCustodyError } from '../../errors.js';
import { readTextLimited } from '../../io/fs.js';
import { verifyBundle, type IdentityPolicy, type TrustContext } from '../../sign/index.js';
import { toRFC3339 } from '../../util/time.js';
import type { FailedEntry, VerifiedAttestation } from '../types.js';
import { asObject as obj } from '../../util/json.js';

/** One attestation file (a release's .intoto.jsonl) larger than this is refused. */
export const ATTESTATION_FILE_LIMIT = 256 * 1024 * 1024;
/** Directory walks stop here: a release directory is not a file system. */
const MAX_FILES = 10_000;
const MAX_DEPTH = 4;
const ATTESTATION_FILE = /\.(jsonl|json|sigstore)$/;

export interface RawAttestation {
  source: string;
  /** The parsed JSON document (bundle or statement), or why the input is not one. */
  value?: unknown;
  problem?: string;
}

function isBundle(value: unknown): boolean {
  const mediaType = obj(value)?.mediaType;
  return (
    typeof mediaType === 'string' && mediaType.startsWith('application/vnd.dev.sigstore.bundle')
  );
}

function isStatement(value: unknown): boolean {
  const type = obj(value)?._type;
  return typeof type === 'string' && type.startsWith('https://in-toto.io/Statement/');
}

function isEnvelope(value: unknown): boolean {
  const v = obj(value);
  return typeof v?.payloadType === 'string' && Array.isArray(v.signatures);
}

/** Files under the given paths: files as given, directories walked (sorted, bounded, no symlinks). */
async function listFiles(
  inputs: readonly string[],
  cwd: string
): Promise<{ file: string; display: string; walked: boolean }[]> {
  const out: { file: string; display: string; walked: boolean }[] = [];
  const walk = async (dir: string, display: string, depth: number): Promise<void> => {
    const names = (await readdir(dir)).sort();
    for (const name of names) {
      if (name.startsWith('.') || name === 'node_modules') continue;
      const full = path.join(dir, name);
      const shown = display === '.' ? name : `${display}/${name}`;
      const info = await lstat(full);
      if (info.isSymbolicLink()) continue;
      if (info.isDirectory()) {
        if (depth < MAX_DEPTH) await walk(full, shown, depth + 1);
      } else if (info.isFile() && ATTESTATION_FILE.test(name)) {
        if (out.length >= MAX_FILES) {
          throw new CustodyError(
            'INPUT_TOO_LARGE',
            `more than ${MAX_FILES} candidate attestation files under ${display}`,
            { hint: 'point --attestations at the release directory or at the .intoto.jsonl files' }
          );
        }
        out.push({ file: full, display: shown, walked: true });
      }
    }
  };
  for (const input of inputs) {
    const absolute = path.resolve(cwd, input);
    let info;
    try {
      info = await lstat(absolute);
    } catch (error) {
      throw new CustodyError('INPUT_NOT_FOUND', `attestation path ${input} does not exist`, {
        cause: error,
      });
    }
    if (info.isDirectory()) await walk(absolute, input.replace(/\/+$/, '') || '.', 0);
    else out.push({ file: absolute, display: input, walked: false });
  }
  return out;
}

/** Reads every attestation document under `inputs` (files or directories). */
export async function gatherAttestations(
  inputs: readonly string[],
  options: { cwd: string }
): Promise<RawAttestation[]> {
  const raws: RawAttestation[] = [];
  for (const { file, display, walked } of await listFiles(inputs, options.cwd)) {
    const text = await readTextLimited(file, {
      maxBytes: ATTESTATION_FILE_LIMIT,
      what: 'attestation file',
    });
    raws.push(...parseAttestationText(text, display, { walked }));
  }
  return raws;
}

/**
 * Splits a file into attestation documents. JSON Lines files give one per line; a JSON file is one
 * document. Files found by walking a directory that are not attestations (an SBOM, a
 * trusted_root.json) are skipped; a file named directly that is not one is reported.
 */
export function parseAttestationText(
  text: string,
  display: string,
  options: { walked: boolean }
): RawAttestation[] {
  const classify = (value: unknown): boolean =>
    isBundle(value) || isStatement(value) || isEnvelope(value);
  if (display.endsWith('.jsonl')) {
    const out: RawAttestation[] = [];
    text.split('\n').forEach((line, index) => {
      if (line.trim() === '') return;
      const source = `${display}#${index + 1}`;
      try {
        const value: unknown = JSON.parse(line);
        out.push(
          classify(value)
            ? { source, value }
            : { source, problem: 'the line is JSON but not a Sigstore bundle or in-toto statement' }
        );
      } catch {
        out.push({ source, problem: 'the line is not valid JSON (truncated or corrupted?)' });
      }
    });
    return out;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return options.walked ? [] : [{ source: display, problem: 'the file is not valid JSON' }];
  }
  if (classify(value)) return [{ source: display, value }];
  return options.walked
    ? []
    : [{ source: display, problem: 'the file is not a Sigstore bundle or in-toto statement' }];
}

function claimsOfStatement(
  value: unknown
): Pick<FailedEntry, 'claimedSubjects' | 'claimedPredicateType'> {
  const statement = obj(value);
  const subjects = Array.isArray(statement?.subject) ? statement.subject : [];
  const claimedSubjects = subjects
    .map((s) => obj(obj(s)?.digest)?.sha256)
    .filter((d): d is string => typeof d === 'string')
    .map((d) => d.toLowerCase());
  const predicateType = statement?.predicateType;
  return {
    claimedSubjects,
    ...(typeof predicateType === 'string' ? { claimedPredicateType: predicateType } : {}),
  };
}

/** What an UNVERIFIED bundle claims to be about: used only to attach its failure to an artifact. */
function claimsOfBundle(
  bundle: unknown
): Pick<FailedEntry, 'claimedSubjects' | 'claimedPredicateType'> {
  const b = obj(bundle) ?? {};
  const envelope = obj(b.dsseEnvelope);
  if (envelope !== undefined && typeof envelope.payload === 'string') {
    try {
      return claimsOfStatement(
        JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8'))
      );
    } catch {
      return { claimedSubjects: [] };
    }
  }
  const digest = messageDigestOf(bundle);
  return digest?.algorithm === 'sha256'
    ? { claimedSubjects: [digest.hex], claimedPredicateType: 'message-signature' }
    : { claimedSubjects: [] };
}

const HASH_NAMES: Record<string, string> = {
  SHA2_256: 'sha256',
  SHA2_384: 'sha384',
  SHA2_512: 'sha512',
};

/** The message digest a message-signature bundle declares (read before verification). */
function messageDigestOf(bundle: unknown): { algorithm: string; hex: string } | undefined {
  const md = obj(obj(obj(bundle)?.messageSignature)?.messageDigest);
  const algorithm = typeof md?.algorithm === 'string' ? HASH_NAMES[md.algorithm] : undefined;
  if (algorithm === undefined || typeof md?.digest !== 'string') return undefined;
  return { algorithm, hex: Buffer.from(md.digest, 'base64').toString('hex') };
}

/**
 * Verifies each document: Sigstore bundles against `trust` and `policy` (default: any Fulcio
 * identity — the trace reports who signed; pass an identity to require one, and bundles by other
 * signers become gaps); bare statements and envelopes are unsigned.
 */
export function verifyAttestations(
  raws: readonly RawAttestation[],
  trust: TrustContext,
  policy: IdentityPolicy = { anyIdentity: true },
  options: { publicKeyPEM?: string } = {}
): VerifiedAttestation[] {
  return raws.map((raw): VerifiedAttestation => {
    if (raw.problem !== undefined || raw.value === undefined) {
      return {
        source: raw.source,
        status: 'unreadable',
        reason: { code: 'INPUT_SCHEMA_INVALID', message: raw.problem ?? 'empty input' },
        claimedSubjects: [],
      };
    }
    const value = raw.value;
    if (!isBundle(value)) {
      const payload = obj(value)?.payload;
      const claims = isStatement(value)
        ? claimsOfStatement(value)
        : typeof payload === 'string'
          ? claimsOfBundle({ dsseEnvelope: value })
          : { claimedSubjects: [] };
      return {
        source: raw.source,
        status: 'unsigned',
        reason: {
          code: 'VERIFY_BUNDLE_INVALID',
          message: isStatement(value)
            ? 'an unsigned in-toto statement (no signature, certificate or transparency log entry)'
            : 'a bare DSSE envelope without verification material (certificate, tlog entry)',
        },
        ...claims,
      };
    }
    const messageDigest = messageDigestOf(value);
    // Key-signed bundles (no certificate) verify against the given public key, with or without
    // a transparency-log entry (`--key --no-tlog` releases); certificate ones against `policy`.
    const keySigned = obj(obj(value)?.verificationMaterial)?.publicKey !== undefined;
    const bundlePolicy: IdentityPolicy =
      keySigned && options.publicKeyPEM !== undefined
        ? { publicKeyPEM: options.publicKeyPEM }
        : policy;
    try {
      const verified = verifyBundle(
        value,
        messageDigest === undefined
          ? undefined
          : {
              kind: 'digest',
              algorithm: messageDigest.algorithm as 'sha256' | 'sha384' | 'sha512',
              hex: messageDigest.hex,
            },
        trust,
        bundlePolicy,
        keySigned ? { requireTransparencyLog: false } : {}
      );
      const signer = verified.signer;
      return {
        source: raw.source,
        status: 'verified',
        kind: verified.kind,
        ...(verified.statement === undefined ? {} : { statement: verified.statement }),
        ...(verified.payload === undefined
          ? {}
          : { payloadSha256: createHash('sha256').update(verified.payload).digest('hex') }),
        ...(messageDigest === undefined ? {} : { messageDigest }),
        signer:
          signer.kind === 'certificate'
            ? {
                kind: 'certificate',
                identity: signer.subjectAlternativeName,
                ...(signer.issuer === undefined ? {} : { issuer: signer.issuer }),
                extensions: signer.extensions,
              }
            : { kind: 'key', identity: signer.keyHint ?? 'managed key' },
        ...(verified.signedAt === undefined ? {} : { signedAt: toRFC3339(verified.signedAt) }),
      };
    } catch (error) {
      return {
        source: raw.source,
        status: 'failed',
        reason: isCustodyError(error)
          ? { code: error.code, message: error.message }
          : {
              code: 'VERIFY_BUNDLE_INVALID',
              message: error instanceof Error ? error.message : String(error),
            },
        ...claimsOfBundle(value),
      };
    }
  });
}
