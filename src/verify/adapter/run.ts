// Adapter: one call from file paths and flags to a verification report — resolves the policy
// and the trusted root, reads the release, verifies bundles (in parallel) and runs the engine.
import path from 'node:path';
import { isSpdxDocument, validateBom, validateSpdx } from '../../sbom/index.js';
import { parseChecksums } from '../../digest/index.js';
import { readJSONFile, readTextLimited } from '../../io/fs.js';
import {
  applyPolicyFlags,
  flagOnlyPolicy,
  parsePolicy,
  type Policy,
  type PolicyFlags,
  type PolicySource,
} from '../../policy/index.js';
import { embeddedTrustedRoot, loadTrustedRoot, type TrustContext } from '../../sign/index.js';
import { canonicalJSON } from '../../util/canonical-json.js';
import { createHash } from 'node:crypto';
import { verifyRelease } from '../engine.js';
import type { ChecksumLine, VerificationReport, VerifyDeps } from '../types.js';
import { createBundleVerifier, type BundleVerifierStats } from './pool.js';
import { readRelease, type ReadRelease } from './release.js';

export const POLICY_FILE_LIMIT = 1024 * 1024;

export interface RunVerificationOptions {
  cwd: string;
  targets: string[];
  policyFile?: string;
  policyFlags: PolicyFlags;
  trustedRoot?: string;
  staging?: boolean;
  checksums?: string;
  bundles?: string[];
  agentCommits?: string;
  /** Output files to leave out of the artifact set (the report, the VSA). */
  exclude?: string[];
  workers?: number;
  /** The clock freshness and certificate validity are judged by. */
  now: Date;
  /** The time written into the report (SOURCE_DATE_EPOCH); default `now`. */
  reportTime?: Date;
}

export interface RunVerificationResult {
  report: VerificationReport;
  release: ReadRelease;
  policy: Policy;
  policySource: PolicySource;
  trust: TrustContext;
  notes: string[];
  stats: BundleVerifierStats;
}

export async function loadPolicy(
  cwd: string,
  policyFile: string | undefined,
  flags: PolicyFlags
): Promise<{ policy: Policy; source: PolicySource }> {
  if (policyFile !== undefined) {
    const file = path.resolve(cwd, policyFile);
    const text = await readTextLimited(file, { maxBytes: POLICY_FILE_LIMIT, what: 'policy file' });
    const loaded = parsePolicy(text, path.relative(cwd, file) || file);
    return { policy: applyPolicyFlags(loaded.policy, flags), source: loaded.source };
  }
  const policy = applyPolicyFlags(flagOnlyPolicy(), flags);
  const digest = createHash('sha256').update(canonicalJSON(policy)).digest('hex');
  return { policy, source: { uri: 'custody:command-line-flags', digest: { sha256: digest } } };
}

export async function runVerification(
  options: RunVerificationOptions
): Promise<RunVerificationResult> {
  const { policy, source } = await loadPolicy(options.cwd, options.policyFile, options.policyFlags);
  const notes: string[] = [];
  let trust: TrustContext;
  if (options.trustedRoot !== undefined) {
    trust = loadTrustedRoot(
      await readJSONFile(path.resolve(options.cwd, options.trustedRoot), {
        what: 'trusted root',
        maxBytes: 16 * 1024 * 1024,
      })
    );
  } else {
    trust = embeddedTrustedRoot(options.staging === true ? 'staging' : 'public-good');
  }
  const policyName =
    options.policyFile === undefined ? undefined : path.basename(options.policyFile);
  const release = await readRelease({
    cwd: options.cwd,
    targets: options.targets,
    ...(options.checksums === undefined ? {} : { checksums: options.checksums }),
    checksumsName: policy.checksums.file,
    bundles: options.bundles ?? [],
    ...(options.agentCommits === undefined ? {} : { agentCommits: options.agentCommits }),
    exclude: [...(options.exclude ?? []), ...(policyName === undefined ? [] : [policyName])],
  });
  if (release.trustedRootInRelease !== undefined && options.trustedRoot === undefined) {
    notes.push(
      `the release ships trusted_root.json; it is not trusted automatically (pass --trusted-root ${path.relative(options.cwd, release.trustedRootInRelease)} if you trust it)`
    );
  }
  const verifier = createBundleVerifier({
    trust,
    ...(options.workers === undefined ? {} : { workers: options.workers }),
  });
  const deps: VerifyDeps = {
    verifyBundles: (requests) => verifier.verifyBundles(requests),
    parseChecksums: (text: string): ChecksumLine[] =>
      parseChecksums(text, { source: release.inputs.checksums?.file ?? 'checksums' }).map((e) => ({
        name: e.path,
        algorithm: e.algorithm,
        hex: e.hex,
        line: e.line,
      })),
    validateSbom: async (bom: unknown) => {
      // SPDX predicates (https://spdx.dev/Document) are validated as SPDX 2.3, others as CycloneDX.
      const result = isSpdxDocument(bom)
        ? await validateSpdx(bom, { source: 'attested SBOM' })
        : await validateBom(bom, { source: 'attested SBOM', firstErrorOnly: true });
      return {
        valid: result.valid,
        specVersion: result.specVersion,
        errors: result.errors.map((e) => `${e.pointer || '/'} ${e.message}`),
      };
    },
  };
  const report = await verifyRelease(release.inputs, policy, deps, options.now, {
    policySource: source,
    ...(options.reportTime === undefined ? {} : { reportTime: options.reportTime }),
    trustedRoot:
      options.trustedRoot === undefined
        ? `embedded:${trust.name}`
        : path.basename(options.trustedRoot),
  });
  return { report, release, policy, policySource: source, trust, notes, stats: verifier.stats };
}
