import type { ApprovalStore } from '../adapters/approval-store';
import type { AuditLog, TerminalOutcome } from '../adapters/audit-log';
import type { Mailer } from '../adapters/mailer';
import type { RecoveryStore } from '../adapters/recovery-store';
import type { UserDirectory } from '../adapters/user-directory';
import { codeEmail, deniedEmail, failedEmail, lockedEmail, totpRemovedEmail } from '../domain/emails';
import { assessRisk, emailChangeTime, type RiskAssessment, type RiskPolicy } from '../domain/risk';
import { hashCancelToken, hashRecoveryCode, newCancelToken, newRecoveryCode } from '../domain/secrets';
import { RecoveryNotFoundError, TotpResetUnsupportedError, TotpStillPresentError } from '../shared/errors';
import { auditSubject, requestOf } from './request-context';

/** What every workflow step may use; each step takes only what it touches. */
export interface StepDeps {
  readonly store: RecoveryStore;
  readonly audit: AuditLog;
  readonly directory: UserDirectory;
  readonly mailer: Mailer;
  readonly pepper: () => Promise<Buffer>;
  readonly clock: () => Date;
}

/** Reads the user from the pool and decides whether a code may be sent at all. */
export async function lookUpUser(
  requestId: string,
  deps: Pick<StepDeps, 'store' | 'audit' | 'directory'> & {
    readonly policy: Pick<RiskPolicy, 'emailChanged'>;
  },
): Promise<{ eligible: boolean; reason: string }> {
  const request = await requestOf(deps.store, requestId);
  const user = await deps.directory.getUser(request.username);
  let reason = 'OK';
  if (!user || user.sub !== request.sub) reason = 'USER_GONE';
  else if (!user.enabled) reason = 'USER_DISABLED';
  else if (!user.email || !user.emailVerified) reason = 'NO_VERIFIED_EMAIL';
  const groups = user && reason === 'OK' ? await deps.directory.groupsOf(user.username) : [];
  if (user && reason === 'OK') {
    const attribute = deps.policy.emailChanged?.attribute;
    const emailChangedAt = attribute ? emailChangeTime(user.customAttributes[attribute]) : undefined;
    await deps.store.updateRequest(requestId, {
      email: user.email,
      groups,
      ...(user.createdAt ? { accountCreatedAt: user.createdAt } : {}),
      ...(emailChangedAt ? { emailChangedAt } : {}),
    });
  }
  await deps.audit.append({
    ...auditSubject(request),
    type: 'UserLookedUp',
    actor: 'system',
    outcome: reason,
    details: {
      status: user?.status ?? 'NONE',
      mfa: (user?.mfa ?? []).join(',') || 'NONE',
      groups: groups.length,
    },
  });
  return { eligible: reason === 'OK', reason };
}

/** Scores the request and stores the level and reasons with it. */
export async function scoreRisk(
  requestId: string,
  deps: Pick<StepDeps, 'store' | 'audit' | 'clock'> & { readonly policy: RiskPolicy },
): Promise<RiskAssessment> {
  const request = await requestOf(deps.store, requestId);
  const lastCompletedRecoveryAt = await deps.store.lastCompletion(request.sub);
  const risk = assessRisk(
    {
      groups: request.groups ?? [],
      lastCompletedRecoveryAt,
      requestsInWindow: request.signals?.requestsInWindow ?? 1,
      accountCreatedAt: request.accountCreatedAt,
      failedPasswordAttempts: request.signals?.failedPasswordAttempts ?? 0,
      emailChangedAt: request.emailChangedAt,
      // A request stored without signals cannot prove its password was checked: treat it as lost.
      lostPassword: request.signals?.lostPassword ?? true,
    },
    deps.policy,
    deps.clock(),
  );
  await deps.store.updateRequest(requestId, { risk });
  await deps.audit.append({
    ...auditSubject(request),
    type: 'RiskAssessed',
    actor: 'system',
    outcome: risk.level,
    reasons: risk.reasons,
  });
  return risk;
}

