// Human renderings of a verification report: a text verdict + per-artifact table for terminals,
// and Markdown with a Mermaid diagram of the chain for CI step summaries and MR comments.
import type { ArtifactReport, Check, CheckStatus, VerificationReport } from './types.js';

/** Columns of the per-artifact table: a column is the worst status of the checks it groups. */
const COLUMNS: { title: string; prefixes: string[] }[] = [
  { title: 'checksum', prefixes: ['checksum'] },
  { title: 'signature', prefixes: ['signature'] },
  { title: 'provenance', prefixes: ['provenance'] },
  { title: 'sbom', prefixes: ['sbom'] },
  { title: 'fresh', prefixes: ['freshness'] },
  { title: 'tlog', prefixes: ['transparency'] },
];

function worst(checks: Check[]): CheckStatus | undefined {
  if (checks.length === 0) return undefined;
  if (checks.some((c) => c.status === 'fail')) return 'fail';
  if (checks.some((c) => c.status === 'pass')) return 'pass';
  return 'skip';
}

function column(artifact: ArtifactReport, prefixes: string[]): CheckStatus | undefined {
  return worst(
    artifact.checks.filter((c) => prefixes.some((p) => c.id === p || c.id.startsWith(`${p}.`)))
  );
}

const CELL: Record<CheckStatus, string> = { pass: 'ok', fail: 'FAIL', skip: '-' };

