// Glob matching for policy allow-lists (picomatch: `*` stays within a path segment, `**` crosses).
import picomatch from 'picomatch';

const cache = new Map<string, (input: string) => boolean>();

export function matchesGlob(value: string, pattern: string): boolean {
  let matcher = cache.get(pattern);
  if (matcher === undefined) {
    matcher = picomatch(pattern, { dot: true, nobrace: false });
    cache.set(pattern, matcher);
  }
  return matcher(value);
}

/** True when `patterns` is empty (no constraint) or one of them matches. */
export function matchesAnyGlob(value: string | undefined, patterns: readonly string[]): boolean {
  if (patterns.length === 0) return true;
  if (value === undefined) return false;
  return patterns.some((pattern) => matchesGlob(value, pattern));
}
