// Builds real releases for `custody verify` tests on the local Sigstore stack: artifacts,
// SHA256SUMS (+ keyless signature), SLSA provenance, a CycloneDX SBOM attestation and an
// agent-provenance attestation, all signed with the stack's GitHub Actions identity.
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AGENT_PROVENANCE_PREDICATE_TYPE } from '../../src/attest/agent.js';
import type { InTotoStatement } from '../../src/attest/intoto.js';
import { statementDigest } from '../../src/attest/link.js';
import { signArtifact, signStatement, type SignerConfig } from '../../src/sign/index.js';
import { startLocalSigstoreStack, type LocalSigstoreStack } from '../../src/stack/index.js';
import { SAMPLE_COMMIT_SHA } from '../../src/stack/claims.js';
import { canonicalJSON, prettyCanonicalJSON } from '../../src/util/canonical-json.js';

export const IDENTITY =
  'https://github.com/acme/hello/.github/workflows/release.yml@refs/tags/v1.0.0';
export const ISSUER = 'https://token.actions.githubusercontent.com';
export const REPO = 'https://github.com/acme/hello';
export const COMMIT = SAMPLE_COMMIT_SHA;
export const AGENT_COMMIT = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
export const OTHER_COMMIT = 'ffffffffffffffffffffffffffffffffffffffff';

export const ARTIFACTS: Record<string, string> = {
  'hello-linux-amd64': 'binary for linux\n'.repeat(200),
  'hello-darwin-arm64': 'binary for darwin\n'.repeat(150),
  'README.txt': 'hello 1.0.0\n',
};

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function subjects(): { name: string; digest: { sha256: string } }[] {
  return Object.entries(ARTIFACTS).map(([name, content]) => ({
    name,
    digest: { sha256: sha256(content) },
  }));
}

export function provenanceStatement(
  options: { commit?: string; repo?: string; agentLink?: string } = {}
): InTotoStatement {
  const repo = options.repo ?? REPO;
  return {
    _type: 'https://in-toto.io/Statement/v1',
    subject: subjects(),
    predicateType: 'https://slsa.dev/provenance/v1',
    predicate: {
      buildDefinition: {
        buildType: 'https://actions.github.io/buildtypes/workflow/v1',
        externalParameters: {
          workflow: {
            ref: 'refs/tags/v1.0.0',
            repository: repo,
            path: '.github/workflows/release.yml',
          },
        },
        internalParameters: {
          github: {
            event_name: 'push',
            repository_id: '100000001',
            repository_owner_id: '200000002',
            runner_environment: 'github-hosted',
          },
        },
        resolvedDependencies: [
          {
            uri: `git+${repo}@refs/tags/v1.0.0`,
            digest: { gitCommit: options.commit ?? COMMIT },
            ...(options.agentLink === undefined
              ? {}
              : {
                  annotations: {
                    custody_aiAssisted: true,
                    custody_agentProvenance: `sha256:${options.agentLink}`,
                  },
                }),
          },
        ],
      },
      runDetails: {
        builder: { id: IDENTITY },
        metadata: { invocationId: `${REPO}/actions/runs/9000000001/attempts/1` },
      },
    },
  };
}

export function sbomStatement(
  components: unknown[] = [
    {
      type: 'library',
      name: 'left-pad',
      version: '1.3.0',
      purl: 'pkg:npm/left-pad@1.3.0',
      licenses: [{ license: { id: 'MIT' } }],
    },
  ]
): InTotoStatement {
  return {
    _type: 'https://in-toto.io/Statement/v1',
    subject: subjects(),
    predicateType: 'https://cyclonedx.org/bom',
    predicate: {
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79',
      version: 1,
      metadata: { component: { type: 'application', name: 'hello', version: '1.0.0' } },
      components,
    },
  };
}

export function agentStatement(
  options: {
    agent?: string;
    model?: string;
    approver?: string;
    autonomy?: string;
    prompt?: boolean;
  } = {}
): InTotoStatement {
  return {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [
      ...subjects(),
      { name: `${REPO}@${AGENT_COMMIT}`, digest: { gitCommit: AGENT_COMMIT } },
    ],
    predicateType: AGENT_PROVENANCE_PREDICATE_TYPE,
    predicate: {
      agent: { name: options.agent ?? 'claude-code', version: '1.2.3' },
      model: { provider: 'anthropic', name: options.model ?? 'claude-opus-4-1' },
      ...(options.prompt === false
        ? {}
        : {
            prompt: {
              role: 'user',
              digest: { sha256: sha256('the prompt') },
              mediaType: 'text/plain; charset=utf-8',
              commitment: 'sha256',
            },
          }),
      changes: [{ uri: `git+${REPO}@${AGENT_COMMIT}`, digest: { gitCommit: AGENT_COMMIT } }],
      humanApprovals: [
        {
          approver: { id: options.approver ?? 'https://github.com/octocat' },
          method: 'pr-review',
          evidence: { uri: `${REPO}/pull/7#pullrequestreview-1` },
        },
      ],
      autonomy: options.autonomy ?? 'assisted',
    },
  };
}

