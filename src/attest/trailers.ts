// Commit-message trailers, parsed the way `git interpret-trailers` finds them, and the agent
// facts custody reads from them:
//   Assisted-by: AGENT:MODEL [TOOL...]      (the Linux-kernel form, canonical)
//   Co-authored-by: Name <email>            (bot identities of known coding agents)
//   Agent-Session: <id>   Agent-Prompt-SHA256: <hex>   Agent-Plan: <id|URI>
//   Signed-off-by: Name <email>             (humans only)
// Pure: text in, data out.

export interface Trailer {
  /** The key as written. */
  readonly key: string;
  /** The key lower-cased, for matching (trailer keys are case-insensitive). */
  readonly token: string;
  /** The value with folded continuation lines joined by single spaces. */
  readonly value: string;
}

/** Trailer keys git itself or custody recognises; they let a mixed paragraph count as trailers. */
const RECOGNISED_TOKENS = new Set([
  'signed-off-by',
  'co-authored-by',
  'assisted-by',
  'generated-by',
  'agent-session',
  'agent-prompt-sha256',
  'agent-plan',
  '(cherry picked from commit',
]);

const TRAILER_LINE = /^([A-Za-z0-9][A-Za-z0-9-]*)[ \t]*:[ \t]*(.*)$/;

/**
 * Returns the trailers of a commit message. As git does: only the last paragraph counts, the
 * first paragraph (the title) never does, text after a `---` patch separator is ignored, lines
 * starting with whitespace continue the previous trailer, and a paragraph is a trailer block when
 * all its lines are trailers, or at least 25% are and one of them is a recognised key.
 */
export function parseTrailers(message: string): Trailer[] {
  const lines = stripPatch(message.replace(/\r\n?/g, '\n').split('\n')).filter(
    (line) => !line.startsWith('#')
  );
  while (lines.length > 0 && isBlank(lines[lines.length - 1] ?? '')) lines.pop();
  const titleEnd = lines.findIndex((line) => isBlank(line));
  if (titleEnd < 0) return []; // only a title: no trailers
  let start = lines.length;
  while (start > titleEnd + 1 && !isBlank(lines[start - 1] ?? '')) start--;
  const block = lines.slice(start);
  if (block.length === 0) return [];

  const trailers: { key: string; value: string }[] = [];
  let trailerLines = 0;
  let otherLines = 0;
  let recognised = false;
  let last: { key: string; value: string } | undefined;
  for (const line of block) {
    if (/^[ \t]/.test(line) && last !== undefined) {
      last.value = `${last.value} ${line.trim()}`.trim();
      continue;
    }
    const match = TRAILER_LINE.exec(line);
    if (match === null) {
      otherLines++;
      last = undefined;
      continue;
    }
    trailerLines++;
    last = { key: match[1] ?? '', value: (match[2] ?? '').trim() };
    if (RECOGNISED_TOKENS.has(last.key.toLowerCase())) recognised = true;
    trailers.push(last);
  }
  const isBlock =
    trailerLines > 0 && (otherLines === 0 || (recognised && trailerLines * 3 >= otherLines));
  if (!isBlock) return [];
  return trailers.map((t) => ({ key: t.key, token: t.key.toLowerCase(), value: t.value }));
}

/** All values of one trailer key, case-insensitive. */
export function trailerValues(trailers: readonly Trailer[], key: string): string[] {
  const token = key.toLowerCase();
  return trailers.filter((t) => t.token === token).map((t) => t.value);
}

function stripPatch(lines: string[]): string[] {
  const divider = lines.findIndex((line) => /^---(\s|$)/.test(line));
  return divider < 0 ? lines : lines.slice(0, divider);
}

function isBlank(line: string): boolean {
  return line.trim().length === 0;
}

export interface Identity {
  readonly name: string;
  readonly email: string;
}

/** Parses `Name <email>`; undefined when there is no address. */
export function parseIdentity(value: string): Identity | undefined {
  const match = /^(.*?)\s*<([^<>\s]+)>\s*$/.exec(value.trim());
  if (match === null) return undefined;
  return { name: (match[1] ?? '').trim(), email: (match[2] ?? '').toLowerCase() };
}

export interface AssistedBy {
  readonly agent: string;
  readonly model: string | undefined;
  readonly tools: readonly string[];
}

/** `AGENT:MODEL [TOOL...]` (kernel form). The model part is optional: `Assisted-by: aider`. */
export function parseAssistedBy(value: string): AssistedBy | undefined {
  const [head, ...tools] = value.trim().split(/\s+/);
  if (head === undefined || head === '') return undefined;
  const colon = head.indexOf(':');
  const agent = colon < 0 ? head : head.slice(0, colon);
  const model = colon < 0 ? undefined : head.slice(colon + 1);
  if (agent === '') return undefined;
  return { agent, model: model === '' ? undefined : model, tools: tools.filter((t) => t !== '') };
}

interface KnownAgent {
  readonly agent: string;
  readonly matches: (identity: Identity) => boolean;
}

/**
 * Identities coding agents commit or co-author as. GitHub App bots (`<id>+<name>[bot]@users.noreply
 * .github.com`) are agents in general; the named entries give them a stable agent name.
 */
const KNOWN_AGENTS: readonly KnownAgent[] = [
  { agent: 'claude-code', matches: (i) => i.email === 'noreply@anthropic.com' },
  {
    agent: 'copilot',
    matches: (i) =>
      /^(\d+\+)?copilot@users\.noreply\.github\.com$/.test(i.email) ||
      /^(\d+\+)?copilot-swe-agent\[bot\]@users\.noreply\.github\.com$/.test(i.email),
  },
  { agent: 'devin', matches: (i) => /devin-ai-integration\[bot\]@/.test(i.email) },
  { agent: 'cursor', matches: (i) => i.email === 'cursoragent@cursor.com' },
  { agent: 'aider', matches: (i) => i.email === 'noreply@aider.chat' },
  {
    agent: 'codex',
    matches: (i) =>
      /chatgpt-codex-connector\[bot\]@/.test(i.email) || i.email === 'codex@openai.com',
  },
  { agent: 'jules', matches: (i) => /google-labs-jules\[bot\]@/.test(i.email) },
  { agent: 'gemini', matches: (i) => /gemini-code-assist\[bot\]@/.test(i.email) },
  { agent: 'openhands', matches: (i) => i.email === 'openhands@all-hands.dev' },
];

/** The agent name behind a commit identity, or undefined for (what looks like) a human. */
export function agentForIdentity(identity: Identity): string | undefined {
  for (const known of KNOWN_AGENTS) if (known.matches(identity)) return known.agent;
  const bot = /^(?:\d+\+)?([^@]+)\[bot\]@users\.noreply\.github\.com$/.exec(identity.email);
  if (bot !== null) return bot[1];
  return undefined;
}

/** aider writes `aider (gpt-4o) <noreply@aider.chat>`: the model in parentheses. */
export function modelFromIdentityName(name: string): string | undefined {
  const match = /\(([^()\s]+)\)\s*$/.exec(name);
  return match?.[1];
}
