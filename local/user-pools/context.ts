import { randomBytes } from 'node:crypto';
import { CognitoError, invalidParameter, resourceNotFound, userNotFound } from './errors';
import type { AppClient, EmulatorState, Pool, User } from './state';

export type Body = Record<string, unknown>;

/** Who made the HTTP call, as the service sees it: threat protection records it when the body has no context data. */
export interface CallContext {
  readonly sourceIp: string;
  readonly userAgent?: string;
}

export type Operation = (body: Body, call: CallContext) => unknown;

/** A challenge session: single use, three minutes, bound to one user and client. */
export interface Session {
  readonly poolId: string;
  readonly clientId: string;
  readonly username: string;
  readonly challenge: 'SOFTWARE_TOKEN_MFA' | 'MFA_SETUP' | 'NEW_PASSWORD_REQUIRED';
  readonly expiresAt: number;
  failures: number;
  /** MFA_SETUP: the token was verified through this session chain. */
  setupVerified?: boolean;
}

export const SESSION_MS = 3 * 60_000;

/** Shared state and lookups of the emulator's operations. */
export class EmulatorContext {
  readonly sessions = new Map<string, Session>();

  constructor(
    readonly state: EmulatorState,
    readonly region: string,
    readonly persist: () => void,
  ) {}

  pool(body: Body): Pool {
    const id = body.UserPoolId;
    if (typeof id !== 'string' || id.length === 0) throw invalidParameter('UserPoolId is required');
    const pool = this.state.pools[id];
    if (!pool) throw resourceNotFound(`User pool ${id} does not exist.`);
    return pool;
  }

  client(body: Body): { pool: Pool; client: AppClient } {
    const clientId = body.ClientId;
    if (typeof clientId !== 'string' || clientId.length === 0) throw invalidParameter('ClientId is required');
    for (const pool of Object.values(this.state.pools)) {
      const client = pool.clients[clientId];
      if (client) return { pool, client };
    }
    throw resourceNotFound(`User pool client ${clientId} does not exist.`);
  }

  /** Finds a user by username, or by an alias / username attribute such as email. */
  findUser(pool: Pool, name: string): User | undefined {
    const direct = pool.users[name.toLowerCase()];
    if (direct) return direct;
    const attributes = [...pool.aliasAttributes, ...pool.usernameAttributes];
    if (attributes.length === 0) return undefined;
    return Object.values(pool.users).find((user) =>
      attributes.some(
        (attribute) =>
          user.attributes[attribute]?.toLowerCase() === name.toLowerCase() &&
          (pool.usernameAttributes.includes(attribute) ||
            user.attributes[`${attribute}_verified`] === 'true'),
      ),
    );
  }

  user(pool: Pool, body: Body): User {
    const username = body.Username;
    if (typeof username !== 'string' || username.length === 0) throw invalidParameter('Username is required');
    const user = this.findUser(pool, username);
    if (!user) throw userNotFound();
    return user;
  }

  newSession(session: Omit<Session, 'expiresAt' | 'failures'>): string {
    const id = randomBytes(48).toString('base64url');
    this.sessions.set(id, { ...session, expiresAt: Date.now() + SESSION_MS, failures: 0 });
    return id;
  }

  takeSession(id: unknown): Session {
    const session = typeof id === 'string' ? this.sessions.get(id) : undefined;
    if (!session || session.expiresAt < Date.now()) {
      if (typeof id === 'string') this.sessions.delete(id);
      throw new CognitoError('NotAuthorizedException', 'Invalid session for the user, session is expired.');
    }
    return session;
  }

  issuer(poolId: string): string {
    return `https://cognito-idp.${this.region}.amazonaws.com/${poolId}`;
  }
}
