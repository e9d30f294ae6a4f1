import { randomBytes } from 'node:crypto';
import { activeSlotOf } from '../adapters/recovery-keys';
import type { CognitoBudget } from '../domain/cognito-budget';
import {
  codeEmail,
  deniedEmail,
  failedEmail,
  lockedEmail,
  signOutIncompleteEmail,
  stoppedEmail,
  totpRemovedEmail,
  type Voice,
} from '../domain/emails';
import type {
  AccountDirectory,
  ApprovalQueue,
  AuditLog,
  FactorDirectory,
  Mailer,
  PepperSource,
  RequestStore,
  Texter,
  WorkflowStore,
} from '../domain/ports';
import type { RecoveryRequest } from '../domain/recovery';
import {
  ALARMING_OUTCOMES,
  allowedFrom,
  FACTOR_REMOVED_OUTCOMES,
  isTerminal,
  mayHaveRemovedFactor,
  outcomeAfterFailure,
  type RequestStatus,
  TERMINAL_EVENT,
  type TerminalOutcome,
} from '../domain/recovery-state';
import { assessRisk, emailChangeTime, type RiskAssessment, type RiskPolicy } from '../domain/risk';
import { cancelTokenFor, hashEmailCode, newCancelSalt, newEmailCode } from '../domain/secrets';
import { requestEndedText, requestStartedText } from '../domain/texts';
import {
  RecoveryNotFoundError,
  RequestNotWaitingError,
  TotpResetUnsupportedError,
  TotpStillPresentError,
} from '../shared/errors';
import { log } from '../shared/log';
import { auditSubject, requestOf } from './request-context';

/** What every workflow step may use; each step takes only what it touches. */
export interface StepDeps {
  readonly store: WorkflowStore;
  readonly audit: AuditLog;
  readonly directory: AccountDirectory;
  /** The product's share of the Cognito quotas: a step takes once for the calls it is about to make. */
  readonly cognitoBudget: CognitoBudget;
  readonly mailer: Mailer;
  /** Text messages to the account's verified phone number, with the signature they carry. */
  readonly texter?: Texter;
  readonly pepper: PepperSource;
  readonly clock: () => Date;
}

/** What RemoveTotp depends on: ports only, so it is tested over in-memory adapters. */
export interface RemovalDeps {
  readonly store: RequestStore;
  readonly audit: AuditLog;
  readonly directory: FactorDirectory;
  readonly cognitoBudget: CognitoBudget;
  readonly clock: () => Date;
  readonly coolDownSeconds: number;
}

/**
 * Workflow step LookUpUser: reads the user from the pool and decides whether a code may be sent at
 * all, then scores the risk of an eligible request, in one step (one read of the request, one update
 * of its description, and the two audit records UserLookedUp and RiskAssessed). `level` only for an
 * eligible request; `proof` always (the workflow's ResultSelector reads it).
 */
