// Verifying the same certificate chain once per process. @sigstore/verify rebuilds and
// re-verifies the whole chain for every bundle, and for every verified timestamp of a bundle
// (leaf <- intermediate <- root), re-encoding each certificate to DER on every comparison.
// Parsed certificates and ASN.1 objects are not modified after parsing, except certificate
// clones, which @sigstore/verify edits to rebuild precertificates for SCT checks (those are
// never memoized). So two results are memoized per object for as long as it lives: the DER
// encoding of an ASN.1 object, and whether a certificate's signature verifies under a given
// issuer certificate. The trusted CA chain is thus verified once per process, each bundle's leaf
// once per bundle. Certificates parsed from bytes take their encodings from those bytes (see
// seedFromParse). The memos wrap the original methods; the tests verify real and tampered
// bundles with and without them.
import type { X509Certificate } from '@sigstore/core';
import type { TrustContext } from '../sign/index.js';

const derEncodings = new WeakMap<object, Buffer>();
/** ASN.1 objects of certificate clones: @sigstore/verify edits those (SCT checks), never memoize. */
const volatile = new WeakSet<object>();
let cloning = 0;
const signatureChecks = new WeakMap<object, Map<object, boolean>>();
/** Which memo is installed on which object (one prototype carries several). */
const patched = new WeakMap<object, Set<string>>();

function install(target: object, name: string): boolean {
  let names = patched.get(target);
  if (names === undefined) {
    names = new Set();
    patched.set(target, names);
  }
  if (names.has(name)) return false;
  names.add(name);
  return true;
}

function memoizeToDER(proto: { toDER: (this: object) => Buffer }): void {
  if (typeof proto.toDER !== 'function' || !install(proto, 'toDER')) return;
  const original = proto.toDER;
  proto.toDER = function memoizedToDER(this: object): Buffer {
    if (volatile.has(this)) return original.call(this);
    let der = derEncodings.get(this);
    if (der === undefined) {
      der = original.call(this);
      derEncodings.set(this, der);
    }
    return der;
  };
}

type Verify = (this: X509Certificate, issuer?: X509Certificate) => boolean;

function memoizeVerify(proto: { verify: Verify }): void {
  if (typeof proto.verify !== 'function' || !install(proto, 'verify')) return;
  const original = proto.verify;
  proto.verify = function memoizedVerify(this: X509Certificate, issuer?: X509Certificate): boolean {
    const key: object = issuer ?? this;
    let results = signatureChecks.get(this);
    if (results === undefined) {
      results = new Map();
      signatureChecks.set(this, results);
    }
    let result = results.get(key);
    if (result === undefined) {
      result = original.call(this, issuer);
      results.set(key, result);
    }
    return result;
  };
}

/** `[headerLength, contentLength]` of the DER element at `offset`, or undefined. */
function derHeader(der: Buffer, offset: number): [number, number] | undefined {
  const first = der[offset + 1];
  if (first === undefined) return undefined;
  if (first < 0x80) return [2, first];
  const bytes = first & 0x7f;
  if (bytes === 0 || bytes > 4) return undefined;
  let length = 0;
  for (let i = 0; i < bytes; i++) {
    const byte = der[offset + 2 + i];
    if (byte === undefined) return undefined;
    length = length * 256 + byte;
  }
  return [2 + bytes, length];
}

// A certificate parsed from bytes is encoded exactly by those bytes (when they are one complete
// DER element): seed the encodings of the certificate and of its TBSCertificate with them, so
// neither is ever re-encoded. The TBS bytes are then the bytes the issuer signed, as received.
function seedFromParse(ctor: { parse: (cert: Buffer | string) => X509Certificate }): void {
  if (typeof ctor.parse !== 'function' || !install(ctor, 'parse')) return;
  const original = ctor.parse.bind(ctor);
  ctor.parse = (input: Buffer | string): X509Certificate => {
    const cert = original(input);
    if (cloning > 0) {
      markVolatile(cert.root);
      return cert;
    }
    if (typeof input === 'string') return cert;
    const der = Buffer.from(input);
    const outer = derHeader(der, 0);
    if (outer === undefined || outer[0] + outer[1] !== der.length) return cert;
    const inner = derHeader(der, outer[0]);
    const tbs = cert.root.subs[0];
    if (inner === undefined || tbs === undefined || der[outer[0]] !== 0x30) return cert;
    derEncodings.set(cert.root, der);
    derEncodings.set(tbs, der.subarray(outer[0], outer[0] + inner[0] + inner[1]));
    return cert;
  };
}

interface ASN1Node {
  subs: ASN1Node[];
}

function markVolatile(node: ASN1Node, depth = 0): void {
  if (depth > 64) return;
  volatile.add(node);
  for (const sub of node.subs) markVolatile(sub, depth + 1);
}

// clone() parses a copy that its caller then edits: everything parsed during clone() is volatile.
function markClones(proto: { clone: (this: X509Certificate) => X509Certificate }): void {
  if (typeof proto.clone !== 'function' || !install(proto, 'clone')) return;
  const original = proto.clone;
  proto.clone = function markedClone(this: X509Certificate): X509Certificate {
    cloning++;
    try {
      return original.call(this);
    } finally {
      cloning--;
    }
  };
}

/** Installs the memos (once per process) using the trust context's certificates; returns it. */
export function cacheTrustedChains(trust: TrustContext): TrustContext {
  const authorities = [
    ...trust.material.certificateAuthorities,
    ...trust.material.timestampAuthorities,
  ];
  const sample = authorities.find((a) => a.certChain.length > 0)?.certChain[0];
  if (sample !== undefined) {
    memoizeToDER(Object.getPrototypeOf(sample.root) as { toDER: (this: object) => Buffer });
    const proto = Object.getPrototypeOf(sample) as {
      verify: Verify;
      clone: (this: X509Certificate) => X509Certificate;
      constructor: { parse: (cert: Buffer | string) => X509Certificate };
    };
    markClones(proto);
    memoizeVerify(proto);
    seedFromParse(proto.constructor);
  }
  return trust;
}
