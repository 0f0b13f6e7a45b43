// The SBOM of a container image (pure): the applied root filesystem's package databases and
// language package manifests → components with purls (distro from os-release), each recording
// the layer it came from and the file it was read from → a deterministic CycloneDX 1.6 document
// whose metadata.component is the image (type container, version = the manifest digest).
import { uuidV5 } from '../sbom/bom.js';
import { canonicalJSON } from '../util/canonical-json.js';
import { VERSION } from '../version.js';
import {
  packagePurl,
  parseApkInstalled,
  parseDpkgStatus,
  parseNodePackageJSON,
  parseOsRelease,
  parsePythonMetadata,
  parseRpmHeader,
  type ImagePackage,
  type OsRelease,
} from './packages.js';
import type { RootFile } from './rootfs.js';

export interface ImageComponent extends ImagePackage {
  purl: string;
  layer: string;
  layerIndex: number;
}

export interface ImageSbomInput {
  /** `HOST/REPO` (or the local reference). */
  name: string;
  digest: string;
  platform?: string;
  root: ReadonlyMap<string, RootFile>;
  /** Reads the Packages table blobs of an rpmdb.sqlite (+ WAL) — node:sqlite in the adapter. */
  readRpmBlobs?: (db: Uint8Array, wal: Uint8Array | undefined) => Uint8Array[];
  timestamp: Date;
}

export interface ImageSbom {
  bom: Record<string, unknown>;
  components: ImageComponent[];
  os: OsRelease;
  warnings: string[];
}

const text = (f: RootFile): string => new TextDecoder().decode(f.bytes);

export function imagePackages(input: ImageSbomInput): {
  components: ImageComponent[];
  os: OsRelease;
  warnings: string[];
} {
  const warnings: string[] = [];
  const root = input.root;
  const osFile = root.get('etc/os-release') ?? root.get('usr/lib/os-release');
  const os = osFile === undefined ? {} : parseOsRelease(text(osFile));
  const found: { pkg: ImagePackage; from: RootFile }[] = [];
  for (const [p, f] of [...root.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (p === 'var/lib/dpkg/status' || p.startsWith('var/lib/dpkg/status.d/')) {
      for (const pkg of parseDpkgStatus(text(f), p)) found.push({ pkg, from: f });
    } else if (p === 'lib/apk/db/installed') {
      for (const pkg of parseApkInstalled(text(f), p)) found.push({ pkg, from: f });
    } else if (p.endsWith('rpmdb.sqlite')) {
      if (input.readRpmBlobs === undefined) {
        warnings.push(`${p}: no SQLite reader available; RPM packages left out`);
        continue;
      }
      try {
        for (const blob of input.readRpmBlobs(f.bytes, root.get(`${p}-wal`)?.bytes)) {
          const pkg = parseRpmHeader(blob, p);
          if (pkg !== undefined) found.push({ pkg, from: f });
        }
      } catch (error) {
        warnings.push(
          `${p}: cannot read the RPM database (${error instanceof Error ? error.message : String(error)})`
        );
      }
    } else if (p.endsWith('/package.json')) {
      const pkg = parseNodePackageJSON(text(f), p);
      if (pkg !== undefined) found.push({ pkg, from: f });
    } else if (p.endsWith('/METADATA') || p.endsWith('/PKG-INFO')) {
      const pkg = parsePythonMetadata(text(f), p);
      if (pkg !== undefined) found.push({ pkg, from: f });
    }
  }
  const byRef = new Map<string, ImageComponent>();
  for (const { pkg, from } of found) {
    const purl = packagePurl(pkg, os);
    // The same package can be listed twice (e.g. node_modules copies); the first file wins.
    if (!byRef.has(purl))
      byRef.set(purl, { ...pkg, purl, layer: from.layer, layerIndex: from.layerIndex });
  }
  const components = [...byRef.values()].sort((a, b) =>
    a.purl < b.purl ? -1 : a.purl > b.purl ? 1 : 0
  );
  return { components, os, warnings };
}

export function buildImageSbom(input: ImageSbomInput): ImageSbom {
  const { components, os, warnings } = imagePackages(input);
  const hex = input.digest.slice('sha256:'.length);
  const imagePurl = `pkg:oci/${encodeURIComponent(input.name.split('/').pop() ?? input.name)}@${encodeURIComponent(input.digest)}?repository_url=${encodeURIComponent(input.name)}`;
  const cdxComponents = components.map((c) => ({
    type: 'library',
    'bom-ref': c.purl,
    name: c.name,
    version: c.epoch !== undefined && c.epoch !== '0' ? `${c.epoch}:${c.version}` : c.version,
    purl: c.purl,
    ...(c.license === undefined ? {} : { licenses: [{ expression: c.license }] }),
    properties: [
      { name: 'custody:image:layer', value: c.layer },
      { name: 'custody:image:layer-index', value: String(c.layerIndex) },
      { name: 'custody:image:package-database', value: c.file },
      ...(c.source === undefined ? [] : [{ name: 'custody:package:source', value: c.source }]),
      ...(c.arch === undefined ? [] : [{ name: 'custody:package:arch', value: c.arch }]),
    ],
  }));
  const osComponent =
    os.id === undefined
      ? []
      : [
          {
            type: 'operating-system',
            'bom-ref': `os:${os.id}@${os.versionId ?? ''}`,
            name: os.id,
            ...(os.versionId === undefined ? {} : { version: os.versionId }),
            ...(os.prettyName === undefined ? {} : { description: os.prettyName }),
          },
        ];
  const body = {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    version: 1,
    metadata: {
      timestamp: input.timestamp.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      tools: { components: [{ type: 'application', name: 'custody', version: VERSION }] },
      component: {
        type: 'container',
        'bom-ref': imagePurl,
        name: input.name,
        version: input.digest,
        purl: imagePurl,
        hashes: [{ alg: 'SHA-256', content: hex }],
        ...(input.platform === undefined
          ? {}
          : { properties: [{ name: 'custody:image:platform', value: input.platform }] }),
      },
    },
    components: [...osComponent, ...cdxComponents],
    dependencies: [
      {
        ref: imagePurl,
        dependsOn: [
          ...osComponent.map((o) => o['bom-ref']),
          ...cdxComponents.map((c) => c['bom-ref']),
        ],
      },
    ],
  };
  const serialNumber = `urn:uuid:${uuidV5(canonicalJSON({ ...body, metadata: { ...body.metadata, timestamp: '' } }))}`;
  return { bom: { ...body, serialNumber }, components, os, warnings };
}
