// composer.lock: `packages` (production) and `packages-dev` (require-dev, marked dev), each with
// name vendor/package, version as tagged (v-prefixed versions stay as written), dist shasum
// (SHA-1, often empty), licence list and `require` edges. Platform requirements (php, ext-*,
// lib-*, composer-*-api) are not packages.
import { invalidLockfile, isRecord } from '../graph.js';
import type { InstanceEdge } from '../graph.js';
import type { EcoLockfile, EcoPackage, EcosystemContext } from './common.js';
import {
  edge,
  genericRoot,
  hexToSRI,
  parseJSON,
  purl,
  records,
  requireString,
  splitLast,
  str,
} from './common.js';

function isPlatform(name: string): boolean {
  return !name.includes('/') || /^(php|ext-|lib-|composer-(plugin|runtime)-api)/.test(name);
}

export function parseComposerLock(text: string, file: string, ctx: EcosystemContext): EcoLockfile {
  const doc = parseJSON(text, file);
  if (!Array.isArray(doc.packages))
    throw invalidLockfile(file, 'no packages array (not a composer.lock?)');
  const sections = [
    { list: records(doc.packages, file, 'packages'), dev: false, where: 'packages' },
    { list: records(doc['packages-dev'], file, 'packages-dev'), dev: true, where: 'packages-dev' },
  ];
  const ids = new Map<string, string>();
  for (const { list, where } of sections) {
    list.forEach((p, index) => {
      const name = requireString(p.name, file, `${where}[${index}].name`).toLowerCase();
      ids.set(name, `${name}@${requireString(p.version, file, `${where}[${index}].version`)}`);
    });
  }
  const packages: EcoPackage[] = [];
  for (const { list, dev, where } of sections) {
    list.forEach((p, index) => {
      const name = requireString(p.name, file, `${where}[${index}].name`).toLowerCase();
      const version = requireString(p.version, file, `${where}[${index}].version`);
      const dist = isRecord(p.dist) ? p.dist : {};
      const source = isRecord(p.source) ? p.source : {};
      const shasum = str(dist.shasum);
      const licenses = Array.isArray(p.license)
        ? p.license.filter((l): l is string => typeof l === 'string')
        : [];
      const edges: InstanceEdge[] = [];
      if (isRecord(p.require)) {
        for (const dep of Object.keys(p.require)) {
          const to = ids.get(dep.toLowerCase());
          if (!isPlatform(dep) && to !== undefined) edges.push(edge(to));
        }
      }
      const properties: [string, string][] = [];
      if (str(source.reference) !== undefined)
        properties.push(['custody:package:revision', str(source.reference)!]);
      const { namespace, name: short } = splitLast(name);
      const distType = str(dist.type);
      packages.push({
        id: ids.get(name)!,
        name,
        version,
        purl: purl('composer', namespace, short, version),
        source: distType === 'path' ? 'file' : 'registry',
        resolved: str(dist.url),
        integrity: shasum === undefined ? undefined : hexToSRI('sha1', shasum),
        license:
          licenses.length === 0
            ? undefined
            : licenses.length === 1
              ? licenses[0]
              : licenses.join(' OR '),
        dev,
        properties,
        edges,
      });
    });
  }
  // composer.json (beside the lock) names the root and its direct requirements.
  let rootName = ctx.projectName;
  const rootEdges: InstanceEdge[] = [];
  const manifest = ctx.siblings.get('composer.json');
  if (manifest !== undefined) {
    try {
      const json = parseJSON(manifest, 'composer.json');
      rootName = str(json.name) ?? rootName;
      for (const [key, kind] of [
        ['require', 'prod'],
        ['require-dev', 'dev'],
      ] as const) {
        if (!isRecord(json[key])) continue;
        for (const dep of Object.keys(json[key])) {
          const to = ids.get(dep.toLowerCase());
          if (to !== undefined) rootEdges.push(edge(to, kind));
        }
      }
    } catch {
      rootEdges.length = 0;
    }
  }
  const { namespace, name } = splitLast(rootName);
  return {
    format: 'composer',
    lockfileVersion: str(doc['plugin-api-version']) ?? '',
    root: rootName.includes('/')
      ? { name: rootName, version: undefined, purl: purl('composer', namespace, name, undefined) }
      : genericRoot(rootName),
    rootEdges,
    packages,
    flagsFromLockfile: true,
  };
}
