// actions/attest parity of the attest action: a predicate type URI with any predicate, subjects by
// digest, show-summary, the attestation stored from the attest step (attestation-id/-url), and the
// private-repository rule (no public Rekor entry for a private repository unless told).
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  readAttestInputs,
  refusePrivateToPublicLog,
  type AttestInputs,
} from '../../src/ci/github/actions/attest.js';
import { InputReader } from '../../src/ci/github/actions/framework.js';
import { CustodyError } from '../../src/errors.js';
import {
  SAMPLE_COMMIT_SHA,
  startLocalSigstoreStack,
  type LocalSigstoreStack,
} from '../../src/stack/index.js';
import { startFakeGitHub, type FakeGitHub } from './helpers/fake-github.js';
import { buildActions, githubEnv, runAction } from './helpers/runner.js';

const TOKEN = 'ghs_attestParityToken0123456789';
const DIGEST = `sha256:${'cd'.repeat(32)}`;
let dist: string;
let stack: LocalSigstoreStack;
let github: FakeGitHub;
let workspace: string;
let env: Record<string, string>;

beforeAll(async () => {
  [dist, stack, github, workspace] = await Promise.all([
    buildActions(),
    startLocalSigstoreStack(),
    startFakeGitHub({ token: TOKEN, owner: 'acme', repo: 'hello' }),
    mkdtemp(path.join(tmpdir(), 'custody-attest-parity-')),
  ]);
  await mkdir(path.join(workspace, 'dist'));
  await writeFile(path.join(workspace, 'dist/app.tgz'), 'app\n');
  await writeFile(path.join(workspace, 'test-result.json'), '{"suite":"unit","passed":true}\n');
  await copyFile(stack.signingConfigPath, path.join(workspace, 'signing_config.json'));
  env = {
    ...githubEnv('push-tag', { apiURL: github.url }),
    GITHUB_REPOSITORY: 'acme/hello',
    GITHUB_REF: 'refs/tags/v1.0.0',
    GITHUB_REF_NAME: 'v1.0.0',
    GITHUB_SHA: SAMPLE_COMMIT_SHA,
    ACTIONS_ID_TOKEN_REQUEST_URL: stack.githubTokenRequest.url,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: stack.githubTokenRequest.token,
  };
});
afterAll(async () => {
  await Promise.all([stack.close(), github.close()]);
  await rm(dist, { recursive: true, force: true });
  await rm(workspace, { recursive: true, force: true });
});

describe('actions/attest parity', () => {
  it('attests any predicate for a file and an image digest, and stores it from the attest step', async () => {
    const run = await runAction(dist, 'attest', {
      workspace,
      env,
      inputs: {
        'predicate-type': 'https://example.com/test-result/v1',
        'predicate-path': 'test-result.json',
        'subject-path': 'dist/app.tgz',
        'subject-name': 'ghcr.io/acme/app',
        'subject-digest': DIGEST,
        output: 'tests.intoto.jsonl',
        'upload-attestation': 'true',
        'github-token': TOKEN,
        'signing-config': 'signing_config.json',
      },
    });
    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.outputs['predicate-type']).toBe('https://example.com/test-result/v1');
    expect(run.outputs['subject-count']).toBe('2');
    expect(github.attestations).toHaveLength(1);
    expect(run.outputs['attestation-id']).toBe(String(github.attestations[0]?.id));
    expect(run.outputs['attestation-url']).toMatch(
      /^https:\/\/github\.com\/acme\/hello\/attestations\//
    );
    expect(run.summary).toContain('attestations API');
    const bundle = JSON.parse(
      (await readFile(path.join(workspace, 'tests.intoto.jsonl'), 'utf8')).trim()
    ) as { dsseEnvelope: { payload: string } };
    expect(github.attestations[0]?.bundle).toEqual(bundle);
    const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString()) as {
      predicate: unknown;
      subject: { name: string; digest: Record<string, string> }[];
    };
    expect(statement.predicate).toEqual({ suite: 'unit', passed: true });
    expect(statement.subject).toContainEqual({
      name: 'ghcr.io/acme/app',
      digest: { sha256: 'cd'.repeat(32) },
    });
    expect(run.masked).toContain(TOKEN);
    expect(run.stdout.replace(/^::add-mask::.*$/gm, '')).not.toContain(TOKEN);
  });

  it('show-summary: false writes no summary, and no upload leaves the ids empty', async () => {
    const run = await runAction(dist, 'attest', {
      workspace,
      env,
      inputs: {
        'predicate-type': 'https://slsa.dev/provenance/v1',
        'subject-path': 'dist/app.tgz',
        output: 'provenance.intoto.jsonl',
        'show-summary': 'false',
        'signing-config': 'signing_config.json',
      },
    });
    expect(run.errors).toEqual([]);
    expect(run.outputs['predicate-type']).toBe('https://slsa.dev/provenance/v1');
    expect(run.summary).toBe('');
    expect(run.outputs['attestation-id']).toBe('');
    expect(run.outputs['attestation-url']).toBe('');
  });

  it('refuses public-good Sigstore for a private repository before signing anything', async () => {
    const run = await runAction(dist, 'attest', {
      workspace,
      env,
      inputs: {
        'subject-path': 'dist/app.tgz',
        output: 'private.intoto.jsonl',
        'identity-token': stack.issueToken('github', { repository_visibility: 'private' }),
      },
    });
    expect(run.code).toBe(2);
    expect(run.errors[0]?.title).toBe('ACTION_PRIVATE_REPOSITORY_PUBLIC_LOG');
    await expect(readFile(path.join(workspace, 'private.intoto.jsonl'))).rejects.toThrow();
  });
});