export async function checkRequest(
  requestId: string,
  deps: Pick<StepDeps, 'store' | 'audit' | 'directory' | 'cognitoBudget' | 'clock'> & {
    readonly policy: RiskPolicy;
  },
): Promise<{
  eligible: boolean;
  reason: string;
  level?: RiskAssessment['level'];
  proof: RecoveryRequest['proof'];
}> {
  const request = await requestOf(deps.store, requestId);
  await deps.cognitoBudget.take(['AdminGetUser', 'AdminListGroupsForUser']);
  // The last completed recovery is read while Cognito answers: only an eligible request needs it.
  const [user, lastCompletedRecoveryAt] = await Promise.all([
    deps.directory.getUser(request.username),
    deps.store.lastCompletion(request.sub),
  ]);
  let reason = 'OK';
  if (!user || user.sub !== request.sub) reason = 'USER_GONE';
  else if (!user.enabled) reason = 'USER_DISABLED';
  else if (!user.email || !user.emailVerified) reason = 'NO_VERIFIED_EMAIL';
  const groups = user && reason === 'OK' ? await deps.directory.groupsOf(user.username) : [];
  const lookedUp = {
    ...auditSubject(request),
    type: 'UserLookedUp',
    actor: 'system',
    outcome: reason,
    details: {
      status: user?.status ?? 'NONE',
      mfa: (user?.mfa ?? []).join(',') || 'NONE',
      groups: groups.length,
    },
  };
  if (!user || reason !== 'OK') {
    await deps.audit.append(lookedUp);
    return { eligible: false, reason, proof: request.proof };
  }
  const attribute = deps.policy.emailChanged?.attribute;
  const emailChangedAt = attribute ? emailChangeTime(user.customAttributes[attribute]) : undefined;
  const accountCreatedAt = user.createdAt;
  const risk = assessRisk(
    {
      groups,
      lastCompletedRecoveryAt,
      requestsInWindow: request.signals?.requestsInWindow ?? 1,
      accountCreatedAt,
      failedPasswordAttempts: request.signals?.failedPasswordAttempts ?? 0,
      emailChangedAt,
      // A request stored without signals cannot prove its password was checked: treat it as lost.
      lostPassword: request.signals?.lostPassword ?? true,
      provedWithRecoveryCode: request.proof === 'RECOVERY_CODE',
    },
    deps.policy,
    deps.clock(),
  );
  await deps.store.describeRequest(requestId, {
    email: user.email,
    ...(user.phoneVerified && user.phoneNumber ? { phoneNumber: user.phoneNumber } : {}),
    groups,
    ...(accountCreatedAt ? { accountCreatedAt } : {}),
    ...(emailChangedAt ? { emailChangedAt } : {}),
    ...(user.zoneinfo ? { zoneinfo: user.zoneinfo.slice(0, 64) } : {}),
    ...(user.locale ? { locale: user.locale.slice(0, 35) } : {}),
    risk,
    needsApproval: risk.level === 'HIGH',
  });
  await deps.audit.append(lookedUp);
  await deps.audit.append({
    ...auditSubject(request),
    type: 'RiskAssessed',
    actor: 'system',
    outcome: risk.level,
    reasons: risk.reasons,
  });
  // The workflow skips the emailed code for a request proved with a saved recovery code.
  return { eligible: true, reason, level: risk.level, proof: request.proof };
}

/**
 * Draws the code, stores only its HMAC (keeping the attempts already counted), moves the request to
 * CODE_SENT with the waiting task's token, and emails the code. A retry (with a new token) re-issues
 * the code: only the newest email's code works, the cancel link of every email works, and the deadline
 * fixed when the request was accepted does not move. A request that moved on meanwhile (confirmed
 * with an earlier code, cancelled) answers RequestNotWaitingError.
 */
export async function issueCode(
  input: { readonly requestId: string; readonly taskToken: string },
  deps: Pick<StepDeps, 'store' | 'audit' | 'mailer' | 'texter' | 'pepper' | 'clock'> & {
    readonly codeTtlSeconds: number;
    readonly maxAttempts: number;
    readonly publicBaseUrl: string;
  },
): Promise<void> {
  const pepper = await deps.pepper.current();
  const code = newEmailCode();
  const nowSeconds = Math.floor(deps.clock().getTime() / 1000);
  // The request and its challenge in one read; the code's write holds only while the challenge's
  // cancel salt is the one read (the first issue draws it), so the link emailed below is the stored
  // one without reading it back. Another IssueCode in between (a retry) makes this one read again.
  for (let attempt = 0; ; attempt += 1) {
    const { request, challenge } = await deps.store.getRequestAndChallenge(input.requestId);
    if (!request) throw new RecoveryNotFoundError(`request ${input.requestId} does not exist`);
    if (!request.email) throw new RecoveryNotFoundError(`request ${input.requestId} has no verified email`);
    const expiresAt = request.codeExpiresAt ?? nowSeconds + deps.codeTtlSeconds;
    const cancelSalt = challenge?.cancelSalt ?? newCancelSalt();
    const issued = await deps.audit.appendWith(
      {
        ...auditSubject(request),
        type: 'CodeSent',
        actor: 'system',
        details: { expiresAt: new Date(expiresAt * 1000).toISOString(), channel: 'email' },
      },
      [
        deps.store.issueChallenge(
          {
            requestId: input.requestId,
            codeHash: hashEmailCode(pepper, input.requestId, code),
            cancelSalt,
            expiresAt,
            maxAttempts: deps.maxAttempts,
          },
          expiresAt + 400 * 86_400,
        ),
        deps.store.move(input.requestId, {
          from: ['STARTED', 'CODE_SENT'],
          to: 'CODE_SENT',
          set: { waitToken: input.taskToken },
        }),
      ],
    );
    if (issued) return sendCode(request, request.email, { code, expiresAt, cancelSalt, pepper }, deps);
    const waiting = request.status === 'STARTED' || request.status === 'CODE_SENT';
    if (!waiting || attempt >= 2) {
      throw new RequestNotWaitingError(`request ${input.requestId} no longer waits for a code`);
    }
  }
}

