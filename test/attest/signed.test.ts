// Signed round trip through the local Sigstore stack: sbom → agent → provenance (linking both by
// digest) into one hello.intoto.jsonl, each line verified with src/sign against the stack's root.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSampleHistory, type SampleHistory } from '../../src/ci/sample-history.js';
import { loadTrustedRoot, verifyBundle } from '../../src/sign/index.js';
import { startLocalSigstoreStack, type LocalSigstoreStack } from '../../src/stack/index.js';
import { REPO_ROOT, runCli } from '../helpers/cli.js';
import { loadCIEnv } from './env-fixtures.js';

let stack: LocalSigstoreStack;
let dir: string;
let history: SampleHistory;
let token: string;
const PROMPT_TEXT = 'Ship it: rotate the signing keys of project nightingale';
const HMAC_KEY = 'signed-test-hmac-key-0123456789abcdef0123';

beforeAll(async () => {
  stack = await startLocalSigstoreStack();
  dir = mkdtempSync(path.join(tmpdir(), 'custody-attest-signed-'));
  history = await createSampleHistory(
    mkdtempSync(path.join(tmpdir(), 'custody-history-')),
    process.env
  );
  writeFileSync(path.join(dir, 'hello-linux-amd64'), 'linux binary\n');
  writeFileSync(
    path.join(dir, 'sbom.cdx.json'),
    readFileSync(path.join(REPO_ROOT, 'fixtures/attest/hello.cdx.json'))
  );
  token = stack.issueToken('github', {
    ref: 'refs/tags/v1.2.0',
    sha: 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3',
    workflow_ref: 'acme/hello/.github/workflows/release.yml@refs/tags/v1.2.0',
    // a reusable workflow: builder.id must name it, as the certificate SAN does
    job_workflow_ref: 'acme/shared-workflows/.github/workflows/build.yml@refs/tags/v3.1.0',
  });
  writeFileSync(path.join(dir, 'oidc.token'), token);
  writeFileSync(path.join(dir, 'prompt.txt'), PROMPT_TEXT);
});
afterAll(async () => {
  await stack.close();
});

