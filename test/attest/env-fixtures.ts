// Loads the CI environment snapshots in fixtures/ci-env (GITHUB_EVENT_PATH made absolute).
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/cli.js';

export const CI_ENV_DIR = path.join(REPO_ROOT, 'fixtures/ci-env');
export const GOLDEN_DIR = path.join(REPO_ROOT, 'fixtures/golden');

export function ciEnvNames(): string[] {
  return readdirSync(CI_ENV_DIR)
    .filter((f) => f.endsWith('.json') && !f.endsWith('.event.json'))
    .map((f) => f.replace(/\.json$/, ''))
    .sort();
}

export function loadCIEnv(name: string): Record<string, string> {
  const { env } = JSON.parse(readFileSync(path.join(CI_ENV_DIR, `${name}.json`), 'utf8')) as {
    env: Record<string, string>;
  };
  if (env.GITHUB_EVENT_PATH !== undefined) {
    env.GITHUB_EVENT_PATH = path.join(CI_ENV_DIR, env.GITHUB_EVENT_PATH);
  }
  return env;
}

/** Every secret-looking value in the fixtures (tokens, passwords) and the user PII fields. */
export function fixtureSecrets(env: Record<string, string>): string[] {
  return Object.entries(env)
    .filter(([k]) => /TOKEN|PASSWORD|USER_EMAIL|USER_LOGIN|USER_NAME/.test(k))
    .map(([, v]) => v)
    .filter((v) => v.length >= 4 && v !== 'gitlab-ci-token');
}
