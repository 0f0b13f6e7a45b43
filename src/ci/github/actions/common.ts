// Pieces several actions share: trust material and identity pins from inputs, path resolution
// inside the workspace, subject globbing, and the repository/token for GitHub API calls.
import { glob } from 'node:fs/promises';
import path from 'node:path';
import { CustodyError } from '../../../errors.js';
import { readJSONFile, resolveInside } from '../../../io/fs.js';
import type { IdentityPolicy, SignerConfig, TrustContext } from '../../../sign/index.js';
import type { ActionDeps, InputReader } from './framework.js';
import type { RepoRef } from './github-api.js';
import { commonJSExports } from '../../../util/interop.js';

export const GITHUB_ACTIONS_ISSUER = 'https://token.actions.githubusercontent.com';

/** The identity-pin inputs every verifying action takes (same vocabulary as cosign and gh). */
export interface IdentityInputs {
  readonly certificateIdentity: string | undefined;
  readonly certificateIdentityRegexp: string | undefined;
  readonly certificateOidcIssuer: string;
}

export function identityPolicy(inputs: IdentityInputs): IdentityPolicy {
  if (inputs.certificateIdentity !== undefined && inputs.certificateIdentityRegexp !== undefined) {
    throw new CustodyError(
      'ACTION_INPUT_INVALID',
      'set certificate-identity or certificate-identity-regexp, not both'
    );
  }
  let san: string | RegExp | undefined = inputs.certificateIdentity;
  if (inputs.certificateIdentityRegexp !== undefined) {
    try {
      san = new RegExp(anchored(inputs.certificateIdentityRegexp));
    } catch (error) {
      throw new CustodyError(
        'ACTION_INPUT_INVALID',
        'certificate-identity-regexp is not a valid regular expression',
        {
          cause: error,
        }
      );
    }
  }
  if (san === undefined) {
    throw new CustodyError(
      'ACTION_INPUT_INVALID',
      'set certificate-identity (or certificate-identity-regexp): a signature says nothing until you pin who made it',
      {
        hint: 'e.g. https://github.com/OWNER/REPO/.github/workflows/release.yml@refs/tags/v1.0.0',
      }
    );
  }
  return { subjectAlternativeName: san, issuer: inputs.certificateOidcIssuer };
}

function anchored(pattern: string): string {
  return `${pattern.startsWith('^') ? '' : '^'}${pattern}${pattern.endsWith('$') ? '' : '$'}`;
}

/** trusted-root input: a trusted_root.json inside the workspace, or the embedded public-good root. */
export async function loadTrust(
  workspace: string,
  untrustedPath: string | undefined
): Promise<TrustContext> {
  const { embeddedTrustedRoot, loadTrustedRoot } = await import('../../../sign/index.js');
  if (untrustedPath === undefined) return embeddedTrustedRoot('public-good');
  const file = await workspacePath(workspace, untrustedPath);
  return loadTrustedRoot(await readJSONFile(file, { what: 'trusted root' }));
}

/**
 * Resolves a path input. Relative paths stay inside the workspace (no `..`, no symlink escape);
 * absolute paths are allowed only inside the workspace or the runner's temp directory.
 */
export async function workspacePath(
  workspace: string,
  untrusted: string,
  tempDir?: string
): Promise<string> {
  if (path.isAbsolute(untrusted)) {
    const resolved = path.resolve(untrusted);
    for (const base of [workspace, tempDir]) {
      if (
        base !== undefined &&
        (resolved === base || resolved.startsWith(path.resolve(base) + path.sep))
      ) {
        return resolved;
      }
    }
    throw new CustodyError('INPUT_PATH_UNSAFE', `path ${untrusted} is outside the workspace`, {
      hint: 'use a path relative to the repository checkout',
    });
  }
  return resolveInside(workspace, untrusted);
}

