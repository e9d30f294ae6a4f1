import { createHash, randomBytes } from 'node:crypto';
import { keys } from '../adapters/recovery-keys';
import type { CognitoBudget, CognitoOperation } from '../domain/cognito-budget';
import type { DirectoryUser } from '../domain/directory';
import type {
  AdmissionStore,
  AuditLog,
  PepperSource,
  RateLimiter,
  RecoveryCodeLedger,
  UserLookup,
  WorkflowStarter,
} from '../domain/ports';
import type { ProofTiming } from '../domain/proof-timing';
import { FAILED_PASSWORD_WINDOW } from '../domain/rate-limit';
import type { ProofKind, RecoveryRequest } from '../domain/recovery';
import { newRequestId } from '../domain/secrets';
import {
  AuthenticationFailedError,
  NoAuthenticatorError,
  RateLimitedError,
  TransientDependencyError,
} from '../shared/errors';
import { log } from '../shared/log';
import { candidateHashes } from './recovery-codes';
import { decoyChallenge } from './workflow-steps';

export interface StartRecoveryInput {
  readonly identifier: { readonly username: string } | { readonly email: string };
  /** The first factor, or nothing when the user says they also lost their password. */
  readonly password: string | undefined;
  /** A saved recovery code, with the password: the second proof instead of the emailed code. */
  readonly recoveryCode?: string;
  readonly sourceIp: string;
  readonly userAgent: string;
}

export interface StartRecoveryDeps {
  readonly directory: UserLookup;
  readonly store: AdmissionStore;
  readonly rateLimiter: RateLimiter;
  readonly audit: AuditLog;
  readonly workflow: WorkflowStarter;
  /** Saved recovery codes and the pepper their HMACs are made with. */
  readonly recoveryCodes: RecoveryCodeLedger;
  readonly pepper: PepperSource;
  /** The product's share of the Cognito quotas: one take for a request's Cognito calls, before the first. */
  readonly cognitoBudget: CognitoBudget;
  /** How long password proofs take, so that an unknown user's answer takes as long without one. */
  readonly proofTiming: ProofTiming;
  readonly clock: () => Date;
  readonly settings: {
    readonly passwordProofClientId: string;
    /** The public host name, told to Cognito's threat protection with each password proof. */
    readonly serverName?: string;
    readonly codeTtlSeconds: number;
    readonly approvalTimeoutSeconds: number;
    readonly coolDownSeconds: number;
    readonly userRequestLimit: number;
    readonly userRequestWindowSeconds: number;
    readonly ipRequestLimit: number;
    readonly ipRequestWindowSeconds: number;
    readonly maxCodeAttempts: number;
    /** A slot whose holder was never stored is taken over after this long. */
    readonly slotGraceSeconds: number;
  };
}

// How long a user's active-recovery slot is held at most, beyond the longest a request can wait
// (code, approval, cool-down), in case a request ends without releasing it.
const LOCK_MARGIN_SECONDS = 900;

// Tries of a saved recovery code per user (right or wrong), taken before the check: parallel tries
// cannot exceed it.
export const RECOVERY_CODE_TRIES = { limit: 5, windowSeconds: 86_400 };

// Request records are kept this long (the audit trail keeps its own copy for longer).
const RETENTION_SECONDS = 400 * 86_400;

/**
 * Accepts a lost-device request.
 *
 * With a password, the caller proves the first factor, so after that proof the answers are honest (the
 * caller could sign in and learn the same): 401 for a wrong password or unknown user (the same answer,
 * in about the same time: an unknown user costs no password proof), 409 when the account has no
 * authenticator, 429 with Retry-After past the per-user limit, and a repeat while a request is active
 * joins it. Past the product's Cognito budget, every request gets 429 before Cognito is called.
 *
 * Without a password ("I also lost my password") the caller proves nothing, so every answer is the
 * same 202 with a fresh id, whatever the account: an unknown user, a user without TOTP, a spent
 * budget or an active anonymous request all get a decoy that looks and behaves like a real request.
 * Anonymous requests never learn, join or touch another request of the user, and spend a budget and a
 * slot of their own, never the password-proven ones.
 */
