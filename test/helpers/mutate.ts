// Deterministic JSON mutations for fuzz tests: a seeded PRNG, every path of a value, and one
// mutation (delete, null, wrong type, flipped character) at a path.
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

export type JSONValue =
  null | boolean | number | string | JSONValue[] | { [key: string]: JSONValue };

export function paths(value: JSONValue, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  }
  return out;
}

export function mutate(
  root: JSONValue,
  where: (string | number)[],
  random: () => number
): JSONValue {
  const copy = JSON.parse(JSON.stringify(root)) as JSONValue;
  if (where.length === 0) return copy;
  let parent = copy as Record<string | number, JSONValue>;
  for (const key of where.slice(0, -1)) parent = parent[key] as Record<string | number, JSONValue>;
  const last = where[where.length - 1] as string | number;
  const current = parent[last];
  const choice = Math.floor(random() * 6);
  if (choice === 0) delete parent[last];
  else if (choice === 1) parent[last] = null;
  else if (choice === 2) parent[last] = 42;
  else if (choice === 3) parent[last] = ['x'];
  else if (choice === 4) parent[last] = { a: 1 };
  else if (typeof current === 'string' && current.length > 4) {
    parent[last] = current.slice(0, 2) + (current[2] === 'A' ? 'B' : 'A') + current.slice(3);
  } else parent[last] = 'AAAA';
  return copy;
}
