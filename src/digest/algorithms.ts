import { CustodyError } from '../errors.js';

/** The digest algorithms custody computes and reads in checksum files. */
export type DigestAlgorithm = 'sha256' | 'sha384' | 'sha512';

export const DIGEST_ALGORITHMS: readonly DigestAlgorithm[] = ['sha256', 'sha384', 'sha512'];

const HEX_LENGTH: Readonly<Record<DigestAlgorithm, number>> = {
  sha256: 64,
  sha384: 96,
  sha512: 128,
};

/** The tag BSD-style lines (`SHA256 (name) = <hex>`, coreutils `--tag`) use. */
const BSD_TAG: Readonly<Record<DigestAlgorithm, string>> = {
  sha256: 'SHA256',
  sha384: 'SHA384',
  sha512: 'SHA512',
};

export function isDigestAlgorithm(value: unknown): value is DigestAlgorithm {
  return typeof value === 'string' && (DIGEST_ALGORITHMS as readonly string[]).includes(value);
}

/** Accepts `sha256`, `SHA-256`, `sha-512`…; anything else is DIGEST_ALGORITHM_UNSUPPORTED. */
export function parseDigestAlgorithm(value: string): DigestAlgorithm {
  const normalized = value.toLowerCase().replace(/-/g, '');
  if (isDigestAlgorithm(normalized)) return normalized;
  throw new CustodyError(
    'DIGEST_ALGORITHM_UNSUPPORTED',
    `unsupported digest algorithm ${JSON.stringify(value)}`,
    { hint: `use one of ${DIGEST_ALGORITHMS.join(', ')}` }
  );
}

export function hexLength(algorithm: DigestAlgorithm): number {
  return HEX_LENGTH[algorithm];
}

/** The algorithm whose hex digest has this length (64, 96, 128), if any. */
export function algorithmForHexLength(length: number): DigestAlgorithm | undefined {
  return DIGEST_ALGORITHMS.find((algorithm) => HEX_LENGTH[algorithm] === length);
}

export function bsdTag(algorithm: DigestAlgorithm): string {
  return BSD_TAG[algorithm];
}

export function algorithmForBsdTag(tag: string): DigestAlgorithm | undefined {
  return DIGEST_ALGORITHMS.find((algorithm) => BSD_TAG[algorithm] === tag);
}
