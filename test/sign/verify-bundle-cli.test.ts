// `custody verify-bundle` as a command, on bundles signed here on the local Sigstore stack: exit
// statuses, identity flags (exact, regexp, Fulcio extensions), subject digests and the
// FILE_OR_DIGEST rule. (The conformance corpus through the same argv is test/corpus/sign-cli.)
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signArtifact, signStatement, type SignerConfig } from '../../src/sign/index.js';
import { startLocalSigstoreStack, type LocalSigstoreStack } from '../../src/stack/index.js';
import { prettyCanonicalJSON } from '../../src/util/canonical-json.js';
import { runCli } from '../helpers/cli.js';

const IDENTITY = 'https://github.com/acme/hello/.github/workflows/release.yml@refs/tags/v1.0.0';
const ISSUER = 'https://token.actions.githubusercontent.com';
const ARTIFACT = 'hello 1.0.0 for linux\n';
let stack: LocalSigstoreStack;
let dir: string;

beforeAll(async () => {
  stack = await startLocalSigstoreStack();
  dir = await mkdtemp(path.join(os.tmpdir(), 'custody-verify-bundle-cli-'));
  const config: SignerConfig = {
    identity: { kind: 'keyless', token: stack.issueToken('github') },
    fulcioURL: stack.fulcioURL,
    rekorURL: stack.rekorURL,
    tsaURL: stack.tsaURL,
  };
  await writeFile(path.join(dir, 'hello'), ARTIFACT);
  await writeFile(
    path.join(dir, 'hello.sigstore.json'),
    prettyCanonicalJSON(await signArtifact(Buffer.from(ARTIFACT), config))
  );
  const sha512 = createHash('sha512').update(ARTIFACT).digest('hex');
  await writeFile(
    path.join(dir, 'provenance.sigstore.json'),
    prettyCanonicalJSON(
      await signStatement(
        {
          _type: 'https://in-toto.io/Statement/v1',
          subject: [{ name: 'hello', digest: { sha512 } }],
          predicateType: 'https://slsa.dev/provenance/v1',
          predicate: { buildDefinition: { buildType: 'https://example.com/build/v1' } },
        },
        config
      )
    )
  );
  await writeFile(path.join(dir, 'trusted_root.json'), prettyCanonicalJSON(stack.trustedRoot));
  await writeFile(path.join(dir, 'broken.sigstore.json'), '{"mediaType": ');
}, 120_000);
afterAll(async () => {
  await stack.close();
  await rm(dir, { recursive: true, force: true });
});

const verifyArgv = (bundle: string, ...rest: string[]): string[] => [
  'verify-bundle',
  '--bundle',
  bundle,
  '--trusted-root',
  'trusted_root.json',
  ...rest,
];

describe('custody verify-bundle (local stack)', () => {
  it('verifies with an exact identity and exits 0', async () => {
    const run = await runCli(
      verifyArgv(
        'hello.sigstore.json',
        '--certificate-identity',
        IDENTITY,
        '--certificate-oidc-issuer',
        ISSUER,
        'hello'
      ),
      { cwd: dir }
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^verified /);
  });

  it('exit codes: malformed JSON is 2, a failed verification 1, usage errors 2', async () => {
    const bad = await runCli(
      verifyArgv(
        'broken.sigstore.json',
        '--certificate-identity',
        IDENTITY,
        '--certificate-oidc-issuer',
        ISSUER,
        'hello'
      ),
      { cwd: dir }
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('INPUT_JSON_INVALID');
    const wrongIdentity = await runCli(
      verifyArgv(
        'hello.sigstore.json',
        '--certificate-identity',
        'https://github.com/x',
        '--certificate-oidc-issuer',
        ISSUER,
        'hello'
      ),
      { cwd: dir }
    );
    expect(wrongIdentity.code).toBe(1);
    expect(wrongIdentity.stderr).toContain('VERIFY_IDENTITY_MISMATCH');
    const noIdentity = await runCli(verifyArgv('hello.sigstore.json', 'hello'), { cwd: dir });
    expect(noIdentity.code).toBe(2);
    expect(noIdentity.stderr).toContain('USAGE_INVALID');
    for (const run of [bad, wrongIdentity, noIdentity]) {
      expect(run.stderr).toMatch(/^error\[[A-Z_]+\]/);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('regexp identity and Fulcio extension flags, --json output', async () => {
    const run = await runCli(
      [
        '--json',
        ...verifyArgv(
          'hello.sigstore.json',
          '--certificate-identity-regexp',
          'https://github\\.com/acme/.*',
          '--certificate-oidc-issuer',
          ISSUER,
          '--source-repository',
          'https://github.com/acme/hello',
          '--runner-environment',
          'github-hosted',
          'hello'
        ),
      ],
      { cwd: dir }
    );
    expect(run.code, run.stderr).toBe(0);
    const json = JSON.parse(run.stdout) as {
      verified: boolean;
      signer: { extensions: { sourceRepositoryRef: string } };
    };
    expect(json.verified).toBe(true);
    expect(json.signer.extensions.sourceRepositoryRef).toBe('refs/tags/v1.0.0');
    const wrongRef = await runCli(
      verifyArgv(
        'hello.sigstore.json',
        '--certificate-identity-regexp',
        'https://github\\.com/.*',
        '--certificate-oidc-issuer',
        ISSUER,
        '--source-ref',
        'refs/heads/main',
        'hello'
      ),
      { cwd: dir }
    );
    expect(wrongRef.code).toBe(1);
    expect(wrongRef.stderr).toContain('sourceRepositoryRef');
    const wrongRepo = await runCli(
      verifyArgv(
        'hello.sigstore.json',
        '--certificate-identity',
        IDENTITY,
        '--certificate-oidc-issuer',
        ISSUER,
        '--source-repository',
        'https://github.com/evil/hello',
        'hello'
      ),
      { cwd: dir }
    );
    expect(wrongRepo.code).toBe(1);
    expect(wrongRepo.stderr).toContain('VERIFY_IDENTITY_MISMATCH');
  });

  it('an attestation by its sha512 subject digest; another digest is a subject mismatch', async () => {
    const argv = verifyArgv(
      'provenance.sigstore.json',
      '--certificate-identity',
      IDENTITY,
      '--certificate-oidc-issuer',
      ISSUER
    );
    const sha512 = createHash('sha512').update(ARTIFACT).digest('hex');
    const ok = await runCli([...argv, `sha512:${sha512}`], { cwd: dir });
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    const other = await runCli([...argv, `sha512:${'0'.repeat(128)}`], { cwd: dir });
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('VERIFY_SUBJECT_MISMATCH');
  });

  it('FILE_OR_DIGEST: a file literally named sha256:<hex> is a file', async () => {
    const digest = createHash('sha256').update(ARTIFACT).digest('hex');
    await writeFile(path.join(dir, `sha256:${digest}`), 'not the artifact');
    const run = await runCli(
      verifyArgv(
        'hello.sigstore.json',
        '--certificate-identity',
        IDENTITY,
        '--certificate-oidc-issuer',
        ISSUER,
        `sha256:${digest}`
      ),
      { cwd: dir }
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('VERIFY_SUBJECT_MISMATCH');
  });
});
