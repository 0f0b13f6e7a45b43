// The HTML report in a real browser: Debian's headless Chromium (the test command installs it
// through test/helpers/provision.ts; a missing binary fails the test, it does not skip). Checks
// the visible text, the SVG chain graph and that the page makes no request at all (all inline).
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InTotoStatement } from '../../src/attest/intoto.js';
import { buildTrace, renderTraceHTML } from '../../src/trace/index.js';
import { runCli } from '../helpers/cli.js';
import { buildTracedRelease, type TracedRelease } from './release.js';

const CHROMIUM = '/usr/bin/chromium';
let browser: Browser;
let release: TracedRelease;
let out: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium) — the HTML report test needs a real browser`
    );
  }
  [browser, release] = await Promise.all([
    chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    }),
    buildTracedRelease(),
  ]);
  out = mkdtempSync(path.join(tmpdir(), 'custody-trace-html-'));
});
afterAll(async () => {
  await browser?.close();
  await release?.close();
  if (out !== undefined) rmSync(out, { recursive: true, force: true });
});

/** Opens a file:// page with every non-file request aborted and recorded. */
async function open(
  file: string,
  options: { javaScriptEnabled?: boolean } = {}
): Promise<{
  page: Page;
  requests: string[];
  close: () => Promise<void>;
}> {
  // The report needs no script; the hostile-content test enables JavaScript so that an injected
  // script would run (and be caught) if escaping or the CSP failed.
  const context = await browser.newContext({
    javaScriptEnabled: options.javaScriptEnabled ?? false,
  });
  const requests: string[] = [];
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if (url.startsWith('file://')) return route.continue();
    requests.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  page.on('request', (request) => {
    if (!request.url().startsWith('file://')) requests.push(request.url());
  });
  await page.goto(`file://${file}`);
  return { page, requests, close: () => context.close() };
}

describe('the HTML trace report in headless Chromium', () => {
  it('shows the commit, agent, approver and deployment, draws the chain, and requests nothing', async () => {
    const file = path.join(out, 'trace.html');
    const run = await runCli(
      ['trace', 'hello-linux-amd64', '--trusted-root', release.trustedRoot, '--output', file],
      { cwd: release.dir }
    );
    expect(run.code, run.stderr).toBe(0);
    const { page, requests, close } = await open(file);
    try {
      const text = await page.locator('body').innerText();
      expect(text).toContain(release.history.release);
      expect(text).toContain('claude-code');
      expect(text).toContain('octocat');
      expect(text).toContain('production');
      expect(text).toContain('COMPLETE: every link verified');
      expect(text).toContain('No gaps.');
      const svg = page.locator('svg.graph');
      expect(await svg.count()).toBe(1);
      const box = await svg.boundingBox();
      expect(box?.width).toBeGreaterThan(400);
      expect(box?.height).toBeGreaterThan(80);
      const nodes = await page.locator('svg.graph g.node').all();
      const kinds = await Promise.all(nodes.map((n) => n.getAttribute('data-kind')));
      expect([...new Set(kinds)].sort()).toEqual([
        'agent',
        'approver',
        'artifact',
        'build',
        'commit',
        'deployment',
        'sbom',
        'signature',
        'verification',
      ]);
      expect(await page.locator('svg.graph path.edge').count()).toBeGreaterThanOrEqual(8);
      // the rendered node boxes have a size (the SVG actually laid out)
      const rect = await page.locator('svg.graph g.node.artifact rect').boundingBox();
      expect(rect?.width).toBeGreaterThan(50);
      expect(await page.locator('ol.timeline li').count()).toBeGreaterThanOrEqual(5);
      expect(requests).toEqual([]);
    } finally {
      await close();
    }
  });

  it('shows gaps, and a <script> in an attestation field stays text', async () => {
    const hostile: InTotoStatement = {
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: 'app', digest: { sha256: 'd'.repeat(64) } }],
      predicateType: 'https://custody.dev/agent-provenance/v0.1',
      predicate: {
        agent: { name: '<script>document.title="pwned"</script>' },
        model: { name: '<img src="https://evil.example/x.png">' },
        changes: [],
        humanApprovals: [],
        autonomy: 'autonomous',
      },
    };
    const trace = buildTrace(
      [
        {
          source: 'hostile.intoto.jsonl#1',
          status: 'verified',
          kind: 'dsse',
          statement: hostile,
          payloadSha256: 'a'.repeat(64),
          signer: { kind: 'certificate', identity: 'https://evil.example/<b>x</b>' },
        },
      ],
      { kind: 'digest', sha256: 'd'.repeat(64) },
      { generatedAt: new Date('2026-11-20T10:30:00Z') }
    );
    const file = path.join(out, 'hostile.html');
    writeFileSync(file, renderTraceHTML(trace));
    const { page, requests, close } = await open(file, { javaScriptEnabled: true });
    try {
      expect(await page.title()).not.toBe('pwned');
      expect(await page.title()).toMatch(/^Custody trace: digest sha256:d{64}$/);
      const text = await page.locator('body').innerText();
      expect(text).toContain('<script>document.title="pwned"</script>');
      expect(text).toContain('INCOMPLETE');
      expect(text).toContain('PROVENANCE_MISSING');
      expect(text).toContain('AGENT_APPROVAL_MISSING');
      expect(await page.locator('script').count()).toBe(0);
      expect(await page.locator('img').count()).toBe(0);
      expect(await page.locator('svg.graph g.node.gap').count()).toBeGreaterThanOrEqual(3);
      expect(requests).toEqual([]);
    } finally {
      await close();
    }
  });
});
