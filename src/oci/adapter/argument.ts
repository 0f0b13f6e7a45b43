// Adapter: does a CLI argument name an image? (Cheap: no tar or registry code is loaded.)
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { looksLikeImageReference } from '../reference.js';

/** True when a CLI argument names an image (transport prefix, registry name, layout dir, tarball). */
export async function isImageArgument(arg: string, cwd: string): Promise<boolean> {
  if (/^(oci|docker):\/\//.test(arg) || /^(oci-layout|oci-archive|docker-archive):/.test(arg))
    return true;
  const info = await stat(path.resolve(cwd, arg)).catch(() => undefined);
  if (info !== undefined) {
    if (info.isDirectory()) {
      return stat(path.join(path.resolve(cwd, arg), 'oci-layout')).then(
        () => true,
        () => false
      );
    }
    return false;
  }
  return looksLikeImageReference(arg);
}
