import type { ErrorCodeTable } from '../error-codes.js';

// Signing (SIGN_*) and single-bundle verification (VERIFY_* for one Sigstore bundle). The
// whole-release verifier reuses these VERIFY_* codes for bundle-level failures.
export const SIGN_ERROR_CODES = {
  SIGN_IDENTITY_UNAVAILABLE: {
    exit: 3,
    summary:
      'No OIDC identity token for keyless signing: grant `permissions: id-token: write` (GitHub), add an `id_tokens: SIGSTORE_ID_TOKEN` block (GitLab), or pass --identity-token-file / --key.',
  },
  SIGN_IDENTITY_INVALID: {
    exit: 2,
    summary:
      'The OIDC identity token is malformed or was refused (e.g. an email claim without email_verified); the token itself is never printed.',
  },
  SIGN_KEY_INVALID: {
    exit: 2,
    summary:
      'A PEM key file cannot be parsed or is not an ECDSA P-256/P-384 or Ed25519 key of the expected kind (private to sign, public to verify).',
  },
  SIGN_CONFIG_INVALID: {
    exit: 2,
    summary:
      'The signing configuration (--signing-config, --instance, service URLs) is malformed or names no usable Fulcio/Rekor/TSA service.',
  },
  SIGN_SERVICE_FAILED: {
    exit: 3,
    summary:
      'Fulcio, Rekor or the timestamp authority failed (5xx, network error or timeout) after retries; rerun, or check the service URLs.',
  },
  SIGN_FAILED: {
    exit: 3,
    summary:
      'Signing failed for a reason other than identity, key or service errors; see the cause.',
  },
  VERIFY_BUNDLE_INVALID: {
    exit: 1,
    summary:
      'The Sigstore bundle is malformed: unknown media type, missing or inconsistent fields, a DSSE envelope without exactly one signature.',
  },
  VERIFY_SIGNATURE_INVALID: {
    exit: 1,
    summary:
      'The bundle signature does not verify over the artifact (or DSSE payload) with the signing key: the content or the signature was altered.',
  },
  VERIFY_CERTIFICATE_INVALID: {
    exit: 1,
    summary:
      'The signing certificate does not chain to a trusted CA at the signing time, has no valid SCT, or the bundle carries the root CA in its chain.',
  },
  VERIFY_TLOG_INVALID: {
    exit: 1,
    summary:
      'A transparency-log entry does not verify: wrong inclusion proof, checkpoint or promise, a body that does not match the bundle, or too few entries.',
  },
  VERIFY_TIMESTAMP_INVALID: {
    exit: 1,
    summary:
      'No verified signing time: missing, untrusted or mismatching RFC 3161 timestamps or log integration times.',
  },
  VERIFY_IDENTITY_MISMATCH: {
    exit: 1,
    summary:
      'The bundle verifies but was signed by someone else: certificate SAN, OIDC issuer, a Fulcio extension or the public key differs from the policy.',
  },
  VERIFY_SUBJECT_MISMATCH: {
    exit: 1,
    summary:
      'The artifact (or digest) given is not what the bundle signs: message digest differs, or it is not a subject of the in-toto statement.',
  },
  VERIFY_TRUST_ROOT_INVALID: {
    exit: 2,
    summary:
      'The trusted root is malformed: wrong media type, bad keys or certificates, or an authority without validFor.start.',
  },
} as const satisfies ErrorCodeTable;
