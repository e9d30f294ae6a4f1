import type { CognitoBudget } from '../domain/cognito-budget';
import { newAuthenticatorEmail } from '../domain/emails';
import type {
  AuditLog,
  Mailer,
  PepperSource,
  RecoveryCodeSets,
  SignedInAccounts,
  Texter,
} from '../domain/ports';
import {
  hashRecoveryCode,
  newRecoveryCodes,
  normaliseRecoveryCode,
  type RecoveryCodeStatus,
} from '../domain/recovery-codes';
import { newRequestId } from '../domain/secrets';
import { newAuthenticatorText } from '../domain/texts';
import { InvalidRequestError, UnauthenticatedError } from '../shared/errors';

/** How recent the sign-in behind a token must be to make a new set: a fresh MFA, not an old session. */
export const FRESH_SIGN_IN_SECONDS = 600;

/** The signed-in user as the JWT authorizer verified them. */
export interface SignedInUser {
  readonly sub: string;
  readonly username: string;
  /** The token's `auth_time`: when the user last proved their factors (seconds). */
  readonly authTime: number;
  readonly accessToken: string;
  readonly sourceIp: string;
  readonly userAgent: string;
}

export interface RecoveryCodeDeps {
  readonly codes: RecoveryCodeSets;
  readonly pepper: PepperSource;
  readonly audit: AuditLog;
  readonly directory: SignedInAccounts;
  /** The product's share of the Cognito quotas: the live check of the sign-in takes once. */
  readonly cognitoBudget: CognitoBudget;
  readonly clock: () => Date;
}

export interface NoticeDeps {
  readonly audit: AuditLog;
  readonly directory: SignedInAccounts;
  readonly cognitoBudget: CognitoBudget;
  readonly mailer: Mailer;
  readonly texter?: Texter;
}

/**
 * After the user bound a new authenticator (the page did it with Cognito directly): checks with the
 * token, live, that the account now has TOTP, then tells every channel of the account (NIST: the
 * binding of a new authenticator is notified) and records it. Nothing is sent for an account
 * without TOTP, so the route cannot be used to send notices at will.
 */
export async function noticeNewAuthenticator(
  user: SignedInUser,
  deps: NoticeDeps,
): Promise<{ notified: number }> {
  const account = await liveAccount(user, deps);
  if (!account.mfa.includes('SOFTWARE_TOKEN_MFA')) {
    throw new InvalidRequestError('This account has no authenticator app to tell about.');
  }
  let notified = 0;
  if (account.email && account.emailVerified) {
    await deps.mailer.send(newAuthenticatorEmail(account.email, deps.mailer.voice(account.locale)));
    notified += 1;
  }
  if (deps.texter && account.phoneNumber && account.phoneVerified) {
    await deps.texter.send(account.phoneNumber, newAuthenticatorText(deps.texter.voice(account.locale)));
    notified += 1;
  }
  await deps.audit.append(accountEvent('AuthenticatorAdded', account, user, { channels: notified }));
  return { notified };
}

/** An event of the account, not of a recovery: a chain of one event (see domain/audit-verify.ts). */
const accountEvent = (
  type: 'AuthenticatorAdded' | 'RecoveryCodesIssued',
  account: { readonly username: string; readonly sub: string },
  user: Pick<SignedInUser, 'sourceIp' | 'userAgent'>,
  details: Readonly<Record<string, number>>,
) => ({
  requestId: newRequestId(),
  type,
  actor: `user:${account.username}`,
  username: account.username,
  userSub: account.sub,
  sourceIp: user.sourceIp,
  userAgent: user.userAgent,
  details,
});

/**
 * Issues a new set of saved recovery codes to a user who signed in, with their factors, in the last
 * ten minutes, and whose sign-in is still valid now (not signed out). The codes are returned once
 * and stored only as HMACs bound to the user; the old set stops working.
 */
export async function issueRecoveryCodes(
  user: SignedInUser,
  deps: RecoveryCodeDeps,
): Promise<{ codes: string[]; issuedAt: string }> {
  const now = deps.clock();
  if (now.getTime() / 1000 - user.authTime > FRESH_SIGN_IN_SECONDS) {
    throw new UnauthenticatedError(
      'Sign in again: new recovery codes need a sign-in from the last 10 minutes.',
    );
  }
  const live = await liveAccount(user, deps);
  const codes = newRecoveryCodes();
  const pepper = await deps.pepper.current();
  const hashes = codes.map((code) =>
    hashRecoveryCode(pepper, user.sub, normaliseRecoveryCode(code) as string),
  );
  const issuedAt = now.toISOString();
  await deps.codes.replace(user.sub, hashes, issuedAt);
  await deps.audit.append(
    accountEvent('RecoveryCodesIssued', { username: live.username, sub: user.sub }, user, {
      count: codes.length,
    }),
  );
  return { codes, issuedAt };
}

/** The account behind the token, now: a signed-out, disabled or deleted user's token gets 401. */
async function liveAccount(
  user: SignedInUser,
  deps: {
    readonly directory: SignedInAccounts;
    readonly cognitoBudget: CognitoBudget;
  },
) {
  await deps.cognitoBudget.take(['GetUser']);
  const account = await deps.directory.userOfAccessToken(user.accessToken);
  if (!account || account.sub !== user.sub)
    throw new UnauthenticatedError('This sign-in is no longer valid. Sign in again.');
  return account;
}

export async function recoveryCodeStatus(
  sub: string,
  deps: Pick<RecoveryCodeDeps, 'codes'>,
): Promise<RecoveryCodeStatus> {
  return deps.codes.status(sub);
}

/** The HMACs a typed code may be stored under: one per pepper that still verifies. */
export async function candidateHashes(pepper: PepperSource, sub: string, typed: string): Promise<string[]> {
  const code = normaliseRecoveryCode(typed);
  // A malformed code still costs the pepper read, and can match nothing.
  const peppers = await pepper.verifying();
  return code ? peppers.map((value) => hashRecoveryCode(value, sub, code)) : [];
}