/**
 * Draws the code, stores only its HMAC with the waiting task's token, and emails it. Runs again on a
 * retry with a new token: a new code replaces the pending one, and only the newest email works.
 */
export async function issueCode(
  input: { readonly requestId: string; readonly taskToken: string },
  deps: Pick<StepDeps, 'store' | 'audit' | 'mailer' | 'pepper' | 'clock'> & {
    readonly codeTtlSeconds: number;
    readonly maxAttempts: number;
    readonly publicBaseUrl: string;
  },
): Promise<void> {
  const request = await requestOf(deps.store, input.requestId);
  if (!request.email) throw new RecoveryNotFoundError(`request ${input.requestId} has no verified email`);
  const pepper = await deps.pepper();
  const code = newRecoveryCode();
  const cancelToken = newCancelToken();
  const nowSeconds = Math.floor(deps.clock().getTime() / 1000);
  const expiresAt = nowSeconds + deps.codeTtlSeconds;
  await deps.store.putChallenge(
    {
      requestId: input.requestId,
      codeHash: hashRecoveryCode(pepper, input.requestId, code),
      cancelHash: hashCancelToken(pepper, input.requestId, cancelToken),
      taskToken: input.taskToken,
      expiresAt,
      attempts: 0,
      maxAttempts: deps.maxAttempts,
      status: 'PENDING',
    },
    expiresAt + 86_400,
  );
  await deps.store.updateRequest(input.requestId, { status: 'CODE_SENT', codeExpiresAt: expiresAt });
  const base = deps.publicBaseUrl.replace(/\/$/, '');
  await deps.mailer.send(
    codeEmail({
      to: request.email,
      code,
      expiresAt: new Date(expiresAt * 1000),
      confirmUrl: `${base}/recover/${input.requestId}`,
      cancelUrl: `${base}/recover/${input.requestId}/cancel#token=${cancelToken}`,
    }),
  );
  await deps.audit.append({
    ...auditSubject(request),
    type: 'CodeSent',
    actor: 'system',
    details: { expiresAt: new Date(expiresAt * 1000).toISOString(), channel: 'email' },
  });
}

/**
 * Removes the TOTP factor and proves it by reading the user back. AdminDeleteSoftwareToken first;
 * where the region lacks it, an OPTIONAL pool falls back to disabling the TOTP preference, and an
 * MFA-required pool fails: there, the preference API answers 200 and changes nothing.
 */
export async function removeTotp(
  requestId: string,
  deps: Pick<StepDeps, 'store' | 'audit' | 'directory'>,
): Promise<{ method: string }> {
  const request = await requestOf(deps.store, requestId);
  let method = 'AdminDeleteSoftwareToken';
  try {
    await deps.directory.deleteSoftwareToken(request.username);
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    if (name !== 'UnknownOperationException' && name !== 'OperationNotEnabledException') throw error;
    const mfa = await deps.directory.poolMfaConfiguration();
    if (mfa === 'ON') {
      throw new TotpResetUnsupportedError(
        'AdminDeleteSoftwareToken is not available here and the pool requires MFA: AdminSetUserMFAPreference would answer 200 and change nothing. Use a region with AdminDeleteSoftwareToken.',
      );
    }
    await deps.directory.disableTotpPreference(request.username);
    method = 'AdminSetUserMFAPreference';
  }
  const after = await deps.directory.getUser(request.username);
  if (!after || after.mfa.includes('SOFTWARE_TOKEN_MFA')) {
    throw new TotpStillPresentError('the user still has a TOTP factor after removal');
  }
  await deps.audit.append({
    ...auditSubject(request),
    type: 'TotpRemoved',
    actor: 'system',
    outcome: 'VERIFIED',
    details: { method },
  });
  return { method };
}