describe('the private-repository rule', () => {
  const base = {
    allowPublicLog: false,
    signingConfig: undefined,
    fulcioURL: undefined,
    rekorURL: undefined,
  };
  const check = (inputs: Partial<AttestInputs>, visibility: string | undefined): string => {
    try {
      refusePrivateToPublicLog({ ...base, ...inputs } as AttestInputs, visibility);
      return 'signs';
    } catch (error) {
      return error instanceof CustodyError ? error.code : 'crash';
    }
  };
  it('signs public repositories and tokens without the claim', () => {
    expect(check({}, 'public')).toBe('signs');
    expect(check({}, undefined)).toBe('signs');
  });
  it('refuses private and internal repositories on public-good', () => {
    expect(check({}, 'private')).toBe('ACTION_PRIVATE_REPOSITORY_PUBLIC_LOG');
    expect(check({}, 'internal')).toBe('ACTION_PRIVATE_REPOSITORY_PUBLIC_LOG');
    // Only a Fulcio of its own still logs to public-good Rekor.
    expect(check({ fulcioURL: 'https://fulcio.internal' }, 'private')).toBe(
      'ACTION_PRIVATE_REPOSITORY_PUBLIC_LOG'
    );
  });
  it('signs when told, or on a private Sigstore instance', () => {
    expect(check({ allowPublicLog: true }, 'private')).toBe('signs');
    expect(check({ signingConfig: 'signing_config.json' }, 'private')).toBe('signs');
    expect(
      check({ fulcioURL: 'https://fulcio.internal', rekorURL: 'https://rekor.internal' }, 'private')
    ).toBe('signs');
  });
});

describe('attest inputs (actions/attest vocabulary)', () => {
  const read = (given: Record<string, string>): string => {
    const source = {
      getInput: (name: string) => given[name] ?? '',
      getBooleanInput: (name: string) => (given[name] ?? 'false') === 'true',
      getMultilineInput: (name: string) => (given[name] ?? '').split('\n').filter((l) => l !== ''),
    };
    try {
      readAttestInputs(new InputReader(source));
      return 'ok';
    } catch (error) {
      return error instanceof CustodyError ? `${error.code}: ${error.message}` : 'crash';
    }
  };
  it('maps custody predicate URIs to custody builders', () => {
    expect(read({ 'predicate-type': 'https://cyclonedx.org/bom', 'sbom-path': 's.json' })).toBe(
      'ok'
    );
  });
  it.each([
    [{ 'predicate-type': 'bogus' }, 'predicate-type must be'],
    [{ 'predicate-type': 'https://example.com/p/v1' }, 'needs exactly one of predicate'],
    [
      { 'predicate-type': 'https://example.com/p/v1', predicate: '{}', 'predicate-path': 'p.json' },
      'needs exactly one of predicate',
    ],
    [{ predicate: '{}' }, 'provenance builds its own predicate'],
    [{ 'subject-name': 'ghcr.io/acme/app' }, 'subject-name and subject-digest go together'],
    [{ 'subject-digest': DIGEST }, 'subject-name and subject-digest go together'],
    [{ 'upload-attestation': 'true' }, 'upload-attestation needs github-token'],
  ])('refuses %j', (given, message) => {
    const result = read(given);
    expect(result).toMatch(/^ACTION_INPUT_INVALID: /);
    expect(result).toContain(message);
  });
});
