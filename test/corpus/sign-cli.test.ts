// The CLI over the conformance corpus: every case through `custody verify-bundle` with the exact
// upstream argv (plus --trusted-root for offline use).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { corpusPath } from './shared.js';

const CONFORMANCE_DIR = corpusPath('conformance');
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
        '^https://github\\.com/sigstore-conformance/',
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
        '^https://github\\.com/',
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