describe('signed attestations through the local stack', () => {
  it('writes three DSSE bundles into one .intoto.jsonl that verify, with provenance linking the others', async () => {
    const env: Record<string, string> = {
      ...loadCIEnv('github-tag'),
      SOURCE_DATE_EPOCH: '1795170600',
      PROMPT_KEY: HMAC_KEY,
    };
    const signing = [
      '--identity-token-file',
      'oidc.token',
      '--signing-config',
      stack.signingConfigPath,
    ];
    const common = [
      '--subject',
      'hello-linux-amd64',
      '--name',
      'hello',
      '--bundle-per-kind',
      '--trusted-root',
      stack.trustedRootPath,
      ...signing,
    ];
    const sbom = await runCli(['attest', 'sbom', '--sbom', 'sbom.cdx.json', ...common], {
      cwd: dir,
      env,
    });
    expect(sbom.stderr).toBe('');
    expect(sbom.code).toBe(0);
    const agent = await runCli(
      [
        'attest',
        'agent',
        '--prompt-file',
        'prompt.txt',
        '--prompt-hmac-key-env',
        'PROMPT_KEY',
        '--range',
        history.range,
        '--repo',
        history.repo,
        '--approvals',
        'none',
        ...common,
      ],
      { cwd: dir, env }
    );
    expect(agent.stderr).toBe('');
    const provenance = await runCli(
      ['attest', 'provenance', '--byproduct', 'hello.intoto.jsonl', ...common],
      { cwd: dir, env }
    );
    expect(provenance.stderr).toBe('');
    expect(provenance.code).toBe(0);

    const lines = readFileSync(path.join(dir, 'hello.intoto.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(3);
    const trust = loadTrustedRoot(stack.trustedRoot);
    const subject = createHash('sha256').update('linux binary\n').digest('hex');
    const verified = lines.map((line) =>
      verifyBundle(JSON.parse(line), { kind: 'digest', algorithm: 'sha256', hex: subject }, trust, {
        subjectAlternativeName:
          'https://github.com/acme/shared-workflows/.github/workflows/build.yml@refs/tags/v3.1.0',
        issuer: 'https://token.actions.githubusercontent.com',
      })
    );
    expect(verified.map((v) => v.statement?.predicateType)).toEqual([
      'https://cyclonedx.org/bom',
      'https://custody.dev/agent-provenance/v0.1',
      'https://slsa.dev/provenance/v1',
    ]);
    const payloadDigest = (line: string) =>
      createHash('sha256')
        .update(Buffer.from(JSON.parse(line).dsseEnvelope.payload, 'base64'))
        .digest('hex');
    const predicate = verified[2]!.statement!.predicate as {
      runDetails: { builder: { id: string } };
    };
    expect(predicate.runDetails.builder.id).toBe(
      'https://github.com/acme/shared-workflows/.github/workflows/build.yml@refs/tags/v3.1.0'
    );
    const byproducts = (
      verified[2]!.statement!.predicate as {
        runDetails: { byproducts: { digest: { sha256: string } }[] };
      }
    ).runDetails.byproducts;
    expect(byproducts.map((b) => b.digest.sha256).sort()).toEqual(
      [payloadDigest(lines[0]!), payloadDigest(lines[1]!)].sort()
    );
    // per-kind bundle files are the same bundles
    expect(
      JSON.parse(readFileSync(path.join(dir, 'hello.provenance.sigstore.json'), 'utf8'))
    ).toEqual(JSON.parse(lines[2]!));
    // rerunning appends nothing twice (identical line kept once) — but a new signature is a new line
    // no secret in any output: files written, stdout, stderr
    const outputs = [
      ...readdirSync(dir)
        .filter((f) => !['prompt.txt', 'oidc.token'].includes(f))
        .map((f) => readFileSync(path.join(dir, f), 'utf8')),
      ...[sbom, agent, provenance].flatMap((run) => [run.stdout, run.stderr]),
    ].join('\n');
    for (const secret of [
      token,
      PROMPT_TEXT,
      'nightingale',
      HMAC_KEY,
      env.GITHUB_TOKEN!,
      env.ACTIONS_RUNTIME_TOKEN!,
    ]) {
      expect(outputs).not.toContain(secret);
    }
    // and none inside the signed payloads either
    for (const line of lines) {
      const payload = Buffer.from(JSON.parse(line).dsseEnvelope.payload, 'base64').toString('utf8');
      expect(payload).not.toContain(PROMPT_TEXT);
      expect(payload).not.toContain(HMAC_KEY);
    }
  });

  it('GitLab: the token from SIGSTORE_ID_TOKEN signs, and builder.id equals the certificate SAN', async () => {
    const gitlabToken = stack.issueToken('gitlab', {
      sub: 'project_path:acme-group/hello:ref_type:tag:ref:v1.2.0',
      project_path: 'acme-group/hello',
      ref: 'v1.2.0',
      ref_path: 'refs/tags/v1.2.0',
      sha: 'c1dfd96eea8cc2b62785275bca38ac261256e278',
      ci_config_ref_uri: 'gitlab.com/acme-group/hello//.gitlab-ci.yml@refs/tags/v1.2.0',
    });
    const env = { ...loadCIEnv('gitlab-tag'), SIGSTORE_ID_TOKEN: gitlabToken };
    const run = await runCli(
      [
        '--json',
        'attest',
        'provenance',
        '--subject',
        'hello-linux-amd64',
        '--name',
        'gitlab',
        '--signing-config',
        stack.signingConfigPath,
      ],
      { cwd: dir, env }
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const line = readFileSync(path.join(dir, 'gitlab.intoto.jsonl'), 'utf8').trim();
    const subject = createHash('sha256').update('linux binary\n').digest('hex');
    const verified = verifyBundle(
      JSON.parse(line),
      { kind: 'digest', algorithm: 'sha256', hex: subject },
      loadTrustedRoot(stack.trustedRoot),
      {
        issuer: 'https://gitlab.com',
        anyIdentity: true,
      }
    );
    const predicate = verified.statement!.predicate as { runDetails: { builder: { id: string } } };
    expect(verified.signer.kind === 'certificate' && verified.signer.subjectAlternativeName).toBe(
      predicate.runDetails.builder.id
    );
    expect(run.stdout).not.toContain(gitlabToken);
  });

  it('--trusted-root: a bundle that does not verify against the given root is not written', async () => {
    const run = await runCli(
      [
        'attest',
        'provenance',
        '--subject',
        'hello-linux-amd64',
        '--name',
        'wrongroot',
        '--identity-token-file',
        'oidc.token',
        '--signing-config',
        stack.signingConfigPath,
        '--trusted-root',
        path.join(REPO_ROOT, 'src/sign/trusted-roots/public-good.json'),
      ],
      { cwd: dir, env: loadCIEnv('github-tag') }
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error\[VERIFY_/);
    expect(readdirSync(dir).filter((f) => f.startsWith('wrongroot.'))).toEqual([]);
  });

  it('refuses to sign a statement that fails its schema', async () => {
    const env = { ...loadCIEnv('github-tag') };
    const run = await runCli(
      [
        'attest',
        'agent',
        '--range',
        history.range,
        '--repo',
        history.repo,
        '--approvals',
        'none',
        '--agent',
        'x'.repeat(300),
        '--subject',
        'hello-linux-amd64',
        '--name',
        'bad',
        '--identity-token-file',
        'oidc.token',
        '--signing-config',
        stack.signingConfigPath,
      ],
      { cwd: dir, env }
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error\[ATTEST_STATEMENT_INVALID\].*\/predicate\/agent\/name/);
    expect(readdirSync(dir).filter((f) => f.startsWith('bad.'))).toEqual([]); // nothing signed or written
  });
});