/** Emails the code and the cancel link, and tells the verified phone (the link, never the code). */
async function sendCode(
  request: RecoveryRequest,
  to: string,
  issued: { code: string; expiresAt: number; cancelSalt: string; pepper: Buffer },
  deps: Pick<StepDeps, 'mailer' | 'texter'> & { readonly publicBaseUrl: string },
): Promise<void> {
  const { requestId } = request;
  const { code, expiresAt, cancelSalt, pepper } = issued;
  const base = deps.publicBaseUrl;
  const cancelUrl = `${base}/recover/${requestId}/cancel#token=${cancelTokenFor(pepper, requestId, cancelSalt)}`;
  await deps.mailer.send(
    codeEmail(
      {
        to,
        code,
        expiresAt: new Date(expiresAt * 1000),
        confirmUrl: `${base}/recover/${requestId}`,
        cancelUrl,
        reader: { timeZone: request.zoneinfo, locale: request.locale },
      },
      deps.mailer.voice(request.locale),
    ),
  );
  // Every channel of the account is told (never the code): the verified phone gets the cancel link too.
  if (deps.texter && request.phoneNumber) {
    await deps.texter.send(
      request.phoneNumber,
      requestStartedText(cancelUrl, deps.texter.voice(request.locale)),
    );
  }
}

/**
 * Removes the TOTP factor and proves it by reading the user back. First it takes its own transition
 * to REMOVING, which the table allows only from CONFIRMED without approval, from APPROVED without
 * cool-down, or from COOLING_DOWN once resetAt has passed: after a cancel or a denial, it does
 * nothing. AdminDeleteSoftwareToken first; where the region lacks it, an OPTIONAL pool falls back to
 * disabling the TOTP preference, and an MFA-required pool fails: there, the preference API answers
 * 200 and changes nothing.
 */