export const POLICY_YAML = `apiVersion: custody.dev/v1alpha1
kind: ReleasePolicy
metadata:
  name: hello-release
spec:
  signers:
    - issuer: ${ISSUER}
      subject: ${IDENTITY}
  checksums: { required: true, signed: true }
  provenance:
    builderIds: ['${IDENTITY}']
    buildTypes: [https://actions.github.io/buildtypes/workflow/v1]
    sourceRepositories: [${REPO}]
    sourceRefs: ['refs/tags/v*']
    workflows: [.github/workflows/release.yml]
    runnerEnvironments: [github-hosted]
    denySelfHostedRunners: true
  sbom:
    required: true
    specVersions: ['1.5', '1.6']
    deniedLicenses: [GPL-3.0-only, AGPL-*]
    deniedPackages: [{ name: lodash, versions: '<4.17.21' }]
    requiredComponents: [{ name: left-pad }]
  agents:
    required: true
    allowedAgents: [claude-code]
    allowedModels: ['claude-*']
    minApprovals: 1
    allowedApprovers: ['https://github.com/*']
    allowedAutonomy: [assisted]
  freshness: { maxAge: 30d }
  transparency: { requireTlog: true }
`;

export interface ReleaseKit {
  stack: LocalSigstoreStack;
  config: SignerConfig;
  /** A pristine release directory (do not modify: copy it with `copyRelease`). */
  pristine: string;
  policyFile: string;
  trustedRootFile: string;
  root: string;
  /** Signed variants, as JSONL lines, for tampering tests. */
  variants: Record<string, string>;
  close(): Promise<void>;
}

async function signedLine(statement: InTotoStatement, config: SignerConfig): Promise<string> {
  return `${canonicalJSON(await signStatement(statement, config))}\n`;
}

export async function buildReleaseKit(): Promise<ReleaseKit> {
  const stack = await startLocalSigstoreStack();
  const root = await mkdtemp(path.join(os.tmpdir(), 'custody-verify-'));
  const config: SignerConfig = {
    identity: { kind: 'keyless', token: stack.issueToken('github') },
    fulcioURL: stack.fulcioURL,
    rekorURL: stack.rekorURL,
    tsaURL: stack.tsaURL,
  };
  const pristine = path.join(root, 'release');
  await mkdir(pristine, { recursive: true });
  let sums = '';
  for (const [name, content] of Object.entries(ARTIFACTS)) {
    await writeFile(path.join(pristine, name), content);
    sums += `${sha256(content)}  ${name}\n`;
  }
  await writeFile(path.join(pristine, 'SHA256SUMS'), sums);
  await writeFile(
    path.join(pristine, 'SHA256SUMS.sigstore.json'),
    prettyCanonicalJSON(await signArtifact(Buffer.from(sums), config))
  );
  await writeFile(
    path.join(pristine, 'provenance.intoto.jsonl'),
    await signedLine(provenanceStatement({ agentLink: statementDigest(agentStatement()) }), config)
  );
  await writeFile(
    path.join(pristine, 'sbom.intoto.jsonl'),
    await signedLine(sbomStatement(), config)
  );
  await writeFile(
    path.join(pristine, 'agent.intoto.jsonl'),
    await signedLine(agentStatement(), config)
  );
  const variants: Record<string, string> = {
    provenanceOtherCommit: await signedLine(
      provenanceStatement({ commit: OTHER_COMMIT, agentLink: statementDigest(agentStatement()) }),
      config
    ),
    provenanceOtherRepo: await signedLine(
      provenanceStatement({
        repo: 'https://github.com/evil/hello',
        agentLink: statementDigest(agentStatement()),
      }),
      config
    ),
    agentDisallowedModel: await signedLine(agentStatement({ model: 'gpt-4o' }), config),
    agentDisallowedAgent: await signedLine(agentStatement({ agent: 'rogue-bot' }), config),
    agentSelfApproved: await signedLine(agentStatement({ approver: 'claude-code' }), config),
    agentAutonomous: await signedLine(agentStatement({ autonomy: 'autonomous' }), config),
    agentNoPrompt: await signedLine(agentStatement({ prompt: false }), config),
    sbomDenied: await signedLine(
      sbomStatement([
        {
          type: 'library',
          name: 'lodash',
          version: '4.17.20',
          licenses: [{ license: { id: 'MIT' } }],
        },
        {
          type: 'library',
          name: 'left-pad',
          version: '1.3.0',
          licenses: [{ expression: 'GPL-3.0-only' }],
        },
      ]),
      config
    ),
    sbomInvalid: await signedLine(
      {
        ...sbomStatement(),
        predicate: { bomFormat: 'CycloneDX', specVersion: '1.6', components: 'not-a-list' },
      },
      config
    ),
  };
  const policyFile = path.join(root, 'custody-policy.yaml');
  await writeFile(policyFile, POLICY_YAML);
  const trustedRootFile = path.join(root, 'trusted_root.json');
  await writeFile(trustedRootFile, prettyCanonicalJSON(stack.trustedRoot));
  return {
    stack,
    config,
    pristine,
    policyFile,
    trustedRootFile,
    root,
    variants,
    close: () => stack.close(),
  };
}

let counter = 0;
export async function copyRelease(kit: ReleaseKit): Promise<string> {
  const dir = path.join(kit.root, `copy-${++counter}`);
  await cp(kit.pristine, dir, { recursive: true });
  return dir;
}
