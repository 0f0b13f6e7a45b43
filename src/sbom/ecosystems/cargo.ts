// Cargo.lock: every [[package]] is resolved. Packages without `source` are workspace members
// (or path dependencies): the root package of Cargo.toml is the root, other members are its
// parts (a virtual workspace's root is the directory). Dependencies are "name", "name version"
// or "name version (source)". Cargo.lock does not say which dependencies are dev ones.
import { invalidLockfile, isRecord } from '../graph.js';
import type { InstanceEdge } from '../graph.js';
import type { EcoLockfile, EcoPackage, EcosystemContext } from './common.js';
import {
  edge,
  genericRoot,
  hexToSRI,
  parseTOML,
  purl,
  records,
  requireString,
  str,
} from './common.js';

export function parseCargoLock(text: string, file: string, ctx: EcosystemContext): EcoLockfile {
  const doc = parseTOML(text, file);
  const entries = records(doc.package, file, 'package');
  const metadata = isRecord(doc.metadata) ? doc.metadata : {};
  const idOf = (name: string, version: string, source: string | undefined): string =>
    `${name}@${version}${source === undefined ? '' : ` (${source})`}`;
  const byName = new Map<string, { id: string; version: string; source: string | undefined }[]>();
  for (const [index, entry] of entries.entries()) {
    const name = requireString(entry.name, file, `package[${index}].name`);
    const version = requireString(entry.version, file, `package[${index}].version`);
    const source = str(entry.source);
    const list = byName.get(name) ?? [];
    list.push({ id: idOf(name, version, source), version, source });
    byName.set(name, list);
  }
  const resolve = (spec: string, where: string): string => {
    const match = /^(\S+)(?: (\S+))?(?: \((.+)\))?$/.exec(spec.trim());
    const candidates = match === null ? [] : (byName.get(match[1]!) ?? []);
    const found = candidates.filter(
      (c) =>
        (match?.[2] === undefined || c.version === match[2]) &&
        (match?.[3] === undefined || c.source === match[3])
    );
    if (found.length !== 1) {
      throw invalidLockfile(
        file,
        `${where}: dependency ${JSON.stringify(spec)} is ${found.length === 0 ? 'not in the lockfile' : 'ambiguous'}`
      );
    }
    return found[0]!.id;
  };

  let rootName: string | undefined;
  const manifest = ctx.siblings.get('Cargo.toml');
  if (manifest !== undefined) {
    try {
      const toml = parseTOML(manifest, 'Cargo.toml');
      if (isRecord(toml.package)) rootName = str(toml.package.name);
    } catch {
      rootName = undefined;
    }
  }

  const packages: EcoPackage[] = [];
  let root: { name: string; version: string } | undefined;
  const rootEdges: InstanceEdge[] = [];
  const members: string[] = [];
  entries.forEach((entry, index) => {
    const where = `package[${index}]`;
    const name = requireString(entry.name, file, `${where}.name`);
    const version = requireString(entry.version, file, `${where}.version`);
    const source = str(entry.source);
    const id = idOf(name, version, source);
    const edges: InstanceEdge[] = [];
    if (entry.dependencies !== undefined) {
      if (!Array.isArray(entry.dependencies))
        throw invalidLockfile(file, `${where}.dependencies must be an array`);
      for (const dep of entry.dependencies) {
        if (typeof dep !== 'string')
          throw invalidLockfile(file, `${where}.dependencies must hold strings`);
        edges.push(edge(resolve(dep, where)));
      }
    }
    if (source === undefined && name === rootName && root === undefined) {
      root = { name, version };
      rootEdges.push(...edges);
      return;
    }
    const checksum =
      str(entry.checksum) ??
      (isRecord(metadata) ? str(metadata[`checksum ${name} ${version} (${source})`]) : undefined);
    // "git+https://host/repo?rev=x#<commit>" → purl-spec vcs_url "git+https://host/repo@<commit>".
    const git =
      source?.startsWith('git+') === true
        ? `${source.replace(/[?#].*$/, '')}${source.includes('#') ? `@${source.slice(source.indexOf('#') + 1)}` : ''}`
        : undefined;
    const registry =
      source?.startsWith('registry+') === true || source?.startsWith('sparse+') === true;
    const properties: [string, string][] = [];
    if (
      source !== undefined &&
      registry &&
      !source.includes('github.com/rust-lang/crates.io-index') &&
      !source.includes('index.crates.io')
    ) {
      properties.push(['custody:cargo:registry', source]);
    }
    if (source === undefined) members.push(id);
    packages.push({
      id,
      name,
      version,
      purl: purl(
        'cargo',
        undefined,
        name,
        version,
        git === undefined ? undefined : { vcs_url: git }
      ),
      source: source === undefined ? 'workspace' : git !== undefined ? 'git' : 'registry',
      resolved: git?.slice(4),
      workspacePath: undefined,
      integrity: checksum === undefined ? undefined : hexToSRI('sha256', checksum),
      properties,
      edges,
    });
  });
  // A virtual workspace: the directory is the root, every member a part of it.
  if (root === undefined) for (const id of members) rootEdges.push(edge(id, 'workspace'));
  else
    for (const id of members)
      if (!rootEdges.some((e) => e.to === id)) rootEdges.push(edge(id, 'workspace'));
  const version = typeof doc.version === 'number' ? String(doc.version) : '1';
  return {
    format: 'cargo',
    lockfileVersion: version,
    root:
      root === undefined
        ? genericRoot(ctx.projectName)
        : {
            name: root.name,
            version: root.version,
            purl: purl('cargo', undefined, root.name, root.version),
          },
    rootEdges,
    packages,
    flagsFromLockfile: true,
  };
}
