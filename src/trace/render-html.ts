// Self-contained HTML rendering of a trace: inline CSS and inline SVG only, no scripts, no external
// assets (a Content-Security-Policy forbids any fetch), readable offline by an auditor. Attestation
// content is untrusted: every string goes through `esc()` before it reaches the markup.
import type { ArtifactTrail, Gap, Trace } from './types.js';

/** Escapes text for HTML/SVG element content and double-quoted attribute values. */
export function esc(value: string | number | undefined): string {
  if (value === undefined) return '';
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function clip(value: string, max: number): string {
  return value.length <= max ? value : `${value.slice(0, max - 1)}…`;
}

const short = (sha: string | undefined): string => (sha === undefined ? '' : sha.slice(0, 12));

export type GraphNodeKind =
  | 'deployment'
  | 'verification'
  | 'artifact'
  | 'signature'
  | 'sbom'
  | 'build'
  | 'commit'
  | 'agent'
  | 'approver'
  | 'gap';

export interface GraphNode {
  id: string;
  kind: GraphNodeKind;
  column: number;
  title: string;
  lines: string[];
}

export interface TraceGraph {
  nodes: GraphNode[];
  edges: { from: string; to: string; label?: string }[];
}

const COLUMNS = ['deployment', 'verification', 'artifact', 'build', 'source', 'agent', 'approval'];

/** The chain of one artifact as nodes in columns (deployment … approval) and edges between them. */
export function traceGraph(trail: ArtifactTrail): TraceGraph {
  const nodes: GraphNode[] = [];
  const edges: TraceGraph['edges'] = [];
  const gapNode = (id: string, column: number, gap: Gap | undefined, fallback: string): string => {
    nodes.push({
      id,
      kind: 'gap',
      column,
      title: `GAP ${gap?.code ?? fallback}`,
      lines: [gap?.message ?? fallback],
    });
    return id;
  };
  const gapOf = (code: Gap['code']): Gap | undefined => trail.gaps.find((g) => g.code === code);

  nodes.push({
    id: 'artifact',
    kind: 'artifact',
    column: 2,
    title: 'Artifact',
    lines: [trail.names[0] ?? '(unnamed)', `sha256:${short(trail.sha256)}`],
  });

  trail.deployments.forEach((d, i) => {
    const id = `deployment-${i}`;
    nodes.push({
      id,
      kind: 'deployment',
      column: 0,
      title: `Deployment: ${d.environment}`,
      lines: [d.target.uri, d.deployedAt],
    });
    const vsaIndex = trail.verifications.findIndex(
      (v) => v.attestation.payloadSha256 === d.verificationSummary?.sha256
    );
    // Through the VSA it relied on (which verifies the artifact), else straight to the artifact.
    if (vsaIndex >= 0) edges.push({ from: id, to: `vsa-${vsaIndex}`, label: 'relied on' });
    else edges.push({ from: id, to: 'artifact', label: 'deploys' });
  });
  if (trail.deployments.length === 0) {
    gapNode('gap-deployment', 0, gapOf('DEPLOYMENT_MISSING'), 'DEPLOYMENT_MISSING');
  }

  trail.verifications.forEach((v, i) => {
    nodes.push({
      id: `vsa-${i}`,
      kind: 'verification',
      column: 1,
      title: `VSA: ${v.result ?? 'unknown'}`,
      lines: [v.verifiedLevels[0] ?? '', v.timeVerified ?? ''],
    });
    edges.push({ from: `vsa-${i}`, to: 'artifact', label: 'verifies' });
  });
  if (trail.verifications.length === 0) gapNode('gap-vsa', 1, gapOf('VSA_MISSING'), 'VSA_MISSING');

  trail.signatures.forEach((s, i) => {
    nodes.push({
      id: `signature-${i}`,
      kind: 'signature',
      column: 2,
      title: 'Signature',
      lines: [s.attestation.signer.identity, s.attestation.signedAt ?? ''],
    });
    edges.push({ from: 'artifact', to: `signature-${i}`, label: 'signed' });
  });
  trail.sboms.forEach((s, i) => {
    nodes.push({
      id: `sbom-${i}`,
      kind: 'sbom',
      column: 2,
      title: 'SBOM',
      lines: [`${s.componentCount} components`, clip(s.licenses.join(', '), 40)],
    });
    edges.push({ from: 'artifact', to: `sbom-${i}`, label: 'contains' });
  });
  if (trail.sboms.length === 0) gapNode('gap-sbom', 2, gapOf('SBOM_MISSING'), 'SBOM_MISSING');

  const commits = new Map<string, string>();
  trail.builds.forEach((b, i) => {
    const id = `build-${i}`;
    nodes.push({
      id,
      kind: 'build',
      column: 3,
      title: 'Build',
      lines: [b.builderId ?? '(unknown builder)', b.runUrl ?? b.workflow ?? ''],
    });
    edges.push({ from: 'artifact', to: id, label: 'built by' });
    if (b.sourceCommit !== undefined) {
      const commitId = `commit-${b.sourceCommit}`;
      if (!commits.has(b.sourceCommit)) {
        commits.set(b.sourceCommit, commitId);
        nodes.push({
          id: commitId,
          kind: 'commit',
          column: 4,
          title: `Commit ${short(b.sourceCommit)}`,
          lines: [b.sourceRepository ?? '', b.sourceRef ?? ''],
        });
      }
      edges.push({ from: id, to: commitId, label: 'from' });
    }
  });
  if (trail.builds.length === 0) {
    gapNode('gap-build', 3, gapOf('PROVENANCE_MISSING'), 'PROVENANCE_MISSING');
  }

  trail.agents.forEach((a, i) => {
    const id = `agent-${i}`;
    nodes.push({
      id,
      kind: 'agent',
      column: 5,
      title: `Agent: ${a.agent.name}`,
      lines: [a.model.name, `${a.commits.length} commit(s)`],
    });
    const sources = [...commits.values()];
    if (sources.length === 0) edges.push({ from: 'artifact', to: id, label: 'authored' });
    for (const commitId of sources) edges.push({ from: commitId, to: id, label: 'authored by' });
    a.approvers.forEach((p, j) => {
      const approverId = `approver-${i}-${j}`;
      nodes.push({
        id: approverId,
        kind: 'approver',
        column: 6,
        title: `Approver: ${p.login ?? p.id}`,
        lines: [p.method ?? '', p.timestamp ?? ''],
      });
      edges.push({ from: id, to: approverId, label: 'approved by' });
    });
    if (a.approvers.length === 0) {
      gapNode(`gap-approval-${i}`, 6, gapOf('AGENT_APPROVAL_MISSING'), 'AGENT_APPROVAL_MISSING');
      edges.push({ from: id, to: `gap-approval-${i}` });
    }
  });
  if (trail.agents.length === 0) {
    gapNode('gap-agent', 5, gapOf('AGENT_PROVENANCE_MISSING'), 'AGENT_PROVENANCE_MISSING');
  }
  return { nodes, edges };
}

const NODE_W = 200;
const NODE_H = 66;
const COL_GAP = 44;
const ROW_GAP = 22;
const MARGIN = 16;
const HEADER = 24;

/** Draws the graph as inline SVG (no scripts; <title> elements give the full text on hover). */
export function renderGraphSVG(graph: TraceGraph, label: string, idPrefix = 'g0'): string {
  const arrow = `${idPrefix}-arrow`;
  const rows = new Map<number, number>();
  const position = new Map<string, { x: number; y: number }>();
  for (const node of graph.nodes) {
    const row = rows.get(node.column) ?? 0;
    rows.set(node.column, row + 1);
    position.set(node.id, {
      x: MARGIN + node.column * (NODE_W + COL_GAP),
      y: MARGIN + HEADER + row * (NODE_H + ROW_GAP),
    });
  }
  const maxRows = Math.max(1, ...rows.values());
  const width = MARGIN * 2 + COLUMNS.length * NODE_W + (COLUMNS.length - 1) * COL_GAP;
  const height = MARGIN * 2 + HEADER + maxRows * (NODE_H + ROW_GAP);
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="graph" role="img" aria-label="${esc(label)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">`,
    `<defs><marker id="${arrow}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#6b7280"/></marker></defs>`
  );
  COLUMNS.forEach((name, i) => {
    parts.push(
      `<text class="col" x="${MARGIN + i * (NODE_W + COL_GAP) + NODE_W / 2}" y="${MARGIN + 12}" text-anchor="middle">${esc(name)}</text>`
    );
  });
  for (const edge of graph.edges) {
    const a = position.get(edge.from);
    const b = position.get(edge.to);
    if (a === undefined || b === undefined) continue;
    let x1: number, y1: number, x2: number, y2: number;
    if (a.x === b.x) {
      // Same column: loop out on the right, so the edge does not cross the nodes in between.
      const x = a.x + NODE_W;
      const ya = a.y + NODE_H / 2;
      const yb = b.y + NODE_H / 2;
      parts.push(
        `<path class="edge" data-from="${esc(edge.from)}" data-to="${esc(edge.to)}" d="M${x},${ya} C${x + COL_GAP * 0.7},${ya} ${x + COL_GAP * 0.7},${yb} ${x},${yb}" marker-end="url(#${arrow})"><title>${esc(edge.label ?? '')}</title></path>`
      );
      continue;
    } else {
      const leftToRight = a.x < b.x;
      x1 = leftToRight ? a.x + NODE_W : a.x;
      x2 = leftToRight ? b.x : b.x + NODE_W;
      y1 = a.y + NODE_H / 2;
      y2 = b.y + NODE_H / 2;
    }
    parts.push(
      `<path class="edge" data-from="${esc(edge.from)}" data-to="${esc(edge.to)}" d="M${x1},${y1} C${(x1 + x2) / 2},${y1} ${(x1 + x2) / 2},${y2} ${x2},${y2}" marker-end="url(#${arrow})"><title>${esc(edge.label ?? '')}</title></path>`
    );
  }
  for (const node of graph.nodes) {
    const p = position.get(node.id);
    if (p === undefined) continue;
    const full = [node.title, ...node.lines].filter((l) => l !== '').join('\n');
    parts.push(
      `<g class="node ${node.kind}" data-node="${esc(node.id)}" data-kind="${node.kind}"><title>${esc(full)}</title>`,
      `<rect x="${p.x}" y="${p.y}" width="${NODE_W}" height="${NODE_H}" rx="8"/>`,
      `<text class="t" x="${p.x + 10}" y="${p.y + 20}">${esc(clip(node.title, 30))}</text>`,
      ...node.lines
        .slice(0, 2)
        .map(
          (line, i) =>
            `<text class="l" x="${p.x + 10}" y="${p.y + 38 + i * 16}">${esc(clip(line, 27))}</text>`
        ),
      '</g>'
    );
  }
  parts.push('</svg>');
  return parts.join('');
}

const CSS = `
:root{--fg:#111827;--muted:#6b7280;--ok:#047857;--bad:#b91c1c;--warn:#b45309;--line:#e5e7eb}
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);margin:0;padding:24px 32px;max-width:1700px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}h3{font-size:15px;margin:18px 0 6px}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px;word-break:break-all}
.verdict{display:inline-block;padding:4px 10px;border-radius:6px;font-weight:600}.verdict.ok{background:#d1fae5;color:var(--ok)}.verdict.bad{background:#fee2e2;color:var(--bad)}
table{border-collapse:collapse;margin:6px 0 12px;width:100%}th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}th{background:#f9fafb;font-weight:600;width:18%}
.sev-error{color:var(--bad);font-weight:600}.sev-warning{color:var(--warn);font-weight:600}
.graphbox{overflow-x:auto;border:1px solid var(--line);border-radius:8px;padding:4px;margin:8px 0 16px}
svg.graph{max-width:100%;height:auto}svg .col{font-size:12px;fill:var(--muted);text-transform:uppercase;letter-spacing:.05em}
svg .node rect{fill:#f9fafb;stroke:#9ca3af;stroke-width:1.2}svg .node .t{font-size:13px;font-weight:600;fill:var(--fg)}svg .node .l{font-size:11.5px;fill:#374151;font-family:ui-monospace,Menlo,Consolas,monospace}
svg .deployment rect{fill:#ede9fe;stroke:#7c3aed}svg .verification rect{fill:#e0f2fe;stroke:#0284c7}svg .artifact rect{fill:#fef3c7;stroke:#d97706;stroke-width:2}
svg .build rect{fill:#dcfce7;stroke:#16a34a}svg .commit rect{fill:#f1f5f9;stroke:#475569}svg .agent rect{fill:#fce7f3;stroke:#db2777}svg .approver rect{fill:#ecfccb;stroke:#65a30d}
svg .signature rect,svg .sbom rect{fill:#fff7ed;stroke:#ea580c}svg .gap rect{fill:#fef2f2;stroke:#dc2626;stroke-dasharray:6 4;stroke-width:1.6}svg .gap .t{fill:#b91c1c}
svg .edge{fill:none;stroke:#9ca3af;stroke-width:1.4}
ol.timeline{list-style:none;margin:8px 0;padding:0 0 0 18px;border-left:3px solid var(--line)}ol.timeline li{position:relative;margin:0 0 10px;padding-left:10px}
ol.timeline li::before{content:"";position:absolute;left:-26px;top:5px;width:11px;height:11px;border-radius:50%;background:#9ca3af;border:2px solid #fff}
ol.timeline li.deployment::before{background:#7c3aed}ol.timeline li.build::before{background:#16a34a}ol.timeline li.commit::before{background:#475569}ol.timeline li.agent::before{background:#db2777}ol.timeline li.approval::before{background:#65a30d}ol.timeline li.verification::before{background:#0284c7}
.time{color:var(--muted);font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;margin-right:8px}.kind{display:inline-block;min-width:86px;color:var(--muted);font-size:12px;text-transform:uppercase}
footer{margin-top:32px;color:var(--muted);font-size:12px}
@media print{.graphbox{overflow:visible}body{padding:0}}
`;

function row(label: string, value: string | undefined, mono = false): string {
  const v = value === undefined || value === '' ? '—' : esc(value);
  return `<tr><th>${esc(label)}</th><td>${mono && value !== undefined ? `<code>${v}</code>` : v}</td></tr>`;
}

function signer(ref: { signer: { identity: string; issuer?: string }; signedAt?: string }): string {
  return `${ref.signer.identity}${ref.signer.issuer === undefined ? '' : ` (${ref.signer.issuer})`}${ref.signedAt === undefined ? '' : `, ${ref.signedAt}`}`;
}

function gapTable(gaps: readonly Gap[]): string {
  if (gaps.length === 0) return '<p class="nogaps">No gaps.</p>';
  return `<table class="gaps"><thead><tr><th>severity</th><th>code</th><th>link</th><th>what</th><th>attestation</th></tr></thead><tbody>${gaps
    .map(
      (g) =>
        `<tr class="gap"><td class="sev-${g.severity}">${g.severity}</td><td><code>${esc(g.code)}</code></td><td>${esc(g.link)}</td><td>${esc(g.message)}${g.reason === undefined ? '' : ` (<code>${esc(g.reason)}</code>)`}</td><td>${esc(g.attestation ?? '—')}</td></tr>`
    )
    .join('')}</tbody></table>`;
}

function artifactSection(trail: ArtifactTrail, index: number): string {
  const name = trail.names.length > 0 ? trail.names.join(', ') : `sha256:${trail.sha256}`;
  const out: string[] = [];
  out.push(
    `<section class="artifact" id="artifact-${index}"><h2>Artifact ${esc(name)}</h2><p>Digest <code>sha256:${esc(trail.sha256)}</code></p>`,
    `<h3>Chain</h3><div class="graphbox">${renderGraphSVG(traceGraph(trail), `custody chain of ${name}`, `g${index}`)}</div>`
  );
  out.push('<h3>Deployments</h3>');
  if (trail.deployments.length === 0) out.push('<p>None recorded.</p>');
  for (const d of trail.deployments) {
    out.push(
      `<table class="deployment">${row('environment', d.environment)}${row('target', d.target.uri)}${row('deployed at', d.deployedAt)}${row('deployer (claimed)', d.deployer?.id)}${row('signed by', signer(d.attestation))}${row('deployment run', d.invocationUri)}${row('relied on VSA', d.verificationSummary === undefined ? undefined : `sha256:${d.verificationSummary.sha256} — ${d.verificationSummary.found ? (d.verificationSummary.result ?? 'found') : 'NOT FOUND'}`)}</table>`
    );
  }
  out.push('<h3>Build</h3>');
  if (trail.builds.length === 0) out.push('<p>No verified provenance.</p>');
  for (const b of trail.builds) {
    out.push(
      `<table class="build">${row('builder', b.builderId, true)}${row('build type', b.buildType, true)}${row('workflow / pipeline', b.workflow, true)}${row('run', b.runUrl)}${row('source repository', b.sourceRepository)}${row('ref', b.sourceRef, true)}${row('commit', b.sourceCommit, true)}${row('runner', b.runnerEnvironment)}${row('signed by', signer(b.attestation))}${row('certificate: workflow', b.certificate?.buildSignerURI, true)}${row('certificate: commit', b.certificate?.sourceRepositoryDigest, true)}${row('certificate: trigger', b.certificate?.buildTrigger)}${row('linked attestations', b.byproducts.map((p) => `${p.name ?? 'attestation'} sha256:${p.sha256.slice(0, 16)}… ${p.found ? 'verified' : 'NOT FOUND'}`).join('; '))}${row('attestation', b.attestation.source)}</table>`
    );
  }
  out.push('<h3>Agent provenance</h3>');
  if (trail.agents.length === 0) out.push('<p>None verified.</p>');
  for (const a of trail.agents) {
    out.push(
      `<table class="agent">${row('agent', `${a.agent.name}${a.agent.version === undefined ? '' : ` ${a.agent.version}`}`)}${row('model', `${a.model.provider === undefined ? '' : `${a.model.provider}/`}${a.model.name}${a.model.version === undefined ? '' : ` (${a.model.version})`}`)}${row('prompt digest', a.prompt === undefined ? undefined : `${a.prompt.digest}${a.prompt.commitment === undefined ? '' : ` (${a.prompt.commitment})`}`, true)}${row('plan', a.plan === undefined ? undefined : [a.plan.id, a.plan.uri, a.plan.sha256 === undefined ? undefined : `sha256:${a.plan.sha256}`].filter((x) => x !== undefined).join(' '))}${row('autonomy', a.autonomy)}${row('approvers', a.approvers.length === 0 ? 'NONE' : a.approvers.map((p) => `${p.login ?? p.id} (${p.method ?? 'approval'}${p.timestamp === undefined ? '' : `, ${p.timestamp}`})`).join('; '))}${row('commits', a.commits.map((c) => c.sha).join(' '), true)}${row('signed by', signer(a.attestation))}${row('attestation', a.attestation.source)}</table>`
    );
  }
  out.push('<h3>SBOM</h3>');
  if (trail.sboms.length === 0) out.push('<p>None verified.</p>');
  for (const s of trail.sboms) {
    out.push(
      `<table class="sbom">${row('format', `CycloneDX ${s.specVersion ?? ''}`)}${row('components', String(s.componentCount))}${row('licenses', s.licenses.join(', '))}${row('signed by', signer(s.attestation))}</table>`
    );
  }
  out.push('<h3>Verification summaries</h3>');
  if (trail.verifications.length === 0) out.push('<p>None verified.</p>');
  for (const v of trail.verifications) {
    out.push(
      `<table class="vsa">${row('result', v.result)}${row('verifier', v.verifier, true)}${row('levels', v.verifiedLevels.join(', '))}${row('time verified', v.timeVerified)}${row('policy', v.policy)}${row('resource', v.resourceUri)}${row('signed by', signer(v.attestation))}</table>`
    );
  }
  out.push(`<h3>Gaps</h3>${gapTable(trail.gaps)}</section>`);
  return out.join('');
}

function targetText(trace: Trace): string {
  const t = trace.target;
  if (t.kind === 'commit') return `commit ${t.commit}`;
  if (t.kind === 'artifact') return `artifact ${t.name ?? ''} (sha256:${t.sha256})`;
  return `digest sha256:${t.sha256}`;
}

export function renderTraceHTML(trace: Trace): string {
  const title = `Custody trace: ${targetText(trace)}`;
  const timeline =
    trace.timeline.length === 0
      ? '<p>No dated events.</p>'
      : `<ol class="timeline">${trace.timeline
          .map(
            (e) =>
              `<li class="${e.kind}"><span class="time">${esc(e.time)}</span><span class="kind">${esc(e.kind)}</span>${esc(e.label)}${e.artifact === undefined ? '' : ` <span class="mono">[${esc(e.artifact)}]</span>`}</li>`
          )
          .join('')}</ol>`;
  const attestations = `<table class="attestations"><thead><tr><th>source</th><th>status</th><th>predicate type</th><th>relevant</th><th>reason</th></tr></thead><tbody>${trace.attestations
    .map(
      (a) =>
        `<tr><td class="mono">${esc(a.source)}</td><td>${esc(a.status)}</td><td class="mono">${esc(a.predicateType ?? '—')}</td><td>${a.relevant ? 'yes' : 'no'}</td><td>${a.reason === undefined ? '—' : `<code>${esc(a.reason.code)}</code> ${esc(a.reason.message)}`}</td></tr>`
    )
    .join('')}</tbody></table>`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(title)}</title><style>${CSS}</style></head><body>`,
    `<header><h1>${esc(title)}</h1>`,
    `<p><span class="verdict ${trace.complete ? 'ok' : 'bad'}">${trace.complete ? 'COMPLETE: every link verified' : 'INCOMPLETE: the trail has gaps'}</span> `,
    `${trace.counts.verified} of ${trace.counts.considered} attestations verified, ${trace.counts.relevant} relevant, ${trace.counts.ignored} ignored, ${trace.counts.gaps} gaps. Generated ${esc(trace.generatedAt)}.</p></header>`,
    trace.gaps.length > 0 ? `<h2>Input gaps</h2>${gapTable(trace.gaps)}` : '',
    trace.artifacts.length === 0 ? '<p>No artifact is traced.</p>' : '',
    ...trace.artifacts.map(artifactSection),
    `<h2>Timeline</h2>${timeline}`,
    `<h2>Attestations considered</h2>${attestations}`,
    `<footer>Generated by custody trace (${esc(trace.traceVersion)}). Facts come only from attestations whose Sigstore signatures verified; everything else is listed as a gap.</footer>`,
    '</body></html>',
    '',
  ].join('\n');
}
