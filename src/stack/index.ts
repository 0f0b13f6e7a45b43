// A local Sigstore stack for tests and the demo: Fulcio, Rekor, a timestamp authority and an OIDC
// issuer on 127.0.0.1 (one server each, random ports) with the matching trusted root and signing
// config. Built on @sigstore/mock's services; never trust its root outside tests and demos.
import { initializeTSA, tsaHandler } from '@sigstore/mock/dist/timestamp/index.js';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CustodyError, isCustodyError } from '../errors.js';
import { writeFileAtomic } from '../io/fs.js';
import { registerSecret } from '../util/redact.js';
import { assertTokenProfile, buildClaims, type Claims, type TokenProfile } from './claims.js';
import { FULCIO_SIGNING_CERT_PATH, startLocalFulcio } from './fulcio.js';
import { listenLoopback, type LoopbackServer } from './http.js';
import { signJWT, signingKeyFrom } from './jwt.js';
import { GITHUB_TOKEN_PATH, oidcRoutes } from './oidc.js';
import { REKOR_V1_ENTRIES_PATH, startLocalRekor } from './rekor.js';
import {
  buildSigningConfig,
  buildTrustedRoot,
  type SigningConfigJSON,
  type TrustedRootJSON,
} from './trust.js';

export type { TokenProfile, Claims } from './claims.js';
export {
  TOKEN_PROFILES,
  GITHUB_ISSUER,
  GITLAB_ISSUER,
  SAMPLE_COMMIT_SHA,
  SAMPLE_CONFIG_SHA,
  isTokenProfile,
} from './claims.js';
export { FULCIO_EXTENSION_OIDS, type FulcioExtensionName } from './fulcio-identity.js';
export {
  TRUSTED_ROOT_MEDIA_TYPE,
  SIGNING_CONFIG_MEDIA_TYPE,
  type TrustedRootJSON,
  type SigningConfigJSON,
} from './trust.js';

export const TRUSTED_ROOT_FILE = 'trusted_root.json';
export const SIGNING_CONFIG_FILE = 'signing_config.json';
const TSA_TIMESTAMP_PATH = '/api/v1/timestamp';
/** How far before start-up the trust material is valid: covers clock granularity. */
const VALIDITY_BACKDATE_MS = 60_000;

export interface StartLocalSigstoreStackOptions {
  /** Where trusted_root.json and signing_config.json go; a fresh temp dir (removed on close) if unset. */
  dir?: string;
}

export interface LocalSigstoreStack {
  /** Fulcio base URL (the v2 API is under /api/v2/signingCert). */
  readonly fulcioURL: string;
  /** Rekor base URL (v1 API: /api/v1/log/entries). */
  readonly rekorURL: string;
  /** Timestamp authority base URL (RFC 3161 over /api/v1/timestamp). */
  readonly tsaURL: string;
  /** OIDC issuer URL: the `iss` of `plain` tokens; serves discovery and JWKS. */
  readonly oidcURL: string;
  readonly trustedRoot: TrustedRootJSON;
  readonly signingConfig: SigningConfigJSON;
  readonly trustedRootPath: string;
  readonly signingConfigPath: string;
  /** A signed ID token of `profile` (`claims` override or extend the defaults; `undefined` removes one). */
  issueToken(profile: TokenProfile, claims?: Claims): string;
  /** For ACTIONS_ID_TOKEN_REQUEST_URL / ACTIONS_ID_TOKEN_REQUEST_TOKEN. */
  readonly githubTokenRequest: { url: string; token: string };
  /** Stops every server and drops their connections; removes the temp dir if one was made. */
  close(): Promise<void>;
}