export async function startRecovery(
  input: StartRecoveryInput,
  deps: StartRecoveryDeps,
): Promise<{ requestId: string; recoveryCodesLeft?: number }> {
  const { settings } = deps;
  const now = deps.clock();
  const nowSeconds = Math.floor(now.getTime() / 1000);

  const ipDecision = await deps.rateLimiter.take(
    keys.ipRate(input.sourceIp),
    { limit: settings.ipRequestLimit, windowSeconds: settings.ipRequestWindowSeconds },
    nowSeconds,
  );
  if (!ipDecision.allowed) throw new RateLimitedError(ipDecision.retryAfterSeconds);
  // Past the product's share of a Cognito quota: 429 before Cognito is asked anything.
  await deps.cognitoBudget.take(cognitoCallsOf(input));

  const typed = 'username' in input.identifier ? input.identifier.username : input.identifier.email;
  // Only a verified email identifies an account; the account is then named by its canonical username.
  const username =
    'username' in input.identifier
      ? input.identifier.username
      : await deps.directory.usernameForEmail(input.identifier.email);
  // An unknown email still costs the lookup of a user, so the answer's timing does not tell it apart.
  const user = await deps.directory.getUser(username ?? `unknown-${randomBytes(12).toString('hex')}`);

  if (input.password === undefined) return startAnonymous(input, user, typed, deps, now);
  const password = input.password;

  // The lookup told that nobody has this name: no password proof (it would spend the operator's
  // quota for nothing). The answer waits about as long as a proof takes, then costs the same
  // failed-password write as a wrong password (docs/SECURITY.md, user enumeration).
  const proof = user
    ? await deps.proofTiming.measure(() =>
        deps.directory.provePassword(
          settings.passwordProofClientId,
          user.username,
          password,
          settings.serverName
            ? { sourceIp: input.sourceIp, userAgent: input.userAgent, serverName: settings.serverName }
            : undefined,
        ),
      )
    : await deps.proofTiming.imitate().then(() => ({ kind: 'rejected' }) as const);
  if (proof.kind === 'rejected' || !user) {
    await deps.rateLimiter.take(
      keys.failedPasswords(user?.username ?? unknownKey(typed)),
      FAILED_PASSWORD_WINDOW,
      nowSeconds,
    );
    throw new AuthenticationFailedError();
  }
  if (!proof.totpEnrolled) throw new NoAuthenticatorError();
  const codeHashes =
    input.recoveryCode === undefined
      ? undefined
      : await checkRecoveryCode(input.recoveryCode, user, deps, nowSeconds);
  const failedPasswordAttempts = await deps.rateLimiter.count(
    keys.failedPasswords(user.username),
    FAILED_PASSWORD_WINDOW,
    nowSeconds,
  );
  const request = newRequest(
    input,
    user,
    codeHashes ? 'RECOVERY_CODE' : 'PASSWORD',
    now,
    settings.codeTtlSeconds,
  );
  const slot = keys.activeRecovery(user.sub);
  const active = await holdActiveSlot(deps, slot, request.requestId, nowSeconds, holdSecondsOf(settings));
  if (active !== request.requestId) {
    // One active recovery per user: the password-proven owner's repeat joins the pending one.
    await deps.audit
      .append({
        ...auditContext({ ...request, requestId: active }),
        type: 'RecoveryRequestRepeated',
        actor: `user:${user.username}`,
      })
      .catch((error) =>
        log.warn(
          'repeat not audited: the chain of the active request is busy or ended',
          {
            correlationId: active,
          },
          error,
        ),
      );
    // A recovery code is kept for a later request: this one joined a recovery already under way.
    return { requestId: active };
  }
  const userDecision = await deps.rateLimiter
    .take(
      keys.userRate(user.username),
      { limit: settings.userRequestLimit, windowSeconds: settings.userRequestWindowSeconds },
      nowSeconds,
    )
    .catch(async (error) => {
      await release(deps, slot, request.requestId);
      throw error;
    });
  if (!userDecision.allowed) {
    await release(deps, slot, request.requestId);
    throw new RateLimitedError(userDecision.retryAfterSeconds);
  }
  const signals = {
    lostPassword: false,
    failedPasswordAttempts,
    requestsInWindow: userDecision.inWindow,
  };
  if (!codeHashes) return launch(deps, { ...request, signals }, slot);
  // The code is used only now that this request holds the slot: it works once, whatever runs in parallel.
  const left = await deps.recoveryCodes.consume(user.sub, codeHashes).catch(async (error) => {
    await release(deps, slot, request.requestId);
    throw error;
  });
  if (left === undefined) {
    await release(deps, slot, request.requestId);
    throw new AuthenticationFailedError();
  }
  const started = await launch(deps, { ...request, signals }, slot, left);
  return { ...started, recoveryCodesLeft: left };
}

/**
 * A saved recovery code's check, after the password proved right: its own budget of tries first
 * (past it, 429 with Retry-After, as the per-user limit answers a proven owner), then the HMACs it
 * may be stored under. A wrong, used, malformed or other user's code answers exactly as a wrong
 * password does. Resolves the code's candidate HMACs; nothing is used yet.
 */
