// The embedded default release: a tiny "hello" tool with two build outputs and a README.
// Deterministic bytes, so the demo's digests are the same on every machine.

export interface SampleFile {
  readonly name: string;
  readonly content: Uint8Array;
}

function text(value: string): Uint8Array {
  return new TextEncoder().encode(value);
}

function pseudoRandomBytes(length: number, seed: number): Uint8Array {
  // xorshift32: stable filler so the "binary" artifact is not all zeros.
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

export function sampleArtifacts(): SampleFile[] {
  return [
    { name: 'hello-linux-amd64', content: pseudoRandomBytes(96 * 1024, 0xc0ffee) },
    { name: 'hello-darwin-arm64', content: pseudoRandomBytes(80 * 1024, 0xbadc0de) },
    {
      name: 'README.txt',
      content: text('hello 1.0.0\n\nA sample release produced by `custody demo`.\n'),
    },
  ];
}
