// Forges releases on the local Sigstore stack the way an attacker would: with other
// repositories, workflows, refs and issuers that the same Fulcio happily certifies. Each release
// is real (artifact, SHA256SUMS + signature, signed SLSA provenance); only who built it differs.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { InTotoStatement } from '../../src/attest/intoto.js';
import type { PolicyFlags } from '../../src/policy/index.js';
import { signArtifact, signStatement, type SignerConfig } from '../../src/sign/index.js';
import { SAMPLE_COMMIT_SHA } from '../../src/stack/claims.js';
import { startLocalSigstoreStack, type LocalSigstoreStack } from '../../src/stack/index.js';
import { canonicalJSON, prettyCanonicalJSON } from '../../src/util/canonical-json.js';
import { runVerification } from '../../src/verify/adapter/run.js';
import type { VerificationReport } from '../../src/verify/types.js';

export const ISSUER = 'https://token.actions.githubusercontent.com';
export const SHARED_WORKFLOW = 'custody-dev/custody/.github/workflows/release.yml';
export const COMMIT = SAMPLE_COMMIT_SHA;

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Who builds: the repository that runs the job and the workflow file (at a ref) that signs. */
export interface Builder {
  /** owner/repo whose job runs (Fulcio source repository). */
  repository: string;
  /** owner/repo/path@ref of the workflow that signs (job_workflow_ref: the SAN). */
  workflowRef: string;
  /** The ref the run was triggered for (default refs/tags/v1.0.0). */
  ref?: string;
}

export function githubClaims(builder: Builder): Record<string, string> {
  const ref = builder.ref ?? 'refs/tags/v1.0.0';
  const owner = builder.repository.split('/')[0] ?? '';
  return {
    sub: `repo:${builder.repository}:ref:${ref}`,
    ref,
    repository: builder.repository,
    repository_owner: owner,
    repository_id: String(100000 + owner.length),
    repository_owner_id: String(200000 + owner.length),
    workflow_ref: `${builder.repository}/.github/workflows/release.yml@${ref}`,
    job_workflow_ref: builder.workflowRef,
  };
}

export class Forge {
  private counter = 0;
  private constructor(
    readonly stack: LocalSigstoreStack,
    readonly root: string,
    readonly trustedRootFile: string
  ) {}

  static async start(): Promise<Forge> {
    const stack = await startLocalSigstoreStack();
    const root = await mkdtemp(path.join(os.tmpdir(), 'custody-adversarial-'));
    const trustedRootFile = path.join(root, 'trusted_root.json');
    await writeFile(trustedRootFile, prettyCanonicalJSON(stack.trustedRoot));
    return new Forge(stack, root, trustedRootFile);
  }

  async close(): Promise<void> {
    await this.stack.close();
    await rm(this.root, { recursive: true, force: true });
  }

  signer(builder: Builder | { gitlab: Record<string, string> }): SignerConfig {
    const token =
      'gitlab' in builder
        ? this.stack.issueToken('gitlab', builder.gitlab)
        : this.stack.issueToken('github', githubClaims(builder));
    return {
      identity: { kind: 'keyless', token },
      fulcioURL: this.stack.fulcioURL,
      rekorURL: this.stack.rekorURL,
      tsaURL: this.stack.tsaURL,
    };
  }

  provenance(
    builder: Builder,
    artifacts: Record<string, string>,
    options: { names?: Record<string, string> } = {}
  ): InTotoStatement {
    const repo = `https://github.com/${builder.repository}`;
    const ref = builder.ref ?? 'refs/tags/v1.0.0';
    return {
      _type: 'https://in-toto.io/Statement/v1',
      subject: Object.entries(artifacts).map(([name, content]) => ({
        name: options.names?.[name] ?? name,
        digest: { sha256: sha256(content) },
      })),
      predicateType: 'https://slsa.dev/provenance/v1',
      predicate: {
        buildDefinition: {
          buildType: 'https://actions.github.io/buildtypes/workflow/v1',
          externalParameters: {
            workflow: { ref, repository: repo, path: '.github/workflows/release.yml' },
          },
          internalParameters: {
            github: { event_name: 'push', runner_environment: 'github-hosted' },
          },
          resolvedDependencies: [{ uri: `git+${repo}@${ref}`, digest: { gitCommit: COMMIT } }],
        },
        runDetails: {
          builder: { id: `https://github.com/${builder.workflowRef}` },
          metadata: { invocationId: `${repo}/actions/runs/1/attempts/1` },
        },
      },
    };
  }

  /**
   * A release directory: the artifacts, SHA256SUMS and its signature (unless `checksums: false`),
   * provenance.intoto.jsonl signed by `builder`. `extra` files are written as they are.
   */
  async release(
    builder: Builder,
    artifacts: Record<string, string> = { 'app-linux-amd64': 'the real binary\n' },
    options: {
      checksums?: boolean;
      extra?: Record<string, string>;
      provenance?: InTotoStatement;
    } = {}
  ): Promise<string> {
    const dir = path.join(this.root, `release-${++this.counter}`);
    await mkdir(dir, { recursive: true });
    const config = this.signer(builder);
    for (const [name, content] of Object.entries(artifacts))
      await writeFile(path.join(dir, name), content);
    if (options.checksums !== false) {
      const sums = Object.entries(artifacts)
        .map(([name, content]) => `${sha256(content)}  ${name}\n`)
        .join('');
      await writeFile(path.join(dir, 'SHA256SUMS'), sums);
      await writeFile(
        path.join(dir, 'SHA256SUMS.sigstore.json'),
        prettyCanonicalJSON(await signArtifact(Buffer.from(sums), config))
      );
    }
    const statement = options.provenance ?? this.provenance(builder, artifacts);
    await writeFile(
      path.join(dir, 'provenance.intoto.jsonl'),
      `${canonicalJSON(await signStatement(statement, config))}\n`
    );
    for (const [name, content] of Object.entries(options.extra ?? {}))
      await writeFile(path.join(dir, name), content);
    return dir;
  }

  async signedLine(statement: InTotoStatement, builder: Builder): Promise<string> {
    return `${canonicalJSON(await signStatement(statement, this.signer(builder)))}\n`;
  }

  async verify(
    dir: string,
    policyFlags: PolicyFlags,
    extra: { policyFile?: string; now?: Date } = {}
  ): Promise<VerificationReport> {
    const result = await runVerification({
      cwd: dir,
      targets: [dir],
      policyFlags,
      trustedRoot: this.trustedRootFile,
      workers: 0,
      ...extra,
      now: extra.now ?? new Date(),
    });
    return result.report;
  }
}

export function failedCodes(report: VerificationReport): string[] {
  return [...new Set(report.summary.failures.map((f) => f.code))].sort();
}
