// Optional online lookup for `custody trace --rekor-url`: asks a Rekor v1 log which entries name a
// digest (POST /api/v1/index/retrieve, GET /api/v1/log/entries/{uuid}) and turns them into
// attestations the core can use. A `hashedrekord` entry (an artifact signature) carries
// everything a bundle needs, so it is rebuilt as a v0.3 bundle and verified like a local one.
// A `dsse`/`intoto` entry holds only hashes, not the statement: if no local attestation has its
// payload, it is reported as a gap ("the log has an attestation you were not given").
import { X509Certificate } from '@sigstore/core';
import { createHash } from 'node:crypto';
import { CustodyError } from '../../errors.js';
import { certificateIdentity } from '../../sign/certificate.js';
import type { FailedEntry, VerifiedAttestation } from '../types.js';
import type { RawAttestation } from './gather.js';
import { asObject as obj } from '../../util/json.js';

/** At most this many log entries are fetched per digest (a release has a handful). */
export const REKOR_MAX_ENTRIES = 64;
const RESPONSE_LIMIT = 4 * 1024 * 1024;

export interface RekorLookupOptions {
  fetch?: typeof fetch;
  timeoutMs?: number;
}

type Json = Record<string, unknown>;

function lookupFailed(message: string, cause?: unknown): CustodyError {
  return new CustodyError('TRACE_REKOR_LOOKUP_FAILED', message, {
    ...(cause === undefined ? {} : { cause }),
    hint: 'check --rekor-url and the network, or trace offline from the attestation files',
  });
}

async function request(
  url: string,
  init: RequestInit,
  options: RekorLookupOptions
): Promise<unknown> {
  const doFetch = options.fetch ?? fetch;
  let response: Response;
  try {
    response = await doFetch(url, {
      ...init,
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      headers: { accept: 'application/json', 'content-type': 'application/json' },
    });
  } catch (error) {
    throw lookupFailed(`Rekor request to ${new URL(url).origin} failed`, error);
  }
  const text = await response.text();
  if (text.length > RESPONSE_LIMIT)
    throw lookupFailed(`Rekor answered over ${RESPONSE_LIMIT} bytes`);
  if (!response.ok)
    throw lookupFailed(`Rekor answered HTTP ${response.status} for ${new URL(url).pathname}`);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw lookupFailed('Rekor answered malformed JSON', error);
  }
}

export interface RekorEntry {
  uuid: string;
  body: string;
  integratedTime: number;
  logID: string;
  logIndex: number;
  verification: Json;
}

/** The log entries whose index names `sha256:<hex>`. */
export async function lookupRekor(
  rekorURL: string,
  sha256: string,
  options: RekorLookupOptions = {}
): Promise<RekorEntry[]> {
  const base = rekorURL.replace(/\/+$/, '');
  const uuids = await request(
    `${base}/api/v1/index/retrieve`,
    { method: 'POST', body: JSON.stringify({ hash: `sha256:${sha256}` }) },
    options
  );
  if (
    !Array.isArray(uuids) ||
    !uuids.every((u) => typeof u === 'string' && /^[0-9a-f]{64,80}$/.test(u))
  ) {
    throw lookupFailed('Rekor index answer is not a list of entry UUIDs');
  }
  const entries: RekorEntry[] = [];
  for (const uuid of [...new Set(uuids as string[])].sort().slice(0, REKOR_MAX_ENTRIES)) {
    const answer = obj(
      await request(`${base}/api/v1/log/entries/${uuid}`, { method: 'GET' }, options)
    );
    const entry = obj(answer?.[uuid]) ?? obj(Object.values(answer ?? {})[0]);
    if (
      entry === undefined ||
      typeof entry.body !== 'string' ||
      typeof entry.integratedTime !== 'number' ||
      typeof entry.logID !== 'string' ||
      typeof entry.logIndex !== 'number'
    ) {
      throw lookupFailed(`Rekor entry ${uuid} is malformed`);
    }
    entries.push({
      uuid,
      body: entry.body,
      integratedTime: entry.integratedTime,
      logID: entry.logID,
      logIndex: entry.logIndex,
      verification: obj(entry.verification) ?? {},
    });
  }
  return entries;
}

function tlogEntry(entry: RekorEntry, kind: string, version: string): Json {
  const proof = obj(entry.verification.inclusionProof);
  const hex64 = (value: unknown): string => Buffer.from(String(value), 'hex').toString('base64');
  return {
    logIndex: String(entry.logIndex),
    logId: { keyId: hex64(entry.logID) },
    kindVersion: { kind, version },
    integratedTime: String(entry.integratedTime),
    ...(typeof entry.verification.signedEntryTimestamp === 'string'
      ? { inclusionPromise: { signedEntryTimestamp: entry.verification.signedEntryTimestamp } }
      : {}),
    ...(proof === undefined
      ? {}
      : {
          inclusionProof: {
            logIndex: String(proof.logIndex),
            rootHash: hex64(proof.rootHash),
            treeSize: String(proof.treeSize),
            hashes: (Array.isArray(proof.hashes) ? proof.hashes : []).map(hex64),
            checkpoint: {
              envelope: typeof proof.checkpoint === 'string' ? proof.checkpoint : '',
            },
          },
        }),
    canonicalizedBody: entry.body,
  };
}

