// Test helper: small container images written by the test itself as OCI image layouts (gzip
// layers made with tar-stream), with whiteouts and package databases as real images carry them.
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import * as tarStream from 'tar-stream';

export interface LayerEntry {
  name: string;
  content?: string | Uint8Array;
  type?: 'file' | 'directory' | 'symlink';
  linkname?: string;
}

export async function tarBytes(entries: LayerEntry[]): Promise<Buffer> {
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => {
    chunks.push(c as Buffer);
  });
  const done = new Promise<void>((resolve, reject) => {
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  for (const e of entries) {
    const type = e.type ?? 'file';
    const header = {
      name: e.name,
      type,
      mode: type === 'directory' ? 0o755 : 0o644,
      mtime: new Date(0),
      ...(e.linkname === undefined ? {} : { linkname: e.linkname }),
    };
    if (type === 'file') pack.entry(header, Buffer.from(e.content ?? ''));
    else pack.entry(header);
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

function sha(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export interface BuiltImage {
  dir: string;
  tag: string;
  digest: string;
  manifest: Uint8Array;
}

/** Writes an OCI layout at `dir` holding one image (one manifest) tagged `tag`. */
export async function writeLayoutImage(
  dir: string,
  tag: string,
  layers: LayerEntry[][],
  opts: { os?: string; architecture?: string; label?: string } = {}
): Promise<BuiltImage> {
  await mkdir(path.join(dir, 'blobs', 'sha256'), { recursive: true });
  const put = async (bytes: Uint8Array): Promise<string> => {
    const digest = sha(bytes);
    await writeFile(path.join(dir, 'blobs', 'sha256', digest.slice(7)), bytes);
    return digest;
  };
  const layerDescs = [];
  const diffIds = [];
  for (const entries of layers) {
    const tar = await tarBytes(entries);
    const gz = gzipSync(tar);
    diffIds.push(sha(tar));
    layerDescs.push({
      mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
      digest: await put(gz),
      size: gz.byteLength,
    });
  }
  const config = Buffer.from(
    JSON.stringify({
      architecture: opts.architecture ?? 'amd64',
      os: opts.os ?? 'linux',
      config: { Labels: { 'test.label': opts.label ?? tag } },
      rootfs: { type: 'layers', diff_ids: diffIds },
    })
  );
  const configDigest = await put(config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: configDigest,
        size: config.byteLength,
      },
      layers: layerDescs,
    })
  );
  const digest = await put(manifest);
  await writeFile(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(
    path.join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest,
          size: manifest.byteLength,
          annotations: { 'org.opencontainers.image.ref.name': tag },
        },
      ],
    })
  );
  return { dir, tag, digest, manifest };
}

export const DPKG_STATUS = `Package: base-files
Status: install ok installed
Priority: required
Section: admin
Installed-Size: 341
Maintainer: Santiago Vila <sanvila@debian.org>
Architecture: amd64
Version: 12.4+deb12u5
Description: Debian base system miscellaneous files

Package: libc6
Status: install ok installed
Priority: optional
Section: libs
Architecture: amd64
Multi-Arch: same
Source: glibc
Version: 2.36-9+deb12u7
Description: GNU C Library: Shared libraries
 Contains the standard libraries.

Package: removed-pkg
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0
Description: gone

`;

export const OS_RELEASE_DEBIAN = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION_CODENAME=bookworm
ID=debian
`;

/** Writes a multi-platform image: one manifest per platform and an image index tagged `tag`. */
export async function writeLayoutIndex(
  dir: string,
  tag: string,
  platforms: { os: string; architecture: string; layers: LayerEntry[][] }[]
): Promise<BuiltImage & { platforms: { digest: string; size: number; platform: string }[] }> {
  const built = [];
  for (const p of platforms) {
    const image = await writeLayoutImage(dir, `${tag}-${p.architecture}`, p.layers, {
      os: p.os,
      architecture: p.architecture,
    });
    built.push({
      digest: image.digest,
      size: image.manifest.byteLength,
      platform: `${p.os}/${p.architecture}`,
      os: p.os,
      architecture: p.architecture,
    });
  }
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: built.map((b) => ({
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: b.digest,
        size: b.size,
        platform: { os: b.os, architecture: b.architecture },
      })),
    })
  );
  const digest = sha(index);
  await writeFile(path.join(dir, 'blobs', 'sha256', digest.slice(7)), index);
  await writeFile(
    path.join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.index.v1+json',
          digest,
          size: index.byteLength,
          annotations: { 'org.opencontainers.image.ref.name': tag },
        },
      ],
    })
  );
  return {
    dir,
    tag,
    digest,
    manifest: index,
    platforms: built.map(({ digest: d, size, platform }) => ({ digest: d, size, platform })),
  };
}
