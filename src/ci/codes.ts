import type { ErrorCodeTable } from '../error-codes.js';
import { GITHUB_ACTION_ERROR_CODES } from './github/actions/codes.js';

export const CI_ERROR_CODES = {
  ...GITHUB_ACTION_ERROR_CODES,
  CI_CONTEXT_INCOMPLETE: {
    exit: 2,
    summary:
      'A required CI variable is missing or malformed (e.g. GITHUB_REPOSITORY, CI_PROJECT_ID); the message names it. Run inside the CI job or pass the facts explicitly.',
  },
  CI_EVENT_INVALID: {
    exit: 2,
    summary: 'The GitHub event payload (GITHUB_EVENT_PATH) is unreadable or not a JSON object.',
  },
  CI_API_UNAUTHORIZED: {
    exit: 3,
    summary:
      'The GitHub/GitLab API refused the token (401/403): pass a token with read access to pull/merge requests.',
  },
  CI_API_NOT_FOUND: {
    exit: 3,
    summary:
      'The GitHub/GitLab API answered 404 for a repository, project, commit or pull/merge request: check the names and the token scope.',
  },
  CI_API_FAILED: {
    exit: 3,
    summary:
      'The GitHub/GitLab API failed (5xx, network error, malformed answer, too many pages); retry later.',
  },
  CI_TOKEN_MISSING: {
    exit: 2,
    summary:
      'Approvals need an API token: set GITHUB_TOKEN (GitHub) or GITLAB_TOKEN / CI_JOB_TOKEN (GitLab), or pass --approvals none.',
  },
} as const satisfies ErrorCodeTable;
