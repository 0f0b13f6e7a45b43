// GitLab's rules for a component template's header (`spec:`) and its interpolation blocks, as
// enforced by the oldest GitLab custody supports (MINIMUM_GITLAB, docs/gitlab.md). gitlab-ci-local
// checks none of these, so a template it runs can still fail to load on a real instance.
//
// Sources (gitlab-org/gitlab, 17.x): lib/gitlab/ci/config/header/{root,spec,input}.rb (allowed keys,
// types, 50-option cap), lib/gitlab/ci/config/interpolation/inputs/*_input.rb (default vs type,
// options, regex through Gitlab::UntrustedRegexp = RE2, whose `match?` is false for an empty
// string until `allow_empty_string` arrived in 18.x), lib/gitlab/ci/config/interpolation/block.rb
// (`$[[ inputs.NAME ]]`, with `component.*` only from 18.6).
import { parseAllDocuments } from 'yaml';

/** The GitLab release whose header rules these are. */
export const MINIMUM_GITLAB = '17.0';

export type HeaderRule =
  | 'documents' // a header document and a body document, both valid YAML
  | 'root-keys' // header root: only `spec`
  | 'spec-keys' // spec: only `inputs` (`description` is 18.10, `component` 18.6, `include` 18.x)
  | 'input-keys' // an input: only default, description, options, regex, type (`rules` is 18.x)
  | 'input-name' // custody's naming: lower-case kebab, so `$[[ inputs.x ]]` reads the same
  | 'description' // a string (GitLab: alphanumeric); custody also requires one, ≤ 500 chars
  | 'type' // string, number, boolean or array (array from 16.11)
  | 'default-type' // the default has the declared type (17.x does not coerce 1.6 to '1.6')
  | 'options' // an array of at most 50 scalars of the input's type, holding the default
  | 'regex' // string inputs only, RE2 syntax, anchored, and the default must match
  | 'regex-empty' // no empty default on a regex input: 17.x RE2 match? is false for ''
  | 'interpolation'; // `$[[ inputs.<declared> ]]` only, no `component.*`, no unknown functions

export interface HeaderViolation {
  rule: HeaderRule;
  where: string;
  message: string;
}

const ROOT_KEYS = ['spec'];
const SPEC_KEYS = ['inputs'];
const INPUT_KEYS = ['default', 'description', 'options', 'regex', 'type'];
const INPUT_TYPES = ['string', 'number', 'boolean', 'array'];
const OPTIONS_LIMIT = 50;
/** custody's own cap: the catalog's input table shows the whole text. */
const DESCRIPTION_LIMIT = 500;
/** Interpolation functions 17.0 knows (`expand_vars`, `truncate`); custody uses none. */
const FUNCTIONS = /^(expand_vars|truncate\(\d+,\s*\d+\))$/;

/** Constructs RE2 rejects: lookaround, backreferences, possessive/atomic groups. */
const NOT_RE2 = /\(\?[=!<>]|\(\?<[=!]|\\[1-9]|[*+?}]\+/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typeOf(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'string') return 'string';
  return value === null ? 'null' : typeof value;
}

/** Every violation of GitLab's header rules in one template text. */
export function checkTemplate(text: string): HeaderViolation[] {
  const out: HeaderViolation[] = [];
  const add = (rule: HeaderRule, where: string, message: string): void => {
    out.push({ rule, where, message });
  };
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs) || docs.length !== 2 || docs.some((d) => d.errors.length > 0)) {
    add('documents', '(file)', 'expected a `spec:` header document, `---`, then the jobs');
    return out;
  }
  const header: unknown = docs[0]?.toJS();
  if (!isRecord(header)) {
    add('documents', '(header)', 'the header document is not a mapping');
    return out;
  }
  for (const key of Object.keys(header)) {
    if (!ROOT_KEYS.includes(key)) add('root-keys', key, `header key \`${key}\` is unknown`);
  }
  const spec = header.spec;
  if (!isRecord(spec)) {
    add('spec-keys', 'spec', 'spec must be a mapping');
    return out;
  }
  for (const key of Object.keys(spec)) {
    if (!SPEC_KEYS.includes(key)) {
      add('spec-keys', `spec:${key}`, `spec:${key} is not accepted by GitLab ${MINIMUM_GITLAB}`);
    }
  }
  const inputs = spec.inputs ?? {};
  if (!isRecord(inputs)) {
    add('input-keys', 'spec:inputs', 'spec:inputs must be a mapping');
    return out;
  }
  for (const [name, raw] of Object.entries(inputs)) {
    checkInput(name, raw, add);
  }
  checkInterpolation(text.slice(text.indexOf('\n---') + 1), Object.keys(inputs), add);
  return out;
}

