// Which CI platform custody runs on, and its context. Detection looks only at GITHUB_ACTIONS and
// GITLAB_CI; the platform readers then take their own allow-listed variables.
import { CustodyError } from '../errors.js';
import type { CIContext, LocalContext } from './context.js';
import { isGitHubActions, loadGitHubContext } from './github/env.js';
import { isGitLabCI, readGitLabContext } from './gitlab/env.js';

export type Platform = CIContext['platform'];
export type PlatformChoice = Platform | 'auto';
type Env = Readonly<Record<string, string | undefined>>;

export function detectPlatform(env: Env): Platform {
  if (isGitHubActions(env)) return 'github';
  if (isGitLabCI(env)) return 'gitlab';
  return 'local';
}

export interface LocalContextInput {
  builderId?: string;
  source?: { uri: string; ref?: string; commit: string };
  invocationId?: string;
}

export interface DetectOptions {
  platform?: PlatformChoice;
  local?: LocalContextInput;
  jobWorkflowRef?: string;
}

export async function detectCIContext(env: Env, options: DetectOptions = {}): Promise<CIContext> {
  const platform =
    options.platform === undefined || options.platform === 'auto'
      ? detectPlatform(env)
      : options.platform;
  switch (platform) {
    case 'github':
      return loadGitHubContext(
        env,
        options.jobWorkflowRef === undefined ? {} : { jobWorkflowRef: options.jobWorkflowRef }
      );
    case 'gitlab':
      return readGitLabContext(env);
    case 'local':
      return localContext(options.local ?? {});
  }
}

/** A local build: the builder id is the caller's claim (tenant-asserted, SLSA Build L1). */
export function localContext(input: LocalContextInput): LocalContext {
  if (input.builderId === undefined || input.builderId === '') {
    throw new CustodyError(
      'ATTEST_CONTEXT_MISSING',
      'a local build needs --builder-id (no GitHub Actions or GitLab CI environment was detected)',
      { hint: 'pass --builder-id https://example.com/builders/my-laptop or run in CI' }
    );
  }
  if (!isURI(input.builderId)) {
    throw new CustodyError(
      'ATTEST_CONTEXT_MISSING',
      `--builder-id must be a URI, got ${JSON.stringify(input.builderId)}`
    );
  }
  if (input.source !== undefined && !/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(input.source.commit)) {
    throw new CustodyError(
      'ATTEST_CONTEXT_MISSING',
      `the source commit must be a full hex commit id, got ${JSON.stringify(input.source.commit)}`
    );
  }
  return {
    platform: 'local',
    builderId: input.builderId,
    source:
      input.source === undefined
        ? undefined
        : { uri: input.source.uri, ref: input.source.ref, commit: input.source.commit },
    invocationId: input.invocationId,
  };
}

function isURI(value: string): boolean {
  return /^[a-zA-Z][a-zA-Z0-9+.-]*:\S+$/.test(value);
}