export function verdictLine(report: VerificationReport): string {
  const s = report.summary;
  return `${report.verdict}: ${s.artifactsPassed}/${s.artifacts} artifact(s) verified against policy ${JSON.stringify(report.policy.name)}; checks ${s.checks.pass} passed, ${s.checks.fail} failed, ${s.checks.skip} skipped`;
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

export function renderText(report: VerificationReport): string {
  const lines: string[] = [verdictLine(report), ''];
  const nameWidth = Math.min(48, Math.max(8, ...report.artifacts.map((a) => a.name.length)));
  const header = [
    pad('artifact', nameWidth),
    'SLSA',
    ...COLUMNS.map((c) => pad(c.title, 10)),
    'verdict',
  ];
  lines.push(header.join('  '));
  for (const artifact of report.artifacts) {
    const cells = COLUMNS.map((c) => pad(CELL[column(artifact, c.prefixes) ?? 'skip'], 10));
    lines.push(
      [
        pad(artifact.name, nameWidth),
        pad(`L${artifact.slsaBuildLevel}`, 4),
        ...cells,
        artifact.verdict,
      ].join('  ')
    );
  }
  lines.push('', 'release checks:');
  for (const check of report.release.checks) {
    lines.push(
      `  ${pad(check.status.toUpperCase(), 4)}  ${pad(check.id, 22)}  ${check.status === 'fail' ? `${check.code}: ` : ''}${check.message}`
    );
  }
  if (report.summary.failures.length > 0) {
    lines.push('', 'failures:');
    for (const f of report.summary.failures)
      lines.push(`  ${f.subject}  ${f.id}  ${f.code}: ${f.message}`);
  }
  return `${lines.join('\n')}\n`;
}

function mdEscape(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function mermaidLabel(text: string): string {
  return text.replace(/["<>]/g, "'").slice(0, 80);
}

const DIAGRAM_ARTIFACT_LIMIT = 8;

/** A Mermaid flowchart of the chain: artifact → checksums → signer, artifact → provenance → source. */
export function renderMermaid(report: VerificationReport): string {
  const out: string[] = ['flowchart LR'];
  const status = (s: CheckStatus | undefined): string =>
    s === 'fail' ? ':::fail' : s === 'pass' ? ':::pass' : ':::skip';
  const release = new Map(report.release.checks.map((c) => [c.id, c]));
  out.push(
    `  sums["checksums"]${status(release.get('checksums.signature')?.status === 'fail' ? 'fail' : release.get('checksums.present')?.status)}`
  );
  const signer = report.attestations.find(
    (a) => a.kind === 'message-signature' && a.signerAllowed === true
  )?.signer;
  const identity = typeof signer?.identity === 'string' ? signer.identity : 'signer';
  out.push(
    `  signer["${mermaidLabel(identity)}"]${status(release.get('checksums.signature')?.status)}`
  );
  out.push(`  sums -- signed by --> signer`);
  const shown = report.artifacts.slice(0, DIAGRAM_ARTIFACT_LIMIT);
  shown.forEach((artifact, index) => {
    const a = `a${index}`;
    out.push(
      `  ${a}["${mermaidLabel(artifact.name)}"]${status(artifact.verdict === 'FAIL' ? 'fail' : 'pass')}`
    );
    out.push(`  ${a} -- digest --> sums`);
    const prov = column(artifact, ['provenance']);
    if (prov !== undefined && prov !== 'skip') {
      out.push(`  p${index}["SLSA provenance L${artifact.slsaBuildLevel}"]${status(prov)}`);
      out.push(`  ${a} --> p${index}`);
    }
    const sbom = column(artifact, ['sbom']);
    if (sbom !== undefined && sbom !== 'skip') {
      out.push(`  s${index}["SBOM"]${status(sbom)}`);
      out.push(`  ${a} --> s${index}`);
    }
  });
  if (report.artifacts.length > shown.length) {
    out.push(`  more["… ${report.artifacts.length - shown.length} more artifact(s)"]`);
    out.push('  more -- digest --> sums');
  }
  const agents = report.release.checks.filter((c) => c.id.startsWith('agents.'));
  const agentStatus = worst(agents);
  if (agentStatus !== undefined && agentStatus !== 'skip') {
    out.push(`  agent["agent provenance"]${status(agentStatus)}`);
    out.push(`  agent -- covers commits --> ${shown.length > 0 ? 'p0' : 'sums'}`);
  }
  out.push('  classDef pass fill:#d4f7d4,stroke:#2a7a2a');
  out.push('  classDef fail fill:#f9d0d0,stroke:#a32020');
  out.push('  classDef skip fill:#eeeeee,stroke:#888888');
  return out.join('\n');
}

export function renderMarkdown(report: VerificationReport): string {
  const icon = report.verdict === 'PASS' ? '✅' : '❌';
  const lines: string[] = [
    `## ${icon} custody verify: ${report.verdict}`,
    '',
    verdictLine(report),
    '',
    '```mermaid',
    renderMermaid(report),
    '```',
    '',
    `| artifact | SLSA | ${COLUMNS.map((c) => c.title).join(' | ')} | verdict |`,
    `| --- | --- | ${COLUMNS.map(() => '---').join(' | ')} | --- |`,
  ];
  for (const artifact of report.artifacts) {
    lines.push(
      `| \`${mdEscape(artifact.name)}\` | L${artifact.slsaBuildLevel} | ${COLUMNS.map((c) => CELL[column(artifact, c.prefixes) ?? 'skip']).join(' | ')} | ${artifact.verdict} |`
    );
  }
  lines.push('', '| release check | status | message |', '| --- | --- | --- |');
  for (const check of report.release.checks) {
    lines.push(
      `| \`${check.id}\` | ${check.status === 'fail' ? `**FAIL** \`${check.code}\`` : check.status} | ${mdEscape(check.message)} |`
    );
  }
  if (report.summary.failures.length > 0) {
    lines.push('', '### Failures', '');
    for (const f of report.summary.failures)
      lines.push(`- \`${mdEscape(f.subject)}\` \`${f.id}\` **${f.code}**: ${mdEscape(f.message)}`);
  }
  lines.push(
    '',
    `Policy \`${mdEscape(report.policy.uri)}\` (sha256 \`${report.policy.digest.sha256.slice(0, 16)}…\`), verified ${report.verifiedAt}.`
  );
  return `${lines.join('\n')}\n`;
}