function checkInput(
  name: string,
  raw: unknown,
  add: (rule: HeaderRule, where: string, message: string) => void
): void {
  const where = `spec:inputs:${name}`;
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name)) {
    add('input-name', where, 'input names are lower-case kebab-case');
  }
  if (raw === null) {
    add('description', where, 'every input needs a description');
    return;
  }
  if (!isRecord(raw)) {
    add('input-keys', where, 'an input must be a mapping');
    return;
  }
  for (const key of Object.keys(raw)) {
    if (!INPUT_KEYS.includes(key)) add('input-keys', `${where}:${key}`, `unknown input key`);
  }
  const description = raw.description;
  if (typeof description !== 'string' || description.trim() === '') {
    add('description', where, 'every input needs a non-empty string description');
  } else if (description.length > DESCRIPTION_LIMIT) {
    add('description', where, `${description.length} characters, over ${DESCRIPTION_LIMIT}`);
  }
  const type = raw.type ?? 'string';
  if (typeof type !== 'string' || !INPUT_TYPES.includes(type)) {
    add('type', `${where}:type`, `type must be one of ${INPUT_TYPES.join(', ')}`);
    return;
  }
  const hasDefault = 'default' in raw;
  if (hasDefault && typeOf(raw.default) !== type) {
    add('default-type', `${where}:default`, `default is a ${typeOf(raw.default)}, not a ${type}`);
  }
  if ('options' in raw) {
    const options = raw.options;
    if (!Array.isArray(options) || options.length === 0) {
      add('options', `${where}:options`, 'options must be a non-empty array');
    } else {
      if (options.length > OPTIONS_LIMIT) {
        add('options', `${where}:options`, `more than ${OPTIONS_LIMIT} options`);
      }
      if (type !== 'string' && type !== 'number') {
        add('options', `${where}:options`, `options on a ${type} input`);
      }
      if (options.some((option) => typeOf(option) !== type)) {
        add('options', `${where}:options`, `every option must be a ${type}`);
      }
      if (hasDefault && !options.includes(raw.default)) {
        add('options', `${where}:options`, 'the default is not one of the options');
      }
    }
  }
  if ('regex' in raw) {
    checkRegex(where, type, raw.regex, hasDefault ? raw.default : undefined, add);
  }
}

function checkRegex(
  where: string,
  type: string,
  regex: unknown,
  fallback: unknown,
  add: (rule: HeaderRule, where: string, message: string) => void
): void {
  if (type !== 'string') {
    add('regex', `${where}:regex`, 'regex is for string inputs only');
    return;
  }
  if (typeof regex !== 'string' || regex === '') {
    add('regex', `${where}:regex`, 'regex must be a non-empty string');
    return;
  }
  // GitLab takes the pattern as written: a /…/ literal would match slashes.
  // Inside a character class `*+` is two literal characters, not a possessive quantifier.
  const outsideClasses = regex.replace(/\[(?:\\.|[^\]\\])*\]/g, 'c');
  if (regex.startsWith('/') || NOT_RE2.test(outsideClasses)) {
    add('regex', `${where}:regex`, 'not RE2 syntax (no /…/, lookaround, backreferences)');
    return;
  }
  // RE2 searches anywhere in the value: an unanchored pattern constrains nothing.
  if (!regex.startsWith('^') || !regex.endsWith('$')) {
    add('regex', `${where}:regex`, 'anchor the pattern with ^…$');
  }
  let pattern: RegExp;
  try {
    pattern = new RegExp(regex, 'u');
  } catch {
    add('regex', `${where}:regex`, 'the pattern does not compile');
    return;
  }
  if (fallback === '') {
    add('regex-empty', `${where}:default`, `GitLab ${MINIMUM_GITLAB} rejects '' for a regex`);
  } else if (typeof fallback === 'string' && !pattern.test(fallback)) {
    add('regex', `${where}:default`, 'the default does not match the regex');
  }
}

function checkInterpolation(
  body: string,
  declared: string[],
  add: (rule: HeaderRule, where: string, message: string) => void
): void {
  for (const match of body.matchAll(/\$\[\[(.*?)\]\]/g)) {
    const block = (match[1] ?? '').trim();
    const [access = '', ...functions] = block.split('|').map((part) => part.trim());
    const input = /^inputs\.([A-Za-z0-9_-]+)$/.exec(access);
    if (input === null) {
      add(
        'interpolation',
        `$[[ ${block} ]]`,
        `only inputs.* interpolates on GitLab ${MINIMUM_GITLAB}`
      );
      continue;
    }
    if (!declared.includes(input[1] ?? '')) {
      add('interpolation', `$[[ ${block} ]]`, 'the input is not declared in spec:inputs');
    }
    for (const fn of functions) {
      if (!FUNCTIONS.test(fn)) add('interpolation', `$[[ ${block} ]]`, `unknown function ${fn}`);
    }
  }
}
