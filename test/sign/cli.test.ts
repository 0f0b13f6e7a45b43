// The CLI: every conformance case through `custody verify-bundle` with the exact upstream argv
// (plus --trusted-root for offline use), and sign / sign-bundle / keygen against the local stack.
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalSigstoreStack, type LocalSigstoreStack } from '../../src/stack/index.js';
import { runCli } from '../helpers/cli.js';

const CONFORMANCE_DIR = '/work/shared/conformance';
const PUBLIC_GOOD = path.join(CONFORMANCE_DIR, 'trusted-roots/public-good.json');

interface ConformanceCase {
  name: string;
  expected: 'pass' | 'fail';
  trusted_root_is_case_specific: boolean;
  conformance_argv: { PATH: string[]; DIGEST: string[] };
}

const { cases } = JSON.parse(
  await readFile(path.join(CONFORMANCE_DIR, 'MANIFEST.json'), 'utf8')
) as { cases: ConformanceCase[] };

/** The upstream argv with --trusted-root inserted before the last argument when the case has none. */
function offlineArgv(c: ConformanceCase, mode: 'PATH' | 'DIGEST'): string[] {
  const argv = [...c.conformance_argv[mode]];
  if (!c.trusted_root_is_case_specific)
    argv.splice(argv.length - 1, 0, '--trusted-root', PUBLIC_GOOD);
  return argv;
}