async function checkRecoveryCode(
  typed: string,
  user: DirectoryUser,
  deps: StartRecoveryDeps,
  nowSeconds: number,
): Promise<string[]> {
  const tries = await deps.rateLimiter.take(
    keys.recoveryCodeTries(user.sub),
    RECOVERY_CODE_TRIES,
    nowSeconds,
  );
  if (!tries.allowed) throw new RateLimitedError(tries.retryAfterSeconds);
  const candidates = await candidateHashes(deps.pepper, user.sub, typed);
  if (candidates.length === 0 || !(await deps.recoveryCodes.holds(user.sub, candidates))) {
    throw new AuthenticationFailedError();
  }
  return candidates;
}

/** "I also lost my password": a real request only for a known user with TOTP and budget left. */
async function startAnonymous(
  input: StartRecoveryInput,
  user: DirectoryUser | undefined,
  typed: string,
  deps: StartRecoveryDeps,
  now: Date,
): Promise<{ requestId: string }> {
  const { settings } = deps;
  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (!user)
    return ignore(
      deps,
      newRequest(input, { username: typed, sub: '' }, 'NONE', now, settings.codeTtlSeconds),
      'UNKNOWN_USER',
    );
  const request = newRequest(input, user, 'NONE', now, settings.codeTtlSeconds);
  if (!user.mfa.includes('SOFTWARE_TOKEN_MFA')) return ignore(deps, request, 'NO_TOTP');
  const decision = await deps.rateLimiter.take(
    keys.anonymousRate(user.username),
    { limit: settings.userRequestLimit, windowSeconds: settings.userRequestWindowSeconds },
    nowSeconds,
  );
  if (!decision.allowed) return ignore(deps, request, 'RATE_LIMITED');
  const slot = keys.activeAnonymous(user.sub);
  const active = await holdActiveSlot(deps, slot, request.requestId, nowSeconds, holdSecondsOf(settings));
  // Never the id of another request: a second anonymous request while one is active is a decoy.
  if (active !== request.requestId) return ignore(deps, request, 'ALREADY_ACTIVE');
  const signals = { lostPassword: true, failedPasswordAttempts: 0, requestsInWindow: decision.inWindow };
  return launch(deps, { ...request, signals }, slot);
}

/** Stores the request, records it and starts its workflow; if any of that fails, nothing is left held. */
async function launch(
  deps: StartRecoveryDeps,
  request: RecoveryRequest,
  slot: { pk: string; sk: string },
  recoveryCodesLeft?: number,
): Promise<{ requestId: string }> {
  const nowSeconds = Math.floor(deps.clock().getTime() / 1000);
  let stored = false;
  try {
    // The request item and its first audit records: one atomic write.
    stored = await deps.audit.startChain(
      [
        {
          ...auditContext(request),
          type: 'RecoveryRequested',
          actor: `user:${request.username}`,
          details: { lostPassword: request.proof === 'NONE', proof: request.proof },
        },
        // The count, never the code.
        ...(recoveryCodesLeft === undefined
          ? []
          : [
              {
                ...auditContext(request),
                type: 'RecoveryCodeUsed',
                actor: `user:${request.username}`,
                details: { remaining: recoveryCodesLeft },
              },
            ]),
      ],
      [deps.store.newRequest(request, nowSeconds + RETENTION_SECONDS)],
    );
    if (!stored) throw new TransientDependencyError(`request ${request.requestId} exists already`);
    await deps.workflow.start({
      requestId: request.requestId,
      username: request.username,
      sub: request.sub,
      policy: {
        codeTtlSeconds: deps.settings.codeTtlSeconds,
        approvalTimeoutSeconds: deps.settings.approvalTimeoutSeconds,
        coolDownSeconds: deps.settings.coolDownSeconds,
      },
    });
  } catch (error) {
    // Nothing runs this request: end it if it was stored, and free the user's slot either way, so the
    // user can ask again as soon as the dependency is back.
    if (stored) {
      await deps.audit
        .appendWith(
          {
            ...auditContext(request),
            type: 'RecoveryFailed',
            actor: 'system',
            terminal: 'FAILED',
            outcome: 'FAILED',
            reasons: ['WORKFLOW_START_FAILED'],
          },
          [deps.store.move(request.requestId, { from: ['STARTED'], to: 'FAILED' })],
        )
        .catch((failure) =>
          log.error(
            'request stored but not ended: the reconciler or the slot grace period recovers it',
            {
              correlationId: request.requestId,
            },
            failure,
          ),
        );
    }
    await release(deps, slot, request.requestId);
    throw error;
  }
  return { requestId: request.requestId };
}

async function release(deps: StartRecoveryDeps, slot: { pk: string; sk: string }, requestId: string) {
  await deps.store
    .unlockUser(slot, requestId)
    .catch((error) =>
      log.warn(
        'slot not released; it is taken over after the grace period',
        { correlationId: requestId },
        error,
      ),
    );
}

