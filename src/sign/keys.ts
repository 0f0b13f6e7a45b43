// Managed keys for key-based signing (air-gapped builds, self-managed GitLab): generation, PEM
// parsing, the Sigstore key hint, and a @sigstore/sign Signer over a local private key.
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign as cryptoSign,
  type KeyObject,
} from 'node:crypto';
import type { Signature, Signer } from '@sigstore/sign';
import { CustodyError } from '../errors.js';

export type KeyAlgorithm = 'ecdsa-p256' | 'ecdsa-p384' | 'ed25519';
export const KEY_ALGORITHMS: readonly KeyAlgorithm[] = ['ecdsa-p256', 'ecdsa-p384', 'ed25519'];

export interface GeneratedKeyPair {
  algorithm: KeyAlgorithm;
  /** PKCS#8 PEM; write it with mode 0600. */
  privateKeyPEM: string;
  /** SPKI PEM. */
  publicKeyPEM: string;
  /** base64 SHA-256 of the DER public key: the bundle's publicKey hint. */
  keyHint: string;
}

export function generateKeyPair(algorithm: KeyAlgorithm = 'ecdsa-p256'): GeneratedKeyPair {
  const { privateKey, publicKey } =
    algorithm === 'ed25519'
      ? generateKeyPairSync('ed25519')
      : generateKeyPairSync('ec', { namedCurve: algorithm === 'ecdsa-p384' ? 'P-384' : 'P-256' });
  return {
    algorithm,
    privateKeyPEM: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPEM: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    keyHint: keyHint(publicKey),
  };
}

export function keyHint(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('base64');
}

export function keyAlgorithmOf(key: KeyObject): KeyAlgorithm {
  if (key.asymmetricKeyType === 'ed25519') return 'ed25519';
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1' || curve === 'P-256') return 'ecdsa-p256';
    if (curve === 'secp384r1' || curve === 'P-384') return 'ecdsa-p384';
  }
  throw new CustodyError(
    'SIGN_KEY_INVALID',
    `unsupported key type ${key.asymmetricKeyType ?? 'unknown'}${key.asymmetricKeyDetails?.namedCurve ? ` (${key.asymmetricKeyDetails.namedCurve})` : ''}`,
    { hint: 'use ECDSA P-256, ECDSA P-384 or Ed25519 (custody keygen --algorithm)' }
  );
}

/** Parses a PEM private key (never echoing it) and checks its algorithm. */
export function parsePrivateKey(pem: string, passphrase?: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(passphrase === undefined ? pem : { key: pem, passphrase });
  } catch (error) {
    const encrypted = /ENCRYPTED/.test(pem);
    throw new CustodyError(
      'SIGN_KEY_INVALID',
      encrypted && passphrase === undefined
        ? 'the private key is encrypted and no passphrase was given'
        : 'the private key is not a valid PEM private key',
      { cause: error instanceof Error ? new Error(error.message) : undefined }
    );
  }
  keyAlgorithmOf(key);
  return key;
}

export function parsePublicKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch (error) {
    throw new CustodyError('SIGN_KEY_INVALID', 'the public key is not a valid PEM public key', {
      cause: error,
    });
  }
  if (key.type !== 'public') {
    throw new CustodyError('SIGN_KEY_INVALID', 'expected a public key, got a private key');
  }
  keyAlgorithmOf(key);
  return key;
}

/** A @sigstore/sign Signer over a local key: ECDSA with SHA-256 (what verifiers assume), Ed25519 pure. */
export class ManagedKeySigner implements Signer {
  readonly publicKeyPEM: string;
  readonly hint: string;
  private readonly key: KeyObject;

  constructor(privateKey: KeyObject) {
    this.key = privateKey;
    const publicKey = createPublicKey(privateKey);
    this.publicKeyPEM = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    this.hint = keyHint(publicKey);
  }

  sign(data: Buffer): Promise<Signature> {
    const algorithm = this.key.asymmetricKeyType === 'ed25519' ? null : 'sha256';
    const signature = cryptoSign(algorithm, data, this.key);
    return Promise.resolve({
      signature,
      key: { $case: 'publicKey', publicKey: this.publicKeyPEM, hint: this.hint },
    });
  }
}
