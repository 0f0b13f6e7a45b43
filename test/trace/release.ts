// A real release for the trace tests, built on the local Sigstore stack the way a pipeline would:
// `custody sign`, `custody attest sbom`, agent provenance (library: the sample history's agent
// commits with a sample approval), `custody attest provenance` linking both, `custody verify --vsa`
// (signed), and `custody attest deploy` to production relying on that VSA.
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildAgentProvenance, promptFromDigest } from '../../src/attest/agent.js';
import { appendBundle } from '../../src/attest/output.js';
import { scanCommits } from '../../src/attest/scan.js';
import { gitLog } from '../../src/ci/git.js';
import {
  createSampleHistory,
  SAMPLE_AGENT,
  SAMPLE_MODEL,
  SAMPLE_PROMPT_SHA256,
  sampleGitHubEnv,
  type SampleHistory,
} from '../../src/ci/sample-history.js';
import { demoApproval } from '../../src/cli/commands/attest.js';
import { signStatement } from '../../src/sign/index.js';
import { startLocalSigstoreStack, type LocalSigstoreStack } from '../../src/stack/index.js';
import { REPO_ROOT, runCli } from '../helpers/cli.js';

export const IDENTITY =
  'https://github.com/acme/hello/.github/workflows/release.yml@refs/tags/v1.0.0';
export const ISSUER = 'https://token.actions.githubusercontent.com';
export const ARTIFACTS: Record<string, string> = {
  'hello-linux-amd64': 'linux binary\n'.repeat(100),
  'hello-darwin-arm64': 'darwin binary\n'.repeat(80),
};

export interface TracedRelease {
  stack: LocalSigstoreStack;
  dir: string;
  history: SampleHistory;
  digests: Record<string, string>;
  trustedRoot: string;
  signing: string[];
  env: Record<string, string>;
  close(): Promise<void>;
}

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

async function ok(argv: string[], cwd: string, env: Record<string, string>): Promise<string> {
  const run = await runCli(argv, { cwd, env });
  if (run.code !== 0) {
    throw new Error(`custody ${argv.slice(0, 2).join(' ')} failed (${run.code}): ${run.stderr}`);
  }
  return run.stdout;
}

export async function buildTracedRelease(): Promise<TracedRelease> {
  const root = mkdtempSync(path.join(tmpdir(), 'custody-trace-'));
  const dir = path.join(root, 'release');
  const stack = await startLocalSigstoreStack({ dir: path.join(root, 'stack') });
  try {
    mkdirSync(path.join(root, 'history'));
    const history = await createSampleHistory(path.join(root, 'history'), process.env);
    const env = { ...sampleGitHubEnv(history.release), SOURCE_DATE_EPOCH: '1795170600' };
    mkdirSync(dir, { recursive: true });
    const digests: Record<string, string> = {};
    for (const [name, content] of Object.entries(ARTIFACTS)) {
      writeFileSync(path.join(dir, name), content);
      digests[name] = sha256(content);
    }
    copyFileSync(
      path.join(REPO_ROOT, 'fixtures/attest/hello.cdx.json'),
      path.join(dir, 'hello.cdx.json')
    );
    copyFileSync(stack.trustedRootPath, path.join(dir, 'trusted_root.json'));
    const token = stack.issueToken('github', {
      sha: history.release,
      workflow_sha: history.release,
      job_workflow_sha: history.release,
    });
    const tokenFile = path.join(root, 'oidc.token');
    writeFileSync(tokenFile, token);
    const signing = [
      '--identity-token-file',
      tokenFile,
      '--signing-config',
      stack.signingConfigPath,
    ];
    const names = Object.keys(ARTIFACTS).sort();
    const subjects = names.flatMap((n) => ['--subject', n]);

    await ok(['sign', ...names, ...signing], dir, env);
    await ok(
      ['attest', 'sbom', '--sbom', 'hello.cdx.json', ...subjects, '--name', 'hello', ...signing],
      dir,
      env
    );

    // Agent provenance with a (sample) human approval: the CLI would read approvals from the
    // GitHub API, which a test has none of, so the statement is built with the library.
    const commits = await gitLog(history.range, { repo: history.repo, env: process.env });
    const scan = scanCommits(commits, { declaredAgent: SAMPLE_AGENT, declaredModel: SAMPLE_MODEL });
    const agent = buildAgentProvenance({
      agent: { name: SAMPLE_AGENT },
      model: { provider: 'anthropic', name: SAMPLE_MODEL },
      prompt: promptFromDigest(SAMPLE_PROMPT_SHA256),
      plan: { id: 'PLAN-1' },
      commits: scan.agentCommits,
      repositoryUri: 'git+https://github.com/acme/hello',
      humanApprovals: [demoApproval(history.agentCommits)],
      autonomy: 'assisted',
      artifacts: names.map((n) => ({ name: n, digest: { sha256: digests[n] ?? '' } })),
    });
    const agentBundle = await signStatement(agent, {
      identity: { kind: 'keyless', token },
      signingConfig: stack.signingConfig,
    });
    await appendBundle(path.join(dir, 'hello.intoto.jsonl'), agentBundle);

    await ok(
      [
        'attest',
        'provenance',
        '--platform',
        'github',
        '--byproduct',
        'hello.intoto.jsonl',
        ...subjects,
        '--name',
        'hello',
        ...signing,
      ],
      dir,
      env
    );
    const vsaFile = path.join(root, 'vsa.sigstore.json');
    const verify = await runCli(
      [
        'verify',
        dir,
        '--certificate-identity',
        IDENTITY,
        '--certificate-oidc-issuer',
        ISSUER,
        '--trusted-root',
        stack.trustedRootPath,
        '--vsa',
        vsaFile,
        '--vsa-identity-token-file',
        tokenFile,
        '--vsa-signing-config',
        stack.signingConfigPath,
        '--workers',
        '0',
      ],
      { cwd: root, env }
    );
    if (verify.code !== 0)
      throw new Error(`custody verify failed: ${verify.stdout}\n${verify.stderr}`);
    copyFileSync(vsaFile, path.join(dir, 'hello.vsa.sigstore.json'));
    await ok(
      [
        'attest',
        'deploy',
        '--subject',
        'hello-linux-amd64',
        '--environment',
        'production',
        '--target',
        'https://k8s.example.com/clusters/prod/namespaces/hello',
        '--vsa',
        'hello.vsa.sigstore.json',
        '--output',
        'deployments.intoto.jsonl',
        ...signing,
      ],
      dir,
      env
    );
    return {
      stack,
      dir,
      history,
      digests,
      trustedRoot: stack.trustedRootPath,
      signing,
      env,
      close: async () => {
        await stack.close();
        await rm(root, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await stack.close();
    throw error;
  }
}
