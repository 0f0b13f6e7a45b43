// The SBOM attestation: predicate = the SBOM itself, typed https://cyclonedx.org/bom for CycloneDX
// (unversioned, as actions/attest and cosign --type cyclonedx write it) and https://spdx.dev/Document
// for SPDX JSON (as actions/attest and cosign --type spdxjson write it).
import { CustodyError } from '../errors.js';
import { canonicalJSON } from '../util/canonical-json.js';
import type { InTotoStatement, ResourceDescriptor } from './intoto.js';
import { buildStatement } from './intoto.js';

export const CYCLONEDX_PREDICATE_TYPE = 'https://cyclonedx.org/bom';
export const SPDX_PREDICATE_TYPE = 'https://spdx.dev/Document';

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
  const type = bom.bomFormat === 'CycloneDX' ? CYCLONEDX_PREDICATE_TYPE : SPDX_PREDICATE_TYPE;
  return buildStatement(subjects, type, bom);
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
  const cyclonedx = bom.bomFormat === 'CycloneDX' && typeof bom.specVersion === 'string';
  // An SPDX document needs at least its identity (SPDXID, documentNamespace) to be worth signing.
  const spdx =
    typeof bom.spdxVersion === 'string' &&
    bom.spdxVersion.startsWith('SPDX-') &&
    bom.SPDXID === 'SPDXRef-DOCUMENT' &&
    typeof bom.documentNamespace === 'string';
  if (!cyclonedx && !spdx) {
    throw new CustodyError(
      'ATTEST_SBOM_INVALID',
      'the SBOM is neither CycloneDX JSON (bomFormat "CycloneDX" and a specVersion) nor SPDX JSON (spdxVersion "SPDX-…", SPDXID "SPDXRef-DOCUMENT" and a documentNamespace)',
      { hint: 'custody attests CycloneDX and SPDX JSON SBOMs; generate one with custody sbom' }
    );
  }
  return bom;
}
