// A release built by the GitLab path: keyless signing with a GitLab CI id_token (SAN
// https://gitlab.com/<project>//.gitlab-ci.yml@<ref>, issuer https://gitlab.com), custody's GitLab
// buildType, verified with docs/examples/policy-gitlab.yaml's shape — and a provenance that claims
// another commit than its GitLab certificate fails.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InTotoStatement } from '../../src/attest/intoto.js';
import { signArtifact, signStatement, type SignerConfig } from '../../src/sign/index.js';
import { SAMPLE_COMMIT_SHA } from '../../src/stack/claims.js';
import { startLocalSigstoreStack, type LocalSigstoreStack } from '../../src/stack/index.js';
import { canonicalJSON, prettyCanonicalJSON } from '../../src/util/canonical-json.js';
import { runVerification } from '../../src/verify/adapter/run.js';
import { sha256 } from './release-fixture.js';

const SAN = 'https://gitlab.com/acme/hello//.gitlab-ci.yml@refs/tags/v1.0.0';
let stack: LocalSigstoreStack;
let root: string;
let config: SignerConfig;

function provenance(subject: string, commit = SAMPLE_COMMIT_SHA): InTotoStatement {
  return {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'hello.tar.gz', digest: { sha256: subject } }],
    predicateType: 'https://slsa.dev/provenance/v1',
    predicate: {
      buildDefinition: {
        buildType: 'https://custody.dev/buildtypes/gitlab-ci/v1',
        externalParameters: {
          pipeline: {
            repository: 'https://gitlab.com/acme/hello',
            ref: 'refs/tags/v1.0.0',
            path: '.gitlab-ci.yml',
            job: 'release',
          },
        },
        internalParameters: { gitlab: { project_id: '500000005', pipeline_id: '700000007' } },
        resolvedDependencies: [
          {
            uri: 'git+https://gitlab.com/acme/hello@refs/tags/v1.0.0',
            digest: { gitCommit: commit },
          },
        ],
      },
      runDetails: {
        builder: { id: SAN },
        metadata: { invocationId: 'https://gitlab.com/acme/hello/-/jobs/800000008' },
      },
    },
  };
}

const POLICY = `apiVersion: custody.dev/v1alpha1
kind: ReleasePolicy
metadata: { name: gitlab-keyless }
spec:
  signers:
    - issuer: https://gitlab.com
      subjectRegExp: '^https://gitlab\\.com/acme/hello//\\.gitlab-ci\\.yml@refs/tags/v[0-9.]+$'
      extensions: { sourceRepositoryURI: https://gitlab.com/acme/hello, runnerEnvironment: gitlab-hosted }
  checksums: { required: true, signed: true }
  sbom: { required: false }
  provenance:
    builderIds: ['https://gitlab.com/acme/hello//.gitlab-ci.yml@refs/tags/v*']
    buildTypes: [https://custody.dev/buildtypes/gitlab-ci/v1]
    sourceRepositories: [https://gitlab.com/acme/hello]
    sourceRefs: ['refs/tags/v*']
    workflows: [.gitlab-ci.yml]
    runnerEnvironments: [gitlab-hosted]
    denySelfHostedRunners: true
`;

beforeAll(async () => {
  stack = await startLocalSigstoreStack();
  root = await mkdtemp(path.join(os.tmpdir(), 'custody-gitlab-keyless-'));
  config = {
    identity: { kind: 'keyless', token: stack.issueToken('gitlab') },
    fulcioURL: stack.fulcioURL,
    rekorURL: stack.rekorURL,
    tsaURL: stack.tsaURL,
  };
  await writeFile(path.join(root, 'policy.yaml'), POLICY);
  await writeFile(path.join(root, 'trusted_root.json'), prettyCanonicalJSON(stack.trustedRoot));
}, 60_000);
afterAll(async () => {
  await stack?.close();
  await rm(root, { recursive: true, force: true });
});

async function release(
  name: string,
  statement: (digest: string) => InTotoStatement
): Promise<string> {
  const dir = path.join(root, name);
  await mkdir(dir);
  const content = 'hello release tarball\n';
  await writeFile(path.join(dir, 'hello.tar.gz'), content);
  const sums = `${sha256(content)}  hello.tar.gz\n`;
  await writeFile(path.join(dir, 'SHA256SUMS'), sums);
  await writeFile(
    path.join(dir, 'SHA256SUMS.sigstore.json'),
    JSON.stringify(await signArtifact(Buffer.from(sums), config))
  );
  await writeFile(
    path.join(dir, 'hello.tar.gz.intoto.jsonl'),
    `${canonicalJSON(await signStatement(statement(sha256(content)), config))}\n`
  );
  return dir;
}

async function verify(dir: string) {
  const { report } = await runVerification({
    cwd: root,
    targets: [dir],
    policyFile: path.join(root, 'policy.yaml'),
    policyFlags: {},
    trustedRoot: path.join(root, 'trusted_root.json'),
    workers: 0,
    now: new Date(),
  });
  return report;
}

describe('GitLab keyless release', () => {
  it('passes with the GitLab identity, buildType and certificate agreement', async () => {
    const report = await verify(await release('good', (d) => provenance(d)));
    expect(report.summary.failures).toEqual([]);
    const attestation = report.attestations.find((a) => a.kind === 'dsse')!;
    expect(attestation.signer).toMatchObject({
      identity: SAN,
      issuer: 'https://gitlab.com',
      sourceRepositoryURI: 'https://gitlab.com/acme/hello',
      runnerEnvironment: 'gitlab-hosted',
    });
    expect(await readFile(path.join(root, 'policy.yaml'), 'utf8')).toContain('gitlab');
  });

  it('fails when the provenance claims a commit the GitLab certificate does not carry', async () => {
    const report = await verify(
      await release('other-commit', (d) => provenance(d, 'b'.repeat(40)))
    );
    expect(report.summary.failures.map((f) => f.code)).toEqual(['VERIFY_CERT_PROVENANCE_DISAGREE']);
  });
});
