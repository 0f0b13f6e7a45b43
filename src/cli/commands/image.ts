// The container-image side of `custody sign`, `custody attest` and `custody verify`: flags shared
// by those commands and the calls into the OCI adapter. Kept apart so the file commands stay as
// they are; each command asks `splitImageArguments` which of its arguments name images.
import path from 'node:path';
import type { InTotoStatement } from '../../attest/intoto.js';
import type { ResourceDescriptor } from '../../attest/intoto.js';
import { writeFileAtomic } from '../../io/fs.js';
import {
  imageSubject,
  pushAttestation,
  resolveImageArgument,
  signImage,
} from '../../oci/adapter/publish.js';
import { isImageArgument } from '../../oci/adapter/argument.js';
import type { ResolvedImage } from '../../oci/adapter/source.js';
import type { SignerConfig, SigstoreBundleJSON } from '../../sign/index.js';
import { prettyCanonicalJSON } from '../../util/canonical-json.js';
import { resolveBuildTime, toRFC3339 } from '../../util/time.js';
import type { CliContext } from '../context.js';

export interface ImageFlags {
  plainHttp?: boolean;
  cosignTags?: boolean;
  tagSchema?: boolean;
}

export function addImageFlags<T extends { option(flags: string, description: string): T }>(
  command: T
): T {
  return command
    .option(
      '--plain-http',
      'allow plain HTTP to a registry that is not on loopback (TLS otherwise)'
    )
    .option(
      '--cosign-tags',
      "also tag referrers sha256-<hex>.sig / .att (cosign's legacy discovery tags)"
    )
    .option(
      '--tag-schema',
      'always write the referrers tag-schema index sha256-<hex> (registries without the referrers API get it anyway)'
    );
}

export async function splitImageArguments(
  ctx: CliContext,
  args: readonly string[]
): Promise<{ images: string[]; files: string[] }> {
  const images: string[] = [];
  const files: string[] = [];
  for (const arg of args) ((await isImageArgument(arg, ctx.cwd)) ? images : files).push(arg);
  return { images, files };
}

export function openOptions(
  ctx: CliContext,
  flags: ImageFlags
): Parameters<typeof resolveImageArgument>[1] {
  return { cwd: ctx.cwd, env: ctx.env, ...(flags.plainHttp === true ? { plainHttp: true } : {}) };
}

function created(ctx: CliContext): string {
  return toRFC3339(resolveBuildTime(ctx.env.SOURCE_DATE_EPOCH, ctx.now()));
}

export async function signImages(
  ctx: CliContext,
  images: readonly string[],
  config: SignerConfig,
  flags: ImageFlags & { bundle?: string; recursive?: boolean; push?: boolean }
): Promise<{ lines: string[]; json: unknown[] }> {
  const lines: string[] = [];
  const json: unknown[] = [];
  for (const arg of images) {
    const image = await resolveImageArgument(arg, openOptions(ctx, flags));
    try {
      const push = flags.push !== false && image.source.registry !== undefined;
      const signed = await signImage(image, config, {
        push,
        created: created(ctx),
        ...(flags.recursive === true ? { recursive: true } : {}),
        ...(flags.cosignTags === true ? { cosignTags: true } : {}),
        ...(flags.tagSchema === true ? { forceTagSchema: true } : {}),
      });
      for (const s of signed) {
        let bundleFile: string | undefined;
        if (flags.bundle !== undefined && s.digest === image.digest) {
          bundleFile = path.resolve(ctx.cwd, flags.bundle);
          await writeFileAtomic(bundleFile, prettyCanonicalJSON(s.bundle));
        }
        const where =
          s.pushed === undefined
            ? ''
            : ` → referrer ${s.pushed.referrer.digest} (${s.pushed.via}${s.pushed.tags.length === 0 ? '' : `, tags ${s.pushed.tags.join(', ')}`})`;
        const from =
          s.resolvedFromTag === undefined ? '' : ` (tag ${s.resolvedFromTag} resolved once)`;
        lines.push(
          `  ${s.reference}${from}${where}${bundleFile === undefined ? '' : ` → ${path.relative(ctx.cwd, bundleFile) || bundleFile}`}`
        );
        json.push({
          image: s.reference,
          digest: s.digest,
          ...(s.resolvedFromTag === undefined ? {} : { resolvedFromTag: s.resolvedFromTag }),
          ...(s.pushed === undefined
            ? {}
            : { referrer: s.pushed.referrer.digest, via: s.pushed.via, tags: s.pushed.tags }),
          ...(bundleFile === undefined
            ? {}
            : { bundle: path.relative(ctx.cwd, bundleFile) || bundleFile }),
        });
      }
    } finally {
      await image.source.close();
    }
  }
  return { lines, json };
}

/** Resolves image subjects of `custody attest` (each tag once) into statement subjects. */
export async function imageSubjects(
  ctx: CliContext,
  images: readonly string[],
  flags: ImageFlags
): Promise<{ subjects: ResourceDescriptor[]; resolved: ResolvedImage[] }> {
  const resolved: ResolvedImage[] = [];
  for (const arg of images) resolved.push(await resolveImageArgument(arg, openOptions(ctx, flags)));
  return { subjects: resolved.map(imageSubject), resolved };
}

export async function pushImageAttestation(
  ctx: CliContext,
  resolved: ResolvedImage[],
  statement: InTotoStatement,
  bundle: SigstoreBundleJSON,
  flags: ImageFlags
): Promise<{ lines: string[]; json: unknown[] }> {
  const pushed = await pushAttestation(resolved, statement, bundle, {
    created: created(ctx),
    ...(flags.cosignTags === true ? { cosignTags: true } : {}),
    ...(flags.tagSchema === true ? { forceTagSchema: true } : {}),
  });
  return {
    lines: pushed.map(
      (p) => `  pushed to ${p.reference} → referrer ${p.pushed.referrer.digest} (${p.pushed.via})`
    ),
    json: pushed.map((p) => ({
      image: p.reference,
      referrer: p.pushed.referrer.digest,
      via: p.pushed.via,
      tags: p.pushed.tags,
    })),
  };
}
