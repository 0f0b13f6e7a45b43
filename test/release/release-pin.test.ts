// scripts/release-pin.mjs: writes the CLI pins of the GitLab components and, in the release
// workflow, refuses to release when the templates do not pin the CLI that was built.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';

const SCRIPT = path.join(REPO_ROOT, 'scripts/release-pin.mjs');
let dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs = [];
});

/** A checkout copy: package.json at `version`, the templates, docs/gitlab.md and a fake CLI. */
function checkout(version: string, cli: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'custody-pin-'));
  dirs.push(dir);
  cpSync(path.join(REPO_ROOT, 'templates'), path.join(dir, 'templates'), { recursive: true });
  mkdirSync(path.join(dir, 'docs'));
  for (const file of ['docs/gitlab.md', 'docs/github-actions.md', 'README.md']) {
    cpSync(path.join(REPO_ROOT, file), path.join(dir, file));
  }
  for (const sub of ['workflows/github', '.github/workflows']) {
    cpSync(path.join(REPO_ROOT, sub), path.join(dir, sub), { recursive: true });
  }
  mkdirSync(path.join(dir, 'dist'));
  writeFileSync(path.join(dir, 'dist/cli.js'), cli);
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ version }));
  return dir;
}

const IMAGE = `node:24-slim@sha256:${'e'.repeat(64)}`;
const NEW_SHA = '1234567890abcdef1234567890abcdef12345678';
const pin = (dir: string, ...args: string[]) =>
  spawnSync(process.execPath, [SCRIPT, '--root', dir, ...args], { encoding: 'utf8' });

describe('release-pin', () => {
  it('writes the version URL and the CLI SHA-256 into every template and the docs', () => {
    const dir = checkout('9.8.7', 'console.log("cli")\n');
    const sha = createHash('sha256').update('console.log("cli")\n').digest('hex');
    expect(pin(dir, '--check').status).toBe(1);
    const written = pin(dir, '--image', IMAGE, '--actions-sha', NEW_SHA);
    expect(written.status, written.stderr).toBe(0);
    for (const name of ['sbom', 'sign', 'attest', 'verify', 'release']) {
      const text = readFileSync(path.join(dir, 'templates', name, 'template.yml'), 'utf8');
      expect(text).toContain(
        '      default: https://github.com/custody-dev/custody/releases/download/v9.8.7/custody.mjs\n'
      );
      expect(text).toContain(`      default: ${sha}\n`);
    }
    const docs = readFileSync(path.join(dir, 'docs/gitlab.md'), 'utf8');
    expect(docs.split(`| \`cli-sha256\` | \`${sha}\` |`)).toHaveLength(6);
    const check = pin(dir, '--check');
    expect(check.status, check.stderr).toBe(0);
  });

  it('pins the default image by digest and custody at the release commit', () => {
    const dir = checkout('9.8.7', 'cli');
    expect(pin(dir, '--image', IMAGE, '--actions-sha', NEW_SHA).status).toBe(0);
    const sbom = readFileSync(path.join(dir, 'templates/sbom/template.yml'), 'utf8');
    expect(sbom).toContain(`      default: ${IMAGE}\n`);
    const release = readFileSync(path.join(dir, 'workflows/github/release.yml'), 'utf8');
    expect(release).toContain(`custody-dev/custody/actions/sign@${NEW_SHA} # v9.8.7`);
    expect(release).not.toMatch(/custody-dev\/custody\/actions\/\w+@(?!1234567890abcdef)/);
    const deploy = readFileSync(
      path.join(dir, 'workflows/github/verify-before-deploy.yml'),
      'utf8'
    );
    expect(deploy).toContain(`@(refs/tags/v9\\.8\\.7|${NEW_SHA})$`);
  });

  it('--check refuses a default image by tag and custody refs at two commits', () => {
    const dir = checkout('0.1.0', 'cli');
    expect(pin(dir).status).toBe(0);
    const tagOnly = pin(dir, '--check');
    expect(tagOnly.status).toBe(1);
    expect(tagOnly.stderr).toContain('the default image node:24-slim is not pinned by digest');
    expect(pin(dir, '--image', IMAGE).status).toBe(0);
    const file = path.join(dir, 'workflows/github/agent-provenance.yml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(/(actions\/attest@)[0-9a-f]{40}/, `$1${NEW_SHA}`)
    );
    const twoCommits = pin(dir, '--check');
    expect(twoCommits.status).toBe(1);
    expect(twoCommits.stderr).toContain("custody's uses: refs name 2 commits");
  });

  it('refuses an image without a digest and a short commit', () => {
    const dir = checkout('0.1.0', 'cli');
    expect(pin(dir, '--image', 'node:24-slim').stderr).toContain('--image must be');
    expect(pin(dir, '--actions-sha', 'abc123').stderr).toContain('--actions-sha must be');
  });

  it('--check names the stale files and the fix, and changes nothing', () => {
    const dir = checkout('0.1.0', 'a rebuilt CLI');
    const before = readFileSync(path.join(dir, 'templates/sign/template.yml'), 'utf8');
    const check = pin(dir, '--check');
    expect(check.status).toBe(1);
    expect(check.stderr).toContain('templates/sign/template.yml');
    expect(check.stderr).toContain('Run `npm run release:pin`');
    expect(readFileSync(path.join(dir, 'templates/sign/template.yml'), 'utf8')).toBe(before);
  });

  it('fails when a template lost its pin', () => {
    const dir = checkout('0.1.0', 'cli');
    const file = path.join(dir, 'templates/sbom/template.yml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace('    cli-sha256:\n', '    cli-digest:\n')
    );
    const result = pin(dir);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('templates/sbom/template.yml has no cli-sha256 pin');
  });
});
