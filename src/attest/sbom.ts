// The CycloneDX SBOM attestation: predicate type https://cyclonedx.org/bom (unversioned, as
// actions/attest and cosign --type cyclonedx write it), predicate = the BOM itself.
import { CustodyError } from '../errors.js';
import { canonicalJSON } from '../util/canonical-json.js';
import type { InTotoStatement, ResourceDescriptor } from './intoto.js';
import { buildStatement } from './intoto.js';

export const CYCLONEDX_PREDICATE_TYPE = 'https://cyclonedx.org/bom';

/**
 * Largest SBOM custody attests, measured on the canonical JSON that goes into the statement:
 * 16 MiB, the cap of GitHub's attestation store (actions/attest#262), so a custody SBOM
 * attestation can always be uploaded there too.
 */
export const SBOM_SIZE_LIMIT = 16 * 1024 * 1024;

export function buildSBOMStatement(
  sbom: unknown,
  subjects: readonly ResourceDescriptor[]
): InTotoStatement<Record<string, unknown>> {
  const bom = parseSBOM(sbom);
  const size = new TextEncoder().encode(canonicalJSON(bom)).byteLength;
  if (size > SBOM_SIZE_LIMIT) {
    throw new CustodyError(
      'ATTEST_SBOM_TOO_LARGE',
      `the SBOM is ${size} bytes, over the ${SBOM_SIZE_LIMIT}-byte (16 MiB) attestation limit`,
      {
        hint: 'attest a smaller SBOM (e.g. one per artifact, or without license texts)',
        details: { size, limit: SBOM_SIZE_LIMIT },
      }
    );
  }
  return buildStatement(subjects, CYCLONEDX_PREDICATE_TYPE, bom);
}

function parseSBOM(sbom: unknown): Record<string, unknown> {
  let value = sbom;
  if (typeof value === 'string' || value instanceof Uint8Array) {
    const text = typeof value === 'string' ? value : Buffer.from(value).toString('utf8');
    try {
      value = JSON.parse(text) as unknown;
    } catch (error) {
      throw new CustodyError('ATTEST_SBOM_INVALID', 'the SBOM is not valid JSON', {
        cause: error,
      });
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new CustodyError('ATTEST_SBOM_INVALID', 'the SBOM must be a JSON object');
  }
  const bom = value as Record<string, unknown>;
  if (bom.bomFormat !== 'CycloneDX' || typeof bom.specVersion !== 'string') {
    throw new CustodyError(
      'ATTEST_SBOM_INVALID',
      'the SBOM is not CycloneDX JSON (needs bomFormat "CycloneDX" and a specVersion)',
      { hint: 'custody attests CycloneDX JSON SBOMs; generate one with custody sbom' }
    );
  }
  return bom;
}
