import { createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, sign } from 'node:crypto';

/** The pool's signing key, as a PKCS#8 PEM so it can be persisted. */
export function newSigningKey(): { kid: string; privateKeyPem: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid: randomUUID(), privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

/** The JWKS a pool publishes at `/{poolId}/.well-known/jwks.json`. */
export function jwks(key: { kid: string; privateKeyPem: string }) {
  const jwk = createPublicKey(createPrivateKey(key.privateKeyPem)).export({ format: 'jwk' });
  return { keys: [{ ...jwk, kid: key.kid, alg: 'RS256', use: 'sig' }] };
}

/** Signs an RS256 JWT. */
export function signJwt(
  key: { kid: string; privateKeyPem: string },
  claims: Record<string, unknown>,
): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const head = `${encode({ kid: key.kid, alg: 'RS256' })}.${encode(claims)}`;
  const signature = sign('RSA-SHA256', Buffer.from(head), createPrivateKey(key.privateKeyPem)).toString(
    'base64url',
  );
  return `${head}.${signature}`;
}

/** Reads a JWT's claims without verifying it (the emulator verifies by looking the token up). */
export function decodeJwt(token: string): Record<string, unknown> | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}
