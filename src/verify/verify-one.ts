// Verifies one bundle request with src/sign's verifyBundle, without identity constraints: the
// engine matches signers against the policy afterwards, so one verification serves every rule.
import { isCustodyError } from '../errors.js';
import { verifyBundle, type TrustContext } from '../sign/index.js';
import type { BundleOutcome, BundleRequest } from './types.js';

export function verifyRequest(request: BundleRequest, trust: TrustContext): BundleOutcome {
  const artifact =
    request.target === undefined
      ? undefined
      : ({ kind: 'digest', algorithm: request.target.algorithm, hex: request.target.hex } as const);
  const attempts = request.publicKeys.length > 0 ? request.publicKeys : [undefined];
  let last: BundleOutcome | undefined;
  for (const [index, key] of attempts.entries()) {
    try {
      const verified = verifyBundle(
        request.bundle,
        artifact,
        trust,
        key === undefined ? { anyIdentity: true } : { publicKeyPEM: key },
        { requireTransparencyLog: request.requireTransparencyLog }
      );
      return {
        id: request.id,
        ok: true,
        verified,
        ...(key === undefined ? {} : { keyIndex: index }),
      };
    } catch (error) {
      last = isCustodyError(error)
        ? { id: request.id, ok: false, code: error.code, message: error.message }
        : {
            id: request.id,
            ok: false,
            code: 'VERIFY_BUNDLE_INVALID',
            message: error instanceof Error ? error.message : String(error),
          };
    }
  }
  return (
    last ?? { id: request.id, ok: false, code: 'VERIFY_BUNDLE_INVALID', message: 'not verified' }
  );
}
