// Image SBOM, whole process: `custody sbom IMAGE` on a Debian-based OCI image built here from
// this machine's own root filesystem (layer 1: /var/lib/dpkg + /etc/os-release + Python
// dist-packages, layer 2: the repository's node_modules as /app/node_modules), gzip layers
// streamed, digest-checked and unpacked in one pass. cdxgen's image mode is not installed
// offline here, so no peer column (it would need `npm install @cyclonedx/cdxgen` and a docker daemon).
//
//   npm run bench -- images
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const description =
  'custody sbom IMAGE (OCI layout, Debian rootfs + node_modules): wall time, peak RSS, components';

function sha(file) {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function layer(dir, args) {
  const tmp = path.join(dir, 'layer.tgz');
  const result = spawnSync('tar', ['-czf', tmp, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  if (result.status !== 0 && result.status !== 1) throw new Error(`tar failed: ${result.stderr}`);
  const hex = sha(tmp);
  renameSync(tmp, path.join(dir, 'blobs/sha256', hex));
  return {
    mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
    digest: `sha256:${hex}`,
    size: statSync(path.join(dir, 'blobs/sha256', hex)).size,
  };
}

function put(dir, bytes) {
  const hex = createHash('sha256').update(bytes).digest('hex');
  writeFileSync(path.join(dir, 'blobs/sha256', hex), bytes);
  return { digest: `sha256:${hex}`, size: bytes.byteLength };
}

export async function run(ctx) {
  const dir = ctx.tmpdir('custody-bench-image-');
  mkdirSync(path.join(dir, 'blobs/sha256'), { recursive: true });
  ctx.log('building the image layout from / and node_modules …');
  const osParts = [
    'var/lib/dpkg',
    'etc/os-release',
    'usr/lib/os-release',
    'usr/lib/python3/dist-packages',
  ].filter((p) => existsSync(path.join('/', p)));
  const layers = [layer(dir, ['-C', '/', ...osParts])];
  if (!ctx.quick)
    layers.push(
      layer(dir, [
        '-C',
        ctx.root,
        '--transform',
        's,^node_modules,app/node_modules,',
        'node_modules',
      ])
    );
  const config = put(
    dir,
    Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        rootfs: { type: 'layers', diff_ids: [] },
      })
    )
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers,
    })
  );
  const m = put(dir, manifest);
  writeFileSync(path.join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  writeFileSync(
    path.join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...m }],
    })
  );
  const bytes = layers.reduce((n, l) => n + l.size, 0);
  const out = path.join(ctx.tmpdir(), 'image.cdx.json');
  const GNU_TIME = '/usr/bin/time';
  const samples = [];
  for (let i = 0; i < ctx.runs + 1; i++) {
    const args = [ctx.dist.cli, 'sbom', dir, '-o', out];
    const r = existsSync(GNU_TIME)
      ? spawnSync(GNU_TIME, ['-f', 'CUSTODY_BENCH %e %M', ctx.node, ...args], { encoding: 'utf8' })
      : spawnSync(ctx.node, args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`custody sbom failed: ${r.stderr}`);
    const match = /CUSTODY_BENCH ([\d.]+) (\d+)/.exec(r.stderr ?? '');
    if (i > 0 && match !== null)
      samples.push({ seconds: Number(match[1]), rss: Number(match[2]) / 1024 });
  }
  samples.sort((a, b) => a.seconds - b.seconds);
  const median = samples[Math.floor(samples.length / 2)] ?? { seconds: NaN, rss: NaN };
  const bom = JSON.parse(readFileSync(out, 'utf8'));
  const byType = {};
  for (const c of bom.components) {
    const t = c.purl?.split('/')[0] ?? c.type;
    byType[t] = (byType[t] ?? 0) + 1;
  }
  return {
    title: 'custody sbom IMAGE (OCI layout)',
    rows: [
      {
        layers: layers.length,
        'compressed MB': (bytes / 1e6).toFixed(1),
        components: bom.components.length,
        kinds: Object.entries(byType)
          .map(([k, n]) => `${k} ${n}`)
          .join(', '),
        'wall (median)': ctx.fmt.seconds(median.seconds),
        'peak RSS MiB': median.rss.toFixed(0),
      },
    ],
    notes: [
      'layers are read once: sha256 + gunzip + tar in one stream; only package databases and manifests are kept in memory',
    ],
  };
}
