// Several lockfiles of one project (a monorepo mixing ecosystems) → one package graph: the
// project directory is the root, each lockfile's own root a part of it (a workspace component
// named by the lockfile), every package kept once by its key (a purl for non-npm packages).
import type { GraphPackage, PackageGraph, RootInfo } from '../graph.js';
import { genericRoot } from './common.js';

export interface LockfileGraph {
  /** Lockfile path relative to the project root, POSIX. */
  readonly lockfilePath: string;
  readonly graph: PackageGraph;
}

export function mergeGraphs(projectName: string, parts: readonly LockfileGraph[]): PackageGraph {
  const root: RootInfo = genericRoot(projectName);
  const packages = new Map<string, GraphPackage>();
  const rootDependencies = new Set<string>();
  const sorted = [...parts].sort((a, b) =>
    a.lockfilePath < b.lockfilePath ? -1 : a.lockfilePath > b.lockfilePath ? 1 : 0
  );
  for (const { lockfilePath, graph } of sorted) {
    const key = `lockfile:${lockfilePath}`;
    const dir = lockfilePath.includes('/')
      ? lockfilePath.slice(0, lockfilePath.lastIndexOf('/'))
      : '.';
    rootDependencies.add(key);
    packages.set(key, {
      key,
      name: graph.root.name,
      version: graph.root.version,
      source: 'workspace',
      resolved: undefined,
      integrity: new Map(),
      license: graph.root.license,
      workspacePath: dir,
      installPaths: [],
      dev: false,
      optional: false,
      bundled: false,
      patched: false,
      environment: false,
      patches: [],
      facts: {},
      purl: graph.root.purl,
      properties: [
        ['custody:lockfile', lockfilePath],
        ['custody:lockfile:format', graph.format],
      ],
      dependencies: new Set(graph.rootDependencies),
      prodDependencies: new Set(graph.rootProdDependencies),
    });
    for (const pkg of graph.packages.values()) {
      const known = packages.get(pkg.key);
      if (known === undefined) {
        packages.set(pkg.key, {
          ...pkg,
          dependencies: new Set(pkg.dependencies),
          prodDependencies: new Set(pkg.prodDependencies),
        });
        continue;
      }
      // The same package in two lockfiles: one component, production if either says so.
      const dev = known.dev && pkg.dev;
      const required = (!known.dev && !known.optional) || (!pkg.dev && !pkg.optional);
      packages.set(pkg.key, {
        ...known,
        dev,
        optional: !dev && !required,
        dependencies: new Set([...known.dependencies, ...pkg.dependencies]),
        prodDependencies: new Set([...known.prodDependencies, ...pkg.prodDependencies]),
      });
    }
  }
  return {
    format: 'multiple',
    lockfileVersion: String(parts.length),
    root,
    rootDependencies,
    // Every lockfile's root is a production part of the project.
    rootProdDependencies: new Set(rootDependencies),
    packages,
  };
}
