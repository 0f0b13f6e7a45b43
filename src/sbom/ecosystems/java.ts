// Java: gradle.lockfile (Gradle dependency locking: "group:artifact:version=conf1,conf2") and the
// output of `mvn dependency:tree` committed beside a pom (the only offline record of what Maven
// resolved: versions often come from imported BOMs the poms alone do not resolve).
import { invalidLockfile } from '../graph.js';
import type { InstanceEdge } from '../graph.js';
import type { EcoLockfile, EcoPackage, EcosystemContext } from './common.js';
import { edge, genericRoot, purl } from './common.js';

/** Configurations whose artifacts ship or compile the product; everything else is tooling/tests. */
const GRADLE_PRODUCTION = new Set([
  'compileClasspath',
  'runtimeClasspath',
  'compile',
  'runtime',
  'default',
]);

function isGradleProduction(configuration: string): boolean {
  return (
    GRADLE_PRODUCTION.has(configuration) ||
    /^(main)?(Runtime|Compile)Classpath$/.test(configuration)
  );
}

export function parseGradleLockfile(
  text: string,
  file: string,
  ctx: EcosystemContext
): EcoLockfile {
  const packages: EcoPackage[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    const coordinate = eq < 0 ? line : line.slice(0, eq);
    if (coordinate === 'empty') return;
    const parts = coordinate.split(':');
    if (parts.length !== 3 || parts.some((p) => p === '')) {
      throw invalidLockfile(
        file,
        `line ${index + 1}: ${JSON.stringify(line.slice(0, 80))} is not group:artifact:version=configurations`
      );
    }
    const [group, artifact, version] = parts as [string, string, string];
    const configurations =
      eq < 0
        ? []
        : line
            .slice(eq + 1)
            .split(',')
            .filter((c) => c !== '')
            .sort();
    const dev = !configurations.some(isGradleProduction);
    const id = coordinate;
    packages.push({
      id,
      name: `${group}:${artifact}`,
      version,
      purl: purl('maven', group, artifact, version),
      dev,
      properties: [['custody:gradle:configurations', configurations.join(',')]],
    });
  });
  return {
    format: 'gradle',
    lockfileVersion: '1',
    root: genericRoot(ctx.projectName),
    // A flat list (every configuration's resolution, direct or not): no edges are recorded.
    rootEdges: [],
    packages,
    flagsFromLockfile: true,
  };
}

interface TreeNode {
  group: string;
  artifact: string;
  type: string;
  classifier: string | undefined;
  version: string;
  scope: string | undefined;
}

/** group:artifact:type[:classifier]:version[:scope] as dependency:tree prints it. */
function coordinate(text: string): TreeNode | undefined {
  const parts = text.split(':');
  if (parts.length === 4)
    return {
      group: parts[0]!,
      artifact: parts[1]!,
      type: parts[2]!,
      classifier: undefined,
      version: parts[3]!,
      scope: undefined,
    };
  if (parts.length === 5)
    return {
      group: parts[0]!,
      artifact: parts[1]!,
      type: parts[2]!,
      classifier: undefined,
      version: parts[3]!,
      scope: parts[4],
    };
  if (parts.length === 6)
    return {
      group: parts[0]!,
      artifact: parts[1]!,
      type: parts[2]!,
      classifier: parts[3],
      version: parts[4]!,
      scope: parts[5],
    };
  return undefined;
}

function mavenPurl(node: TreeNode): string {
  const qualifiers: Record<string, string> = {};
  if (node.type !== 'jar') qualifiers.type = node.type;
  if (node.classifier !== undefined) qualifiers.classifier = node.classifier;
  return purl('maven', node.group, node.artifact, node.version, qualifiers);
}

/**
 * `mvn dependency:tree` text ([INFO]-prefixed or plain, -Dverbose or not). The first coordinate is
 * the module (the root); each deeper line is a dependency of the line above it at one level less.
 * Entries in parentheses were omitted by Maven's mediation (duplicate or conflict) and are not
 * resolved: a duplicate becomes an edge to the kept one, a conflict is dropped. Scope test is
 * dev; provided and system are optional (not shipped).
 */
export function parseMavenTree(text: string, file: string): EcoLockfile {
  const packages = new Map<string, EcoPackage & { edges: InstanceEdge[] }>();
  const byGA = new Map<string, string>();
  const omittedDuplicates: { parent: string | undefined; ga: string }[] = [];
  const stack: (string | undefined)[] = [];
  let root: TreeNode | undefined;
  const rootEdges: InstanceEdge[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/^\[(INFO|WARNING)\]\s?/, '');
    if (root === undefined) {
      const candidate = /^([\w.-]+:[\w.-]+:[\w.-]+(?::[\w.-]+){1,3})\s*$/.exec(line.trim());
      if (candidate !== null && !line.startsWith(' ') && coordinate(candidate[1]!) !== undefined) {
        root = coordinate(candidate[1]!);
        continue;
      }
      continue;
    }
    const match = /^((?:[|\s]\s\s)*)[+\\]- (.*)$/.exec(line);
    if (match === null) {
      if (line.trim() === '' || line.startsWith('-') || /^[A-Z]/.test(line.trim())) {
        if (packages.size > 0 || rootEdges.length > 0) break;
      }
      continue;
    }
    const depth = match[1]!.length / 3;
    let body = match[2]!.trim();
    const omitted = body.startsWith('(');
    if (omitted) body = body.replace(/^\(/, '').replace(/\)$/, '');
    const [coord, ...notes] = body.split(/\s+-\s+|\s+\(/);
    const node = coordinate(coord!.trim());
    if (node === undefined)
      throw invalidLockfile(file, `not a Maven coordinate: ${JSON.stringify(coord)}`);
    const parent = depth === 0 ? undefined : stack[depth - 1];
    stack.length = depth;
    const ga = `${node.group}:${node.artifact}${node.classifier === undefined ? '' : `:${node.classifier}`}`;
    if (omitted) {
      if (notes.join(' ').includes('omitted for duplicate')) omittedDuplicates.push({ parent, ga });
      stack[depth] = undefined;
      continue;
    }
    const id = mavenPurl(node);
    const scope = node.scope ?? 'compile';
    if (!packages.has(id)) {
      packages.set(id, {
        id,
        name: `${node.group}:${node.artifact}`,
        version: node.version,
        purl: id,
        dev: scope === 'test',
        optional: scope === 'provided' || scope === 'system',
        properties: [['custody:maven:scope', scope]],
        edges: [],
      });
      byGA.set(ga, id);
    }
    stack[depth] = id;
    const target = parent === undefined ? rootEdges : packages.get(parent)?.edges;
    target?.push(edge(id, scope === 'test' ? 'dev' : scope === 'provided' ? 'optional' : 'prod'));
  }
  if (root === undefined)
    throw invalidLockfile(file, 'no module coordinate (not mvn dependency:tree output?)');
  for (const { parent, ga } of omittedDuplicates) {
    const to = byGA.get(ga);
    if (to === undefined) continue;
    const target = parent === undefined ? rootEdges : packages.get(parent)?.edges;
    if (target !== undefined && !target.some((e) => e.to === to)) target.push(edge(to));
  }
  return {
    format: 'maven',
    lockfileVersion: 'dependency:tree',
    root: { name: `${root.group}:${root.artifact}`, version: root.version, purl: mavenPurl(root) },
    rootEdges,
    packages: [...packages.values()],
    flagsFromLockfile: true,
  };
}