/** Revokes every session and remembered device of the user. */
export async function signOutUser(
  requestId: string,
  deps: Pick<StepDeps, 'store' | 'audit' | 'directory'>,
): Promise<{ devicesForgotten: number }> {
  const request = await requestOf(deps.store, requestId);
  await deps.directory.signOutEverywhere(request.username);
  const devicesForgotten = await deps.directory.forgetDevices(request.username);
  await deps.audit.append({
    ...auditSubject(request),
    type: 'UserSignedOut',
    actor: 'system',
    details: { devicesForgotten },
  });
  return { devicesForgotten };
}

/** Failures operators must act on get a stable reason code in the terminal record. */
const FAILURE_REASONS: Record<string, string> = {
  TotpResetUnsupported: 'TOTP_RESET_UNSUPPORTED',
  TotpStillPresent: 'TOTP_STILL_PRESENT',
};

function failureReasons(input: { error?: string }) {
  const reason = input.error ? FAILURE_REASONS[input.error] : undefined;
  return reason ? { reasons: [reason] } : undefined;
}

/**
 * The error name, and for the product's own errors the operator-facing explanation from the Lambda
 * cause (`{"errorType","errorMessage"}`); messages of product errors never carry secrets.
 */
function failureDetails(error: string, cause: string | undefined): Record<string, string> {
  let explanation: string | undefined;
  if (cause && error in FAILURE_REASONS) {
    try {
      explanation = String((JSON.parse(cause) as { errorMessage?: unknown }).errorMessage ?? '');
    } catch {
      explanation = undefined;
    }
  }
  return { error: error.slice(0, 200), ...(explanation ? { explanation: explanation.slice(0, 500) } : {}) };
}

const TERMINAL_EVENT: Record<TerminalOutcome, string> = {
  COMPLETED: 'RecoveryCompleted',
  EXPIRED: 'RecoveryExpired',
  LOCKED: 'RecoveryLocked',
  CANCELLED: 'RecoveryCancelled',
  DENIED: 'RecoveryDenied',
  IGNORED: 'RecoveryIgnored',
  FAILED: 'RecoveryFailed',
};

/**
 * Ends a request: exactly one terminal audit record (written with the request's terminal mark in one
 * transaction, so a retry never writes a second), the challenge closed, the user's slot released,
 * and the user told where that is due.
 */
export async function finishRecovery(
  input: {
    readonly requestId: string;
    readonly outcome: TerminalOutcome;
    readonly reason?: string;
    readonly error?: string;
    readonly cause?: string;
  },
  deps: Pick<StepDeps, 'store' | 'audit' | 'mailer' | 'clock'> & { readonly approvals: ApprovalStore },
): Promise<{ outcome: TerminalOutcome }> {
  const request = await requestOf(deps.store, input.requestId);
  const outcome = request.terminal ?? input.outcome;
  if (!request.terminal) {
    await deps.audit.appendTerminal(
      {
        ...auditSubject(request),
        type: TERMINAL_EVENT[input.outcome],
        actor: 'system',
        terminal: input.outcome,
        outcome: input.outcome,
        ...(failureReasons(input) ?? (input.reason ? { reasons: [input.reason] } : {})),
        ...(input.error ? { details: failureDetails(input.error, input.cause) } : {}),
      },
      deps.store.terminalMark(input.requestId, input.outcome),
    );
  }
  await deps.store.closeChallenge(input.requestId);
  await deps.approvals.decide(input.requestId, 'CLOSED');
  await deps.store.settleCoolDown(input.requestId, 'CLOSED');
  await deps.store.unlockUser(request.sub, input.requestId);
  if (outcome === 'COMPLETED') await deps.store.recordCompletion(request.sub, deps.clock().toISOString());
  const email = request.email;
  const message =
    outcome === 'COMPLETED'
      ? totpRemovedEmail
      : outcome === 'LOCKED'
        ? lockedEmail
        : outcome === 'DENIED'
          ? deniedEmail
          : outcome === 'FAILED'
            ? failedEmail
            : undefined;
  if (email && message && !request.notifiedAt) {
    await deps.mailer.send(message(email));
    await deps.store.updateRequest(input.requestId, { notifiedAt: deps.clock().toISOString() });
  }
  return { outcome };
}