const holdSecondsOf = (settings: StartRecoveryDeps['settings']) =>
  settings.codeTtlSeconds + settings.approvalTimeoutSeconds + settings.coolDownSeconds + LOCK_MARGIN_SECONDS;

/**
 * The Cognito calls a request may make: the email's owner, the user, and the password proof. An
 * unknown user is charged the proof it never makes, so a spent budget answers everyone alike.
 */
function cognitoCallsOf(input: StartRecoveryInput): CognitoOperation[] {
  return [
    ...('email' in input.identifier ? (['ListUsers'] as const) : []),
    'AdminGetUser',
    ...(input.password === undefined ? [] : (['AdminInitiateAuth'] as const)),
  ];
}

/** Wrong passwords for nobody are counted under a key of what was typed: the same write as for a user. */
const unknownKey = (typed: string) =>
  `unknown:${createHash('sha256').update(typed.toLowerCase()).digest('base64url').slice(0, 22)}`;

function newRequest(
  input: StartRecoveryInput,
  user: Pick<DirectoryUser, 'username' | 'sub'>,
  proof: ProofKind,
  now: Date,
  codeTtlSeconds: number,
): RecoveryRequest {
  return {
    requestId: newRequestId(),
    username: user.username,
    sub: user.sub,
    status: 'STARTED',
    createdAt: now.toISOString(),
    decoy: false,
    proof,
    sourceIp: input.sourceIp,
    userAgent: input.userAgent,
    // The code's deadline is fixed now, before any timer starts: the workflow's timer only wakes up later.
    codeExpiresAt: Math.floor(now.getTime() / 1000) + codeTtlSeconds,
  };
}

/**
 * Takes the user's active-recovery slot for `requestId`, or resolves the id of the request that
 * holds it. A slot left behind by a request that already ended, or by one that was never stored, is
 * taken over.
 */
async function holdActiveSlot(
  deps: StartRecoveryDeps,
  slot: { pk: string; sk: string },
  requestId: string,
  nowSeconds: number,
  holdSeconds: number,
): Promise<string> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const lock = await deps.store.lockUser(slot, requestId, nowSeconds, holdSeconds);
    if (lock.locked) return requestId;
    if (!lock.holder) continue;
    const holder = await deps.store.getRequest(lock.holder);
    // A holder still being accepted is stored well within the grace period; one never stored is orphaned.
    const orphaned = !holder && nowSeconds - lock.takenAt > deps.settings.slotGraceSeconds;
    // A holder not stored yet, within the grace period, is a concurrent twin still being accepted.
    if (!orphaned && !holder?.terminal) return lock.holder;
    if (await deps.store.replaceLock(slot, requestId, lock.holder, nowSeconds, holdSeconds)) return requestId;
  }
  throw new TransientDependencyError('the active-recovery slot stayed contended');
}

function auditContext(
  context: Pick<RecoveryRequest, 'requestId' | 'username' | 'sub' | 'sourceIp' | 'userAgent'>,
) {
  return {
    requestId: context.requestId,
    username: context.username,
    ...(context.sub ? { userSub: context.sub } : {}),
    sourceIp: context.sourceIp,
    userAgent: context.userAgent,
  };
}

/**
 * Records a request that will do nothing, and answers exactly as for a real one: its status reads
 * CODE_SENT until the deadline, and its code page counts wrong codes, like a real request's.
 */
async function ignore(
  deps: StartRecoveryDeps,
  request: RecoveryRequest,
  reason: 'NO_TOTP' | 'RATE_LIMITED' | 'UNKNOWN_USER' | 'ALREADY_ACTIVE',
): Promise<{ requestId: string }> {
  const nowSeconds = Math.floor(deps.clock().getTime() / 1000);
  const context = auditContext(request);
  // Born ended: the decoy's item (IGNORED), its challenge and both of its records in one atomic write,
  // so a flood of decoys costs one write each and leaves no half-made request behind.
  const stored = await deps.audit.startChain(
    [
      {
        ...context,
        type: 'RecoveryRequested',
        actor: `user:${request.username}`,
        details: { lostPassword: true, proof: request.proof },
      },
      {
        ...context,
        type: 'RecoveryIgnored',
        actor: 'system',
        terminal: 'IGNORED',
        outcome: 'IGNORED',
        reasons: [reason],
      },
    ],
    [
      deps.store.newRequest({ ...request, decoy: true, status: 'IGNORED' }, nowSeconds + RETENTION_SECONDS),
      deps.store.newDecoyChallenge(
        decoyChallenge(request, deps.settings.maxCodeAttempts),
        (request.codeExpiresAt ?? nowSeconds) + 86_400,
      ),
    ],
  );
  if (!stored) throw new TransientDependencyError(`request ${request.requestId} exists already`);
  return { requestId: request.requestId };
}
