// Verifying the same certificate chain once per process: @sigstore/verify rebuilds and re-verifies
// the whole chain for every bundle (leaf ← intermediate ← root), re-encoding every certificate to
// DER on each comparison. The trusted CA and TSA certificates are the same parsed objects for
// every bundle of a release, so their DER encodings, public keys and their signatures over each
// other are computed once here (memoized on those instances only), and DER encodings of parsed
// ASN.1 objects are memoized. Leaf certificates come from the bundles and are always verified. The wrappers delegate to the originals, so a
// change in @sigstore/verify's internals can only make the cache miss, never change a result.
import type { X509Certificate } from '@sigstore/core';
import type { TrustContext } from '../sign/index.js';

const memoized = new WeakSet<object>();
const derEncodings = new WeakMap<object, Buffer>();
let derMemoized = false;

// @sigstore/core re-encodes a parsed ASN.1 tree on every toDER() call (certificate comparisons,
// issuer checks). Parsed ASN.1 objects are never mutated (@sigstore/core 4 builds them only in its
// parser), so the encoding of each object is kept for as long as the object lives.
function memoizeDerEncoding(sample: object): void {
  if (derMemoized) return;
  const proto = Object.getPrototypeOf(sample) as { toDER: (this: object) => Buffer };
  const original = proto.toDER;
  if (typeof original !== 'function') return;
  proto.toDER = function memoizedToDER(this: object): Buffer {
    let der = derEncodings.get(this);
    if (der === undefined) {
      der = original.call(this);
      derEncodings.set(this, der);
    }
    return der;
  };
  derMemoized = true;
}

function memoize(cert: X509Certificate): void {
  if (memoized.has(cert)) return;
  memoizeDerEncoding(cert.root);
  const der = cert.root.toDER();
  const publicKey = cert.publicKey;
  const verifyOriginal = cert.verify.bind(cert);
  const byIssuer = new WeakMap<X509Certificate, boolean>();
  let selfSigned: boolean | undefined;
  Object.defineProperty(cert, 'publicKey', { value: publicKey, enumerable: false });
  cert.equals = (other: X509Certificate): boolean => der.equals(other.root.toDER());
  cert.verify = (issuer?: X509Certificate): boolean => {
    if (issuer === undefined) {
      selfSigned ??= verifyOriginal();
      return selfSigned;
    }
    // Only signatures between trusted certificates are cached (both immutable, same objects).
    if (!memoized.has(issuer)) return verifyOriginal(issuer);
    let result = byIssuer.get(issuer);
    if (result === undefined) {
      result = verifyOriginal(issuer);
      byIssuer.set(issuer, result);
    }
    return result;
  };
  memoized.add(cert);
}

/** Memoizes chain work on the trust context's CA and TSA certificates (in place); returns it. */
export function cacheTrustedChains(trust: TrustContext): TrustContext {
  const authorities = [
    ...trust.material.certificateAuthorities,
    ...trust.material.timestampAuthorities,
  ];
  // Mark every trusted certificate first, so pairs among them are cached from the first bundle.
  for (const authority of authorities) for (const cert of authority.certChain) memoize(cert);
  return trust;
}
