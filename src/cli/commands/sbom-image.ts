// `custody sbom IMAGE`: the SBOM of a container image (registry, OCI layout or tarball): OS
// packages (dpkg, apk, rpm) and installed language packages, per layer, as CycloneDX 1.6.
import path from 'node:path';
import { CustodyError } from '../../errors.js';
import { writeFileAtomic } from '../../io/fs.js';
import { readImageRoot, readRpmBlobs } from '../../oci/adapter/layers.js';
import { resolveImageArgument } from '../../oci/adapter/publish.js';
import { subjectName } from '../../oci/reference.js';
import { buildImageSbom } from '../../oci/sbom.js';
import { validateBom } from '../../sbom/index.js';
import { prettyCanonicalJSON } from '../../util/canonical-json.js';
import { resolveBuildTime } from '../../util/time.js';
import type { CliContext, CommandOutput } from '../context.js';

export interface ImageSbomFlags {
  output?: string;
  platform?: string;
  plainHttp?: boolean;
  specVersion?: string;
  validate?: boolean;
}

export async function runImageSbom(
  ctx: CliContext,
  arg: string,
  options: ImageSbomFlags
): Promise<CommandOutput> {
  if (options.specVersion !== undefined && options.specVersion !== '1.6') {
    throw new CustodyError(
      'USAGE_INVALID',
      `image SBOMs are written as CycloneDX 1.6, not ${options.specVersion}`
    );
  }
  const image = await resolveImageArgument(arg, {
    cwd: ctx.cwd,
    env: ctx.env,
    ...(options.plainHttp === true ? { plainHttp: true } : {}),
  });
  try {
    const root = await readImageRoot(image, options.platform);
    const sbom = buildImageSbom({
      name: subjectName(image.source.reference),
      digest: root.manifestDigest,
      ...(root.platform === undefined ? {} : { platform: root.platform }),
      root: root.root,
      readRpmBlobs,
      timestamp: resolveBuildTime(ctx.env.SOURCE_DATE_EPOCH, ctx.now()),
    });
    for (const warning of sbom.warnings) ctx.io.stderr(`warning: ${warning}\n`);
    if (options.validate !== false) {
      const result = await validateBom(sbom.bom, { source: 'image SBOM', firstErrorOnly: true });
      if (!result.valid) {
        throw new CustodyError(
          'SBOM_SCHEMA_INVALID',
          `the image SBOM fails CycloneDX 1.6 validation: ${result.errors.map((e) => `${e.pointer} ${e.message}`).join('; ')}`
        );
      }
    }
    const json = prettyCanonicalJSON(sbom.bom);
    const counts = new Map<string, number>();
    for (const c of sbom.components) counts.set(c.kind, (counts.get(c.kind) ?? 0) + 1);
    const summary = `${[...counts.entries()].map(([k, n]) => `${n} ${k}`).join(', ') || 'no packages'} from ${root.layers} layer(s) of ${root.manifestDigest}${sbom.os.prettyName === undefined ? '' : ` (${sbom.os.prettyName})`}`;
    if (options.output !== undefined) {
      await writeFileAtomic(path.resolve(ctx.cwd, options.output), json);
      return { text: `wrote ${options.output}: CycloneDX 1.6, ${summary}`, json: sbom.bom };
    }
    return { text: json.trimEnd(), json: sbom.bom };
  } finally {
    await image.source.close();
  }
}
