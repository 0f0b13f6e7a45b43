// Gemfile.lock (Bundler): GEM/PATH/GIT sections list the resolved specs, four-space indented
// "name (version[-platform])" with their dependencies six spaces in. A gem built for a platform
// (nokogiri 1.19.1-x86_64-linux-gnu) is its own artifact: one component each, the platform a purl
// qualifier, keeping only the variants for the lock's PLATFORMS. DEPENDENCIES are the root's; a
// name there that no spec resolves (tzinfo-data on Linux) is not a component. CHECKSUMS (Bundler
// 2.6+) gives SHA-256s.
import { invalidLockfile } from '../graph.js';
import type { InstanceEdge, PackageSource } from '../graph.js';
import type { EcoLockfile, EcoPackage, EcosystemContext } from './common.js';
import { edge, genericRoot, hexToSRI, purl } from './common.js';

interface Spec {
  name: string;
  version: string;
  platform: string | undefined;
  source: PackageSource;
  remote: string | undefined;
  revision: string | undefined;
  deps: string[];
}

/** Gem versions are digits and dots plus prerelease words; a "-" starts the platform. */
function splitPlatform(value: string): { version: string; platform: string | undefined } {
  const dash = value.indexOf('-');
  if (dash < 0) return { version: value, platform: undefined };
  return { version: value.slice(0, dash), platform: value.slice(dash + 1) };
}

/** x86_64-linux-gnu matches the lock platform x86_64-linux (Bundler's generic matching). */
function platformMatches(specPlatform: string, lockPlatforms: readonly string[]): boolean {
  return lockPlatforms.some(
    (p) =>
      p === specPlatform || specPlatform.startsWith(`${p}-`) || p.startsWith(`${specPlatform}-`)
  );
}

export function parseGemfileLock(text: string, file: string, ctx: EcosystemContext): EcoLockfile {
  const lines = text.split(/\r?\n/);
  const specs: Spec[] = [];
  const platforms: string[] = [];
  const dependencies: string[] = [];
  const checksums = new Map<string, string>();
  let bundler = '';
  let section = '';
  let remote: string | undefined;
  let revision: string | undefined;
  let current: Spec | undefined;
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') continue;
    if (/^[A-Z]/.test(line)) {
      section = line.trim();
      remote = undefined;
      revision = undefined;
      current = undefined;
      continue;
    }
    const sourceKind: PackageSource | undefined =
      section === 'GEM'
        ? 'registry'
        : section === 'PATH'
          ? 'workspace'
          : section === 'GIT'
            ? 'git'
            : undefined;
    if (sourceKind !== undefined) {
      const attr = /^ {2}(remote|revision|ref|branch|tag|glob|specs):\s*(.*)$/.exec(line);
      if (attr !== null) {
        if (attr[1] === 'remote') remote = attr[2];
        if (attr[1] === 'revision') revision = attr[2];
        continue;
      }
      const spec = /^ {4}(\S+) \(([^)]+)\)$/.exec(line);
      if (spec !== null) {
        const { version, platform } = splitPlatform(spec[2]!);
        current = {
          name: spec[1]!,
          version,
          platform,
          source: sourceKind,
          remote,
          revision,
          deps: [],
        };
        specs.push(current);
        continue;
      }
      const dep = /^ {6}(\S+)(?: \(.*\))?$/.exec(line);
      if (dep !== null && current !== undefined) {
        current.deps.push(dep[1]!);
        continue;
      }
      throw invalidLockfile(
        file,
        `line ${index + 1}: unexpected ${JSON.stringify(line.trim())} in ${section}`
      );
    }
    if (section === 'PLATFORMS') platforms.push(line.trim());
    else if (section === 'DEPENDENCIES') {
      const dep = /^ {2}([^\s!]+)!?/.exec(line);
      if (dep !== null) dependencies.push(dep[1]!);
    } else if (section === 'CHECKSUMS') {
      const sum = /^ {2}(\S+) \(([^)]+)\)(?: (.*))?$/.exec(line);
      if (sum?.[3] !== undefined) {
        for (const token of sum[3].split(',')) {
          const [alg, hex] = token.trim().split('=');
          if (alg === 'sha256' && hex !== undefined) checksums.set(`${sum[1]} (${sum[2]})`, hex);
        }
      }
    } else if (section === 'BUNDLED WITH') bundler = line.trim();
  }
  if (specs.length === 0 && !lines.some((l) => /^(GEM|PATH|GIT)$/.test(l))) {
    throw invalidLockfile(file, 'no GEM, PATH or GIT section (not a Gemfile.lock?)');
  }

  const kept = specs.filter(
    (s) =>
      s.platform === undefined || platforms.length === 0 || platformMatches(s.platform, platforms)
  );
  const idOf = (s: Spec): string =>
    `${s.name}@${s.version}${s.platform === undefined ? '' : `-${s.platform}`}`;
  const byName = new Map<string, string[]>();
  for (const s of kept) byName.set(s.name, [...(byName.get(s.name) ?? []), idOf(s)]);
  const edgesTo = (name: string): InstanceEdge[] => (byName.get(name) ?? []).map((id) => edge(id));
  const packages: EcoPackage[] = kept.map((s) => {
    const checksum = checksums.get(
      `${s.name} (${s.version}${s.platform === undefined ? '' : `-${s.platform}`})`
    );
    const qualifiers: Record<string, string> = {};
    if (s.platform !== undefined) qualifiers.platform = s.platform;
    const git = s.source === 'git' ? s.remote : undefined;
    if (git !== undefined)
      qualifiers.vcs_url = s.revision === undefined ? git : `${git}@${s.revision}`;
    const properties: [string, string][] = [];
    if (
      s.source === 'registry' &&
      s.remote !== undefined &&
      !/^https:\/\/rubygems\.org\/?$/.test(s.remote)
    ) {
      properties.push(['custody:gem:remote', s.remote]);
    }
    return {
      id: idOf(s),
      name: s.name,
      version: s.version,
      purl: purl('gem', undefined, s.name, s.version, qualifiers),
      source: s.source,
      resolved: s.source === 'workspace' ? s.remote : git,
      workspacePath: s.source === 'workspace' ? s.remote : undefined,
      integrity: checksum === undefined ? undefined : hexToSRI('sha256', checksum),
      properties,
      edges: s.deps.flatMap(edgesTo),
    };
  });
  return {
    format: 'bundler',
    lockfileVersion: bundler,
    root: genericRoot(ctx.projectName),
    rootEdges: dependencies.flatMap(edgesTo),
    packages,
    flagsFromLockfile: true,
  };
}
