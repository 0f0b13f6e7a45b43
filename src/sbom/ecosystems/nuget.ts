// NuGet packages.lock.json (version 1/2): per target framework (and runtime identifier) a map of
// package → {type Direct|Transitive|Project|CentralTransitive, resolved, contentHash (SHA-512,
// base64), dependencies name → range}. The union over targets; Project entries are other
// projects of the solution (workspace parts, no version of their own).
import { invalidLockfile, isRecord } from '../graph.js';
import type { InstanceEdge } from '../graph.js';
import type { EcoLockfile, EcoPackage, EcosystemContext } from './common.js';
import { edge, genericRoot, parseJSON, purl, str } from './common.js';

export function parseNugetLock(text: string, file: string, ctx: EcosystemContext): EcoLockfile {
  const doc = parseJSON(text, file);
  if (typeof doc.version !== 'number' || !isRecord(doc.dependencies)) {
    throw invalidLockfile(file, 'no version or dependencies (not a packages.lock.json?)');
  }
  const packages = new Map<string, EcoPackage & { edges: InstanceEdge[]; targets: Set<string> }>();
  const rootEdges = new Map<string, InstanceEdge>();
  const targets = Object.keys(doc.dependencies).sort();
  // Pass 1: ids per target by (lower-case) name, as NuGet resolves names case-insensitively.
  const idIn = new Map<string, Map<string, string>>();
  for (const target of targets) {
    const entries = doc.dependencies[target];
    if (!isRecord(entries)) throw invalidLockfile(file, `dependencies.${target} must be an object`);
    const ids = new Map<string, string>();
    for (const [name, value] of Object.entries(entries)) {
      if (!isRecord(value))
        throw invalidLockfile(file, `dependencies.${target}.${name} must be an object`);
      const type = str(value.type);
      const version = str(value.resolved);
      if (type !== 'Project' && version === undefined) {
        throw invalidLockfile(file, `dependencies.${target}.${name} has no resolved version`);
      }
      ids.set(
        name.toLowerCase(),
        type === 'Project' ? `project:${name}` : `${name.toLowerCase()}@${version}`
      );
    }
    idIn.set(target, ids);
  }
  for (const target of targets) {
    const entries = doc.dependencies[target] as Record<string, Record<string, unknown>>;
    const ids = idIn.get(target)!;
    for (const [name, value] of Object.entries(entries)) {
      const id = ids.get(name.toLowerCase())!;
      const type = str(value.type);
      const version = str(value.resolved);
      const existing = packages.get(id);
      const edges: InstanceEdge[] = [];
      if (isRecord(value.dependencies)) {
        for (const dep of Object.keys(value.dependencies)) {
          const to = ids.get(dep.toLowerCase());
          if (to !== undefined) edges.push(edge(to));
        }
      }
      if (type === 'Direct' || type === 'Project')
        rootEdges.set(id, edge(id, type === 'Project' ? 'workspace' : 'prod'));
      if (existing !== undefined) {
        for (const e of edges)
          if (!existing.edges.some((x) => x.to === e.to)) existing.edges.push(e);
        existing.targets.add(target);
        continue;
      }
      const hash = str(value.contentHash);
      packages.set(id, {
        id,
        name,
        version,
        purl: purl('nuget', undefined, name, version),
        source: type === 'Project' ? 'workspace' : 'registry',
        workspacePath: type === 'Project' ? name : undefined,
        integrity: hash === undefined ? undefined : `sha512-${hash}`,
        properties: [],
        edges,
        targets: new Set([target]),
      });
    }
  }
  return {
    format: 'nuget',
    lockfileVersion: String(doc.version),
    root: genericRoot(ctx.projectName),
    rootEdges: [...rootEdges.values()],
    packages: [...packages.values()].map(({ targets: t, ...pkg }) => ({
      ...pkg,
      properties: [['custody:nuget:targets', [...t].sort().join(',')]],
    })),
    flagsFromLockfile: true,
  };
}
