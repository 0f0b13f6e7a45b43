// Package databases found in a container root filesystem, parsed from bytes (pure): Debian/Ubuntu
// dpkg (`var/lib/dpkg/status`, distroless `status.d/*`), Alpine apk (`lib/apk/db/installed`),
// RPM header blobs (the rows of `rpmdb.sqlite`, read by the adapter), `os-release`, and the
// language packages installed in the image (node_modules package.json, Python dist-info METADATA).
import { PackageURL } from 'packageurl-js';

export type PackageKind = 'deb' | 'apk' | 'rpm' | 'npm' | 'pypi';

export interface ImagePackage {
  kind: PackageKind;
  name: string;
  version: string;
  arch?: string;
  /** Source package (dpkg Source, apk origin, rpm SOURCERPM name). */
  source?: string;
  license?: string;
  epoch?: string;
  /** The file the package was read from, relative to the root. */
  file: string;
}

export interface OsRelease {
  id?: string;
  versionId?: string;
  versionCodename?: string;
  prettyName?: string;
}

export function parseOsRelease(text: string): OsRelease {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m === null) continue;
    let value = m[2] ?? '';
    if (/^".*"$|^'.*'$/.test(value)) value = value.slice(1, -1).replace(/\\(["\\$`])/g, '$1');
    fields.set(m[1] ?? '', value);
  }
  const pick = (k: string): string | undefined => fields.get(k) || undefined;
  const out: OsRelease = {};
  const id = pick('ID');
  if (id !== undefined) out.id = id.toLowerCase();
  const versionId = pick('VERSION_ID');
  if (versionId !== undefined) out.versionId = versionId;
  const codename = pick('VERSION_CODENAME');
  if (codename !== undefined) out.versionCodename = codename;
  const pretty = pick('PRETTY_NAME');
  if (pretty !== undefined) out.prettyName = pretty;
  return out;
}

/** RFC 822-style stanzas separated by blank lines; continuation lines start with a space or tab. */
function stanzas(text: string): Map<string, string>[] {
  const out: Map<string, string>[] = [];
  let current = new Map<string, string>();
  let last: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') {
      if (current.size > 0) out.push(current);
      current = new Map();
      last = undefined;
      continue;
    }
    if ((line.startsWith(' ') || line.startsWith('\t')) && last !== undefined) {
      current.set(last, `${current.get(last) ?? ''}\n${line.trim()}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    last = line.slice(0, colon).trim();
    current.set(last, line.slice(colon + 1).trim());
  }
  if (current.size > 0) out.push(current);
  return out;
}

/** dpkg status: only packages whose Status says installed (not config-files, not half-installed). */
export function parseDpkgStatus(text: string, file: string): ImagePackage[] {
  const out: ImagePackage[] = [];
  for (const s of stanzas(text)) {
    const name = s.get('Package');
    const version = s.get('Version');
    if (name === undefined || name === '' || version === undefined || version === '') continue;
    const status = s.get('Status');
    // distroless status.d files carry no Status field; a present one must say "installed".
    if (status !== undefined && !/\binstalled$/.test(status)) continue;
    const pkg: ImagePackage = { kind: 'deb', name, version, file };
    const arch = s.get('Architecture');
    if (arch !== undefined) pkg.arch = arch;
    const source = s.get('Source');
    if (source !== undefined) pkg.source = source.split(' ')[0] ?? source;
    out.push(pkg);
  }
  return out;
}

/** apk's installed database: single-letter keys, P: name, V: version, A: arch, L: license, o: origin. */
export function parseApkInstalled(text: string, file: string): ImagePackage[] {
  const out: ImagePackage[] = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    const fields = new Map<string, string>();
    for (const line of block.split(/\r?\n/)) {
      if (line.length >= 2 && line[1] === ':' && !fields.has(line[0] ?? ''))
        fields.set(line[0] ?? '', line.slice(2));
    }
    const name = fields.get('P');
    const version = fields.get('V');
    if (name === undefined || version === undefined) continue;
    const pkg: ImagePackage = { kind: 'apk', name, version, file };
    const arch = fields.get('A');
    if (arch !== undefined) pkg.arch = arch;
    const license = fields.get('L');
    if (license !== undefined && license !== '') pkg.license = license;
    const origin = fields.get('o');
    if (origin !== undefined) pkg.source = origin;
    out.push(pkg);
  }
  return out;
}

// RPM header tags (rpmtag.h) and types.
const RPMTAG = {
  name: 1000,
  version: 1001,
  release: 1002,
  epoch: 1003,
  license: 1014,
  arch: 1022,
  sourcerpm: 1044,
} as const;
const RPM_INT32 = 4;
const RPM_STRING = 6;
const RPM_I18NSTRING = 9;

/**
 * One RPM header blob as rpmdb.sqlite stores it (no magic: index count, data length, entries,
 * data store). Returns undefined for the gpg-pubkey pseudo-packages and for malformed blobs.
 */
export function parseRpmHeader(blob: Uint8Array, file: string): ImagePackage | undefined {
  if (blob.byteLength < 8) return undefined;
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const il = view.getUint32(0);
  const dl = view.getUint32(4);
  const dataStart = 8 + il * 16;
  if (il > 100_000 || dataStart + dl > blob.byteLength) return undefined;
  const values = new Map<number, string | number>();
  const wanted = new Set<number>(Object.values(RPMTAG));
  for (let i = 0; i < il; i++) {
    const at = 8 + i * 16;
    const tag = view.getUint32(at);
    if (!wanted.has(tag)) continue;
    const type = view.getUint32(at + 4);
    const offset = view.getUint32(at + 8);
    if (offset >= dl) continue;
    const start = dataStart + offset;
    if (type === RPM_STRING || type === RPM_I18NSTRING) {
      let end = start;
      while (end < dataStart + dl && blob[end] !== 0) end++;
      values.set(tag, new TextDecoder().decode(blob.subarray(start, end)));
    } else if (type === RPM_INT32 && start + 4 <= blob.byteLength) {
      values.set(tag, view.getUint32(start));
    }
  }
  const name = values.get(RPMTAG.name);
  const version = values.get(RPMTAG.version);
  const release = values.get(RPMTAG.release);
  if (typeof name !== 'string' || typeof version !== 'string' || name === 'gpg-pubkey')
    return undefined;
  const pkg: ImagePackage = {
    kind: 'rpm',
    name,
    version: typeof release === 'string' ? `${version}-${release}` : version,
    file,
  };
  const arch = values.get(RPMTAG.arch);
  if (typeof arch === 'string') pkg.arch = arch;
  const license = values.get(RPMTAG.license);
  if (typeof license === 'string' && license !== '') pkg.license = license;
  const epoch = values.get(RPMTAG.epoch);
  if (typeof epoch === 'number') pkg.epoch = String(epoch);
  const srpm = values.get(RPMTAG.sourcerpm);
  if (typeof srpm === 'string') {
    const m = /^(.+)-[^-]+-[^-]+\.src\.rpm$/.exec(srpm);
    if (m?.[1] !== undefined) pkg.source = m[1];
  }
  return pkg;
}

export function parseNodePackageJSON(text: string, file: string): ImagePackage | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const j = json as { name?: unknown; version?: unknown; license?: unknown; private?: unknown };
  if (typeof j.name !== 'string' || typeof j.version !== 'string') return undefined;
  const pkg: ImagePackage = { kind: 'npm', name: j.name, version: j.version, file };
  if (typeof j.license === 'string') pkg.license = j.license;
  return pkg;
}

/** Python core metadata (dist-info/METADATA, egg-info/PKG-INFO): the header part only. */
export function parsePythonMetadata(text: string, file: string): ImagePackage | undefined {
  const header = text.split(/\r?\n\r?\n/)[0] ?? '';
  const s = stanzas(header)[0];
  const name = s?.get('Name');
  const version = s?.get('Version');
  if (name === undefined || version === undefined) return undefined;
  const pkg: ImagePackage = { kind: 'pypi', name, version, file };
  const license = s?.get('License-Expression') ?? s?.get('License');
  if (license !== undefined && license !== '' && license !== 'UNKNOWN' && !license.includes('\n'))
    pkg.license = license;
  return pkg;
}

/** The package URL: distro qualifiers for OS packages (pkg:deb/debian/...?arch=&distro=debian-12). */
export function packagePurl(pkg: ImagePackage, os: OsRelease): string {
  const distro =
    os.id === undefined
      ? undefined
      : `${os.id}${os.versionId === undefined ? '' : `-${os.versionId}`}`;
  const qualifiers: Record<string, string> = {};
  if (pkg.arch !== undefined && pkg.kind !== 'npm' && pkg.kind !== 'pypi')
    qualifiers.arch = pkg.arch;
  if (distro !== undefined && (pkg.kind === 'deb' || pkg.kind === 'apk' || pkg.kind === 'rpm'))
    qualifiers.distro = distro;
  if (pkg.epoch !== undefined && pkg.epoch !== '0') qualifiers.epoch = pkg.epoch;
  if (pkg.source !== undefined && pkg.kind === 'deb' && pkg.source !== pkg.name)
    qualifiers.upstream = pkg.source;
  let namespace: string | undefined;
  let name = pkg.name;
  if (pkg.kind === 'deb' || pkg.kind === 'apk' || pkg.kind === 'rpm') {
    namespace =
      os.id ?? (pkg.kind === 'deb' ? 'debian' : pkg.kind === 'apk' ? 'alpine' : undefined);
  } else if (pkg.kind === 'npm' && name.startsWith('@') && name.includes('/')) {
    namespace = name.slice(0, name.indexOf('/'));
    name = name.slice(name.indexOf('/') + 1);
  } else if (pkg.kind === 'pypi') {
    name = name.toLowerCase().replace(/[-_.]+/g, '-');
  }
  const sorted = Object.fromEntries(
    Object.entries(qualifiers).sort(([a], [b]) => (a < b ? -1 : 1))
  );
  return new PackageURL(
    pkg.kind,
    namespace,
    name,
    pkg.version,
    Object.keys(sorted).length === 0 ? undefined : sorted,
    undefined
  ).toString();
}
