// Images named in Kubernetes manifests and Helm-rendered YAML (multi-document): every string
// value of an `image` key, wherever it is (containers, initContainers, ephemeralContainers, CRDs
// that follow the convention), with the document and path it was found at. Pure.
import { parseAllDocuments } from 'yaml';
import { CustodyError } from '../errors.js';
import { DIGEST_PATTERN } from './reference.js';

export interface NamedImage {
  image: string;
  /** `<document index>:<kind>/<name>:<path>` for messages. */
  where: string;
  pinned: boolean;
}

const MAX_IMAGES = 10_000;

export function imagesInManifests(text: string, source: string): NamedImage[] {
  const docs = parseAllDocuments(text, { uniqueKeys: false });
  const list = Array.isArray(docs) ? docs : [docs];
  const found: NamedImage[] = [];
  list.forEach((doc, index) => {
    if (doc.errors.length > 0) {
      throw new CustodyError(
        'INPUT_YAML_INVALID',
        `${source}: document ${index + 1}: ${doc.errors[0]?.message ?? 'invalid YAML'}`
      );
    }
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    const meta = value as { kind?: unknown; metadata?: { name?: unknown } } | null;
    const label = `${index + 1}:${typeof meta?.kind === 'string' ? meta.kind : '?'}/${typeof meta?.metadata?.name === 'string' ? meta.metadata.name : '?'}`;
    const walk = (node: unknown, at: string): void => {
      if (Array.isArray(node)) {
        node.forEach((child, i) => walk(child, `${at}[${i}]`));
        return;
      }
      if (typeof node !== 'object' || node === null) return;
      for (const [key, child] of Object.entries(node as Record<string, unknown>)) {
        if (key === 'image' && typeof child === 'string' && child.trim() !== '') {
          if (found.length >= MAX_IMAGES)
            throw new CustodyError(
              'INPUT_TOO_LARGE',
              `${source} names more than ${MAX_IMAGES} images`
            );
          const image = child.trim();
          const at2 = image.lastIndexOf('@');
          found.push({
            image,
            where: `${label}:${at}.image`,
            pinned: at2 > 0 && DIGEST_PATTERN.test(image.slice(at2 + 1)),
          });
        } else walk(child, `${at}.${key}`);
      }
    };
    walk(value, '');
  });
  return found;
}