export async function removeTotp(
  requestId: string,
  deps: RemovalDeps,
): Promise<{ removed: boolean; method?: string }> {
  const request = await requestOf(deps.store, requestId);
  if (request.status === 'REMOVED') return { removed: true };
  if (request.status !== 'REMOVING' && !(await beginRemoval(request, deps))) return { removed: false };
  let method = 'AdminDeleteSoftwareToken';
  // The removal and its read-back: with no room this second, the step is retried, still REMOVING.
  await deps.cognitoBudget.take(['AdminDeleteSoftwareToken', 'AdminGetUser']);
  try {
    await deps.directory.deleteSoftwareToken(request.username);
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    if (name !== 'UnknownOperationException' && name !== 'OperationNotEnabledException') throw error;
    await deps.cognitoBudget.take(['DescribeUserPool', 'AdminSetUserMFAPreference']);
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
  await deps.audit.appendWith(
    {
      ...auditSubject(request),
      type: 'TotpRemoved',
      actor: 'system',
      outcome: 'VERIFIED',
      details: { method },
    },
    [deps.store.move(requestId, { from: ['REMOVING'], to: 'REMOVED' })],
  );
  return { removed: true, method };
}

/** The guarded transition into REMOVING; false when the request may not lose its factor (any more). */
function beginRemoval(
  request: RecoveryRequest,
  deps: Pick<RemovalDeps, 'store' | 'audit' | 'clock' | 'coolDownSeconds'>,
): Promise<boolean> {
  const nowIso = deps.clock().toISOString();
  const move =
    request.status === 'CONFIRMED'
      ? deps.store.move(request.requestId, {
          from: ['CONFIRMED'],
          to: 'REMOVING',
          when: { field: 'needsApproval', is: 'equals', value: false },
        })
      : request.status === 'APPROVED' && deps.coolDownSeconds <= 0
        ? deps.store.move(request.requestId, { from: ['APPROVED'], to: 'REMOVING' })
        : request.status === 'COOLING_DOWN'
          ? deps.store.move(request.requestId, {
              from: ['COOLING_DOWN'],
              to: 'REMOVING',
              when: { field: 'resetAt', is: 'atMost', value: nowIso },
            })
          : undefined;
  if (!move) return Promise.resolve(false);
  return deps.audit.appendWith(
    { ...auditSubject(request), type: 'RemovalStarted', actor: 'system', details: { from: request.status } },
    [move],
  );
}

/** Revokes every session and remembered device of the user whose factor was removed. */
export async function signOutUser(
  requestId: string,
  deps: Pick<StepDeps, 'store' | 'audit' | 'directory' | 'cognitoBudget'>,
): Promise<{ devicesForgotten: number }> {
  const request = await requestOf(deps.store, requestId);
  if (request.status !== 'REMOVED') {
    throw new RequestNotWaitingError(`request ${requestId} is ${request.status}, not REMOVED`);
  }
  // Each remembered device's AdminForgetDevice is taken by the directory, once the list tells them.
  await deps.cognitoBudget.take(['AdminUserGlobalSignOut', 'AdminListDevices']);
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

/** The reason code of a failed step: ours where we know it, else the error's name. */
function failureReason(error: string): string {
  return FAILURE_REASONS[error] ?? `STEP_FAILED:${error.replace(/[^\w.]/g, '').slice(0, 80)}`;
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

/** Why the request ended, when the outcome itself does not say it. */
const DEFAULT_REASON: Partial<Record<TerminalOutcome, string>> = {
  COMPLETED: 'TOTP_REMOVED_AND_SIGNED_OUT',
  SIGN_OUT_INCOMPLETE: 'SIGN_OUT_FAILED',
};

export interface FinishInput {
  readonly requestId: string;
  /** What the calling step knows went wrong; absent, the outcome follows from the stored state. */
  readonly outcome?: 'IGNORED' | 'FAILED' | 'SIGN_OUT_INCOMPLETE' | 'ABORTED';
  /** A stable reason code for the terminal record (the reconciler's EXECUTION_<status>, LookUpUser's). */
  readonly reason?: string;
  readonly error?: string;
  readonly cause?: string;
}

export type FinishDeps = Pick<
  StepDeps,
  'store' | 'audit' | 'mailer' | 'texter' | 'clock' | 'directory' | 'cognitoBudget'
> & {
  readonly approvals: Pick<ApprovalQueue, 'close'>;
  readonly maxCodeAttempts: number;
  /** Where the pages are: the completion email links to the re-enrolment page. */
  readonly publicBaseUrl?: string;
};

// Someone else may end the request between our read and our write: read again, follow what is stored.
const MAX_ROUNDS = 5;

/**
 * Ends a request: exactly one terminal audit record, written with the request's terminal transition
 * in one transaction (a retry, a concurrent decision or the reconciler never writes a second), then
 * the approval taken off the support list, the user's slot released, and the user told once. The
 * outcome is truthful: a failure after REMOVING began is checked against the pool, and when the
 * factor is gone it is SIGN_OUT_INCOMPLETE, never "nothing changed".
 */
export async function finishRecovery(
  input: FinishInput,
  deps: FinishDeps,
): Promise<{ outcome: TerminalOutcome; needsAttention: boolean }> {
  let request = await requestOf(deps.store, input.requestId);
  let endedHere: string | undefined;
  for (let round = 0; !isTerminal(request.status); round += 1) {
    if (round >= MAX_ROUNDS) throw new Error(`request ${input.requestId} kept changing while it was ended`);
    const outcome = await intendedOutcome(input, request, deps);
    const reason = terminalReason(input, outcome, request.status);
    const ended = await deps.audit.appendWith(
      {
        ...auditSubject(request),
        type: TERMINAL_EVENT[outcome],
        actor: 'system',
        terminal: outcome,
        outcome,
        reasons: [reason],
        ...(input.error
          ? { details: failureDetails(input.error, input.cause) }
          : outcome === 'COMPLETED'
            ? { details: { durationMs: deps.clock().getTime() - Date.parse(request.createdAt) } }
            : {}),
      },
      [deps.store.move(input.requestId, { from: [request.status], to: outcome })],
    );
    if (ended) {
      endedHere = reason;
      // Our transition is what is stored now, and nothing moves a request that ended: no read needed.
      request = { ...request, status: outcome, terminal: outcome };
    } else request = await requestOf(deps.store, input.requestId);
  }
  const outcome = request.status as TerminalOutcome;
  await afterEnd(request, outcome, deps);
  const needsAttention = ALARMING_OUTCOMES.includes(outcome);
  if (needsAttention && endedHere) {
    log.error('a recovery ended in a state an operator must look at', {
      correlationId: request.requestId,
      outcome,
      reason: endedHere,
    });
  }
  return { outcome, needsAttention };
}

/**
 * The reason code of a terminal record: what the caller reported when its outcome stands (a failure
 * after removal counts as the caller's), else the outcome's own reason.
 */
function terminalReason(input: FinishInput, outcome: TerminalOutcome, status: RequestStatus): string {
  if (outcome === input.outcome || outcome === 'SIGN_OUT_INCOMPLETE') {
    return input.reason ?? (input.error ? failureReason(input.error) : (DEFAULT_REASON[outcome] ?? outcome));
  }
  return DEFAULT_REASON[outcome] ?? `UNEXPECTED_STATE:${status}`;
}

/** The terminal outcome the stored state and the caller's knowledge call for. */
async function intendedOutcome(
  input: FinishInput,
  request: RecoveryRequest,
  deps: Pick<FinishDeps, 'directory' | 'cognitoBudget'>,
): Promise<TerminalOutcome> {
  const wanted = input.outcome ?? (request.status === 'REMOVED' ? 'COMPLETED' : 'FAILED');
  if (wanted === 'FAILED' || wanted === 'ABORTED' || wanted === 'SIGN_OUT_INCOMPLETE') {
    if (!mayHaveRemovedFactor(request.status)) return wanted === 'SIGN_OUT_INCOMPLETE' ? 'FAILED' : wanted;
    await deps.cognitoBudget.take(['AdminGetUser']);
    const user = await deps.directory.getUser(request.username);
    const factorGone = !user?.mfa.includes('SOFTWARE_TOKEN_MFA');
    return outcomeAfterFailure(wanted === 'ABORTED' ? 'ABORTED' : 'FAILED', request.status, factorGone);
  }
  return allowedFrom(wanted).includes(request.status) ? wanted : 'FAILED';
}

/** Clean-up once a request ended; each part is idempotent, so a retried step repeats it safely. */
async function afterEnd(request: RecoveryRequest, outcome: TerminalOutcome, deps: FinishDeps) {
  if (outcome === 'IGNORED') {
    // An ignored request looks like a real one to whoever made it: its code page counts wrong codes.
    // One made already (a decoy from POST /recoveries, or a retried step) is kept.
    await deps.store.putDecoyChallenge(
      decoyChallenge(request, deps.maxCodeAttempts),
      (request.codeExpiresAt ?? 0) + 86_400,
    );
  }
  // Only a request that may need approval (needsApproval not false) ever had one opened.
  if (request.needsApproval !== false) await deps.approvals.close(request.requestId);
  if (request.waitToken) await deps.store.forgetWaitToken(request.requestId);
  if (request.sub) {
    const slot = activeSlotOf(request);
    await deps.store.unlockUser(slot, request.requestId);
  }
  if (FACTOR_REMOVED_OUTCOMES.includes(outcome)) {
    await deps.store.recordCompletion(request.sub, deps.clock().toISOString());
  }
  const message = NOTICE[outcome];
  if (request.email && message && !request.notifiedAt) {
    const links = deps.publicBaseUrl ? { enrollUrl: `${deps.publicBaseUrl}/enroll` } : {};
    await deps.mailer.send(message(request.email, links, deps.mailer.voice(request.locale)));
    const text = deps.texter ? requestEndedText(outcome, deps.texter.voice(request.locale)) : undefined;
    if (deps.texter && request.phoneNumber && text) await deps.texter.send(request.phoneNumber, text);
    await deps.store.markNotified(request.requestId, deps.clock().toISOString());
  }
}

/** What the user is told of each ending; endings the user caused or that changed nothing send nothing. */
const NOTICE: Partial<
  Record<
    TerminalOutcome,
    (to: string, links: { enrollUrl?: string }, voice: Voice) => ReturnType<typeof failedEmail>
  >
> = {
  COMPLETED: totpRemovedEmail,
  SIGN_OUT_INCOMPLETE: signOutIncompleteEmail,
  LOCKED: lockedEmail,
  DENIED: deniedEmail,
  FAILED: failedEmail,
  ABORTED: stoppedEmail,
};

/** A challenge for a request that sends no code: random hashes nobody can match. */
export function decoyChallenge(
  request: Pick<RecoveryRequest, 'requestId' | 'codeExpiresAt'>,
  maxAttempts: number,
) {
  return {
    requestId: request.requestId,
    codeHash: randomBytes(32).toString('base64url'),
    cancelSalt: randomBytes(16).toString('base64url'),
    expiresAt: request.codeExpiresAt ?? 0,
    attempts: 0,
    maxAttempts,
  };
}
