import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

export type MfaMode = 'OFF' | 'ON' | 'OPTIONAL';

/** Threat protection ("advanced security"): OFF, or AUDIT (events are recorded, nothing is blocked). */
export type AdvancedSecurityMode = 'OFF' | 'AUDIT';

/** One sign-in attempt as threat protection records it (AdminListUserAuthEvents). */
export interface AuthEvent {
  readonly eventId: string;
  /** Epoch seconds. */
  readonly creationDate: number;
  readonly response: 'Pass' | 'Fail' | 'InProgress';
  readonly passwordCorrect: boolean;
  readonly riskDecision: 'NoRisk' | 'AccountTakeover';
  readonly riskLevel: 'Low' | 'Medium' | 'High';
  readonly ipAddress?: string;
  readonly deviceName?: string;
  readonly city?: string;
  readonly country?: string;
}

export interface AppClient {
  readonly clientId: string;
  readonly clientName: string;
  readonly userPoolId: string;
  readonly explicitAuthFlows: string[];
  readonly preventUserExistenceErrors: 'ENABLED' | 'LEGACY';
  readonly creationDate: number;
}

export interface Group {
  readonly groupName: string;
  readonly description?: string;
  readonly precedence?: number;
  readonly creationDate: number;
}

export interface User {
  username: string;
  readonly sub: string;
  attributes: Record<string, string>;
  enabled: boolean;
  status: 'FORCE_CHANGE_PASSWORD' | 'CONFIRMED';
  password?: { salt: string; hash: string };
  readonly createdAt: number;
  modifiedAt: number;
  groups: string[];
  /** The registered authenticator; `verified` once VerifySoftwareToken succeeded. */
  softwareToken?: { secret: string; verified: boolean; friendlyName?: string };
  /** A ForgotPassword code waiting for ConfirmForgotPassword (its SHA-256, never the code). */
  passwordReset?: { codeHash: string; expiresAt: number; failures: number } | undefined;
  /** A secret handed out by AssociateSoftwareToken, waiting for VerifySoftwareToken. */
  pendingSecret?: string;
  /** The user's MFA preference, kept apart from the token itself (see mfa.ts). */
  totpPreference: { enabled: boolean; preferred: boolean };
  /** Sign-in lineages still valid: global sign-out empties it, revoking every token issued before. */
  activeOrigins: string[];
  /** Sign-in attempts, oldest first, recorded while the pool has threat protection. */
  authEvents?: AuthEvent[];
  /** Refresh tokens by SHA-256, each bound to its lineage and client. */
  refreshTokens: Record<
    string,
    {
      originJti: string;
      clientId: string;
      expiresAt: number /** The sign-in's auth_time. */;
      authTime?: number;
    }
  >;
}

export interface Pool {
  readonly id: string;
  readonly name: string;
  readonly creationDate: number;
  mfaConfiguration: MfaMode;
  softwareTokenMfaEnabled: boolean;
  /** Absent in pools saved before threat protection was emulated: OFF. */
  readonly advancedSecurityMode?: AdvancedSecurityMode;
  readonly passwordPolicy: {
    minimumLength: number;
    requireLowercase: boolean;
    requireUppercase: boolean;
    requireNumbers: boolean;
    requireSymbols: boolean;
  };
  readonly aliasAttributes: string[];
  readonly usernameAttributes: string[];
  readonly autoVerifiedAttributes: string[];
  readonly signingKey: { kid: string; privateKeyPem: string };
  clients: Record<string, AppClient>;
  groups: Record<string, Group>;
  /** Keyed by lower-cased username: usernames are case-insensitive by default. */
  users: Record<string, User>;
}

export interface EmulatorState {
  pools: Record<string, Pool>;
}

// An emulator, not a production store: a light scrypt cost keeps sign-ins fast under load tests.
const SCRYPT = { N: 1024, r: 8, p: 1 };

export function hashPassword(password: string): { salt: string; hash: string } {
  const salt = randomBytes(16);
  return { salt: salt.toString('base64'), hash: scryptSync(password, salt, 32, SCRYPT).toString('base64') };
}

export function checkPassword(stored: { salt: string; hash: string } | undefined, password: string): boolean {
  if (!stored) return false;
  const actual = scryptSync(password, Buffer.from(stored.salt, 'base64'), 32, SCRYPT);
  return timingSafeEqual(actual, Buffer.from(stored.hash, 'base64'));
}

export function loadState(file: string | undefined): EmulatorState {
  if (!file || !existsSync(file)) return { pools: {} };
  return JSON.parse(readFileSync(file, 'utf8')) as EmulatorState;
}

/** Writes atomically (temp file + rename) so a crash never leaves half a file. */
export function saveState(file: string, state: EmulatorState): void {
  const temp = `${file}.tmp`;
  writeFileSync(temp, JSON.stringify(state), { mode: 0o600 });
  renameSync(temp, file);
}
