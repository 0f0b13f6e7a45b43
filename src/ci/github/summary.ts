// The step summary as data: run functions return blocks, the platform adapter renders them with
// core.summary. Cells are escaped here because core.summary.addTable inserts them as raw HTML and
// pull-request data (commit subjects, logins) is attacker-controlled.
import { redact } from '../../util/redact.js';

export type SummaryBlock =
  | { kind: 'heading'; text: string; level: 1 | 2 | 3 }
  | { kind: 'table'; header: readonly string[]; rows: readonly (readonly string[])[] }
  | { kind: 'list'; items: readonly string[] }
  | { kind: 'text'; text: string }
  /** Markdown that custody generated itself (the verify report); written as-is, after redaction. */
  | { kind: 'markdown'; markdown: string };

export type Summary = readonly SummaryBlock[];

export function heading(text: string, level: 1 | 2 | 3 = 2): SummaryBlock {
  return { kind: 'heading', text, level };
}

export function table(
  header: readonly string[],
  rows: readonly (readonly string[])[]
): SummaryBlock {
  return { kind: 'table', header, rows };
}

export function escapeHTML(text: string): string {
  return redact(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Renders blocks as Markdown/HTML text, the same bytes the platform adapter writes. */
export function renderSummary(summary: Summary): string {
  const parts: string[] = [];
  for (const block of summary) {
    switch (block.kind) {
      case 'heading':
        parts.push(`<h${block.level}>${escapeHTML(block.text)}</h${block.level}>`);
        break;
      case 'table': {
        const head = `<tr>${block.header.map((h) => `<th>${escapeHTML(h)}</th>`).join('')}</tr>`;
        const rows = block.rows.map(
          (row) => `<tr>${row.map((cell) => `<td>${escapeHTML(cell)}</td>`).join('')}</tr>`
        );
        parts.push(`<table>${[head, ...rows].join('')}</table>`);
        break;
      }
      case 'list':
        parts.push(`<ul>${block.items.map((i) => `<li>${escapeHTML(i)}</li>`).join('')}</ul>`);
        break;
      case 'text':
        parts.push(`<p>${escapeHTML(block.text)}</p>`);
        break;
      case 'markdown':
        parts.push(redact(block.markdown).trimEnd());
        break;
    }
  }
  return `${parts.join('\n\n')}\n`;
}
