// `custody verify` as a command: usage and input errors exit 2 with a code (never a stack trace),
// unsafe paths are refused, the JSON report follows docs/verify.schema.json, and the demo ends
// with a verified release.
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPORT_SCHEMA } from '../../src/verify/report-schema.js';
import { runCli } from '../helpers/cli.js';
import {
  buildReleaseKit,
  copyRelease,
  ISSUER,
  IDENTITY,
  type ReleaseKit,
} from './release-fixture.js';

let kit: ReleaseKit;
let root: string;

// A real release signed on the local Sigstore stack (artifacts, signed SHA256SUMS, provenance,
// SBOM and agent attestations): nothing outside the repository is read.
beforeAll(async () => {
  kit = await buildReleaseKit();
  root = await copyRelease(kit);
}, 120_000);
afterAll(async () => {
  await kit.close();
  await rm(kit.root, { recursive: true, force: true });
});

const base = (): string[] => [
  'verify',
  '.',
  '--trusted-root',
  kit.trustedRootFile,
  '--certificate-identity',
  IDENTITY,
  '--certificate-oidc-issuer',
  ISSUER,
  '--workers',
  '0',
];

describe('custody verify (CLI)', () => {
  it('passes, and --json prints a report that follows docs/verify.schema.json', async () => {
    const run = await runCli([...base(), '--json'], {
      cwd: root,
      env: { SOURCE_DATE_EPOCH: '1790000000' },
    });
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    const validate = new Ajv({ allErrors: true, strict: true }).compile(REPORT_SCHEMA);
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    expect(report.verifiedAt).toBe('2026-09-21T14:13:20Z');
    const documented = JSON.parse(
      await readFile(path.resolve(import.meta.dirname, '../../docs/verify.schema.json'), 'utf8')
    );
    expect(documented).toEqual(JSON.parse(JSON.stringify(REPORT_SCHEMA)));
  });

  it('the same inputs give the same report bytes with SOURCE_DATE_EPOCH', async () => {
    const env = { SOURCE_DATE_EPOCH: '1790000000' };
    const a = await runCli([...base(), '--format', 'json'], { cwd: root, env });
    const b = await runCli([...base(), '--format', 'json'], { cwd: root, env });
    expect(a.stdout).toBe(b.stdout);
  });

  it.each([
    [['--format', 'yaml'], 'USAGE_INVALID'],
    [['--workers', 'many'], 'USAGE_INVALID'],
    [['--source-digest', 'main'], 'USAGE_INVALID'],
    [['--policy', 'missing.yaml'], 'INPUT_NOT_FOUND'],
    [['--trusted-root', 'README.txt'], 'INPUT_JSON_INVALID'],
  ])('%j exits 2 with %s', async (extra, code) => {
    const run = await runCli([...base(), ...extra], { cwd: root });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`^error\\[${code}\\]`));
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('a bad policy file exits 2 with POLICY_INVALID and the field path', async () => {
    await writeFile(
      path.join(kit.root, 'bad-policy.yaml'),
      'apiVersion: custody.dev/v1alpha1\nkind: ReleasePolicy\nspec:\n  provenance: { builderId: x }\n'
    );
    const run = await runCli(['verify', root, '--policy', 'bad-policy.yaml'], {
      cwd: kit.root,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /error\[POLICY_INVALID\]: bad-policy\.yaml: spec\.provenance: unknown field "builderId"/
    );
  });

  it('without any signer, the flag-only policy is refused (exit 2)', async () => {
    const run = await runCli(['verify', '.'], { cwd: root });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/POLICY_INVALID/);
  });

  it('a symlink leaving the release directory is refused with INPUT_PATH_UNSAFE', async () => {
    const dir = await mkdtemp(path.join(kit.root, 'release-'));
    await writeFile(path.join(kit.root, 'outside.txt'), 'secret');
    await symlink(path.join(kit.root, 'outside.txt'), path.join(dir, 'link.txt'));
    const run = await runCli([...base().slice(0, 1), dir, ...base().slice(2)], { cwd: root });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/INPUT_PATH_UNSAFE/);
  });

  it('markdown output and --output write a report file; a failing verdict exits 1', async () => {
    const out = path.join(kit.root, 'report.md');
    const run = await runCli(
      [...base(), '--format', 'markdown', '--output', out, '--source-ref', 'refs/heads/*'],
      { cwd: root }
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^FAIL: report written to /);
    const markdown = await readFile(out, 'utf8');
    expect(markdown).toMatch(/^## ❌ custody verify: FAIL/);
    expect(markdown).toContain('VERIFY_PROVENANCE_MISMATCH');
  });

  it('a bare DSSE envelope or junk in a .jsonl file fails the release, it does not crash', async () => {
    const dir = await mkdtemp(path.join(kit.root, 'junk-'));
    await writeFile(path.join(dir, 'README.txt'), await readFile(path.join(root, 'README.txt')));
    const bundle = JSON.parse(
      (await readFile(path.join(root, 'provenance.intoto.jsonl'), 'utf8')).trim()
    );
    await writeFile(
      path.join(dir, 'a.intoto.jsonl'),
      `${JSON.stringify(bundle.dsseEnvelope)}\n{not json\n`
    );
    await writeFile(path.join(dir, 'README.txt.sigstore.json'), JSON.stringify(bundle));
    const run = await runCli([...base().slice(0, 1), dir, ...base().slice(2), '--format', 'json'], {
      cwd: root,
    });
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout);
    const bundles = report.release.checks.find((c: { id: string }) => c.id === 'release.bundles');
    expect(bundles.status).toBe('fail');
    expect(bundles.message).toMatch(/a bare DSSE envelope/);
    expect(bundles.message).toMatch(/not valid JSON/);
  });
});

describe('custody demo', () => {
  it('ends with the release verified against custody-policy.yaml (verdict PASS)', async () => {
    const run = await runCli(['demo', '--out', 'demo-release'], { cwd: kit.root });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/\[verify\]/);
    expect(run.stdout).toMatch(/verdict: PASS/);
    const dir = path.join(kit.root, 'demo-release');
    const report = JSON.parse(await readFile(path.join(dir, 'verification.json'), 'utf8'));
    expect(report.verdict).toBe('PASS');
    expect(report.summary.failures).toEqual([]);
    expect(await readFile(path.join(dir, 'verification.md'), 'utf8')).toContain('```mermaid');
    expect(await readFile(path.join(dir, 'custody-policy.yaml'), 'utf8')).toMatch(
      /kind: ReleasePolicy/
    );
    // Verifying the demo release again from the command line passes too.
    const again = await runCli(
      [
        'verify',
        dir,
        '--policy',
        path.join(dir, 'custody-policy.yaml'),
        '--trusted-root',
        path.join(dir, 'trusted_root.json'),
        '--workers',
        '0',
      ],
      { cwd: kit.root }
    );
    expect(again.code, again.stdout).toBe(0);
  }, 120_000);
});
