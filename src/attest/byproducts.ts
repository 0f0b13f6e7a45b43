// Reads attestations to link from provenance `byproducts`: a .intoto.jsonl (one bundle per line),
// a single Sigstore bundle, or an unsigned statement (--statement-only output). The digest is the
// SHA-256 of the DSSE payload bytes (for a statement file: of its canonical JSON, which is what
// custody would sign). Provenance statements are not linked from provenance.
import { createHash } from 'node:crypto';
import { CustodyError } from '../errors.js';
import type { ResourceDescriptor } from './intoto.js';
import { parseStatement } from './intoto.js';
import { attestationDescriptor, attestationKind } from './link.js';

export function byproductsFromText(text: string, fileName: string): ResourceDescriptor[] {
  const documents: unknown[] = [];
  const trimmed = text.trim();
  if (trimmed === '') {
    throw new CustodyError('INPUT_SCHEMA_INVALID', `${fileName} is empty`);
  }
  let whole: unknown;
  try {
    whole = JSON.parse(trimmed) as unknown; // one bundle or statement, possibly pretty-printed
  } catch {
    whole = undefined;
  }
  if (whole !== undefined) {
    documents.push(whole);
  } else {
    // JSON Lines: one bundle per line
    for (const [index, line] of trimmed.split('\n').entries()) {
      if (line.trim() === '') continue;
      try {
        documents.push(JSON.parse(line) as unknown);
      } catch (error) {
        throw new CustodyError('INPUT_JSON_INVALID', `${fileName}:${index + 1} is not valid JSON`, {
          cause: error,
        });
      }
    }
  }
  const descriptors: ResourceDescriptor[] = [];
  for (const document of documents) {
    const descriptor = descriptorFor(document, fileName);
    if (descriptor !== undefined) descriptors.push(descriptor);
  }
  return descriptors;
}

function descriptorFor(document: unknown, fileName: string): ResourceDescriptor | undefined {
  const envelope = (document as { dsseEnvelope?: { payload?: unknown } } | null)?.dsseEnvelope;
  if (envelope !== undefined) {
    if (typeof envelope.payload !== 'string') {
      throw new CustodyError('INPUT_SCHEMA_INVALID', `${fileName}: bundle has no DSSE payload`);
    }
    const payload = Buffer.from(envelope.payload, 'base64');
    const statement = parseStatement(payload);
    if (attestationKind(statement.predicateType) === 'provenance') return undefined;
    const linked = attestationDescriptor(statement, { downloadLocation: fileName });
    return { ...linked, digest: { sha256: createHash('sha256').update(payload).digest('hex') } };
  }
  if ((document as { _type?: unknown } | null)?._type !== undefined) {
    const statement = parseStatement(JSON.stringify(document));
    if (attestationKind(statement.predicateType) === 'provenance') return undefined;
    return attestationDescriptor(statement, { downloadLocation: fileName });
  }
  throw new CustodyError(
    'INPUT_SCHEMA_INVALID',
    `${fileName} holds neither Sigstore bundles nor in-toto statements`
  );
}
