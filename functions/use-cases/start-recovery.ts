import { randomBytes } from 'node:crypto';
import type { AuditLog } from '../adapters/audit-log';
import type { RateLimiter } from '../adapters/rate-limiter';
import { keys } from '../adapters/recovery-keys';
import type { RecoveryStore } from '../adapters/recovery-store';
import type { UserDirectory } from '../adapters/user-directory';
import type { Workflow } from '../adapters/workflow';
import { newRequestId } from '../domain/secrets';
import { AuthenticationFailedError, RateLimitedError, TransientDependencyError } from '../shared/errors';

export interface StartRecoveryInput {
  readonly identifier: { readonly username: string } | { readonly email: string };
  /** The first factor, or nothing when the user says they also lost their password. */
  readonly password: string | undefined;
  readonly sourceIp: string;
  readonly userAgent: string;
}

export interface StartRecoveryDeps {
  readonly directory: UserDirectory;
  readonly store: RecoveryStore;
  readonly rateLimiter: RateLimiter;
  readonly audit: AuditLog;
  readonly workflow: Workflow;
  readonly clock: () => Date;
  readonly settings: {
    readonly passwordProofClientId: string;
    readonly codeTtlSeconds: number;
    readonly approvalTimeoutSeconds: number;
    readonly coolDownSeconds: number;
    readonly userRequestLimit: number;
    readonly userRequestWindowSeconds: number;
    readonly ipRequestLimit: number;
    readonly ipRequestWindowSeconds: number;
  };
}

// How long a user's single active-recovery slot is held at most, beyond the longest a request can wait
// (code, approval, cool-down), in case a request ends without releasing it.
const LOCK_MARGIN_SECONDS = 900;

// Wrong passwords the form remembers per username, for the risk rule; more than any threshold allows.
const FAILED_PASSWORD_WINDOW = { limit: 20, windowSeconds: 86_400 };

/**
 * Accepts a lost-device request. The caller learns only "accepted" (202 with an id) or "wrong
 * credentials" (401); users without TOTP and rate-limited users get the same 202 as everyone else,
 * and nothing visible happens. Without a password ("I also lost my password") there is no 401:
 * unknown users get the same 202, and known ones always need a support approval.
 */
export async function startRecovery(
  input: StartRecoveryInput,
  deps: StartRecoveryDeps,
): Promise<{ requestId: string }> {
  const { settings } = deps;
  const now = deps.clock();
  const nowSeconds = Math.floor(now.getTime() / 1000);

  const ipDecision = await deps.rateLimiter.take(
    keys.ipRate(input.sourceIp),
    { limit: settings.ipRequestLimit, windowSeconds: settings.ipRequestWindowSeconds },
    nowSeconds,
  );
  if (!ipDecision.allowed) throw new RateLimitedError(ipDecision.retryAfterSeconds);

  const username =
    'username' in input.identifier
      ? input.identifier.username
      : await deps.directory.usernameForEmail(input.identifier.email);
  const lostPassword = input.password === undefined;
  let totpEnrolled: boolean;
  if (input.password !== undefined) {
    // An unknown email still costs one password check, so response time does not tell it apart.
    const proof = await deps.directory.provePassword(
      settings.passwordProofClientId,
      username ?? `unknown-${randomBytes(12).toString('hex')}`,
      input.password,
    );
    if (proof.kind === 'rejected' || username === undefined) {
      if (username !== undefined) {
        await deps.rateLimiter.take(keys.failedPasswords(username), FAILED_PASSWORD_WINDOW, nowSeconds);
      }
      throw new AuthenticationFailedError();
    }
    totpEnrolled = proof.totpEnrolled;
  }
  const user = username === undefined ? undefined : await deps.directory.getUser(username);
  if (!user) {
    if (!lostPassword) throw new AuthenticationFailedError();
    return ignoreUnknown(deps, input, now);
  }
  totpEnrolled ??= user.mfa.includes('SOFTWARE_TOKEN_MFA');
  const failedPasswordAttempts = await deps.rateLimiter.count(
    keys.failedPasswords(user.username),
    FAILED_PASSWORD_WINDOW,
    nowSeconds,
  );

  const requestId = newRequestId();
  const context = {
    requestId,
    username: user.username,
    sub: user.sub,
    sourceIp: input.sourceIp,
    userAgent: input.userAgent,
  };
  const request = {
    ...context,
    status: 'STARTED' as const,
    createdAt: now.toISOString(),
    decoy: false,
    codeExpiresAt: nowSeconds + settings.codeTtlSeconds,
  };
  const retention = nowSeconds + 400 * 86_400;

  if (!totpEnrolled) {
    return ignore(deps, { ...request, decoy: true }, retention, 'NO_TOTP');
  }

  const active = await holdActiveSlot(
    deps,
    user.sub,
    requestId,
    nowSeconds,
    settings.codeTtlSeconds +
      settings.approvalTimeoutSeconds +
      settings.coolDownSeconds +
      LOCK_MARGIN_SECONDS,
  );
  if (active !== requestId) {
    // One active recovery per user: the repeat joins the pending one instead of starting another.
    await deps.audit
      .append({
        ...auditContext({ ...context, requestId: active }),
        type: 'RecoveryRequestRepeated',
        actor: `user:${user.username}`,
      })
      .catch(() => undefined);
    return { requestId: active };
  }

  let stored = false;
  try {
    const userDecision = await deps.rateLimiter.take(
      keys.userRate(user.username),
      { limit: settings.userRequestLimit, windowSeconds: settings.userRequestWindowSeconds },
      nowSeconds,
    );
    if (!userDecision.allowed) {
      await deps.store.unlockUser(user.sub, requestId);
      return ignore(deps, { ...request, decoy: true }, retention, 'RATE_LIMITED');
    }
    const signals = { lostPassword, failedPasswordAttempts, requestsInWindow: userDecision.inWindow };
    await deps.store.putRequest({ ...request, signals }, retention);
    stored = true;
    await deps.audit.append({
      ...auditContext(context),
      type: 'RecoveryRequested',
      actor: `user:${user.username}`,
      details: { lostPassword },
    });
    await deps.workflow.start({
      requestId,
      username: user.username,
      sub: user.sub,
      policy: {
        codeTtlSeconds: settings.codeTtlSeconds,
        approvalTimeoutSeconds: settings.approvalTimeoutSeconds,
        coolDownSeconds: settings.coolDownSeconds,
      },
    });
  } catch (error) {
    // Nothing runs this request: end it if it was stored, and free the user's slot either way, so the
    // user can ask again as soon as the dependency is back. Best effort: the dependency may still be down.
    if (stored) {
      await deps.audit
        .appendTerminal(
          {
            ...auditContext(context),
            type: 'RecoveryFailed',
            actor: 'system',
            terminal: 'FAILED',
            outcome: 'FAILED',
            details: { error: 'WORKFLOW_START_FAILED' },
          },
          deps.store.terminalMark(requestId, 'FAILED'),
        )
        .catch(() => undefined);
    }
    await deps.store.unlockUser(user.sub, requestId).catch(() => undefined);
    throw error;
  }
  return { requestId };
}

