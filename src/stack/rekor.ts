// The local Rekor: @sigstore/mock's transparency log and handlers, with the one thing the mock
// leaves out: like the real service, a proposed `dsse` v0.0.1 entry is verified and stored in its
// canonical form (envelope hash, payload hash, signatures with their verifiers), which is what
// verifiers compare bundles against. Other kinds are passed through as proposed.
import { initializeTLog, rekorHandler } from '@sigstore/mock/dist/rekor/index.js';
import { X509Certificate, createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { ServiceResponse } from './http.js';
import { jsonError } from './http.js';

export const REKOR_V1_ENTRIES_PATH = '/api/v1/log/entries';

export interface LocalRekor {
  /** DER SubjectPublicKeyInfo of the log key. */
  readonly publicKey: Buffer;
  /** SHA-256 of the DER log key: the log ID. */
  readonly logID: Buffer;
  handleV1(body: string): Promise<ServiceResponse>;
}

export async function startLocalRekor(options: {
  url: string;
  keyPair: { publicKey: KeyObject; privateKey: KeyObject };
}): Promise<LocalRekor> {
  const tlog = await initializeTLog(options.url, options.keyPair);
  const v1 = rekorHandler(tlog);
  const publicKey = Buffer.from(tlog.publicKey);
  return {
    publicKey,
    logID: createHash('sha256').update(publicKey).digest(),
    async handleV1(body) {
      let proposed: unknown;
      try {
        proposed = JSON.parse(body);
      } catch {
        return jsonError(400, 'request body is not JSON');
      }
      const canonical = canonicalizeProposedEntry(proposed);
      if (!canonical.ok) return jsonError(400, canonical.reason);
      return fromMock(await v1.fn(JSON.stringify(canonical.entry)));
    },
  };
}

function fromMock(result: {
  statusCode: number;
  response: string | ArrayBufferView;
  contentType?: string;
}): ServiceResponse {
  return {
    statusCode: result.statusCode,
    contentType: result.contentType ?? 'text/plain',
    body: result.response,
  };
}

type Canonical = { ok: true; entry: unknown } | { ok: false; reason: string };

/** Rekor's `Canonicalize` for the entry kinds sigstore clients propose. */
export function canonicalizeProposedEntry(proposed: unknown): Canonical {
  if (typeof proposed !== 'object' || proposed === null) {
    return { ok: false, reason: 'proposed entry must be an object' };
  }
  const entry = proposed as { kind?: unknown; apiVersion?: unknown; spec?: unknown };
  if (entry.kind !== 'dsse') return { ok: true, entry: proposed };
  if (entry.apiVersion !== '0.0.1') {
    return { ok: false, reason: `unsupported dsse entry version ${String(entry.apiVersion)}` };
  }
  return canonicalizeDSSE(entry.spec);
}

interface Envelope {
  payloadType: string;
  payload: string;
  signatures: { sig: string; keyid?: string }[];
}

function canonicalizeDSSE(spec: unknown): Canonical {
  const content = (spec as { proposedContent?: { envelope?: unknown; verifiers?: unknown } } | null)
    ?.proposedContent;
  const envelopeText = content?.envelope;
  const verifiers = content?.verifiers;
  if (typeof envelopeText !== 'string') {
    return { ok: false, reason: 'dsse entry needs spec.proposedContent.envelope (a JSON string)' };
  }
  if (
    !Array.isArray(verifiers) ||
    verifiers.length === 0 ||
    !verifiers.every((v): v is string => typeof v === 'string')
  ) {
    return { ok: false, reason: 'dsse entry needs spec.proposedContent.verifiers' };
  }
  const envelope = parseEnvelope(envelopeText);
  if (envelope === undefined) return { ok: false, reason: 'dsse envelope is malformed' };
  const keys = verifiers.map((verifier) => ({ verifier, key: verifierKey(verifier) }));
  const payload = Buffer.from(envelope.payload, 'base64');
  const pae = preAuthEncoding(envelope.payloadType, payload);
  const signatures: { signature: string; verifier: string }[] = [];
  for (const signature of envelope.signatures) {
    const sig = Buffer.from(signature.sig, 'base64');
    const match = keys.find(({ key }) => key !== undefined && safeVerify(pae, key, sig));
    if (match === undefined) {
      return { ok: false, reason: 'a dsse signature does not verify with any of the verifiers' };
    }
    signatures.push({ signature: signature.sig, verifier: match.verifier });
  }
  return {
    ok: true,
    entry: {
      apiVersion: '0.0.1',
      kind: 'dsse',
      spec: {
        envelopeHash: { algorithm: 'sha256', value: sha256Hex(Buffer.from(envelopeText)) },
        payloadHash: { algorithm: 'sha256', value: sha256Hex(payload) },
        signatures,
      },
    },
  };
}

function parseEnvelope(text: string): Envelope | undefined {
  try {
    const value = JSON.parse(text) as Partial<Envelope> | null;
    if (
      typeof value?.payloadType !== 'string' ||
      typeof value.payload !== 'string' ||
      !Array.isArray(value.signatures) ||
      value.signatures.length === 0 ||
      !value.signatures.every((s) => typeof s?.sig === 'string')
    ) {
      return undefined;
    }
    return value as Envelope;
  } catch {
    return undefined;
  }
}

/** A verifier is a base64-encoded PEM certificate or public key. */
function verifierKey(verifier: string): KeyObject | undefined {
  try {
    const pem = Buffer.from(verifier, 'base64').toString('utf8');
    return pem.includes('CERTIFICATE') ? new X509Certificate(pem).publicKey : createPublicKey(pem);
  } catch {
    return undefined;
  }
}

function safeVerify(data: Buffer, key: KeyObject, signature: Buffer): boolean {
  try {
    return verify(key.asymmetricKeyType === 'ec' ? 'sha256' : null, data, key, signature);
  } catch {
    return false;
  }
}

/** DSSE v1 pre-authentication encoding. */
function preAuthEncoding(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `),
    type,
    Buffer.from(` ${payload.length} `),
    payload,
  ]);
}

function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
