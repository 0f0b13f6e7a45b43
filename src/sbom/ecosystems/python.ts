// Python lockfiles: uv.lock, poetry.lock, Pipfile.lock, pylock.toml (PEP 751) and pip
// requirements files with pinned versions (pip-compile --generate-hashes). Names are PEP 503
// normalised in purls and merge keys (`Jaraco.Classes` and `jaraco_classes` are one package).
import { invalidLockfile, isRecord } from '../graph.js';
import type { InstanceEdge } from '../graph.js';
import type { EcoLockfile, EcoPackage, EcosystemContext } from './common.js';
import {
  edge,
  genericRoot,
  parseJSON,
  parseTOML,
  pep503,
  prefixedHexToSRI,
  purl,
  records,
  requireString,
  str,
} from './common.js';

function pypiPurl(name: string, version: string | undefined): string {
  return purl('pypi', undefined, pep503(name), version);
}

/** The hash a component carries: the sdist's when the lockfile names one, else the first file's. */
function pickHash(files: readonly { name: string | undefined; hash: string | undefined }[]): {
  integrity: string | undefined;
  file: string | undefined;
} {
  const sdist = files.find((f) => f.name !== undefined && /\.(tar\.gz|zip|tar\.bz2)$/.test(f.name));
  const chosen = sdist ?? files.find((f) => f.hash !== undefined);
  if (chosen?.hash === undefined) return { integrity: undefined, file: undefined };
  return { integrity: prefixedHexToSRI(chosen.hash), file: chosen.name };
}