describe('custody verify-bundle with the conformance argv', () => {
  for (const mode of ['PATH', 'DIGEST'] as const) {
    it(`all ${cases.length} cases in ${mode} mode exit as expected`, async () => {
      const wrong: string[] = [];
      for (const c of cases) {
        const run = await runCli(offlineArgv(c, mode), { cwd: CONFORMANCE_DIR });
        const result = run.code === 0 ? 'pass' : 'fail';
        if (result !== c.expected) wrong.push(`${c.name}: ${run.code} ${run.stderr.trim()}`);
        if (run.code !== 0) expect(run.stderr).toMatch(/^error\[[A-Z_]+\]/);
        expect(run.stderr).not.toMatch(/\n\s+at /); // never a stack trace
      }
      expect(wrong).toEqual([]);
    });
  }

  it('uses the embedded public-good root when --trusted-root is absent (the suite exact argv)', async () => {
    const happy = cases.find((c) => c.name === 'happy-path-v0.3');
    if (happy === undefined) throw new Error('case missing');
    const run = await runCli(happy.conformance_argv.DIGEST, { cwd: CONFORMANCE_DIR });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^verified /);
  });

  it('exit codes: malformed JSON is 2, a failed verification 1, usage errors 2', async () => {
    const malformed = cases.find((c) => c.name === 'bundle-malformed-json_fail');
    if (malformed === undefined) throw new Error('case missing');
    const bad = await runCli(offlineArgv(malformed, 'PATH'), { cwd: CONFORMANCE_DIR });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('INPUT_JSON_INVALID');
    const wrongIdentity = await runCli(
      [
        'verify-bundle',
        '--bundle',
        'bundle-verify/happy-path-v0.3/bundle.sigstore.json',
        '--certificate-identity',
        'https://github.com/x',
        '--certificate-oidc-issuer',
        'https://token.actions.githubusercontent.com',
        'bundle-verify/a.txt',
      ],
      { cwd: CONFORMANCE_DIR }
    );
    expect(wrongIdentity.code).toBe(1);
    expect(wrongIdentity.stderr).toContain('VERIFY_IDENTITY_MISMATCH');
    const noIdentity = await runCli(
      [
        'verify-bundle',
        '--bundle',
        'bundle-verify/happy-path-v0.3/bundle.sigstore.json',
        'bundle-verify/a.txt',
      ],
      { cwd: CONFORMANCE_DIR }
    );
    expect(noIdentity.code).toBe(2);
    expect(noIdentity.stderr).toContain('USAGE_INVALID');
  });

  it('regexp identity and Fulcio extension flags, --json output', async () => {
    const run = await runCli(
      [
        '--json',
        'verify-bundle',
        '--bundle',
        'bundle-verify/happy-path-v0.3/bundle.sigstore.json',
        '--certificate-identity-regexp',
        '^https://github\\.com/sigstore-conformance/.*',
        '--certificate-oidc-issuer',
        'https://token.actions.githubusercontent.com',
        '--source-repository',
        'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon',
        '--runner-environment',
        'github-hosted',
        'bundle-verify/a.txt',
      ],
      { cwd: CONFORMANCE_DIR }
    );
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout) as {
      verified: boolean;
      signer: { extensions: { sourceRepositoryRef: string } };
    };
    expect(json.verified).toBe(true);
    expect(json.signer.extensions.sourceRepositoryRef).toBe('refs/heads/main');
    const wrongRef = await runCli(
      [
        'verify-bundle',
        '--bundle',
        'bundle-verify/happy-path-v0.3/bundle.sigstore.json',
        '--certificate-identity-regexp',
        '^https://github\\.com/.*',
        '--certificate-oidc-issuer',
        'https://token.actions.githubusercontent.com',
        '--source-ref',
        'refs/tags/v1',
        'bundle-verify/a.txt',
      ],
      { cwd: CONFORMANCE_DIR }
    );
    expect(wrongRef.code).toBe(1);
    expect(wrongRef.stderr).toContain('sourceRepositoryRef');
  });

  it('real provenance by sha512 subject digest, and --tuf refuses staging without touching the network', async () => {
    const argv = [
      'verify-bundle',
      '--bundle',
      'real-provenance/npm-sigstore-2.1.0-slsa-v1-bundle-v0.3/bundle.sigstore.json',
      '--certificate-identity',
      'https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main',
      '--certificate-oidc-issuer',
      'https://token.actions.githubusercontent.com',
    ];
    const { entries } = JSON.parse(
      await readFile(path.join(CONFORMANCE_DIR, 'real-provenance/MANIFEST.json'), 'utf8')
    ) as {
      entries: { name: string; subjects: { digest: { sha512: string } }[] }[];
    };
    const entry = entries.find((e) => e.name === 'npm-sigstore-2.1.0-slsa-v1-bundle-v0.3');
    const sha512 = entry?.subjects[0]?.digest.sha512 ?? '';
    const ok = await runCli([...argv, `sha512:${sha512}`], { cwd: CONFORMANCE_DIR });
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    const other = await runCli([...argv, `sha512:${'0'.repeat(128)}`], { cwd: CONFORMANCE_DIR });
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('VERIFY_SUBJECT_MISMATCH');
    const tuf = await runCli([...argv, '--tuf', '--staging', `sha512:${sha512}`], {
      cwd: CONFORMANCE_DIR,
    });
    expect(tuf.code).toBe(2);
    expect(tuf.stderr).toContain('USAGE_INVALID');
  });

  it('FILE_OR_DIGEST: a file literally named sha256:<hex> is a file', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'custody-sign-'));
    try {
      const digest = 'a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf';
      await writeFile(path.join(dir, `sha256:${digest}`), 'not the artifact');
      const run = await runCli(
        [
          'verify-bundle',
          '--bundle',
          path.join(CONFORMANCE_DIR, 'bundle-verify/happy-path-v0.3/bundle.sigstore.json'),
          '--certificate-identity',
          'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main',
          '--certificate-oidc-issuer',
          'https://token.actions.githubusercontent.com',
          `sha256:${digest}`,
        ],
        { cwd: dir }
      );
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('VERIFY_SUBJECT_MISMATCH');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('custody sign / sign-bundle / keygen on the local stack', () => {
  let stack: LocalSigstoreStack;
  let dir: string;
  beforeAll(async () => {
    stack = await startLocalSigstoreStack();
    dir = await mkdtemp(path.join(os.tmpdir(), 'custody-sign-cli-'));
    await writeFile(path.join(dir, 'app.tgz'), 'app contents\n');
    await writeFile(path.join(dir, 'SHA256SUMS'), 'abc  app.tgz\n');
  }, 30_000);
  afterAll(async () => {
    await stack.close();
    await rm(dir, { recursive: true, force: true });
  });

  const stackFlags = (): string[] => [
    '--fulcio-url',
    stack.fulcioURL,
    '--rekor-url',
    stack.rekorURL,
    '--tsa-url',
    stack.tsaURL,
  ];
  const githubSAN = 'https://github.com/acme/hello/.github/workflows/release.yml@refs/tags/v1.0.0';

  it('signs several files keyless from GitHub Actions env and verifies each bundle', async () => {
    const env = {
      GITHUB_ACTIONS: 'true',
      ACTIONS_ID_TOKEN_REQUEST_URL: stack.githubTokenRequest.url,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: stack.githubTokenRequest.token,
    };
    const run = await runCli(
      ['sign', 'app.tgz', 'SHA256SUMS', ...stackFlags(), '--trusted-root', stack.trustedRootPath],
      { cwd: dir, env }
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('via github-actions');
    for (const file of ['app.tgz', 'SHA256SUMS']) {
      const bundle = JSON.parse(
        await readFile(path.join(dir, `${file}.sigstore.json`), 'utf8')
      ) as { mediaType: string };
      expect(bundle.mediaType).toBe('application/vnd.dev.sigstore.bundle.v0.3+json');
      const verify = await runCli(
        [
          'verify-bundle',
          '--bundle',
          `${file}.sigstore.json`,
          '--certificate-identity',
          githubSAN,
          '--certificate-oidc-issuer',
          'https://token.actions.githubusercontent.com',
          '--trusted-root',
          stack.trustedRootPath,
          '--source-repository',
          'https://github.com/acme/hello',
          file,
        ],
        { cwd: dir }
      );
      expect(verify.stderr).toBe('');
      expect(verify.code).toBe(0);
    }
  });

  it('never prints the token, and --bundle needs exactly one file', async () => {
    const token = stack.issueToken('gitlab');
    const run = await runCli(
      ['--json', 'sign', 'app.tgz', '--bundle', 'custom.sigstore.json', ...stackFlags()],
      {
        cwd: dir,
        env: { GITLAB_CI: 'true', SIGSTORE_ID_TOKEN: token },
      }
    );
    expect(run.code).toBe(0);
    expect(run.stdout + run.stderr).not.toContain(token);
    expect(JSON.parse(run.stdout)).toMatchObject({
      signed: [{ file: 'app.tgz', bundle: 'custom.sigstore.json' }],
    });
    const bad = await runCli(
      [
        'sign',
        'app.tgz',
        'SHA256SUMS',
        '--bundle',
        'x.json',
        '--identity-token',
        token,
        ...stackFlags(),
      ],
      { cwd: dir }
    );
    expect(bad.code).toBe(2);
    expect(bad.stdout + bad.stderr).not.toContain(token);
    // a refused token is not echoed either
    const refused = stack.issueToken('plain', { email: 'a@example.com', email_verified: false });
    const denied = await runCli(
      ['--debug', 'sign', 'app.tgz', '--identity-token', refused, ...stackFlags()],
      { cwd: dir }
    );
    expect(denied.code).toBe(2);
    expect(denied.stderr).toContain('SIGN_IDENTITY_INVALID');
    expect(denied.stdout + denied.stderr).not.toContain(refused.split('.')[1] ?? 'x');
  });

  it('refuses to overwrite the signed file with its bundle', async () => {
    const token = stack.issueToken('github');
    const run = await runCli(
      ['sign', 'app.tgz', '--bundle', 'app.tgz', '--identity-token', token],
      { cwd: dir }
    );
    expect(run.code).toBe(2);
    const conf = await runCli(
      ['sign-bundle', '--identity-token', token, '--bundle', 'app.tgz', 'app.tgz'],
      { cwd: dir }
    );
    expect(conf.code).toBe(2);
    expect(await readFile(path.join(dir, 'app.tgz'), 'utf8')).toBe('app contents\n');
  });

  it('without any identity: exit 3 and the hint names both CI fixes', async () => {
    const run = await runCli(['sign', 'app.tgz'], { cwd: dir, env: { GITHUB_ACTIONS: 'true' } });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('SIGN_IDENTITY_UNAVAILABLE');
    expect(run.stderr).toContain('permissions: id-token: write');
    expect(run.stderr).toContain('id_tokens:');
  });

  it('sign-bundle (conformance form) for a file and an in-toto statement, via the signing config', async () => {
    const token = stack.issueToken('github');
    const message = await runCli(
      [
        'sign-bundle',
        '--identity-token',
        token,
        '--bundle',
        'a.sigstore.json',
        '--trusted-root',
        stack.trustedRootPath,
        '--signing-config',
        stack.signingConfigPath,
        'app.tgz',
      ],
      { cwd: dir }
    );
    expect(message.stderr).toBe('');
    expect(message.code).toBe(0);
    const bundle = JSON.parse(await readFile(path.join(dir, 'a.sigstore.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(bundle.messageSignature).toBeDefined();
    expect(bundle.dsseEnvelope).toBeUndefined();
    const { createHash } = await import('node:crypto');
    const digest = createHash('sha256').update('app contents\n').digest('hex');
    const statementText = `{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"app.tgz","digest":{"sha256":"${digest}"}}],"predicateType":"https://example.com/p","predicate":{"z":1,"a":2}}`;
    await writeFile(path.join(dir, 'statement.json'), statementText);
    const dsse = await runCli(
      [
        'sign-bundle',
        '--in-toto',
        '--identity-token',
        token,
        '--bundle',
        's.sigstore.json',
        '--trusted-root',
        stack.trustedRootPath,
        '--signing-config',
        stack.signingConfigPath,
        'statement.json',
      ],
      { cwd: dir }
    );
    expect(dsse.stderr).toBe('');
    expect(dsse.code).toBe(0);
    const dsseBundle = JSON.parse(await readFile(path.join(dir, 's.sigstore.json'), 'utf8')) as {
      dsseEnvelope: { payload: string };
    };
    expect(Buffer.from(dsseBundle.dsseEnvelope.payload, 'base64').toString()).toBe(statementText); // byte-exact
    const verify = await runCli(
      [
        'verify-bundle',
        '--bundle',
        's.sigstore.json',
        '--certificate-identity',
        githubSAN,
        '--certificate-oidc-issuer',
        'https://token.actions.githubusercontent.com',
        '--trusted-root',
        stack.trustedRootPath,
        'app.tgz',
      ],
      { cwd: dir }
    );
    expect(verify.code).toBe(0);
    const notSubject = await runCli(
      [
        'verify-bundle',
        '--bundle',
        's.sigstore.json',
        '--certificate-identity',
        githubSAN,
        '--certificate-oidc-issuer',
        'https://token.actions.githubusercontent.com',
        '--trusted-root',
        stack.trustedRootPath,
        'SHA256SUMS',
      ],
      { cwd: dir }
    );
    expect(notSubject.code).toBe(1);
    expect(notSubject.stderr).toContain('VERIFY_SUBJECT_MISMATCH');
  });

  it('keygen writes a 0600 private key; sign --key with and without a log; verify with --key', async () => {
    const gen = await runCli(
      ['keygen', '--output-key', 'k.pem', '--output-pub', 'k.pub', '--algorithm', 'ecdsa-p384'],
      { cwd: dir }
    );
    expect(gen.code).toBe(0);
    expect((await stat(path.join(dir, 'k.pem'))).mode & 0o777).toBe(0o600);
    expect(gen.stdout).not.toContain('PRIVATE KEY');
    const again = await runCli(['keygen', '--output-key', 'k.pem', '--output-pub', 'k.pub'], {
      cwd: dir,
    });
    expect(again.code).toBe(2);
    const offline = await runCli(
      ['sign', 'app.tgz', '--key', 'k.pem', '--no-tlog', '--bundle', 'key-offline.json'],
      { cwd: dir }
    );
    expect(offline.code).toBe(0);
    const logged = await runCli(
      [
        'sign',
        'app.tgz',
        '--key',
        'k.pem',
        '--rekor-url',
        stack.rekorURL,
        '--bundle',
        'key-logged.json',
      ],
      { cwd: dir }
    );
    expect(logged.code).toBe(0);
    const verifyLogged = await runCli(
      [
        'verify-bundle',
        '--bundle',
        'key-logged.json',
        '--key',
        'k.pub',
        '--trusted-root',
        stack.trustedRootPath,
        'app.tgz',
      ],
      { cwd: dir }
    );
    expect(verifyLogged.stderr).toBe('');
    expect(verifyLogged.code).toBe(0);
    const strict = await runCli(
      ['verify-bundle', '--bundle', 'key-offline.json', '--key', 'k.pub', 'app.tgz'],
      { cwd: dir }
    );
    expect(strict.code).toBe(1); // no log entry, no timestamp
    const lenient = await runCli(
      ['verify-bundle', '--bundle', 'key-offline.json', '--key', 'k.pub', '--no-tlog', 'app.tgz'],
      { cwd: dir }
    );
    expect(lenient.code).toBe(0);
    await runCli(['keygen', '--output-key', 'other.pem', '--output-pub', 'other.pub'], {
      cwd: dir,
    });
    const wrongKey = await runCli(
      [
        'verify-bundle',
        '--bundle',
        'key-offline.json',
        '--key',
        'other.pub',
        '--no-tlog',
        'app.tgz',
      ],
      { cwd: dir }
    );
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toContain('VERIFY_SIGNATURE_INVALID');
  });

  it('encrypted keys need their passphrase', async () => {
    const env = { KEY_PASS: 'correct horse battery' };
    expect(
      (
        await runCli(
          [
            'keygen',
            '--output-key',
            'e.pem',
            '--output-pub',
            'e.pub',
            '--passphrase-env',
            'KEY_PASS',
          ],
          { cwd: dir, env }
        )
      ).code
    ).toBe(0);
    expect(await readFile(path.join(dir, 'e.pem'), 'utf8')).toContain('ENCRYPTED');
    const without = await runCli(
      ['sign', 'app.tgz', '--key', 'e.pem', '--no-tlog', '--bundle', 'e.json'],
      { cwd: dir }
    );
    expect(without.code).toBe(2);
    expect(without.stderr).toContain('SIGN_KEY_INVALID');
    const withPass = await runCli(
      [
        'sign',
        'app.tgz',
        '--key',
        'e.pem',
        '--key-passphrase-env',
        'KEY_PASS',
        '--no-tlog',
        '--bundle',
        'e.json',
      ],
      { cwd: dir, env }
    );
    expect(withPass.code).toBe(0);
  });
});
