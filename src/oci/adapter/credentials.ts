// Adapter: registry credentials from the places CI jobs and developers already keep them, in
// order: custody's own variables, the CI's registry variables (GitLab CI_REGISTRY_*, GitHub's
// token for ghcr.io), then the Docker config file ($DOCKER_CONFIG/config.json or
// ~/.docker/config.json, `auths` entries). Values are registered as secrets; none is printed.
// Credential helpers (credsStore/credHelpers) are not run: custody starts no programs for this.
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { registerSecret } from '../../util/redact.js';
import type { RegistryCredentials } from './registry.js';

const DOCKER_HUB = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

function canonicalHost(value: string): string {
  const host = value.replace(/^https?:\/\//, '').split('/')[0] ?? '';
  return DOCKER_HUB.has(host) ? 'docker.io' : host;
}

export interface CredentialSource {
  credentials?: RegistryCredentials;
  /** Where they came from (for --json output; never the values). */
  source?: string;
}

function found(
  username: string | undefined,
  password: string | undefined,
  source: string
): CredentialSource | undefined {
  if (username === undefined || username === '' || password === undefined || password === '')
    return undefined;
  registerSecret(password);
  return { credentials: { username, password }, source };
}

export async function findRegistryCredentials(
  registry: string,
  env: Readonly<Record<string, string | undefined>>,
  readText: (file: string) => Promise<string> = (file) => readFile(file, 'utf8')
): Promise<CredentialSource> {
  const target = canonicalHost(registry);
  const own = found(
    env.CUSTODY_REGISTRY_USERNAME,
    env.CUSTODY_REGISTRY_PASSWORD,
    'CUSTODY_REGISTRY_USERNAME/PASSWORD'
  );
  if (own !== undefined) return own;
  if (env.CI_REGISTRY !== undefined && canonicalHost(env.CI_REGISTRY) === target) {
    const gitlab =
      found(
        env.CI_REGISTRY_USER,
        env.CI_REGISTRY_PASSWORD,
        'CI_REGISTRY_USER/CI_REGISTRY_PASSWORD'
      ) ?? found('gitlab-ci-token', env.CI_JOB_TOKEN, 'CI_JOB_TOKEN');
    if (gitlab !== undefined) return gitlab;
  }
  if (target === 'ghcr.io' && env.GITHUB_ACTIONS === 'true') {
    const github = found(env.GITHUB_ACTOR, env.GITHUB_TOKEN, 'GITHUB_TOKEN');
    if (github !== undefined) return github;
  }
  const dir =
    env.DOCKER_CONFIG ??
    (env.HOME === undefined ? path.join(os.homedir(), '.docker') : path.join(env.HOME, '.docker'));
  const file = path.join(dir, 'config.json');
  let config: unknown;
  try {
    const text = await readText(file);
    if (text.length > 1024 * 1024) return {};
    config = JSON.parse(text);
  } catch {
    return {};
  }
  const auths = (config as { auths?: unknown }).auths;
  if (typeof auths !== 'object' || auths === null) return {};
  // Exact host match only: a key that merely contains the host must not get its credentials.
  const key = Object.keys(auths).find((k) => canonicalHost(k) === target);
  if (key === undefined) return {};
  const entry = (auths as Record<string, unknown>)[key] as Record<string, unknown> | undefined;
  if (typeof entry !== 'object' || entry === null) return {};
  const source = `${file} (${key})`;
  if (typeof entry.registrytoken === 'string') {
    registerSecret(entry.registrytoken);
    return { credentials: { registryToken: entry.registrytoken }, source };
  }
  let username = typeof entry.username === 'string' ? entry.username : undefined;
  let password = typeof entry.password === 'string' ? entry.password : undefined;
  if (typeof entry.auth === 'string') {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      username = decoded.slice(0, colon);
      password = decoded.slice(colon + 1);
    }
  }
  if (typeof entry.identitytoken === 'string' && entry.identitytoken !== '')
    password = entry.identitytoken;
  return found(username, password, source) ?? {};
}
