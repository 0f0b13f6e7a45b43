// The pure pipeline: lockfile text (+ manifests) → package graph → CycloneDX → validated bytes.
import type { BomOptions, GenerateSpecVersion } from './bom.js';
import { DEFAULT_SPEC_VERSION, buildBom, normalizeBom, serializeBom } from './bom.js';
import type { PackageGraph } from './graph.js';
import { buildGraph } from './graph.js';
import type { LockfileInput } from './lockfile.js';
import { parseLockfile } from './lockfile.js';
import { assertValidBom } from './validate.js';

export interface GenerateSbomOptions extends Omit<BomOptions, 'lockfilePath'> {
  /** Lockfile path relative to the project root, as recorded in the SBOM. */
  readonly lockfilePath?: string;
  /** Validate the result against the CycloneDX schema (default true). */
  readonly validate?: boolean;
}

export interface GeneratedSbom {
  /** The SBOM file content (UTF-8 JSON, trailing newline). */
  readonly json: string;
  readonly document: Record<string, unknown>;
  readonly graph: PackageGraph;
  readonly specVersion: GenerateSpecVersion;
  /** Library components in the SBOM (files and the root not counted). */
  readonly componentCount: number;
  readonly serialNumber: string;
}

export function lockfileGraph(input: LockfileInput): PackageGraph {
  return buildGraph(parseLockfile(input));
}

export async function generateSbom(
  input: LockfileInput,
  options: GenerateSbomOptions
): Promise<GeneratedSbom> {
  const graph = lockfileGraph(input);
  return generateSbomFromGraph(graph, {
    ...options,
    lockfilePath: options.lockfilePath ?? input.fileName,
  });
}

export async function generateSbomFromGraph(
  graph: PackageGraph,
  options: GenerateSbomOptions
): Promise<GeneratedSbom> {
  const specVersion = options.specVersion ?? DEFAULT_SPEC_VERSION;
  const bom = buildBom(graph, { ...options, specVersion });
  const document = await normalizeBom(bom, specVersion, options.serialNumber);
  if (options.validate !== false) await assertValidBom(document, 'generated SBOM');
  let componentCount = 0;
  for (const pkg of graph.packages.values())
    if (options.includeDev === true || !pkg.dev) componentCount++;
  return {
    json: serializeBom(document),
    document,
    graph,
    specVersion,
    componentCount,
    serialNumber: document.serialNumber as string,
  };
}
