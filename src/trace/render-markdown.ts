// Markdown rendering of a trace (for PR comments, job summaries, audit files). Attestation content
// is untrusted: every value goes through `md()`, which neutralises HTML, table pipes, emphasis and
// line breaks so a field cannot inject markup or links into the rendered page.
import type { ArtifactTrail, Gap, Trace } from './types.js';

/** Escapes a value for a Markdown table cell or inline text. */
export function md(value: string | number | undefined): string {
  if (value === undefined || value === '') return '—';
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/[\r\n]+/g, ' ')
    .replace(/([\\`*_[\]|~])/g, '\\$1');
}

function code(value: string | undefined): string {
  if (value === undefined || value === '') return '—';
  // Inline code shows the text verbatim; a value containing a backtick falls back to escaping.
  return /[`\r\n|<>]/.test(value) ? md(value) : `\`${value}\``;
}

function targetLine(trace: Trace): string {
  const t = trace.target;
  if (t.kind === 'commit') return `commit ${code(t.commit)}`;
  if (t.kind === 'artifact') return `artifact ${md(t.name)} (${code(`sha256:${t.sha256}`)})`;
  return `digest ${code(`sha256:${t.sha256}`)}`;
}

function gapRows(gaps: readonly Gap[]): string[] {
  if (gaps.length === 0) return ['No gaps.', ''];
  return [
    '| severity | code | link | what | attestation |',
    '| --- | --- | --- | --- | --- |',
    ...gaps.map(
      (g) =>
        `| ${g.severity === 'error' ? '❌ error' : '⚠️ warning'} | ${code(g.code)} | ${g.link} | ${md(g.message)}${g.reason === undefined ? '' : ` (${code(g.reason)})`} | ${md(g.attestation)} |`
    ),
    '',
  ];
}

function signerOf(ref: {
  signer: { identity: string; issuer?: string };
  signedAt?: string;
}): string {
  return `${md(ref.signer.identity)}${ref.signer.issuer === undefined ? '' : ` (${md(ref.signer.issuer)})`}${ref.signedAt === undefined ? '' : `, ${md(ref.signedAt)}`}`;
}

function artifactSection(trail: ArtifactTrail): string[] {
  const lines: string[] = [];
  const title =
    trail.names.length > 0 ? trail.names.map(md).join(', ') : code(`sha256:${trail.sha256}`);
  lines.push(`## Artifact ${title}`, '', `Digest: ${code(`sha256:${trail.sha256}`)}`, '');

  lines.push('### Deployments', '');
  if (trail.deployments.length === 0) lines.push('None recorded.', '');
  else {
    lines.push(
      '| environment | target | deployed at | deployer (signed by) | relied on VSA |',
      '| --- | --- | --- | --- | --- |'
    );
    for (const d of trail.deployments) {
      const vsa =
        d.verificationSummary === undefined
          ? 'none'
          : `${code(`sha256:${d.verificationSummary.sha256.slice(0, 16)}…`)} ${d.verificationSummary.found ? `(${md(d.verificationSummary.result)})` : '(not found)'}`;
      lines.push(
        `| ${md(d.environment)} | ${md(d.target.uri)} | ${md(d.deployedAt)} | ${signerOf(d.attestation)} | ${vsa} |`
      );
    }
    lines.push('');
  }

  lines.push('### Artifact signatures', '');
  if (trail.signatures.length === 0) lines.push('None verified.', '');
  else {
    for (const s of trail.signatures)
      lines.push(`- ${signerOf(s.attestation)} — ${md(s.attestation.source)}`);
    lines.push('');
  }

  lines.push('### Build', '');
  if (trail.builds.length === 0) lines.push('No verified provenance.', '');
  for (const b of trail.builds) {
    lines.push(
      '| field | value |',
      '| --- | --- |',
      `| builder | ${code(b.builderId)} |`,
      `| build type | ${code(b.buildType)} |`,
      `| workflow / pipeline | ${code(b.workflow)} |`,
      `| run | ${md(b.runUrl)} |`,
      `| source repository | ${md(b.sourceRepository)} |`,
      `| ref | ${code(b.sourceRef)} |`,
      `| commit | ${code(b.sourceCommit)} |`,
      `| runner | ${md(b.runnerEnvironment)} |`,
      `| signed by | ${signerOf(b.attestation)} |`,
      `| certificate: workflow | ${code(b.certificate?.buildSignerURI)} |`,
      `| certificate: commit | ${code(b.certificate?.sourceRepositoryDigest)} |`,
      `| certificate: trigger | ${md(b.certificate?.buildTrigger)} |`,
      `| attestation | ${md(b.attestation.source)} |`,
      ''
    );
    if (b.byproducts.length > 0) {
      lines.push('Linked attestations:', '');
      for (const p of b.byproducts) {
        lines.push(
          `- ${md(p.name)} ${code(`sha256:${p.sha256}`)} — ${p.found ? 'found, verified' : '**not found**'}`
        );
      }
      lines.push('');
    }
  }

  lines.push('### Agent provenance', '');
  if (trail.agents.length === 0) lines.push('None verified.', '');
  for (const a of trail.agents) {
    lines.push(
      '| field | value |',
      '| --- | --- |',
      `| agent | ${md(a.agent.name)}${a.agent.version === undefined ? '' : ` ${md(a.agent.version)}`} |`,
      `| model | ${md(a.model.provider === undefined ? a.model.name : `${a.model.provider}/${a.model.name}`)}${a.model.version === undefined ? '' : ` (${md(a.model.version)})`} |`,
      `| prompt digest | ${code(a.prompt?.digest)}${a.prompt?.commitment === undefined ? '' : ` (${md(a.prompt.commitment)})`} |`,
      `| plan | ${md(a.plan?.id ?? a.plan?.uri)}${a.plan?.sha256 === undefined ? '' : ` ${code(`sha256:${a.plan.sha256.slice(0, 16)}…`)}`} |`,
      `| autonomy | ${md(a.autonomy)} |`,
      `| approvers | ${a.approvers.length === 0 ? '**none**' : a.approvers.map((p) => `${md(p.login ?? p.id)} (${md(p.method)}${p.timestamp === undefined ? '' : `, ${md(p.timestamp)}`})`).join('; ')} |`,
      `| commits | ${a.commits.length === 0 ? '—' : a.commits.map((c) => code(c.sha.slice(0, 12))).join(' ')} |`,
      `| signed by | ${signerOf(a.attestation)} |`,
      `| attestation | ${md(a.attestation.source)} |`,
      ''
    );
  }

  lines.push('### SBOM', '');
  if (trail.sboms.length === 0) lines.push('None verified.', '');
  for (const s of trail.sboms) {
    lines.push(
      `- CycloneDX ${md(s.specVersion)}: ${s.componentCount} components; licenses: ${s.licenses.length === 0 ? '—' : s.licenses.map(md).join(', ')} — signed by ${signerOf(s.attestation)}`
    );
  }
  if (trail.sboms.length > 0) lines.push('');

  lines.push('### Verification summaries', '');
  if (trail.verifications.length === 0) lines.push('None verified.', '');
  for (const v of trail.verifications) {
    lines.push(
      `- **${md(v.result)}** by ${code(v.verifier)} at ${md(v.timeVerified)}; levels: ${v.verifiedLevels.map(code).join(', ') || '—'}; policy ${md(v.policy)} — signed by ${signerOf(v.attestation)}`
    );
  }
  if (trail.verifications.length > 0) lines.push('');

  lines.push('### Gaps', '', ...gapRows(trail.gaps));
  return lines;
}

export function renderTraceMarkdown(trace: Trace): string {
  const lines: string[] = [
    `# Custody trace: ${targetLine(trace)}`,
    '',
    `${trace.complete ? '✅ **complete**: every link verified' : '❌ **incomplete**: the trail has gaps (below)'} — ${trace.counts.verified} of ${trace.counts.considered} attestations verified, ${trace.counts.relevant} relevant, ${trace.counts.ignored} ignored, ${trace.counts.gaps} gaps. Generated ${md(trace.generatedAt)}.`,
    '',
  ];
  if (trace.gaps.length > 0) lines.push('## Input gaps', '', ...gapRows(trace.gaps));
  if (trace.artifacts.length === 0) lines.push('No artifact is traced.', '');
  for (const trail of trace.artifacts) lines.push(...artifactSection(trail));
  lines.push('## Timeline', '');
  if (trace.timeline.length === 0) lines.push('No dated events.', '');
  else {
    lines.push('| time | event | what |', '| --- | --- | --- |');
    for (const e of trace.timeline) lines.push(`| ${md(e.time)} | ${e.kind} | ${md(e.label)} |`);
    lines.push('');
  }
  lines.push(
    '## Attestations considered',
    '',
    '| source | status | predicate type | relevant | reason |',
    '| --- | --- | --- | --- | --- |'
  );
  for (const a of trace.attestations) {
    lines.push(
      `| ${md(a.source)} | ${a.status} | ${md(a.predicateType)} | ${a.relevant ? 'yes' : 'no'} | ${a.reason === undefined ? '—' : `${code(a.reason.code)} ${md(a.reason.message)}`} |`
    );
  }
  lines.push('');
  return lines.join('\n');
}
