import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderErrorDocs } from '../../src/error-docs.js';
import { ERROR_CODES } from '../../src/errors.js';
import { VERSION } from '../../src/version.js';
import { REPO_ROOT } from '../helpers/cli.js';

describe('project invariants', () => {
  it('runs on Node 24', () => {
    expect(process.versions.node.split('.')[0]).toBe('24');
  });

  it('keeps VERSION in step with package.json', () => {
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
    expect(VERSION).toBe(pkg.version);
  });

  it('keeps docs/errors.md generated from the registry', () => {
    expect(readFileSync(path.join(REPO_ROOT, 'docs/errors.md'), 'utf8')).toBe(renderErrorDocs());
  });

  it('uses upper snake case codes with a documented exit status', () => {
    for (const [code, info] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/);
      expect([1, 2, 3]).toContain(info.exit);
      expect(info.summary.length).toBeGreaterThan(10);
    }
  });

  it('has a dist/ that is fresh against src/', () => {
    const out = mkdtempSync(path.join(tmpdir(), 'custody-dist-'));
    try {
      execFileSync(process.execPath, [path.join(REPO_ROOT, 'scripts/build.mjs'), '--outdir', out], {
        cwd: REPO_ROOT,
      });
      const list = (dir: string): string[] =>
        readdirSync(dir, { recursive: true, withFileTypes: true })
          .filter((e) => e.isFile())
          .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
          .sort();
      const committed = list(path.join(REPO_ROOT, 'dist'));
      expect(list(out), 'dist/ file list is stale: run npm run build').toEqual(committed);
      for (const file of committed) {
        const fresh = readFileSync(path.join(out, file));
        const old = readFileSync(path.join(REPO_ROOT, 'dist', file));
        expect(fresh.equals(old), `dist/${file} is stale: run npm run build and commit dist/`).toBe(
          true
        );
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