function fileName(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  return url
    .replace(/[?#].*$/, '')
    .split('/')
    .pop();
}

/** name/version of pyproject.toml ([project] or [tool.poetry]), when there is one. */
function pyprojectRoot(
  ctx: EcosystemContext
): { name: string; version: string | undefined; deps: string[] } | undefined {
  const text = ctx.siblings.get('pyproject.toml');
  if (text === undefined) return undefined;
  let doc: Record<string, unknown>;
  try {
    doc = parseTOML(text, 'pyproject.toml');
  } catch {
    return undefined;
  }
  const project = isRecord(doc.project) ? doc.project : undefined;
  const tool = isRecord(doc.tool) && isRecord(doc.tool.poetry) ? doc.tool.poetry : undefined;
  const name = str(project?.name) ?? str(tool?.name);
  if (name === undefined) return undefined;
  const deps: string[] = [];
  if (Array.isArray(project?.dependencies)) {
    for (const spec of project.dependencies) {
      const match = typeof spec === 'string' ? /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(spec) : null;
      if (match !== null) deps.push(pep503(match[1]!));
    }
  }
  if (isRecord(tool?.dependencies)) {
    for (const dep of Object.keys(tool.dependencies)) if (dep !== 'python') deps.push(pep503(dep));
  }
  return { name, version: str(project?.version) ?? str(tool?.version), deps };
}

function pythonRoot(ctx: EcosystemContext): ReturnType<typeof pyprojectRoot> & object {
  const fromPyproject = pyprojectRoot(ctx);
  if (fromPyproject !== undefined) return fromPyproject;
  return { name: ctx.projectName, version: undefined, deps: [] };
}

// ---------------------------------------------------------------- uv.lock

/**
 * uv.lock records the whole graph: each [[package]]'s dependencies (by name, plus version and
 * source when the name is ambiguous), optional-dependencies (extras) and dev-dependencies
 * (groups). The project itself (source editable/virtual ".") is the root; other workspace
 * members are parts of it. dev/optional are derived from the root's edges.
 */
export function parseUvLock(text: string, file: string, ctx: EcosystemContext): EcoLockfile {
  const doc = parseTOML(text, file);
  const version = doc.version;
  if (typeof version !== 'number')
    throw invalidLockfile(file, 'no top-level version (not a uv.lock?)');
  const entries = records(doc.package, file, 'package');
  const byName = new Map<
    string,
    { id: string; version: string | undefined; entry: Record<string, unknown> }[]
  >();
  const idOf = (entry: Record<string, unknown>, index: number): string => {
    const name = pep503(requireString(entry.name, file, `package[${index}].name`));
    return `${name}@${str(entry.version) ?? ''}#${JSON.stringify(entry.source ?? null)}`;
  };
  entries.forEach((entry, index) => {
    const name = pep503(requireString(entry.name, file, `package[${index}].name`));
    const list = byName.get(name) ?? [];
    list.push({ id: idOf(entry, index), version: str(entry.version), entry });
    byName.set(name, list);
  });
  const resolve = (dep: Record<string, unknown>, where: string): string => {
    const name = pep503(requireString(dep.name, file, `${where}.name`));
    const candidates = byName.get(name) ?? [];
    const wanted = str(dep.version);
    const matches = candidates.filter(
      (c) =>
        (wanted === undefined || c.version === wanted) &&
        (dep.source === undefined || JSON.stringify(c.entry.source) === JSON.stringify(dep.source))
    );
    if (matches.length !== 1) {
      throw invalidLockfile(
        file,
        `${where}: dependency ${name}${wanted === undefined ? '' : `@${wanted}`} is ${matches.length === 0 ? 'not in the lockfile' : 'ambiguous'}`
      );
    }
    return matches[0]!.id;
  };
  const edgesOf = (entry: Record<string, unknown>, where: string): InstanceEdge[] => {
    const out: InstanceEdge[] = [];
    for (const dep of records(entry.dependencies, file, `${where}.dependencies`)) {
      out.push(edge(resolve(dep, where)));
    }
    const optional = isRecord(entry['optional-dependencies']) ? entry['optional-dependencies'] : {};
    for (const [extra, list] of Object.entries(optional)) {
      for (const dep of records(list, file, `${where}.optional-dependencies.${extra}`)) {
        out.push(edge(resolve(dep, where), 'optional'));
      }
    }
    const dev = isRecord(entry['dev-dependencies']) ? entry['dev-dependencies'] : {};
    for (const [group, list] of Object.entries(dev)) {
      for (const dep of records(list, file, `${where}.dev-dependencies.${group}`)) {
        out.push(edge(resolve(dep, where), 'dev'));
      }
    }
    return out;
  };

  const packages: EcoPackage[] = [];
  const rootEdges: InstanceEdge[] = [];
  let root: { name: string; version: string | undefined } | undefined;
  entries.forEach((entry, index) => {
    const where = `package[${index}]`;
    const name = requireString(entry.name, file, `${where}.name`);
    const pkgVersion = str(entry.version);
    const source = isRecord(entry.source) ? entry.source : {};
    const local = str(source.editable) ?? str(source.virtual);
    if (local === '.' && root === undefined) {
      root = { name, version: pkgVersion };
      rootEdges.push(...edgesOf(entry, where));
      return;
    }
    const sdist = isRecord(entry.sdist) ? entry.sdist : undefined;
    const wheels = records(entry.wheels, file, `${where}.wheels`);
    const files = [
      ...(sdist === undefined
        ? []
        : [{ name: fileName(str(sdist.url) ?? str(sdist.path)), hash: str(sdist.hash) }]),
      ...wheels.map((w) => ({ name: fileName(str(w.url) ?? str(w.path)), hash: str(w.hash) })),
    ];
    const { integrity, file: hashed } = pickHash(files);
    const properties: [string, string][] = [];
    if (hashed !== undefined) properties.push(['custody:hash:file', hashed]);
    const git = str(source.git);
    const path = local ?? str(source.path) ?? str(source.directory);
    const registry = str(source.registry);
    const url = str(source.url);
    if (path !== undefined) {
      rootEdges.push(edge(idOf(entry, index), 'workspace'));
    }
    packages.push({
      id: idOf(entry, index),
      name: pep503(name),
      version: pkgVersion,
      purl: pypiPurl(name, pkgVersion),
      source:
        git !== undefined
          ? 'git'
          : path !== undefined
            ? 'workspace'
            : url !== undefined
              ? 'tarball'
              : 'registry',
      resolved:
        git ?? url ?? (registry !== undefined && sdist !== undefined ? str(sdist.url) : undefined),
      workspacePath: path,
      integrity,
      properties,
      edges: edgesOf(entry, where),
    });
  });
  const pyproject = pyprojectRoot(ctx);
  const rootInfo = root ?? pyproject ?? { name: ctx.projectName, version: undefined };
  return {
    format: 'uv',
    lockfileVersion: `${version}${typeof doc.revision === 'number' ? `.${doc.revision}` : ''}`,
    root: {
      name: rootInfo.name,
      version: rootInfo.version,
      purl: pypiPurl(rootInfo.name, rootInfo.version),
    },
    rootEdges,
    packages,
    flagsFromLockfile: false,
  };
}

// ---------------------------------------------------------------- poetry.lock

/**
 * poetry.lock: every [[package]] with its groups (Poetry ≥ 1.5: `groups = ["main", "dev"]`;
 * older: `category = "main" | "dev"`). A package outside the main group is dev. Dependencies are
 * recorded by name ([package.dependencies]); names not in the lock (markers never true for any
 * locked environment) are left out.
 */
export function parsePoetryLock(text: string, file: string, ctx: EcosystemContext): EcoLockfile {
  const doc = parseTOML(text, file);
  const entries = records(doc.package, file, 'package');
  const metadata = isRecord(doc.metadata) ? doc.metadata : {};
  const ids = new Map<string, string>();
  for (const [index, entry] of entries.entries()) {
    const name = pep503(requireString(entry.name, file, `package[${index}].name`));
    ids.set(name, `${name}@${requireString(entry.version, file, `package[${index}].version`)}`);
  }
  const packages: EcoPackage[] = entries.map((entry, index) => {
    const name = requireString(entry.name, file, `package[${index}].name`);
    const version = requireString(entry.version, file, `package[${index}].version`);
    const groups = Array.isArray(entry.groups)
      ? entry.groups.filter((g): g is string => typeof g === 'string')
      : [str(entry.category) ?? 'main'];
    const files = records(entry.files, file, `package[${index}].files`).map((f) => ({
      name: str(f.file),
      hash: str(f.hash),
    }));
    const { integrity, file: hashed } = pickHash(files);
    const properties: [string, string][] = [
      ['custody:python:groups', [...groups].sort().join(',')],
    ];
    if (hashed !== undefined) properties.push(['custody:hash:file', hashed]);
    const source = isRecord(entry.source) ? entry.source : undefined;
    const sourceType = str(source?.type);
    const edges: InstanceEdge[] = [];
    if (isRecord(entry.dependencies)) {
      for (const dep of Object.keys(entry.dependencies)) {
        const to = ids.get(pep503(dep));
        if (to !== undefined) edges.push(edge(to));
      }
    }
    return {
      id: ids.get(pep503(name))!,
      name: pep503(name),
      version,
      purl: pypiPurl(name, version),
      source:
        sourceType === 'git'
          ? 'git'
          : sourceType === 'directory' || sourceType === 'file'
            ? 'file'
            : sourceType === 'url'
              ? 'tarball'
              : 'registry',
      resolved: str(source?.url),
      integrity,
      dev: !groups.includes('main'),
      optional: entry.optional === true,
      properties,
      edges,
    };
  });
  const root = pythonRoot(ctx);
  return {
    format: 'poetry',
    lockfileVersion: str(metadata['lock-version']) ?? '1.0',
    root: { name: root.name, version: root.version, purl: pypiPurl(root.name, root.version) },
    rootEdges: root.deps.flatMap((d) => (ids.has(d) ? [edge(ids.get(d)!)] : [])),
    packages,
    flagsFromLockfile: true,
  };
}

// ---------------------------------------------------------------- Pipfile.lock

/**
 * Pipfile.lock: flat `default` and `develop` maps (name → {version: "==x", hashes}). A name in both
 * at one version is one production package; at two versions (pipenv's own lock does this) two
 * packages, the develop one dev. No edges are recorded.
 */
export function parsePipfileLock(text: string, file: string, ctx: EcosystemContext): EcoLockfile {
  const doc = parseJSON(text, file);
  const meta = isRecord(doc._meta) ? doc._meta : undefined;
  if (meta === undefined) throw invalidLockfile(file, 'no _meta section (not a Pipfile.lock?)');
  const out = new Map<string, EcoPackage>();
  for (const section of ['default', 'develop'] as const) {
    const entries = doc[section];
    if (entries === undefined) continue;
    if (!isRecord(entries)) throw invalidLockfile(file, `${section} must be an object`);
    for (const [rawName, value] of Object.entries(entries)) {
      if (!isRecord(value)) throw invalidLockfile(file, `${section}.${rawName} must be an object`);
      const name = pep503(rawName);
      const pinned = str(value.version);
      const version = pinned?.replace(/^===?/, '');
      const id = `${name}@${version ?? ''}`;
      if (out.has(id)) continue;
      const hashes = Array.isArray(value.hashes)
        ? value.hashes.filter((h): h is string => typeof h === 'string')
        : [];
      const git = str(value.git);
      const path = str(value.path) ?? str(value.file);
      const properties: [string, string][] = [['custody:python:groups', section]];
      if (git !== undefined && str(value.ref) !== undefined)
        properties.push(['custody:package:revision', str(value.ref)!]);
      out.set(id, {
        id,
        name,
        version,
        purl: pypiPurl(name, version),
        source: git !== undefined ? 'git' : path !== undefined ? 'file' : 'registry',
        resolved: git ?? path,
        integrity: hashes.length > 0 ? prefixedHexToSRI(hashes[0]!) : undefined,
        dev: section === 'develop',
        properties,
      });
    }
  }
  const root = pythonRoot(ctx);
  return {
    format: 'pipenv',
    lockfileVersion: typeof meta['pipfile-spec'] === 'number' ? String(meta['pipfile-spec']) : '',
    root: { name: root.name, version: root.version, purl: pypiPurl(root.name, root.version) },
    rootEdges: [],
    packages: [...out.values()],
    flagsFromLockfile: true,
  };
}

// ---------------------------------------------------------------- pylock.toml

/**
 * pylock.toml (PEP 751): [[packages]] with name, version, sdist/wheels (hashes tables) and an
 * optional environment marker. A package whose marker only holds for a non-default dependency
 * group (`'dev' in dependency_groups`) is dev. No edges beyond the optional `dependencies` list.
 */
export function parsePylock(text: string, file: string, ctx: EcosystemContext): EcoLockfile {
  const doc = parseTOML(text, file);
  const lockVersion = requireString(doc['lock-version'], file, 'lock-version');
  if (!lockVersion.startsWith('1.')) {
    throw invalidLockfile(file, `lock-version ${lockVersion} is not supported (1.x is)`);
  }
  const defaults = Array.isArray(doc['default-groups'])
    ? (doc['default-groups'] as unknown[]).filter((g): g is string => typeof g === 'string')
    : [];
  const groups = Array.isArray(doc['dependency-groups'])
    ? (doc['dependency-groups'] as unknown[]).filter((g): g is string => typeof g === 'string')
    : [];
  const nonDefault = groups.filter((g) => !defaults.includes(g));
  const packages: EcoPackage[] = [];
  const seen = new Set<string>();
  records(doc.packages, file, 'packages').forEach((entry, index) => {
    const name = requireString(entry.name, file, `packages[${index}].name`);
    const version = str(entry.version);
    const id = `${pep503(name)}@${version ?? ''}`;
    if (seen.has(id)) return;
    seen.add(id);
    const marker = str(entry.marker);
    const inGroups = nonDefault.filter(
      (g) => marker?.includes(`'${g}' in dependency_groups`) === true
    );
    const dev = inGroups.length > 0 && !/\bor\b/.test(marker ?? '');
    const hashOf = (f: Record<string, unknown>): string | undefined => {
      const hashes = isRecord(f.hashes) ? f.hashes : {};
      const sha = str(hashes.sha256) ?? str(hashes.sha512);
      return sha === undefined
        ? undefined
        : `${hashes.sha256 !== undefined ? 'sha256' : 'sha512'}:${sha}`;
    };
    const sdist = isRecord(entry.sdist) ? entry.sdist : undefined;
    const files = [
      ...(sdist === undefined
        ? []
        : [{ name: str(sdist.name) ?? fileName(str(sdist.url)), hash: hashOf(sdist) }]),
      ...records(entry.wheels, file, `packages[${index}].wheels`).map((w) => ({
        name: str(w.name) ?? fileName(str(w.url)),
        hash: hashOf(w),
      })),
    ];
    const { integrity, file: hashed } = pickHash(files);
    const properties: [string, string][] = [];
    if (inGroups.length > 0) properties.push(['custody:python:groups', inGroups.join(',')]);
    if (hashed !== undefined) properties.push(['custody:hash:file', hashed]);
    const vcs = isRecord(entry.vcs) ? entry.vcs : undefined;
    const directory = isRecord(entry.directory) ? entry.directory : undefined;
    packages.push({
      id,
      name: pep503(name),
      version,
      purl: pypiPurl(name, version),
      source: vcs !== undefined ? 'git' : directory !== undefined ? 'file' : 'registry',
      resolved: str(vcs?.url) ?? str(directory?.path),
      integrity,
      dev,
      properties,
    });
  });
  const root = pythonRoot(ctx);
  return {
    format: 'pylock',
    lockfileVersion: lockVersion,
    root: { name: root.name, version: root.version, purl: pypiPurl(root.name, root.version) },
    rootEdges: [],
    packages,
    flagsFromLockfile: true,
  };
}

// ---------------------------------------------------------------- requirements*.txt

/**
 * pip requirements files: `name==version` pins (with `--hash=alg:hex` options, continued lines,
 * `# via` comments). Only exact pins are resolved; a line with a range, a URL or a VCS reference
 * is an error rather than a guess. `-r`/`-c` includes and other options are
 * ignored. A file named requirements-dev*.txt / dev-requirements*.txt marks its packages dev.
 */
export function parseRequirements(text: string, file: string, ctx: EcosystemContext): EcoLockfile {
  const base = file.split('/').pop() ?? file;
  const dev = /(^|[-_.])(dev|test|tests|docs|lint)([-_.]|$)/.test(
    base.replace(/\.txt$/, '').replace(/^requirements/, '')
  );
  const logical: { text: string; line: number }[] = [];
  let current = '';
  let start = 0;
  text.split(/\r?\n/).forEach((raw, index) => {
    const withoutComment = raw.replace(/(^|\s)#.*$/, '');
    if (current === '') start = index + 1;
    if (withoutComment.endsWith('\\')) {
      current += `${withoutComment.slice(0, -1)} `;
      return;
    }
    current += withoutComment;
    if (current.trim() !== '') logical.push({ text: current.trim(), line: start });
    current = '';
  });
  if (current.trim() !== '') logical.push({ text: current.trim(), line: start });
  const packages = new Map<string, EcoPackage>();
  for (const { text: line, line: number } of logical) {
    if (line.startsWith('-')) {
      continue;
    }
    const match =
      /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*===?\s*([^\s;]+)\s*(;[^-]*)?(.*)$/.exec(
        line
      );
    if (match === null) {
      throw invalidLockfile(
        file,
        `line ${number}: ${JSON.stringify(line.slice(0, 80))} is not an exact pin (name==version); only fully pinned requirements are a lockfile`
      );
    }
    const name = pep503(match[1]!);
    const version = match[3]!;
    const hashes = [...match[5]!.matchAll(/--hash[=\s]+([A-Za-z0-9]+:[0-9a-fA-F]+)/g)].map(
      (m) => m[1]!
    );
    const id = `${name}@${version}`;
    packages.set(id, {
      id,
      name,
      version,
      purl: pypiPurl(name, version),
      integrity: hashes.length > 0 ? prefixedHexToSRI(hashes[0]!) : undefined,
      dev,
      properties: hashes.length > 1 ? [['custody:hash:count', String(hashes.length)]] : [],
    });
  }
  const root = ctx.siblings.has('pyproject.toml') ? pythonRoot(ctx) : undefined;
  return {
    format: 'requirements',
    lockfileVersion: '',
    root:
      root === undefined
        ? genericRoot(ctx.projectName)
        : { name: root.name, version: root.version, purl: pypiPurl(root.name, root.version) },
    rootEdges: [],
    packages: [...packages.values()],
    flagsFromLockfile: true,
  };
}