/**
 * Takes the user's active-recovery slot for `requestId`, or resolves the id of the request that
 * holds it. A slot left behind by a request that already ended is taken over.
 */
async function holdActiveSlot(
  deps: StartRecoveryDeps,
  sub: string,
  requestId: string,
  nowSeconds: number,
  holdSeconds: number,
): Promise<string> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const lock = await deps.store.lockUser(sub, requestId, nowSeconds, holdSeconds);
    if (lock.locked) return requestId;
    if (!lock.holder) continue;
    const holder = await deps.store.getRequest(lock.holder);
    // A holder not written yet is a concurrent twin still being accepted: it is the active one.
    if (!holder?.terminal) return lock.holder;
    if (await deps.store.replaceLock(sub, requestId, lock.holder, nowSeconds, holdSeconds)) return requestId;
  }
  throw new TransientDependencyError('the active-recovery slot stayed contended');
}

function auditContext(context: {
  requestId: string;
  username: string;
  sub: string;
  sourceIp: string;
  userAgent: string;
}) {
  return {
    requestId: context.requestId,
    username: context.username,
    ...(context.sub ? { userSub: context.sub } : {}),
    sourceIp: context.sourceIp,
    userAgent: context.userAgent,
  };
}

/** Records a request that will do nothing, and answers exactly as for a real one. */
async function ignore(
  deps: StartRecoveryDeps,
  request: Parameters<RecoveryStore['putRequest']>[0],
  retention: number,
  reason: 'NO_TOTP' | 'RATE_LIMITED' | 'UNKNOWN_USER',
): Promise<{ requestId: string }> {
  await deps.store.putRequest(request, retention);
  const context = auditContext(request);
  await deps.audit.append({ ...context, type: 'RecoveryRequested', actor: `user:${request.username}` });
  await deps.audit.appendTerminal(
    {
      ...context,
      type: 'RecoveryIgnored',
      actor: 'system',
      terminal: 'IGNORED',
      outcome: 'IGNORED',
      reasons: [reason],
    },
    deps.store.terminalMark(request.requestId, 'IGNORED'),
  );
  return { requestId: request.requestId };
}

/**
 * A lost-password request for nobody: recorded under the name as typed, with no user behind it, and
 * answered exactly like a real one.
 */
function ignoreUnknown(
  deps: StartRecoveryDeps,
  input: StartRecoveryInput,
  now: Date,
): Promise<{ requestId: string }> {
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const typed = 'username' in input.identifier ? input.identifier.username : input.identifier.email;
  const request = {
    requestId: newRequestId(),
    username: typed,
    sub: '',
    status: 'STARTED' as const,
    createdAt: now.toISOString(),
    decoy: true,
    sourceIp: input.sourceIp,
    userAgent: input.userAgent,
    codeExpiresAt: nowSeconds + deps.settings.codeTtlSeconds,
  };
  return ignore(deps, request, nowSeconds + 400 * 86_400, 'UNKNOWN_USER');
}
