// Checking files against parsed checksum entries, pure: the bytes come from an injected
// provider (the CLI hashes files; tests can pass a map).
import type { DigestAlgorithm } from './algorithms.js';
import type { ChecksumEntry } from './checksums.js';

export interface DigestRequest {
  /** The entry's normalised relative path. */
  readonly path: string;
  readonly algorithm: DigestAlgorithm;
}

/** A computed digest, or why the file could not be read (missing, unreadable). */
export type ProvidedDigest = { readonly hex: string } | { readonly error: string };

/** Computes the digests of the requested files, in request order (a batch, so it can parallelise). */
export type DigestProvider = (
  requests: readonly DigestRequest[]
) => Promise<readonly ProvidedDigest[]>;

export type ChecksumStatus = 'ok' | 'mismatch' | 'missing';

export interface ChecksumResult {
  readonly name: string;
  readonly path: string;
  readonly line: number;
  readonly algorithm: DigestAlgorithm;
  readonly status: ChecksumStatus;
  readonly expected: string;
  /** The computed digest (absent when the file could not be read). */
  readonly actual?: string;
  /** Why the file could not be read (status `missing`). */
  readonly reason?: string;
}

export interface ChecksumVerification {
  /** True when every listed file was read and matched. */
  readonly ok: boolean;
  /** One result per entry, in the checksum file's order. */
  readonly results: readonly ChecksumResult[];
  readonly counts: Readonly<Record<ChecksumStatus, number>>;
  /** Names of the entries that did not verify, in file order. */
  readonly failed: readonly string[];
}

/** Checks every entry against the digest the provider computes for its file. */
export async function verifyChecksums(
  entries: readonly ChecksumEntry[],
  provide: DigestProvider
): Promise<ChecksumVerification> {
  const digests = await provide(
    entries.map((entry) => ({ path: entry.path, algorithm: entry.algorithm }))
  );
  if (digests.length !== entries.length) {
    throw new TypeError(
      `digest provider returned ${digests.length} digests for ${entries.length} requests`
    );
  }
  const counts: Record<ChecksumStatus, number> = { ok: 0, mismatch: 0, missing: 0 };
  const results = entries.map((entry, index): ChecksumResult => {
    const digest = digests[index] as ProvidedDigest;
    const base = {
      name: entry.name,
      path: entry.path,
      line: entry.line,
      algorithm: entry.algorithm,
      expected: entry.hex,
    };
    let result: ChecksumResult;
    if ('error' in digest) {
      result = { ...base, status: 'missing', reason: digest.error };
    } else {
      const actual = digest.hex.toLowerCase();
      result = { ...base, status: actual === entry.hex ? 'ok' : 'mismatch', actual };
    }
    counts[result.status]++;
    return result;
  });
  const failed = results.filter((result) => result.status !== 'ok').map((result) => result.name);
  return { ok: failed.length === 0, results, counts, failed };
}
