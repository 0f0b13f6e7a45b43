// The local Rekor canonicalizes dsse entries like the real service and refuses bad ones.
import { createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalSigstoreStack, type LocalSigstoreStack } from '../../src/stack/index.js';
import { canonicalizeProposedEntry } from '../../src/stack/rekor.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed JSON, shape asserted below
type Json = any;

const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const verifierB64 = Buffer.from(publicKey.export({ format: 'pem', type: 'spki' })).toString(
  'base64'
);

function pae(type: string, payload: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${Buffer.byteLength(type)} ${type} ${payload.length} `),
    payload,
  ]);
}

function proposedDSSE(options: { tamper?: boolean; verifiers?: unknown } = {}) {
  const payload = Buffer.from('{"_type":"https://in-toto.io/Statement/v1"}');
  const type = 'application/vnd.in-toto+json';
  const sig = sign('sha256', pae(type, payload), privateKey);
  if (options.tamper === true) sig[sig.length - 1]! ^= 1;
  const envelope = JSON.stringify({
    payloadType: type,
    payload: payload.toString('base64'),
    signatures: [{ sig: sig.toString('base64'), keyid: '' }],
  });
  return {
    apiVersion: '0.0.1',
    kind: 'dsse',
    spec: { proposedContent: { envelope, verifiers: options.verifiers ?? [verifierB64] } },
  };
}

describe('canonicalizeProposedEntry', () => {
  it('turns a proposed dsse entry into the canonical form', () => {
    const proposed = proposedDSSE();
    const result = canonicalizeProposedEntry(proposed);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const entry = result.entry as Json;
    expect(entry.kind).toBe('dsse');
    expect(entry.spec.proposedContent).toBeUndefined();
    expect(entry.spec.payloadHash.algorithm).toBe('sha256');
    expect(entry.spec.payloadHash.value).toMatch(/^[0-9a-f]{64}$/);
    expect(entry.spec.envelopeHash.value).toMatch(/^[0-9a-f]{64}$/);
    const envelope = JSON.parse(proposed.spec.proposedContent.envelope);
    expect(entry.spec.signatures).toEqual([
      { signature: envelope.signatures[0].sig, verifier: verifierB64 },
    ]);
    expect(
      createPublicKey(Buffer.from(entry.spec.signatures[0].verifier, 'base64').toString())
    ).toBeTruthy();
  });

  it('refuses signatures that do not verify, missing verifiers and malformed envelopes', () => {
    expect(canonicalizeProposedEntry(proposedDSSE({ tamper: true })).ok).toBe(false);
    expect(canonicalizeProposedEntry(proposedDSSE({ verifiers: [] })).ok).toBe(false);
    expect(canonicalizeProposedEntry(proposedDSSE({ verifiers: ['bm90IGEga2V5'] })).ok).toBe(false);
    const broken = proposedDSSE();
    broken.spec.proposedContent.envelope = '{"payloadType":1}';
    expect(canonicalizeProposedEntry(broken).ok).toBe(false);
    expect(canonicalizeProposedEntry({ ...proposedDSSE(), apiVersion: '0.0.9' }).ok).toBe(false);
    expect(canonicalizeProposedEntry(null).ok).toBe(false);
  });

  it('passes other kinds through unchanged', () => {
    const hashedrekord = { kind: 'hashedrekord', apiVersion: '0.0.1', spec: { any: 1 } };
    expect(canonicalizeProposedEntry(hashedrekord)).toEqual({ ok: true, entry: hashedrekord });
  });
});

describe('local Rekor over HTTP', () => {
  let stack: LocalSigstoreStack;
  beforeAll(async () => {
    stack = await startLocalSigstoreStack();
  });
  afterAll(async () => {
    await stack?.close();
  });
  const post = (body: string) =>
    fetch(`${stack.rekorURL}/api/v1/log/entries`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });

  it('logs a valid dsse entry with its canonical body', async () => {
    const response = await post(JSON.stringify(proposedDSSE()));
    expect(response.status).toBe(201);
    const entries = Object.values((await response.json()) as Record<string, { body: string }>);
    const body = JSON.parse(Buffer.from(entries[0]!.body, 'base64').toString());
    expect(body.spec.signatures).toHaveLength(1);
    expect(body.spec.proposedContent).toBeUndefined();
  });

  it('answers 400 for a bad signature or non-JSON', async () => {
    expect((await post(JSON.stringify(proposedDSSE({ tamper: true })))).status).toBe(400);
    expect((await post('{not json')).status).toBe(400);
  });
});
