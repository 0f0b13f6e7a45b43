// custody sbom: CycloneDX SBOMs from npm/pnpm/yarn lockfiles (no install, no network), file
// components for release artifacts, and `custody sbom validate FILE`. This is the adapter: it
// finds and reads the lockfile, workspace manifests and (optionally) node_modules package.json
// files, then hands text to the pure src/sbom pipeline.
import { glob, stat } from 'node:fs/promises';
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
  FileSubject,
  GenerateSpecVersion,
  GraphPackage,
  PackageEnrichment,
  PackageGraph,
  PackageManifest,
  SchemaError,
} from '../../sbom/index.js';
import type * as SbomModule from '../../sbom/index.js';
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

interface SbomOptions {
  platform?: string;
  plainHttp?: boolean;
  lockfile?: string;
  output?: string;
  specVersion: string;
  includeDev: boolean;
  gitlab: boolean;
  serialNumber?: string;
  files?: string[];
  validate: boolean;
  enrich: boolean;
}

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
    .option('--lockfile <file>', 'lockfile to read (default: detected in DIR)')
    .option('-o, --output <file>', 'write the SBOM here (atomically) instead of stdout')
    .option('--spec-version <version>', 'CycloneDX version: 1.5, 1.6 or 1.7', '1.6')
    .option('--include-dev', 'keep dev dependencies (as scope "optional")', false)
    .option('--gitlab', 'add the metadata properties GitLab dependency scanning needs', false)
    .option('--serial-number <urn>', 'use this urn:uuid instead of the content-derived one')
    .option(
      '--files <paths...>',
      'describe these release artifacts as file components (SHA-256/512)'
    )
    .option('--no-validate', 'skip CycloneDX schema validation of the result')
    .option('--no-enrich', 'do not read licences/authors from node_modules/*/package.json')
    .addHelpText(
      'after',
      '\nExamples:\n  custody sbom -o sbom.cdx.json\n  custody sbom packages/app --include-dev --spec-version 1.7\n  custody sbom --files dist/app.tar.gz dist/app.zip -o release.cdx.json\n  custody sbom validate sbom.cdx.json\nSOURCE_DATE_EPOCH sets metadata.timestamp; the same inputs give byte-identical output.'
    )
    .action(
      commandAction<[string, SbomOptions]>(ctx, (dir, options, command) =>
        runSbom(ctx, dir, options, command)
      )
    );
  sbom
    .command('validate')
    .description('validate a CycloneDX JSON document (1.2-1.7) against the bundled schemas')
    .argument('<file>', 'CycloneDX JSON file')
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
  const serialNumber =
    options.serialNumber === undefined ? undefined : sbom.checkSerialNumber(options.serialNumber);
  const timestamp = resolveBuildTime(ctx.env.SOURCE_DATE_EPOCH, ctx.now());
  const dirGiven = command.args.length > 0;
  const projectDir = path.resolve(ctx.cwd, dirArgument);

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
    lockfile = await findLockfile(projectDir);
    if (lockfile === undefined) {
      throw new CustodyError(
        'SBOM_LOCKFILE_NOT_FOUND',
        `no ${sbom.LOCKFILE_NAMES.join(', ')} in ${dirArgument}`,
        { hint: 'run custody sbom in the project directory or pass --lockfile FILE' }
      );
    }
  }

  const files = options.files === undefined ? [] : await hashFiles(ctx, options.files);
  let graph: PackageGraph;
  let lockfilePath: string | undefined;
  if (lockfile !== undefined) {
    const root = path.dirname(lockfile);
    const text = await readTextLimited(lockfile, {
      maxBytes: sbom.LOCKFILE_SIZE_LIMIT,
      what: 'lockfile',
    });
    const relative = posix(path.relative(ctx.cwd, lockfile));
    lockfilePath =
      relative.startsWith('..') || path.isAbsolute(relative) ? path.basename(lockfile) : relative;
    const prepared = sbom.prepareLockfile(text, lockfilePath);
    const rootManifest = await readManifest(path.join(root, 'package.json'));
    const workspaceDirs =
      prepared.format === 'yarn-classic'
        ? await expandWorkspaceGlobs(root, rootManifest?.workspaces ?? [])
        : prepared.workspaceDirs;
    const manifests = await readWorkspaceManifests(root, workspaceDirs);
    if (rootManifest !== undefined) manifests.set('', rootManifest);
    graph = sbom.buildGraph(prepared.build(manifests));
    const enrichment = options.enrich
      ? await readEnrichment(root, graph, options.includeDev)
      : new Map<string, PackageEnrichment>();
    return finish(ctx, graph, {
      specVersion,
      serialNumber,
      timestamp,
      files,
      lockfilePath,
      enrichment,
      options,
    });
  }
  const rootManifest = await readManifest(path.join(projectDir, 'package.json'));
  graph = sbom.emptyGraph({
    name: rootManifest?.name ?? path.basename(projectDir),
    version: rootManifest?.version,
    license: rootManifest?.license,
  });
  return finish(ctx, graph, {
    specVersion,
    serialNumber,
    timestamp,
    files,
    lockfilePath,
    enrichment: new Map(),
    options,
  });
}

async function finish(
  ctx: CliContext,
  graph: PackageGraph,
  run: {
    specVersion: GenerateSpecVersion;
    serialNumber: string | undefined;
    timestamp: Date;
    files: FileSubject[];
    lockfilePath: string | undefined;
    enrichment: ReadonlyMap<string, PackageEnrichment>;
    options: SbomOptions;
  }
): Promise<CommandOutput> {
  const { options } = run;
  const sbom = await loadSbom();
  const result = await sbom.generateSbomFromGraph(graph, {
    specVersion: run.specVersion,
    includeDev: options.includeDev,
    timestamp: run.timestamp,
    lockfilePath: run.lockfilePath,
    serialNumber: run.serialNumber,
    gitlab: options.gitlab,
    enrichment: run.enrichment,
    files: run.files,
    validate: options.validate,
  });
  const summary = {
    lockfile: run.lockfilePath ?? null,
    format: run.lockfilePath === undefined ? null : graph.format,
    specVersion: result.specVersion,
    components: result.componentCount,
    files: run.files.length,
    serialNumber: result.serialNumber,
    validated: options.validate,
  };
  if (options.output !== undefined) {
    const target = path.resolve(ctx.cwd, options.output);
    await writeFileAtomic(target, result.json);
    return {
      text: `wrote ${options.output}: CycloneDX ${result.specVersion}, ${result.componentCount} components${run.files.length > 0 ? `, ${run.files.length} files` : ''}${options.validate ? ', schema-valid' : ''}`,
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
  const result = await sbom.validateBom(document, { source: file });
  if (result.valid) {
    return {
      text: `${file}: valid CycloneDX ${result.specVersion}`,
      json: { file, valid: true, specVersion: result.specVersion, errors: [] },
    };
  }
  return {
    text: `${file}: NOT valid CycloneDX ${result.specVersion} (${result.errors.length} error${result.errors.length === 1 ? '' : 's'})\n${formatErrors(result.errors)}`,
    json: { file, valid: false, specVersion: result.specVersion, errors: result.errors },
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
