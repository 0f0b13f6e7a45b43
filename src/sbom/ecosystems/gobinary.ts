// The build information the Go linker embeds in every binary built with modules (Go ≥ 1.18:
// `go version -m`): the main module and every module linked in, with their go.sum hashes. The
// header is "\xff Go buildinf:" + pointer size + flags; with the inline-strings flag (Go ≥ 1.18)
// two varint-length-prefixed strings follow: the Go version and the module info
// ("path", "mod", "dep", "=>" replacement and "build" lines, between 16-byte sentinels).
import { invalidLockfile, unsupportedLockfile } from '../graph.js';
import type { InstanceEdge } from '../graph.js';
import type { EcoLockfile, EcoPackage } from './common.js';
import { edge, purl, splitLast } from './common.js';

const MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
const FLAG_INLINE_STRINGS = 0x2;

/** ELF, Mach-O (32/64, either byte order, fat) or PE: worth looking for Go build info in. */
export function looksExecutable(head: Uint8Array): boolean {
  const b = Buffer.from(head.buffer, head.byteOffset, Math.min(head.byteLength, 4));
  if (b.length < 4) return false;
  const word = b.readUInt32BE(0);
  return (
    (b[0] === 0x7f && b[1] === 0x45 && b[2] === 0x4c && b[3] === 0x46) ||
    [0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe, 0xcafebabe].includes(word) ||
    (b[0] === 0x4d && b[1] === 0x5a)
  );
}

function readVarint(buf: Buffer, at: number): { value: number; next: number } | undefined {
  let value = 0;
  let shift = 0;
  for (let i = at; i < buf.length && i < at + 10; i++) {
    const byte = buf[i]!;
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return { value, next: i + 1 };
    shift += 7;
  }
  return undefined;
}

function readString(buf: Buffer, at: number, file: string): { value: string; next: number } {
  const length = readVarint(buf, at);
  if (length === undefined || length.next + length.value > buf.length) {
    throw invalidLockfile(file, 'the Go build info is truncated');
  }
  return {
    value: buf.subarray(length.next, length.next + length.value).toString('utf8'),
    next: length.next + length.value,
  };
}

function golangPurl(path: string, version: string | undefined): string {
  const { namespace, name } = splitLast(path);
  return purl('golang', namespace, name, version);
}

export function parseGoBinary(bytes: Uint8Array, file: string): EcoLockfile {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = buf.indexOf(MAGIC);
  if (at < 0) throw unsupportedLockfile(file, 'an executable without Go build information');
  const flags = buf[at + 15] ?? 0;
  if ((flags & FLAG_INLINE_STRINGS) === 0) {
    throw unsupportedLockfile(
      file,
      'Go build information from before Go 1.18 (pointer form) is not supported; rebuild with Go 1.18 or later'
    );
  }
  const goVersion = readString(buf, at + 32, file);
  let info = readString(buf, goVersion.next, file).value;
  if (info.length >= 33 && info[info.length - 17] === '\n') info = info.slice(16, -16);

  let main: { path: string; version: string | undefined } | undefined;
  const deps: { path: string; version: string; sum: string | undefined; replaces?: string }[] = [];
  for (const line of info.split('\n')) {
    const fields = line.split('\t');
    if (fields[0] === 'mod' && fields[1] !== undefined) {
      main = { path: fields[1], version: fields[2] === '(devel)' ? undefined : fields[2] };
    } else if (fields[0] === 'dep' && fields[1] !== undefined && fields[2] !== undefined) {
      deps.push({ path: fields[1], version: fields[2], sum: fields[3] });
    } else if (fields[0] === '=>' && deps.length > 0 && fields[1] !== undefined) {
      // The module above was replaced: what is linked is the replacement.
      const replaced = deps.pop()!;
      deps.push({
        path: fields[1],
        version: fields[2] ?? replaced.version,
        sum: fields[3],
        replaces: `${replaced.path}@${replaced.version}`,
      });
    }
  }
  if (main === undefined) {
    throw unsupportedLockfile(
      file,
      `a Go binary (${goVersion.value}) without module information (built outside module mode)`
    );
  }
  const rootEdges: InstanceEdge[] = [];
  const packages: EcoPackage[] = deps.map((dep) => {
    const id = `${dep.path}@${dep.version}`;
    rootEdges.push(edge(id));
    const properties: [string, string][] = [];
    if (dep.sum !== undefined && dep.sum !== '') properties.push(['custody:go:sum', dep.sum]);
    if (dep.replaces !== undefined) properties.push(['custody:go:replaces', dep.replaces]);
    return {
      id,
      name: dep.path,
      version: dep.version,
      purl: golangPurl(dep.path, dep.version),
      integrity: dep.sum?.startsWith('h1:') === true ? `sha256-${dep.sum.slice(3)}` : undefined,
      properties,
    };
  });
  return {
    format: 'gobinary',
    lockfileVersion: goVersion.value,
    root: { name: main.path, version: main.version, purl: golangPurl(main.path, main.version) },
    rootEdges,
    packages,
    flagsFromLockfile: true,
  };
}