export async function startLocalSigstoreStack(
  options: StartLocalSigstoreStackOptions = {}
): Promise<LocalSigstoreStack> {
  const servers: LoopbackServer[] = [];
  let tempDir: string | undefined;
  const cleanup = async (): Promise<void> => {
    await Promise.all(servers.map((server) => server.close()));
    if (tempDir !== undefined) await rm(tempDir, { recursive: true, force: true });
  };
  try {
    const started = new Date();
    const validFrom = new Date(
      Math.floor((started.getTime() - VALIDITY_BACKDATE_MS) / 1000) * 1000
    );
    const [fulcioServer, rekorServer, tsaServer, oidcServer] = (await Promise.all(
      ['Fulcio', 'Rekor', 'timestamp authority', 'OIDC issuer'].map(async (name) => {
        const server = await listenLoopback(name);
        servers.push(server);
        return server;
      })
    )) as [LoopbackServer, LoopbackServer, LoopbackServer, LoopbackServer];

    const oidcKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const oidcKey = signingKeyFrom(oidcKeys.privateKey, oidcKeys.publicKey);
    const issueToken = (profile: TokenProfile, claims?: Claims): string => {
      const token = signJWT(
        buildClaims(assertTokenProfile(profile), claims, {
          now: new Date(),
          localIssuer: oidcServer.url,
        }),
        oidcKey
      );
      registerSecret(token);
      return token;
    };
    const requestToken = randomBytes(24).toString('base64url');
    registerSecret(requestToken);
    oidcServer.setRoutes(
      oidcRoutes({
        issuerURL: oidcServer.url,
        key: oidcKey,
        requestToken,
        issueGithubToken: (audience) =>
          issueToken('github', { aud: audience ?? 'https://github.com/acme' }),
      })
    );

    const fulcio = await startLocalFulcio({ oidcKey, notBefore: validFrom });
    fulcioServer.setRoutes([
      {
        method: 'POST',
        path: FULCIO_SIGNING_CERT_PATH,
        handler: (request) => fulcio.handle(request.body, new Date()),
      },
    ]);

    const rekor = await startLocalRekor({
      url: rekorServer.url,
      keyPair: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
    });
    rekorServer.setRoutes([
      { method: 'POST', path: REKOR_V1_ENTRIES_PATH, handler: (r) => rekor.handleV1(r.body) },
    ]);

    const tsa = await initializeTSA(generateKeyPairSync('ec', { namedCurve: 'P-256' }));
    useWholeSecondClock(tsa);
    const timestamp = tsaHandler(tsa);
    tsaServer.setRoutes([
      {
        method: 'POST',
        path: TSA_TIMESTAMP_PATH,
        handler: async (request) => {
          const result = await timestamp.fn(request.body);
          return {
            statusCode: result.statusCode,
            contentType: result.contentType ?? 'text/plain',
            body: result.response,
          };
        },
      },
    ]);

    const trustedRoot = buildTrustedRoot({
      validFrom,
      fulcio: {
        url: fulcioServer.url,
        chain: fulcio.chain,
        ctLog: { url: `${fulcioServer.url}/ct`, ...fulcio.ctLog },
      },
      rekor: { url: rekorServer.url, publicKey: rekor.publicKey, logID: rekor.logID },
      tsa: {
        url: `${tsaServer.url}${TSA_TIMESTAMP_PATH}`,
        chain: [derBytes(tsa.intCertificate), derBytes(tsa.rootCertificate)],
      },
    });
    const signingConfig = buildSigningConfig({
      validFrom,
      fulcioURL: fulcioServer.url,
      oidcURL: oidcServer.url,
      rekorURL: rekorServer.url,
      tsaTimestampURL: `${tsaServer.url}${TSA_TIMESTAMP_PATH}`,
    });

    let dir: string;
    if (options.dir === undefined) {
      tempDir = await mkdtemp(path.join(os.tmpdir(), 'custody-stack-'));
      dir = tempDir;
    } else {
      dir = path.resolve(options.dir);
      await mkdir(dir, { recursive: true });
    }
    const trustedRootPath = path.join(dir, TRUSTED_ROOT_FILE);
    const signingConfigPath = path.join(dir, SIGNING_CONFIG_FILE);
    await writeFileAtomic(trustedRootPath, `${JSON.stringify(trustedRoot, null, 2)}\n`);
    await writeFileAtomic(signingConfigPath, `${JSON.stringify(signingConfig, null, 2)}\n`);

    let closing: Promise<void> | undefined;
    return {
      fulcioURL: fulcioServer.url,
      rekorURL: rekorServer.url,
      tsaURL: tsaServer.url,
      oidcURL: oidcServer.url,
      trustedRoot,
      signingConfig,
      trustedRootPath,
      signingConfigPath,
      issueToken,
      githubTokenRequest: {
        url: `${oidcServer.url}${GITHUB_TOKEN_PATH}?api-version=2.0`,
        token: requestToken,
      },
      close: () => (closing ??= cleanup()),
    };
  } catch (error) {
    await cleanup().catch(() => undefined);
    if (isCustodyError(error)) throw error;
    throw new CustodyError('STACK_START_FAILED', 'the local Sigstore stack could not start', {
      cause: error,
    });
  }
}

function derBytes(view: ArrayBufferView): Buffer {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

/**
 * The mock TSA stamps `new Date()` and asn1js writes its milliseconds without trailing zeros
 * ("…02.5Z"), which @sigstore/core's GeneralizedTime parser rejects (it wants none or exactly
 * three digits): about one timestamp in ten failed. Real TSAs use whole seconds; so does this one.
 */
function useWholeSecondClock(tsa: object): void {
  const clockHolder = tsa as { getCurrentTime?: unknown };
  if (typeof clockHolder.getCurrentTime !== 'function') {
    throw new CustodyError(
      'STACK_START_FAILED',
      'unexpected @sigstore/mock TSA: cannot set its clock to whole seconds'
    );
  }
  clockHolder.getCurrentTime = (): Date => new Date(Math.floor(Date.now() / 1000) * 1000);
}
