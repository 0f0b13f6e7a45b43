// A fast reader for the YAML that pnpm and yarn berry write: block mappings indented by spaces,
// one key per line, scalars (plain, 'single' or "double" quoted) and one-line flow collections
// ({a: b}, [x, y]). The general `yaml` parser spent over a second on a 500 KB lockfile; this
// takes a few milliseconds. Anything outside that subset (block sequences, anchors, tags,
// multi-line scalars, tabs, duplicate keys, keys that YAML would not read as plain strings) makes
// it give up and return undefined, and the caller falls back to the `yaml` package. A test checks
// that both give the same data on real lockfiles.

class Unsupported extends Error {}

const unsupported = (): never => {
  throw new Unsupported();
};

const NULL = /^(?:~|null|Null|NULL)?$/;
const BOOL_TRUE = /^(?:true|True|TRUE)$/;
const BOOL_FALSE = /^(?:false|False|FALSE)$/;
const INT = /^[-+]?[0-9]+$/;
const OTHER_NUMBER =
  /^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;

/** A plain scalar as YAML 1.2's core schema reads it (what the `yaml` package does by default). */
function plainScalar(text: string): unknown {
  if (NULL.test(text)) return null;
  if (BOOL_TRUE.test(text)) return true;
  if (BOOL_FALSE.test(text)) return false;
  if (INT.test(text)) {
    const value = Number(text);
    return Number.isSafeInteger(value) ? value : unsupported();
  }
  if (OTHER_NUMBER.test(text)) return unsupported();
  // Indicators that start something this reader does not handle.
  if (
    /^[&*!|>%@`]/.test(text) ||
    text.includes(' #') ||
    text.includes(': ') ||
    text.endsWith(':')
  ) {
    unsupported();
  }
  return text;
}

function singleQuoted(text: string): string {
  if (!text.endsWith("'") || text.length < 2) unsupported();
  const inner = text.slice(1, -1);
  if (/'(?!')/.test(inner.replace(/''/g, ''))) unsupported();
  return inner.replace(/''/g, "'");
}

function doubleQuoted(text: string): string {
  if (!text.endsWith('"') || text.length < 2) unsupported();
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'string' ? value : unsupported();
  } catch {
    return unsupported();
  }
}

/** Key text (without the colon) → the string key YAML gives it. */
function keyOf(raw: string): string {
  if (raw.startsWith("'")) return singleQuoted(raw);
  if (raw.startsWith('"')) return doubleQuoted(raw);
  // A plain key YAML would read as something other than that string (null, true, 1.5) is rare
  // enough in lockfiles to leave to the full parser.
  if (
    NULL.test(raw) ||
    BOOL_TRUE.test(raw) ||
    BOOL_FALSE.test(raw) ||
    INT.test(raw) ||
    OTHER_NUMBER.test(raw) ||
    /^[&*!|>%@`?[\]{},#-]/.test(raw) ||
    raw === '__proto__'
  ) {
    return unsupported();
  }
  return raw;
}

/** One-line flow collections: {a: b, c: {d: e}} and [x, y]. */
class FlowReader {
  private index = 0;
  constructor(private readonly text: string) {}

  read(): unknown {
    const value = this.value();
    this.spaces();
    if (this.index !== this.text.length) unsupported();
    return value;
  }

  private spaces(): void {
    while (this.text[this.index] === ' ') this.index++;
  }

  private value(): unknown {
    this.spaces();
    const c = this.text[this.index];
    if (c === '{') return this.map();
    if (c === '[') return this.seq();
    if (c === "'" || c === '"') return this.quoted(c);
    const start = this.index;
    while (this.index < this.text.length && !',[]{}'.includes(this.text[this.index]!)) this.index++;
    const raw = this.text.slice(start, this.index).trim();
    if (raw.includes(':') || raw.includes('#')) unsupported();
    return plainScalar(raw);
  }

  private quoted(quote: string): string {
    const start = this.index;
    this.index++;
    while (this.index < this.text.length) {
      const c = this.text[this.index]!;
      if (quote === '"' && c === '\\') {
        this.index += 2;
        continue;
      }
      if (c === quote) {
        if (quote === "'" && this.text[this.index + 1] === "'") {
          this.index += 2;
          continue;
        }
        this.index++;
        const raw = this.text.slice(start, this.index);
        return quote === "'" ? singleQuoted(raw) : doubleQuoted(raw);
      }
      this.index++;
    }
    return unsupported();
  }

  private map(): Record<string, unknown> {
    this.index++; // {
    const out: Record<string, unknown> = {};
    this.spaces();
    if (this.text[this.index] === '}') {
      this.index++;
      return out;
    }
    for (;;) {
      this.spaces();
      let key: string;
      const c = this.text[this.index];
      if (c === "'" || c === '"') {
        key = this.quoted(c);
      } else {
        const start = this.index;
        while (this.index < this.text.length && !':,[]{}'.includes(this.text[this.index]!)) {
          this.index++;
        }
        key = keyOf(this.text.slice(start, this.index).trim());
      }
      if (this.text[this.index] !== ':' || this.text[this.index + 1] !== ' ') unsupported();
      this.index += 2;
      if (Object.hasOwn(out, key)) unsupported();
      out[key] = this.value();
      this.spaces();
      const next = this.text[this.index];
      this.index++;
      if (next === '}') return out;
      if (next !== ',') unsupported();
    }
  }

  private seq(): unknown[] {
    this.index++; // [
    const out: unknown[] = [];
    this.spaces();
    if (this.text[this.index] === ']') {
      this.index++;
      return out;
    }
    for (;;) {
      out.push(this.value());
      this.spaces();
      const next = this.text[this.index];
      this.index++;
      if (next === ']') return out;
      if (next !== ',') unsupported();
    }
  }
}

function valueOf(raw: string): unknown {
  const c = raw[0];
  if (c === '{' || c === '[') return new FlowReader(raw).read();
  if (c === "'") return singleQuoted(raw);
  if (c === '"') return doubleQuoted(raw);
  return plainScalar(raw);
}

/** Splits `key: value` / `key:` content (no indentation) into raw key and raw value. */
function splitKey(content: string): [string, string] {
  let end: number;
  if (content.startsWith("'") || content.startsWith('"')) {
    const quote = content[0]!;
    end = 1;
    while (end < content.length) {
      if (content[end] === '\\' && quote === '"') {
        end += 2;
        continue;
      }
      if (content[end] === quote) {
        if (quote === "'" && content[end + 1] === "'") {
          end += 2;
          continue;
        }
        break;
      }
      end++;
    }
    end++;
    if (content[end] !== ':') unsupported();
  } else {
    end = content.indexOf(':');
    while (end >= 0 && end + 1 < content.length && content[end + 1] !== ' ') {
      end = content.indexOf(':', end + 1);
    }
    if (end < 0) unsupported();
  }
  const rest = content.slice(end + 1);
  if (rest !== '' && !rest.startsWith(' ')) unsupported();
  return [content.slice(0, end), rest.trim()];
}

interface Level {
  readonly indent: number;
  readonly map: Record<string, unknown>;
  /** Set when this level is a block sequence of scalars ("- item" lines). */
  readonly seq?: unknown[];
}

/** The lockfile as data, or undefined when it uses YAML this reader leaves to the full parser. */
export function readLockfileYAML(text: string): Record<string, unknown> | undefined {
  try {
    const root: Record<string, unknown> = {};
    const stack: Level[] = [{ indent: 0, map: root }];
    let pending: { map: Record<string, unknown>; key: string; indent: number } | undefined;
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      let line = lines[i]!;
      if (line.endsWith('\r')) line = line.slice(0, -1);
      const content = line.trimStart();
      if (content === '' || content.startsWith('#')) continue;
      const indent = line.length - content.length;
      if (line.slice(0, indent).includes('\t')) unsupported();
      if (i === 0 && content.startsWith('%')) unsupported();
      if (content === '---' || content === '...' || content === '-') unsupported();
      const item = content.startsWith('- ');
      if (pending !== undefined) {
        if (item && indent >= pending.indent) {
          const seq: unknown[] = [];
          pending.map[pending.key] = seq;
          stack.push({ indent, map: pending.map, seq });
        } else if (indent > pending.indent) {
          const child: Record<string, unknown> = {};
          pending.map[pending.key] = child;
          stack.push({ indent, map: child });
        } else {
          pending.map[pending.key] = null;
        }
        pending = undefined;
      }
      while (stack.length > 1 && stack[stack.length - 1]!.indent > indent) stack.pop();
      let level = stack[stack.length - 1]!;
      if (level.seq !== undefined && !(item && level.indent === indent)) {
        // A sequence written at its key's indentation ends where the mapping continues.
        stack.pop();
        level = stack[stack.length - 1]!;
      }
      if (level.indent !== indent) unsupported();
      if (level.seq !== undefined) {
        // Scalar items only: "- key: value" items (mappings in a sequence) go to the full parser.
        level.seq.push(valueOf(content.slice(2).trim()));
        continue;
      }
      if (item) unsupported();
      const [rawKey, rawValue] = splitKey(content);
      const key = keyOf(rawKey);
      if (Object.hasOwn(level.map, key)) unsupported();
      if (rawValue === '') {
        level.map[key] = null;
        pending = { map: level.map, key, indent };
      } else {
        if (rawValue.startsWith('#')) unsupported();
        level.map[key] = valueOf(rawValue);
      }
    }
    if (pending !== undefined) pending.map[pending.key] = null;
    return Object.keys(root).length > 0 ? root : undefined;
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
}
