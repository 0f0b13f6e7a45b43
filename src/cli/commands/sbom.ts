// custody sbom: CycloneDX SBOMs from npm/pnpm/yarn lockfiles (no install, no network), file
// components for release artifacts, and `custody sbom validate FILE`. This is the adapter: it
// finds and reads the lockfile, workspace manifests and (optionally) node_modules package.json
// files, then hands text to the pure src/sbom pipeline.
import { glob, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { digestFilesSettled, readError } from '../../digest/files.js';
import { expandPaths } from '../../digest/walk.js';
import { CustodyError } from '../../errors.js';
import {
  parseJSONText,
  pathExists,
  readFileLimited,
  readTextLimited,
  resolveInside,
  writeFileAtomic,
} from '../../io/fs.js';
import type {
  DevScope,
  FileSubject,
  GenerateSpecVersion,
  GraphPackage,
  PackageEnrichment,
  PackageGraph,
  PackageManifest,
  SchemaError,
} from '../../sbom/index.js';
import type * as SbomModule from '../../sbom/index.js';
import type * as DiscoverModule from '../../sbom/adapter/discover.js';
import type { DiscoveredLockfile } from '../../sbom/adapter/discover.js';
import { resolveBuildTime } from '../../util/time.js';
import { commandAction } from '../action.js';
import type { CliContext, CommandOutput, CommandRegistrar } from '../context.js';
import { SAMPLE_PACKAGE_JSON, SAMPLE_PACKAGE_LOCK } from '../demo/sample-project.js';
import type { DemoStep } from '../demo/state.js';

type Sbom = typeof SbomModule;

/**
 * The sbom domain (CycloneDX library, YAML parser, ajv) is loaded when an sbom command runs, so
 * the rest of the CLI does not pay for it at start-up.
 */
const loadSbom = (): Promise<Sbom> => import('../../sbom/index.js');
/** Lockfile discovery and the other ecosystems' readers, loaded with the sbom domain. */
const loadDiscover = (): Promise<typeof DiscoverModule> => import('../../sbom/adapter/discover.js');

interface SbomOptions {
  platform?: string;
  plainHttp?: boolean;
  lockfile?: string;
  output?: string;
  specVersion: string;
  includeDev: boolean;
  devScope: string;
  gitlab: boolean;
  serialNumber?: string;
  files?: string[];
  validate: boolean;
  enrich: boolean;
  omit?: string[];
  split: boolean;
  format: string;
}

type SbomFormat = 'cyclonedx-json' | 'spdx-json';

/** package.json files are small; anything bigger is not a manifest worth reading. */
const MANIFEST_LIMIT = 4 * 1024 * 1024;
/** CycloneDX documents to validate (syft/cdxgen output of big images can be large). */
const VALIDATE_LIMIT = 256 * 1024 * 1024;

export const registerSbom: CommandRegistrar = (program, ctx) => {
  const sbom = program
    .command('sbom')
    .description(
      'write a CycloneDX SBOM from package-lock.json, npm-shrinkwrap.json, pnpm-lock.yaml or yarn.lock (no install, no network); validate CycloneDX JSON'
    )
    .argument(
      '[dir]',
      'project directory holding the lockfile, or an image (HOST/REPO:TAG, OCI layout, tarball)',
      '.'
    )
    .option(
      '--platform <os/arch>',
      'images: the platform of a multi-platform index (default linux/amd64)'
    )
    .option('--plain-http', 'images: allow plain HTTP to a registry that is not on loopback')
    .option(
      '--lockfile <file>',
      'lockfile to read (default: every lockfile in DIR); a Go executable gives the modules linked into it'
    )
    .option('-o, --output <file>', 'write the SBOM here (atomically) instead of stdout')
    .option('--spec-version <version>', 'CycloneDX version: 1.5, 1.6 or 1.7', '1.6')
    .option('--include-dev', 'keep dev dependencies (as scope "optional")', false)
    .option(
      '--dev-scope <scope>',
      'scope of dev dependencies with --include-dev: optional or excluded',
      'optional'
    )
    .option('--gitlab', 'add the metadata properties GitLab dependency scanning needs', false)
    .option('--serial-number <urn>', 'use this urn:uuid instead of the content-derived one')
    .option(
      '--files <paths...>',
      'describe these release artifacts as file components (SHA-256/512)'
    )
    .option('--no-validate', 'skip CycloneDX schema validation of the result')
    .option('--no-enrich', 'do not read licences/authors from node_modules/*/package.json')
    .option(
      '--omit <type...>',
      'leave out dependencies of this type: dev (Python, Go, Rust, Ruby, PHP, Java and .NET lockfiles include dev dependencies, marked, unless --omit dev)'
    )
    .option(
      '--split',
      'with several lockfiles in DIR: one SBOM per lockfile, written into the --output directory',
      false
    )
    .option('--format <format>', 'cyclonedx-json or spdx-json (SPDX 2.3)', 'cyclonedx-json')
    .addHelpText(
      'after',
      '\nExamples:\n  custody sbom -o sbom.cdx.json\n  custody sbom . --format spdx-json -o sbom.spdx.json\n  custody sbom monorepo --split -o sboms/\n  custody sbom packages/app --include-dev --spec-version 1.7\n  custody sbom --files dist/app.tar.gz dist/app.zip -o release.cdx.json\n  custody sbom validate sbom.cdx.json\nSOURCE_DATE_EPOCH sets metadata.timestamp; the same inputs give byte-identical output.'
    )
    .action(
      commandAction<[string, SbomOptions]>(ctx, (dir, options, command) =>
        runSbom(ctx, dir, options, command)
      )
    );
  sbom
    .command('validate')
    .description(
      'validate a CycloneDX JSON (1.2-1.7) or SPDX 2.3 JSON document against the bundled schemas'
    )
    .argument('<file>', 'CycloneDX or SPDX JSON file')
    .action(commandAction<[string]>(ctx, (file) => runValidate(ctx, file)));
};

function posix(p: string): string {
  return p.split(path.sep).join('/');
}

async function findLockfile(dir: string): Promise<string | undefined> {
  const sbom = await loadSbom();
  for (const name of sbom.LOCKFILE_NAMES) {
    const candidate = path.join(dir, name);
    if (await pathExists(candidate)) return candidate;
  }
  return undefined;
}

async function readManifest(file: string): Promise<PackageManifest | undefined> {
  const sbom = await loadSbom();
  if (!(await pathExists(file))) return undefined;
  const text = await readTextLimited(file, { maxBytes: MANIFEST_LIMIT, what: 'package.json' });
  // Some package.json files start with a UTF-8 byte order mark; JSON.parse refuses it.
  return sbom.toManifest(parseJSONText(text.replace(/^\uFEFF/, ''), file));
}

/** Directories named by yarn classic `workspaces` globs (yarn.lock does not list workspaces). */
async function expandWorkspaceGlobs(root: string, patterns: readonly string[]): Promise<string[]> {
  const dirs = new Set<string>();
  for (const pattern of patterns) {
    const clean = pattern.replace(/\/+$/, '');
    if (clean.startsWith('/') || clean.split('/').includes('..')) continue;
    for await (const match of glob(`${clean}/package.json`, {
      cwd: root,
      exclude: (name) => name === 'node_modules',
    })) {
      dirs.add(posix(path.dirname(match)));
    }
  }
  return [...dirs].sort();
}

async function readWorkspaceManifests(
  root: string,
  dirs: readonly string[]
): Promise<Map<string, PackageManifest>> {
  const out = new Map<string, PackageManifest>();
  const results = await Promise.all(
    dirs.map(async (dir) => {
      // Lockfile content is untrusted: never read outside the project.
      const safe = await resolveInside(root, dir).catch(() => undefined);
      if (safe === undefined) return undefined;
      const manifest = await readManifest(path.join(safe, 'package.json'));
      return manifest === undefined ? undefined : ([dir, manifest] as const);
    })
  );
  for (const entry of results) if (entry !== undefined) out.set(entry[0], entry[1]);
  return out;
}

/** Licences, authors and descriptions from installed packages whose version matches the lock. */
async function readEnrichment(
  root: string,
  graph: PackageGraph,
  includeDev: boolean
): Promise<Map<string, PackageEnrichment>> {
  const out = new Map<string, PackageEnrichment>();
  if (!(await pathExists(path.join(root, 'node_modules')))) return out;
  const wanted: GraphPackage[] = [];
  for (const pkg of graph.packages.values()) {
    if ((includeDev || !pkg.dev) && pkg.source !== 'workspace') wanted.push(pkg);
  }
  const read = async (pkg: GraphPackage): Promise<void> => {
    const dirs = pkg.installPaths.length > 0 ? pkg.installPaths : [`node_modules/${pkg.name}`];
    for (const dir of dirs) {
      const safe = await resolveInside(root, dir).catch(() => undefined);
      if (safe === undefined) continue;
      const manifest = await readManifest(path.join(safe, 'package.json')).catch(() => undefined);
      if (manifest === undefined || manifest.version !== pkg.version) continue;
      out.set(pkg.key, {
        license: manifest.license,
        author: manifest.author,
        description: manifest.description,
      });
      return;
    }
  };
  // Bounded concurrency: thousands of small reads, without thousands of open files.
  for (let i = 0; i < wanted.length; i += 64) {
    await Promise.all(wanted.slice(i, i + 64).map(read));
  }
  return out;
}

async function hashFiles(ctx: CliContext, inputs: readonly string[]): Promise<FileSubject[]> {
  const expanded = await expandPaths(inputs, ctx.cwd);
  for (const skip of expanded.skipped) {
    if (skip.reason !== 'excluded')
      ctx.io.stderr(`custody: skipped ${skip.path}: ${skip.reason}\n`);
  }
  const jobs = expanded.files.flatMap((file) => [
    { path: file.absolute, algorithm: 'sha256' as const },
    { path: file.absolute, algorithm: 'sha512' as const },
  ]);
  const digests = await digestFilesSettled(jobs);
  const subjects: FileSubject[] = expanded.files.map((file, index) => {
    const sha256 = digests[2 * index];
    const sha512 = digests[2 * index + 1];
    if (sha256?.ok !== true)
      throw readError(file.display, sha256?.ok === false ? sha256.errno : 'EIO');
    if (sha512?.ok !== true)
      throw readError(file.display, sha512?.ok === false ? sha512.errno : 'EIO');
    return { name: posix(file.display), sha256: sha256.hex, sha512: sha512.hex };
  });
  return subjects.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function parseSpecVersion(sbom: Sbom, value: string): GenerateSpecVersion {
  if (!(sbom.GENERATE_SPEC_VERSIONS as readonly string[]).includes(value)) {
    throw new CustodyError(
      'SBOM_SPEC_UNSUPPORTED',
      `--spec-version ${JSON.stringify(value)} is not supported; use ${sbom.GENERATE_SPEC_VERSIONS.join(', ')}`
    );
  }
  return value as GenerateSpecVersion;
}

function parseFormat(value: string): SbomFormat {
  if (value !== 'cyclonedx-json' && value !== 'spdx-json') {
    throw new CustodyError(
      'USAGE_INVALID',
      `--format ${JSON.stringify(value)} is not supported; use cyclonedx-json or spdx-json`
    );
  }
  return value;
}

function parseOmit(values: readonly string[] | undefined): { dev: boolean } {
  for (const value of values ?? []) {
    if (value !== 'dev') {
      throw new CustodyError(
        'USAGE_INVALID',
        `--omit ${JSON.stringify(value)} is not supported; the type that can be omitted is dev`
      );
    }
  }
  return { dev: (values ?? []).includes('dev') };
}

/** The lockfile path recorded in the SBOM: relative to the working directory, or its base name. */
function displayPath(ctx: CliContext, lockfile: string): string {
  const relative = posix(path.relative(ctx.cwd, lockfile));
  return relative.startsWith('..') || path.isAbsolute(relative)
    ? path.basename(lockfile)
    : relative;
}

/** A JavaScript lockfile with its workspace manifests (and node_modules enrichment) → graph. */
async function readJavaScriptGraph(
  lockfile: string,
  lockfilePath: string,
  options: SbomOptions
): Promise<{ graph: PackageGraph; enrichment: Map<string, PackageEnrichment> }> {
  const sbom = await loadSbom();
  const root = path.dirname(lockfile);
  const text = await readTextLimited(lockfile, {
    maxBytes: sbom.LOCKFILE_SIZE_LIMIT,
    what: 'lockfile',
  });
  const prepared = sbom.prepareLockfile(text, lockfilePath);
  const rootManifest = await readManifest(path.join(root, 'package.json'));
  const workspaceDirs =
    prepared.format === 'yarn-classic'
      ? await expandWorkspaceGlobs(root, rootManifest?.workspaces ?? [])
      : prepared.workspaceDirs;
  const manifests = await readWorkspaceManifests(root, workspaceDirs);
  if (rootManifest !== undefined) manifests.set('', rootManifest);
  const graph = sbom.buildGraph(prepared.build(manifests));
  const enrichment = options.enrich
    ? await readEnrichment(root, graph, options.includeDev)
    : new Map<string, PackageEnrichment>();
  return { graph, enrichment };
}

/** The graph without its dev-only packages (edges to them are dropped by the SBOM builders). */
function withoutDev(graph: PackageGraph): PackageGraph {
  const packages = new Map([...graph.packages].filter(([, pkg]) => !pkg.dev));
  return { ...graph, packages };
}

async function runSbom(
  ctx: CliContext,
  dirArgument: string,
  options: SbomOptions,
  command: Command
): Promise<CommandOutput> {
  const { isImageArgument } = await import('../../oci/adapter/argument.js');
  if (await isImageArgument(dirArgument, ctx.cwd)) {
    const { runImageSbom } = await import('./sbom-image.js');
    return runImageSbom(ctx, dirArgument, options);
  }
  const sbom = await loadSbom();
  const specVersion = parseSpecVersion(sbom, options.specVersion);
  const format = parseFormat(options.format);
  const omit = parseOmit(options.omit);
  const serialNumber =
    options.serialNumber === undefined ? undefined : sbom.checkSerialNumber(options.serialNumber);
  const timestamp = resolveBuildTime(ctx.env.SOURCE_DATE_EPOCH, ctx.now());
  const dirGiven = command.args.length > 0;
  const projectDir = path.resolve(ctx.cwd, dirArgument);
  const run = { specVersion, serialNumber, timestamp, format, options };

  let lockfile: string | undefined;
  if (options.lockfile !== undefined) {
    lockfile = path.resolve(ctx.cwd, options.lockfile);
  } else if (options.files === undefined || dirGiven) {
    const info = await stat(projectDir).catch(() => undefined);
    if (info === undefined) {
      throw new CustodyError('INPUT_NOT_FOUND', `directory ${dirArgument} does not exist`);
    }
    if (!info.isDirectory()) {
      throw new CustodyError('INPUT_UNREADABLE', `${dirArgument} is not a directory`, {
        hint: 'pass a project directory, or the lockfile with --lockfile',
      });
    }
    const discovered = await (await loadDiscover()).discoverLockfiles(projectDir);
    if (discovered.length > 1 || (options.split && discovered.length > 0)) {
      const files = options.files === undefined ? [] : await hashFiles(ctx, options.files);
      return runProject(ctx, projectDir, discovered, { ...run, files, omitDev: omit.dev });
    }
    lockfile = discovered[0]?.absolute ?? (await findLockfile(projectDir));
    if (lockfile === undefined) {
      throw new CustodyError(
        'SBOM_LOCKFILE_NOT_FOUND',
        `no supported lockfile in ${dirArgument} (${sbom.LOCKFILE_NAMES.join(', ')}, uv.lock, poetry.lock, Pipfile.lock, pylock.toml, requirements*.txt, go.mod, Cargo.lock, Gemfile.lock, composer.lock, gradle.lockfile, dependency-tree.txt, packages.lock.json)`,
        { hint: 'run custody sbom in the project directory or pass --lockfile FILE' }
      );
    }
  }
  if (options.split) {
    throw new CustodyError('USAGE_INVALID', '--split needs a project directory, not --lockfile');
  }

  const files = options.files === undefined ? [] : await hashFiles(ctx, options.files);
  if (lockfile !== undefined) {
    const lockfilePath = displayPath(ctx, lockfile);
    if (await (await loadDiscover()).isEcosystemInput(lockfile)) {
      const graph = await (await loadDiscover()).readEcosystemGraph(lockfile, lockfilePath);
      // Other ecosystems: dev dependencies are in the SBOM (marked) unless --omit dev.
      return finish(ctx, omit.dev ? withoutDev(graph) : graph, {
        ...run,
        files,
        lockfilePath,
        enrichment: new Map(),
        includeDev: true,
      });
    }
    const { graph, enrichment } = await readJavaScriptGraph(lockfile, lockfilePath, options);
    return finish(ctx, graph, {
      ...run,
      files,
      lockfilePath,
      enrichment,
      includeDev: options.includeDev && !omit.dev,
    });
  }
  const rootManifest = await readManifest(path.join(projectDir, 'package.json'));
  const graph = sbom.emptyGraph({
    name: rootManifest?.name ?? path.basename(projectDir),
    version: rootManifest?.version,
    license: rootManifest?.license,
  });
  return finish(ctx, graph, {
    ...run,
    files,
    lockfilePath: undefined,
    enrichment: new Map(),
    includeDev: options.includeDev,
  });
}

/**
 * A project with several lockfiles: one SBOM with the directory as root and each lockfile's root
 * as a part (or, with --split, one SBOM per lockfile in the --output directory).
 */
async function runProject(
  ctx: CliContext,
  projectDir: string,
  discovered: readonly DiscoveredLockfile[],
  run: RunSettings & { files: FileSubject[]; omitDev: boolean }
): Promise<CommandOutput> {
  const sbom = await loadSbom();
  const { options } = run;
  const parts: {
    lockfilePath: string;
    graph: PackageGraph;
    enrichment: Map<string, PackageEnrichment>;
  }[] = [];
  for (const found of discovered) {
    // Relative to the project directory: the same project gives the same SBOM from any cwd.
    const lockfilePath = found.relative;
    if (found.javascript) {
      const { graph, enrichment } = await readJavaScriptGraph(
        found.absolute,
        lockfilePath,
        options
      );
      const keepDev = options.includeDev && !run.omitDev;
      parts.push({ lockfilePath, graph: keepDev ? graph : withoutDev(graph), enrichment });
    } else {
      const graph = await (await loadDiscover()).readEcosystemGraph(found.absolute, lockfilePath);
      parts.push({
        lockfilePath,
        graph: run.omitDev ? withoutDev(graph) : graph,
        enrichment: new Map(),
      });
    }
  }
  if (options.split) {
    if (options.output === undefined) {
      throw new CustodyError(
        'USAGE_INVALID',
        '--split writes one file per lockfile: pass --output DIR'
      );
    }
    const outDir = path.resolve(ctx.cwd, options.output);
    await mkdir(outDir, { recursive: true });
    const written: Record<string, unknown>[] = [];
    for (const part of parts) {
      const name = `${part.lockfilePath.replace(/[/\\]/g, '__')}${run.format === 'spdx-json' ? '.spdx.json' : '.cdx.json'}`;
      const result = await render(part.graph, {
        ...run,
        lockfilePath: part.lockfilePath,
        enrichment: part.enrichment,
        includeDev: true,
      });
      const target = path.join(outDir, name);
      await writeFileAtomic(target, result.json);
      written.push({
        lockfile: part.lockfilePath,
        format: part.graph.format,
        output: target,
        components: result.componentCount,
      });
    }
    return {
      text: written
        .map(
          (w) =>
            `wrote ${String(w.output)}: ${String(w.components)} components from ${String(w.lockfile)}`
        )
        .join('\n'),
      json: { split: true, sboms: written },
    };
  }
  const merged = sbom.mergeGraphs(path.basename(projectDir), parts);
  const enrichment = new Map<string, PackageEnrichment>();
  for (const part of parts) for (const [key, value] of part.enrichment) enrichment.set(key, value);
  return finish(ctx, merged, {
    ...run,
    lockfilePath: undefined,
    lockfiles: parts.map((p) => p.lockfilePath),
    enrichment,
    includeDev: true,
  });
}

interface RunSettings {
  specVersion: GenerateSpecVersion;
  serialNumber: string | undefined;
  timestamp: Date;
  format: SbomFormat;
  options: SbomOptions;
}

interface RenderSettings extends RunSettings {
  files: FileSubject[];
  lockfilePath: string | undefined;
  enrichment: ReadonlyMap<string, PackageEnrichment>;
  includeDev: boolean;
}

/** The SBOM document in the requested format, validated unless --no-validate. */
async function render(
  graph: PackageGraph,
  run: RenderSettings
): Promise<{
  json: string;
  document: Record<string, unknown>;
  componentCount: number;
  label: string;
  serialNumber: string | null;
}> {
  const sbom = await loadSbom();
  const { options } = run;
  if (run.format === 'spdx-json') {
    const document = sbom.buildSpdx(graph, {
      timestamp: run.timestamp,
      includeDev: run.includeDev,
      files: run.files,
      lockfilePath: run.lockfilePath,
    });
    if (options.validate) await sbom.assertValidSpdx(document, 'generated SBOM');
    let componentCount = 0;
    for (const pkg of graph.packages.values()) if (run.includeDev || !pkg.dev) componentCount++;
    return {
      json: sbom.serializeSpdx(document),
      document,
      componentCount,
      label: sbom.SPDX_VERSION,
      serialNumber: null,
    };
  }
  if (!(sbom.DEV_SCOPES as readonly string[]).includes(options.devScope)) {
    throw new CustodyError(
      'USAGE_INVALID',
      `--dev-scope ${JSON.stringify(options.devScope)} is not one of ${sbom.DEV_SCOPES.join(', ')}`
    );
  }
  const result = await sbom.generateSbomFromGraph(graph, {
    specVersion: run.specVersion,
    includeDev: run.includeDev,
    devScope: options.devScope as DevScope,
    timestamp: run.timestamp,
    lockfilePath: run.lockfilePath,
    serialNumber: run.serialNumber,
    gitlab: options.gitlab,
    enrichment: run.enrichment,
    files: run.files,
    validate: options.validate,
  });
  return {
    json: result.json,
    document: result.document,
    componentCount: result.componentCount,
    label: `CycloneDX ${result.specVersion}`,
    serialNumber: result.serialNumber,
  };
}

async function finish(
  ctx: CliContext,
  graph: PackageGraph,
  run: RenderSettings & { lockfiles?: string[] }
): Promise<CommandOutput> {
  const { options } = run;
  const result = await render(graph, run);
  const summary = {
    lockfile: run.lockfilePath ?? null,
    ...(run.lockfiles === undefined ? {} : { lockfiles: run.lockfiles }),
    format: run.lockfilePath === undefined && run.lockfiles === undefined ? null : graph.format,
    sbomFormat: run.format,
    specVersion: run.format === 'spdx-json' ? result.label : run.specVersion,
    components: result.componentCount,
    files: run.files.length,
    serialNumber: result.serialNumber,
    validated: options.validate,
  };
  if (options.output !== undefined) {
    const target = path.resolve(ctx.cwd, options.output);
    await writeFileAtomic(target, result.json);
    return {
      text: `wrote ${options.output}: ${result.label}, ${result.componentCount} components${run.files.length > 0 ? `, ${run.files.length} files` : ''}${options.validate ? ', schema-valid' : ''}`,
      json: { ...summary, output: target },
    };
  }
  return { text: result.json, json: { ...summary, output: null, sbom: result.document } };
}

function formatErrors(errors: readonly SchemaError[]): string {
  return errors.map((e) => `  ${e.pointer === '' ? '/' : e.pointer}: ${e.message}`).join('\n');
}

async function runValidate(ctx: CliContext, file: string): Promise<CommandOutput> {
  const sbom = await loadSbom();
  const absolute = path.resolve(ctx.cwd, file);
  const bytes = await readFileLimited(absolute, { maxBytes: VALIDATE_LIMIT, what: 'SBOM' });
  const document = parseJSONText(bytes.toString('utf8'), file);
  const spdx = sbom.isSpdxDocument(document);
  const result = spdx
    ? await sbom.validateSpdx(document, { source: file })
    : await sbom.validateBom(document, { source: file });
  const label = spdx ? result.specVersion : `CycloneDX ${result.specVersion}`;
  const kind = spdx ? 'spdx' : 'cyclonedx';
  if (result.valid) {
    return {
      text: `${file}: valid ${label}`,
      json: { file, valid: true, format: kind, specVersion: result.specVersion, errors: [] },
    };
  }
  return {
    text: `${file}: NOT valid ${label} (${result.errors.length} error${result.errors.length === 1 ? '' : 's'})\n${formatErrors(result.errors)}`,
    json: {
      file,
      valid: false,
      format: kind,
      specVersion: result.specVersion,
      errors: result.errors,
    },
    exitCode: 1,
  };
}

/**
 * Demo step: the SBOM of the embedded sample project, with the release artifacts as file
 * components, written as hello.cdx.json and validated (fact: 'sbom', its absolute path).
 */
export const sbomDemoStep: DemoStep = {
  name: 'sbom',
  async run(state) {
    const sbom = await loadSbom();
    const manifests = new Map([['', sbom.toManifest(JSON.parse(SAMPLE_PACKAGE_JSON))]]);
    const graph = sbom.buildGraph(
      sbom.prepareLockfile(SAMPLE_PACKAGE_LOCK, 'package-lock.json').build(manifests)
    );
    const jobs = state.artifacts.flatMap((name) => [
      { path: path.join(state.outDir, name), algorithm: 'sha256' as const },
      { path: path.join(state.outDir, name), algorithm: 'sha512' as const },
    ]);
    const digests = await digestFilesSettled(jobs);
    const files: FileSubject[] = state.artifacts.map((name, index) => {
      const sha256 = digests[2 * index];
      const sha512 = digests[2 * index + 1];
      if (sha256?.ok !== true || sha512?.ok !== true) throw readError(name, 'EIO');
      return { name, sha256: sha256.hex, sha512: sha512.hex };
    });
    const result = await sbom.generateSbomFromGraph(graph, {
      timestamp: resolveBuildTime(state.ctx.env.SOURCE_DATE_EPOCH, state.ctx.now()),
      lockfilePath: 'package-lock.json',
      files,
    });
    const target = path.join(state.outDir, 'hello.cdx.json');
    await writeFileAtomic(target, result.json);
    const written = parseJSONText(
      (await readFileLimited(target, { maxBytes: VALIDATE_LIMIT })).toString('utf8'),
      target
    );
    const check = await sbom.validateBom(written, { source: 'hello.cdx.json' });
    if (!check.valid) {
      throw new CustodyError('SBOM_SCHEMA_INVALID', `demo SBOM is not valid CycloneDX`, {
        details: { errors: check.errors },
      });
    }
    state.log(
      `wrote hello.cdx.json (CycloneDX ${check.specVersion}, ${result.componentCount} packages, ${files.length} files) and validated it`
    );
    state.facts.set('sbom', target);
  },
};
