// Links between attestations: a statement is referenced (from provenance byproducts) by the
// SHA-256 of its canonical JSON, which is exactly the DSSE payload custody signs, so a verifier can
// check the link from the signed bundle alone, whatever file the bundle is stored in.
import { createHash } from 'node:crypto';
import { canonicalJSON } from '../util/canonical-json.js';
import type { InTotoStatement, ResourceDescriptor } from './intoto.js';
import { dsseMediaType } from './intoto.js';

export const AGENT_PROVENANCE_MEDIA_TYPE = dsseMediaType('agent-provenance');
export const SBOM_ATTESTATION_MEDIA_TYPE = dsseMediaType('cyclonedx');
export const PROVENANCE_MEDIA_TYPE = dsseMediaType('provenance');

/** The bytes custody signs for a statement (the DSSE payload). */
export function statementBytes(statement: InTotoStatement): Uint8Array {
  return new TextEncoder().encode(canonicalJSON(statement));
}

export function statementDigest(statement: InTotoStatement): string {
  return createHash('sha256').update(statementBytes(statement)).digest('hex');
}

/** The attestation kind custody names files after, from a predicate type. */
export function attestationKind(predicateType: string): string {
  if (predicateType === 'https://slsa.dev/provenance/v1') return 'provenance';
  if (predicateType.startsWith('https://cyclonedx.org/bom')) return 'sbom';
  if (predicateType.startsWith('https://spdx.dev/Document')) return 'sbom';
  if (predicateType.startsWith('https://custody.dev/agent-provenance/')) return 'agent';
  return 'attestation';
}

function mediaTypeFor(predicateType: string): string {
  switch (attestationKind(predicateType)) {
    case 'provenance':
      return PROVENANCE_MEDIA_TYPE;
    case 'sbom':
      return SBOM_ATTESTATION_MEDIA_TYPE;
    case 'agent':
      return AGENT_PROVENANCE_MEDIA_TYPE;
    default:
      return dsseMediaType('statement');
  }
}

/**
 * A resource descriptor pointing at another attestation, for `runDetails.byproducts`:
 * `{name, digest: {sha256: <digest of the DSSE payload>}, downloadLocation?, mediaType}`.
 */
export function attestationDescriptor(
  statement: InTotoStatement,
  options: { name?: string; downloadLocation?: string } = {}
): ResourceDescriptor {
  return {
    name: options.name ?? `${attestationKind(statement.predicateType)}.intoto`,
    digest: { sha256: statementDigest(statement) },
    ...(options.downloadLocation === undefined
      ? {}
      : { downloadLocation: options.downloadLocation }),
    mediaType: mediaTypeFor(statement.predicateType),
  };
}
