// Verifies a signature over a message *digest* (the conformance protocol's `sha256:<hex>` mode for
// message-signature bundles). Node's crypto can only verify over the full message, so ECDSA goes
// through @noble/curves with prehash disabled, and RSA PKCS#1 v1.5 through a raw public decrypt
// whose DigestInfo is compared. Ed25519 signs the message itself, so it cannot be checked this way.
import { constants, publicDecrypt, timingSafeEqual, type KeyObject } from 'node:crypto';
import { p256, p384, p521 } from '@noble/curves/nist.js';

export type DigestAlgorithm = 'sha256' | 'sha384' | 'sha512';

// DER prefixes of DigestInfo (RFC 8017 §9.2 note 1).
const DIGEST_INFO_PREFIX: Record<DigestAlgorithm, string> = {
  sha256: '3031300d060960864801650304020105000420',
  sha384: '3041300d060960864801650304020205000430',
  sha512: '3051300d060960864801650304020305000440',
};

const CURVES = { 'P-256': p256, 'P-384': p384, 'P-521': p521 } as const;

/** True when `signature` (DER for ECDSA) is a valid signature of `digest` under `key`. */
export function verifyPrehashed(
  key: KeyObject,
  algorithm: DigestAlgorithm,
  digest: Uint8Array,
  signature: Uint8Array
): boolean {
  if (key.asymmetricKeyType === 'ec') {
    const jwk = key.export({ format: 'jwk' });
    const curve = CURVES[jwk.crv as keyof typeof CURVES] as
      (typeof CURVES)[keyof typeof CURVES] | undefined;
    if (curve === undefined || jwk.x === undefined || jwk.y === undefined) return false;
    const point = Buffer.concat([
      Buffer.from([4]),
      Buffer.from(jwk.x, 'base64url'),
      Buffer.from(jwk.y, 'base64url'),
    ]);
    try {
      return curve.verify(signature, digest, point, { prehash: false, lowS: false, format: 'der' });
    } catch {
      return false;
    }
  }
  if (key.asymmetricKeyType === 'rsa') {
    try {
      const recovered = publicDecrypt(
        { key, padding: constants.RSA_PKCS1_PADDING },
        Buffer.from(signature)
      );
      const expected = Buffer.concat([
        Buffer.from(DIGEST_INFO_PREFIX[algorithm], 'hex'),
        Buffer.from(digest),
      ]);
      return recovered.length === expected.length && timingSafeEqual(recovered, expected);
    } catch {
      return false;
    }
  }
  return false;
}
