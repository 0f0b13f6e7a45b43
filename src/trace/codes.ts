import type { ErrorCodeTable } from '../error-codes.js';

// Errors of `custody trace` and `custody attest deploy`. Missing or failing links of a trail are
// not errors: they are gaps in the trace (docs/trace.md lists their codes).
export const TRACE_ERROR_CODES = {
  TRACE_TARGET_INVALID: {
    exit: 2,
    summary:
      'the trace target is neither a readable file nor sha256:<64 hex>, or --commit is not a 40/64-hex git commit: fix the argument',
  },
  TRACE_DEPLOY_INPUT_INVALID: {
    exit: 2,
    summary:
      'attest deploy: --environment, --target, --deployed-at or --digest is missing or malformed: fix the flag',
  },
  TRACE_DEPLOY_VSA_INVALID: {
    exit: 2,
    summary:
      'attest deploy: the --vsa file is not a SLSA verification summary (bundle or statement) covering the deployed digest: pass the VSA written by custody verify --vsa',
  },
  TRACE_DEPLOY_VSA_FAILED: {
    exit: 1,
    summary:
      'attest deploy: the --vsa verification summary says FAILED: do not record a deployment that relied on a failed verification',
  },
  TRACE_REKOR_LOOKUP_FAILED: {
    exit: 3,
    summary:
      'trace --rekor-url: the Rekor index or entry lookup failed or answered malformed data: check the URL and the network, or trace offline',
  },
} as const satisfies ErrorCodeTable;
