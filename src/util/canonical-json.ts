// Deterministic JSON: object keys sorted by UTF-16 code units (as RFC 8785 / @sigstore/core do),
// arrays kept in order. Used for everything custody writes so the same inputs give the same bytes.

/** Compact canonical form (no whitespace): the bytes custody signs. */
export function canonicalJSON(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

/** Canonical key order, pretty-printed with two spaces and a trailing newline: files for people. */
export function prettyCanonicalJSON(value: unknown): string {
  return `${JSON.stringify(sortKeys(value), null, 2)}\n`;
}

export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const source = value as Record<string, unknown>;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(source).sort()) {
      const child = source[key];
      if (child !== undefined) sorted[key] = sortKeys(child);
    }
    return sorted;
  }
  return value;
}
