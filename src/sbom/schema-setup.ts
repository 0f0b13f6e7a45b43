// How custody compiles the CycloneDX JSON schemas with ajv, shared by the runtime compiler and
// the precompiled (ajv "standalone") validator for the default spec version.
//
// Same options as cyclonedx-library's JsonValidator (no data alteration, non-strict schemas,
// remote $refs refused), with one change: `uniqueItems` is checked in linear time. ajv's built-in
// check compares every pair of items with a deep equality (O(n²)); on a 2,000-component SBOM
// that alone took most of the validation time. The replacement gives the same verdicts: items
// are bucketed by a cheap key and only items in the same bucket are compared, with the same deep
// equality ajv uses.
import { Ajv, _, str, type ErrorObject, type KeywordCxt, type KeywordDefinition } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { fullFormats } from 'ajv-formats/dist/formats.js';
import equalModule from 'ajv/dist/runtime/equal.js';
import ucs2lengthModule from 'ajv/dist/runtime/ucs2length.js';
import uriModule from 'ajv/dist/runtime/uri.js';
import standaloneCodeModule from 'ajv/dist/standalone/index.js';
import { idnEmail } from './idn-email.js';

/**
 * The function a CommonJS module exports as `default`. Node's ESM loader hands over
 * module.exports (`{ default: fn }`), bundlers and vitest may hand over `fn` itself.
 */
function cjsDefault<T>(module: unknown): T {
  if (typeof module === 'function') return module as T;
  return (module as { default: T }).default;
}

const addFormats = cjsDefault<(ajv: Ajv) => Ajv>(addFormatsModule);
const equal = cjsDefault<(a: unknown, b: unknown) => boolean>(equalModule);
const ucs2length = cjsDefault<(value: string) => number>(ucs2lengthModule);
const uri = cjsDefault<unknown>(uriModule);
const standaloneCode = cjsDefault<(ajv: Ajv, validate: unknown) => string>(standaloneCodeModule);

/** Formats as the library configures them: ajv-formats, draft2019 idn-email, iri-reference unchecked. */
const FORMATS: Record<string, unknown> = {
  ...fullFormats,
  'idn-email': idnEmail,
  // No working implementation exists for "iri-reference"; the library accepts any value too.
  'iri-reference': true,
};

function bucketKey(item: unknown): string {
  if (item === null || typeof item !== 'object') return `${typeof item}:${String(item)}`;
  if (Array.isArray(item)) return `array:${item.length}`;
  const record = item as Record<string, unknown>;
  const id = record['bom-ref'] ?? record.ref ?? record.name ?? record.url ?? record.alg;
  return `object:${typeof id === 'string' ? id : ''}:${Object.keys(record).length}`;
}

/** Index pair [first, second] of two deep-equal items, or undefined when all are distinct. */
export function findDuplicate(items: readonly unknown[]): [number, number] | undefined {
  if (items.length < 2) return undefined;
  const buckets = new Map<string, number[]>();
  for (let index = 0; index < items.length; index++) {
    const key = bucketKey(items[index]);
    const bucket = buckets.get(key);
    if (bucket === undefined) {
      buckets.set(key, [index]);
      continue;
    }
    for (const other of bucket) {
      if (equal(items[other], items[index])) return [other, index];
    }
    bucket.push(index);
  }
  return undefined;
}

const UNIQUE_ITEMS: KeywordDefinition = {
  keyword: 'uniqueItems',
  type: 'array',
  schemaType: 'boolean',
  error: {
    message: ({ params }) =>
      str`must NOT have duplicate items (items ## ${params.j} and ${params.i} are identical)`,
    params: ({ params }) => _`{i: ${params.i}, j: ${params.j}}`,
  },
  code(cxt: KeywordCxt) {
    const { gen, data } = cxt;
    const schema: unknown = cxt.schema;
    if (schema !== true) return;
    const find = gen.scopeValue('func', {
      ref: findDuplicate,
      code: _`require("custody:unique-items").findDuplicate`,
    });
    const duplicate = gen.const('duplicate', _`${find}(${data})`);
    cxt.setParams({ i: _`${duplicate}[1]`, j: _`${duplicate}[0]` });
    cxt.fail(_`${duplicate} !== undefined`);
  },
};

/** An ajv instance configured for the CycloneDX schemas. */
export function createCycloneDXAjv(
  referencedSchemas: Record<string, object>,
  options: { allErrors: boolean; source: boolean }
): Ajv {
  const ajv = new Ajv({
    useDefaults: false,
    strict: false,
    strictSchema: false,
    addUsedSchema: false,
    allErrors: options.allErrors,
    logger: false,
    schemas: referencedSchemas,
    code: { source: options.source, formats: _`require("custody:formats")` },
    loadSchema: (uri: string) => {
      throw new Error(`remote schemas are disabled: ${uri}`);
    },
  });
  addFormats(ajv);
  ajv.addFormat('idn-email', idnEmail);
  ajv.addFormat('iri-reference', true);
  ajv.removeKeyword('uniqueItems');
  ajv.addKeyword(UNIQUE_ITEMS);
  return ajv;
}

/** The modules precompiled validator code may require(), by the names the code uses. */
const STANDALONE_MODULES: Record<string, unknown> = {
  'custody:formats': FORMATS,
  'custody:unique-items': { findDuplicate },
  'ajv/dist/runtime/equal': { default: equal },
  'ajv/dist/runtime/ucs2length': { default: ucs2length },
  'ajv/dist/runtime/uri': { default: uri },
  'ajv-formats/dist/formats': { fullFormats },
};

/** ajv standalone (CommonJS) source for a compiled schema: what the precompiled files hold. */
export function standaloneSource(ajv: Ajv, schema: object): string {
  return standaloneCode(ajv, ajv.compile(schema));
}

export type CompiledValidator = ((data: unknown) => boolean) & {
  errors?: ErrorObject[] | null;
};

/**
 * Instantiates precompiled validator source. This is what ajv itself does with the code it
 * generates (new Function); the source is custody's own, generated from the bundled schemas and
 * checked against a fresh compilation by a test.
 */
export function loadStandalone(source: string): CompiledValidator {
  const module: { exports: unknown } = { exports: {} };
  const requireShim = (id: string): unknown => {
    if (!(id in STANDALONE_MODULES)) throw new Error(`precompiled validator requires ${id}`);
    return STANDALONE_MODULES[id];
  };
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- see the comment above
  const factory = new Function('module', 'exports', 'require', source) as (
    m: { exports: unknown },
    e: unknown,
    r: (id: string) => unknown
  ) => void;
  factory(module, module.exports, requireShim);
  return module.exports as CompiledValidator;
}