/** The certificate of a logged entry (base64 of a PEM), as base64 DER. */
function certificateDER(pemBase64: unknown): string | undefined {
  if (typeof pemBase64 !== 'string') return undefined;
  const pem = Buffer.from(pemBase64, 'base64').toString('utf8');
  const match = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(pem);
  return match?.[1]?.replace(/\s+/g, '');
}

/**
 * Turns log entries into attestation inputs: hashedrekord entries become v0.3 message-signature
 * bundles (verified later like any bundle); DSSE entries whose payload no local attestation has
 * become failed entries with reason ATTESTATION_NOT_PROVIDED.
 */
export function rekorAttestations(
  entries: readonly RekorEntry[],
  sha256: string,
  provided: ReadonlySet<string>
): { raws: RawAttestation[]; missing: VerifiedAttestation[] } {
  const raws: RawAttestation[] = [];
  const missing: VerifiedAttestation[] = [];
  for (const entry of entries) {
    const source = `rekor:${entry.uuid}`;
    if (provided.has(`body:${entry.body}`)) continue;
    let body: Json | undefined;
    try {
      body = obj(JSON.parse(Buffer.from(entry.body, 'base64').toString('utf8')));
    } catch {
      body = undefined;
    }
    const kind = typeof body?.kind === 'string' ? body.kind : '';
    const version = typeof body?.apiVersion === 'string' ? body.apiVersion : '';
    const spec = obj(body?.spec) ?? {};
    if (kind === 'hashedrekord') {
      const hash = obj(obj(obj(spec.data)?.hash));
      const signature = obj(spec.signature);
      const der = certificateDER(obj(signature?.publicKey)?.content);
      if (hash?.algorithm !== 'sha256' || typeof hash.value !== 'string' || der === undefined) {
        raws.push({ source, problem: 'the hashedrekord entry has no sha256 hash or certificate' });
        continue;
      }
      raws.push({
        source,
        value: {
          mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
          verificationMaterial: {
            certificate: { rawBytes: der },
            tlogEntries: [tlogEntry(entry, kind, version)],
          },
          messageSignature: {
            messageDigest: {
              algorithm: 'SHA2_256',
              digest: Buffer.from(hash.value, 'hex').toString('base64'),
            },
            signature: signature?.content,
          },
        },
      });
      continue;
    }
    if (kind === 'dsse' || kind === 'intoto') {
      const payloadHash =
        obj(spec.payloadHash)?.value ?? obj(obj(spec.content)?.payloadHash)?.value;
      if (typeof payloadHash === 'string' && provided.has(payloadHash.toLowerCase())) continue;
      const signatures = Array.isArray(spec.signatures) ? spec.signatures : [];
      const der = certificateDER(obj(signatures[0])?.verifier);
      let signer = 'an unknown signer';
      if (der !== undefined) {
        try {
          signer =
            certificateIdentity(
              X509Certificate.parse(
                `-----BEGIN CERTIFICATE-----\n${der}\n-----END CERTIFICATE-----\n`
              )
            ).subjectAlternativeName ?? signer;
        } catch {
          // an unparsable certificate: the gap says "unknown signer"
        }
      }
      const failed: FailedEntry = {
        source,
        status: 'failed',
        reason: {
          code: 'ATTESTATION_NOT_PROVIDED',
          message: `Rekor logs a ${kind} attestation for this digest (payload sha256:${typeof payloadHash === 'string' ? payloadHash : '?'}, logged by ${signer}, log index ${entry.logIndex}) that is not among the given attestations; the log holds only its hashes`,
        },
        claimedSubjects: [sha256],
      };
      missing.push(failed);
    }
    // Other entry kinds (rekord, helm, …) say nothing custody traces.
  }
  return { raws, missing };
}

/**
 * What the local attestations already hold: their DSSE payload digests and the canonicalized
 * tlog bodies of their bundles (a logged entry with one of those bodies is a local bundle).
 * Local bundles count even when they fail verification: they were provided.
 */
export function providedEvidence(raws: readonly RawAttestation[]): Set<string> {
  const provided = new Set<string>();
  for (const raw of raws) {
    const value = obj(raw.value);
    const payload = obj(value?.dsseEnvelope)?.payload;
    if (typeof payload === 'string') {
      provided.add(createHash('sha256').update(Buffer.from(payload, 'base64')).digest('hex'));
    }
    const tlog = obj(value?.verificationMaterial)?.tlogEntries;
    for (const entry of Array.isArray(tlog) ? tlog : []) {
      const body = obj(entry)?.canonicalizedBody;
      if (typeof body === 'string') provided.add(`body:${body}`);
    }
  }
  return provided;
}
