// Public surface of the CI adapters: context readers (allow-listed environment), platform
// detection, the git adapter and the approval clients.
export { sourceRepositoryURI } from './context.js';
export type { CIContext, GitHubContext, GitLabContext, LocalContext } from './context.js';
export { detectCIContext, detectPlatform, localContext } from './detect.js';
export type { Platform, PlatformChoice, LocalContextInput, DetectOptions } from './detect.js';
export {
  readGitHubContext,
  loadGitHubContext,
  pickGitHubEnv,
  workflowPath,
  GITHUB_ENV_ALLOW_LIST,
} from './github/env.js';
export { readGitLabContext, pickGitLabEnv, GITLAB_ENV_ALLOW_LIST } from './gitlab/env.js';
export { githubApprovalsForCommits } from './github/reviews.js';
export type { GitHubApprovalsOptions } from './github/reviews.js';
export { gitlabApprovalsForCommits } from './gitlab/approvals.js';
export type { GitLabApprovalsOptions } from './gitlab/approvals.js';
export { gitLog, gitSource, sanitizeRemoteURL, MAX_COMMITS } from './git.js';
export type { GitOptions } from './git.js';
export { CI_ERROR_CODES } from './codes.js';
