// An image's root filesystem, reduced to the files an SBOM needs: layers applied in order, with
// OCI/AUFS whiteouts (`.wh.NAME` deletes NAME from lower layers, `.wh..wh..opq` empties its
// directory of lower-layer content). Pure: the adapter streams the layer tarballs and hands
// over each layer's kept files and whiteouts; each surviving file remembers its layer.

export interface LayerChanges {
  /** The layer's digest (as in the manifest). */
  digest: string;
  files: { path: string; bytes: Uint8Array }[];
  /** Paths removed by `.wh.` entries in this layer. */
  deletions: string[];
  /** Directories made opaque by `.wh..wh..opq` in this layer. */
  opaqueDirs: string[];
}

export interface RootFile {
  bytes: Uint8Array;
  layer: string;
  layerIndex: number;
}

const MAX_KEPT_FILE = 256 * 1024 * 1024;

/** Normalises a tar entry name to a root-relative POSIX path; undefined for unsafe names. */
export function normalizeEntryPath(name: string): string | undefined {
  const parts: string[] = [];
  for (const part of name.replace(/\\/g, '/').split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') return undefined;
    parts.push(part);
  }
  return parts.length === 0 ? undefined : parts.join('/');
}

const PACKAGE_DB = [
  /^var\/lib\/dpkg\/status$/,
  /^var\/lib\/dpkg\/status\.d\/[^/]+$/,
  /^lib\/apk\/db\/installed$/,
  /^(?:var\/lib\/rpm|usr\/lib\/sysimage\/rpm)\/rpmdb\.sqlite(?:-wal)?$/,
  /^(?:etc|usr\/lib)\/os-release$/,
];
const LANGUAGE = [
  /(?:^|\/)node_modules\/(?:@[^/]+\/)?[^/@][^/]*\/package\.json$/,
  /(?:^|\/)[^/]+\.dist-info\/METADATA$/,
  /(?:^|\/)[^/]+\.egg-info\/PKG-INFO$/,
];

/** Whether the SBOM needs this file's bytes (package databases, os-release, package manifests). */
export function isInterestingPath(p: string): boolean {
  return PACKAGE_DB.some((r) => r.test(p)) || LANGUAGE.some((r) => r.test(p));
}

export function maxKeptFileSize(p: string): number {
  return /rpmdb\.sqlite/.test(p) || /dpkg\/status$|apk\/db\/installed$/.test(p)
    ? MAX_KEPT_FILE
    : 4 * 1024 * 1024;
}

/** Splits a tar entry into a whiteout (deletion / opaque marker) or a plain path. */
export function classifyEntry(
  p: string
):
  | { kind: 'file'; path: string }
  | { kind: 'delete'; path: string }
  | { kind: 'opaque'; dir: string } {
  const slash = p.lastIndexOf('/');
  const dir = slash < 0 ? '' : p.slice(0, slash);
  const base = slash < 0 ? p : p.slice(slash + 1);
  if (base === '.wh..wh..opq') return { kind: 'opaque', dir };
  if (base.startsWith('.wh.'))
    return { kind: 'delete', path: dir === '' ? base.slice(4) : `${dir}/${base.slice(4)}` };
  return { kind: 'file', path: p };
}

function removeUnder(root: Map<string, RootFile>, target: string, keepSelf = false): void {
  for (const key of [...root.keys()]) {
    if ((!keepSelf && key === target) || key.startsWith(target === '' ? '' : `${target}/`))
      root.delete(key);
  }
}

export function applyLayers(layers: readonly LayerChanges[]): Map<string, RootFile> {
  const root = new Map<string, RootFile>();
  layers.forEach((layer, layerIndex) => {
    // Whiteouts hide lower layers only, so they apply before this layer's own files.
    for (const dir of layer.opaqueDirs) removeUnder(root, dir, true);
    for (const p of layer.deletions) removeUnder(root, p);
    for (const f of layer.files)
      root.set(f.path, { bytes: f.bytes, layer: layer.digest, layerIndex });
  });
  return root;
}