/** Expands glob patterns (relative to the workspace) to sorted, unique regular files. */
export async function expandGlobs(
  workspace: string,
  patterns: readonly string[]
): Promise<string[]> {
  const found = new Set<string>();
  for (const pattern of patterns) {
    if (path.isAbsolute(pattern) || pattern.split(/[\\/]/).includes('..')) {
      throw new CustodyError(
        'INPUT_PATH_UNSAFE',
        `pattern ${JSON.stringify(pattern)} must stay inside the workspace`
      );
    }
    for await (const entry of glob(pattern, { cwd: workspace, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const full = path.join(entry.parentPath, entry.name);
      found.add(await resolveInside(workspace, path.relative(workspace, full)));
    }
  }
  return [...found].sort();
}

export function repoRef(repository: string): RepoRef {
  const [owner, repo, extra] = repository.split('/');
  if (
    owner === undefined ||
    repo === undefined ||
    extra !== undefined ||
    owner === '' ||
    repo === ''
  ) {
    throw new CustodyError('CI_CONTEXT_INCOMPLETE', `GITHUB_REPOSITORY must be owner/name`);
  }
  return { owner, repo };
}

export function requireToken(token: string | undefined, why: string): string {
  if (token === undefined) {
    throw new CustodyError('CI_TOKEN_MISSING', `${why} needs github-token`, {
      hint: 'pass "github-token: ${{ github.token }}" (the default) and grant the permission the docs list',
    });
  }
  return token;
}

/** The Sigstore inputs of the signing actions (sign, attest). */
export const SIGSTORE_INPUTS = [
  'signing-config',
  'fulcio-url',
  'rekor-url',
  'tsa-url',
  'identity-token',
] as const;
type SigstoreInput = (typeof SIGSTORE_INPUTS)[number];

export interface SigstoreInputs {
  readonly signingConfig: string | undefined;
  readonly fulcioURL: string | undefined;
  readonly rekorURL: string | undefined;
  readonly tsaURL: string | undefined;
  readonly identityToken: string | undefined;
}

export function readSigstoreInputs<I extends string>(
  read: InputReader<I | SigstoreInput>
): SigstoreInputs {
  return {
    signingConfig: read.optional('signing-config'),
    fulcioURL: read.optional('fulcio-url'),
    rekorURL: read.optional('rekor-url'),
    tsaURL: read.optional('tsa-url'),
    identityToken: read.secret('identity-token'),
  };
}

/**
 * The signer for this job: keyless, with the identity token from the identity-token input or the
 * GitHub Actions OIDC endpoint (id-token: write), and Fulcio/Rekor/TSA from the inputs.
 */
export async function signerConfig(
  inputs: SigstoreInputs,
  deps: ActionDeps
): Promise<SignerConfig> {
  const { discoverIdentityToken } = await import('../../../sign/index.js');
  const identity = await discoverIdentityToken({ env: deps.env, token: inputs.identityToken });
  const signingConfig =
    inputs.signingConfig === undefined
      ? undefined
      : await readJSONFile(
          await workspacePath(deps.workspace, inputs.signingConfig, deps.env.RUNNER_TEMP),
          {
            what: 'signing config',
          }
        );
  return {
    identity: { kind: 'keyless', token: identity.token },
    ...(signingConfig === undefined ? {} : { signingConfig }),
    ...(inputs.fulcioURL === undefined ? {} : { fulcioURL: inputs.fulcioURL }),
    ...(inputs.rekorURL === undefined ? {} : { rekorURL: inputs.rekorURL }),
    ...(inputs.tsaURL === undefined ? {} : { tsaURL: inputs.tsaURL }),
  };
}

/** SAN and issuer of the Fulcio certificate in a bundle this job just made (for outputs). */
export async function bundleSigner(bundle: unknown): Promise<{ identity: string; issuer: string }> {
  const { X509Certificate } = commonJSExports(await import('@sigstore/core'), 'X509Certificate');
  const { certificateIdentity } = await import('../../../sign/index.js');
  const material = (bundle as { verificationMaterial?: Record<string, unknown> })
    .verificationMaterial;
  const raw =
    (material?.certificate as { rawBytes?: unknown } | undefined)?.rawBytes ??
    (material?.x509CertificateChain as { certificates?: { rawBytes?: unknown }[] } | undefined)
      ?.certificates?.[0]?.rawBytes;
  if (typeof raw !== 'string') return { identity: '', issuer: '' };
  const identity = certificateIdentity(X509Certificate.parse(Buffer.from(raw, 'base64')));
  return {
    identity: identity.subjectAlternativeName ?? '',
    issuer: identity.extensions.issuer ?? '',
  };
}

/** Files custody itself writes next to artifacts; never subjects of a signature or attestation. */
export function isCustodyOutput(file: string): boolean {
  return /\.(sigstore\.json|intoto\.jsonl)$/.test(file);
}

/** working-directory input: the workspace, a directory inside it, or one under RUNNER_TEMP. */
export async function workingDirectory(
  deps: ActionDeps,
  untrusted: string | undefined
): Promise<string> {
  if (untrusted === undefined) return deps.workspace;
  return workspacePath(deps.workspace, untrusted, deps.env.RUNNER_TEMP);
}
