import type { ErrorCodeTable } from '../../../error-codes.js';

/** Error codes of the GitHub Actions (actions/*): inputs, runner context, GitHub API, the PR gate. */
export const GITHUB_ACTION_ERROR_CODES = {
  ACTION_INPUT_INVALID: {
    exit: 2,
    summary:
      'An action input is missing or has a wrong value (not a boolean, unknown option, bad number); the message names the input.',
  },
  ACTION_EVENT_UNSUPPORTED: {
    exit: 2,
    summary:
      'The action was triggered by an event it does not handle (the gate needs pull_request, pull_request_target or pull_request_review).',
  },
  ACTION_NO_SUBJECTS: {
    exit: 2,
    summary:
      'No file matched subject-path / subject-checksums; check the globs and the working directory.',
  },
  ACTION_PRIVATE_REPOSITORY_PUBLIC_LOG: {
    exit: 2,
    summary:
      'actions/attest in a private or internal repository would sign into public-good Sigstore, publishing the repository, workflow and commit in Rekor; set allow-public-transparency-log: true or use a private instance (signing-config).',
  },
  GITHUB_PERMISSION_DENIED: {
    exit: 3,
    summary:
      'The GitHub API refused the token (401/403/404 on a write); add the permission the hint names (contents: write, attestations: write, pull-requests: read).',
  },
  ACTION_VERIFY_FAILED: {
    exit: 1,
    summary:
      'The verify action found the release does not verify; the annotation names the first failed check and the step summary has the full report.',
  },
  GATE_DENIED: {
    exit: 1,
    summary:
      'The pull request carries agent-authored commits but lacks a verified agent-provenance attestation for its head commit or an approving review by a human; the summary lists what is missing.',
  },
} as const satisfies ErrorCodeTable;
