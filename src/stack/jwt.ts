// Compact ES256 JWTs for the local OIDC issuer: signed and verified with node:crypto only.
import { createHash, sign, verify, type KeyObject } from 'node:crypto';
import type { Claims } from './claims.js';

export interface JWTSigningKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** Key id: the first 16 bytes of the SHA-256 of the DER public key, base64url. */
  readonly kid: string;
}

export function signingKeyFrom(privateKey: KeyObject, publicKey: KeyObject): JWTSigningKey {
  const der = publicKey.export({ format: 'der', type: 'spki' });
  const kid = createHash('sha256').update(der).digest().subarray(0, 16).toString('base64url');
  return { privateKey, publicKey, kid };
}

export function signJWT(claims: Claims, key: JWTSigningKey): string {
  const header = { alg: 'ES256', typ: 'JWT', kid: key.kid };
  const signingInput = `${encodeSegment(header)}.${encodeSegment(claims)}`;
  const signature = sign('sha256', Buffer.from(signingInput), {
    key: key.privateKey,
    dsaEncoding: 'ieee-p1363',
  });
  return `${signingInput}.${signature.toString('base64url')}`;
}

/** The JWKS document the issuer publishes. */
export function jwksOf(key: JWTSigningKey): { keys: Record<string, unknown>[] } {
  const jwk = key.publicKey.export({ format: 'jwk' });
  return { keys: [{ ...jwk, kid: key.kid, alg: 'ES256', use: 'sig' }] };
}

export type JWTCheck = { ok: true; claims: Claims } | { ok: false; reason: string };

/**
 * Verifies a token the way Fulcio does before certifying: signature by the issuer key, time
 * window (with `leewaySeconds`), and the `sigstore` audience. Reasons never contain the token.
 */
export function verifyJWT(
  token: string,
  key: JWTSigningKey,
  options: { now: Date; audience: string; leewaySeconds?: number }
): JWTCheck {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'identity token is not a compact JWT' };
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const header = decodeSegment(headerPart);
  const claims = decodeSegment(payloadPart);
  if (header === undefined || claims === undefined) {
    return { ok: false, reason: 'identity token header or payload is not base64url JSON' };
  }
  if (header.alg !== 'ES256' || header.kid !== key.kid) {
    return { ok: false, reason: 'identity token is not signed by the local OIDC issuer key' };
  }
  const valid = verify(
    'sha256',
    Buffer.from(`${headerPart}.${payloadPart}`),
    { key: key.publicKey, dsaEncoding: 'ieee-p1363' },
    Buffer.from(signaturePart, 'base64url')
  );
  if (!valid) return { ok: false, reason: 'identity token signature is invalid' };
  const now = Math.floor(options.now.getTime() / 1000);
  const leeway = options.leewaySeconds ?? 60;
  if (typeof claims.exp !== 'number' || claims.exp + leeway < now) {
    return { ok: false, reason: 'identity token has expired' };
  }
  if (typeof claims.nbf === 'number' && claims.nbf - leeway > now) {
    return { ok: false, reason: 'identity token is not valid yet' };
  }
  const audiences = Array.isArray(claims.aud) ? (claims.aud as unknown[]) : [claims.aud];
  if (!audiences.includes(options.audience)) {
    return { ok: false, reason: `identity token audience is not ${options.audience}` };
  }
  if (typeof claims.iss !== 'string') return { ok: false, reason: 'identity token has no iss' };
  return { ok: true, claims };
}

function encodeSegment(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function decodeSegment(segment: string): Claims | undefined {
  try {
    const value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Claims)
      : undefined;
  } catch {
    return undefined;
  }
}
