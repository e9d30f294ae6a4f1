/**
 * The states of a recovery request and the transitions between them. The request item in DynamoDB
 * is the one source of truth for where a recovery stands: every transition below is one conditional
 * write on it (see adapters/recovery-store.ts), taken by whoever decides (the user, support, the
 * workflow's timer or one of its acting steps). Step Functions only wakes the workflow up; after each
 * wait, the workflow reads this state to know what to do next.
 */

/** A request that is still going somewhere. */
export type ActiveStatus =
  | 'STARTED'
  | 'CODE_SENT'
  | 'CONFIRMED'
  | 'AWAITING_APPROVAL'
  | 'APPROVED'
  | 'COOLING_DOWN'
  | 'REMOVING'
  | 'REMOVED';

/** How a request ended: every request ends with exactly one audit record carrying one of these. */
export type TerminalOutcome =
  | 'COMPLETED'
  | 'SIGN_OUT_INCOMPLETE'
  | 'EXPIRED'
  | 'LOCKED'
  | 'CANCELLED'
  | 'DENIED'
  | 'IGNORED'
  | 'FAILED'
  | 'ABORTED';

export type RequestStatus = ActiveStatus | TerminalOutcome;

export const TERMINAL_OUTCOMES: readonly TerminalOutcome[] = [
  'COMPLETED',
  'SIGN_OUT_INCOMPLETE',
  'EXPIRED',
  'LOCKED',
  'CANCELLED',
  'DENIED',
  'IGNORED',
  'FAILED',
  'ABORTED',
];

export const isTerminal = (status: RequestStatus): status is TerminalOutcome =>
  (TERMINAL_OUTCOMES as readonly string[]).includes(status);

/** States before the factor is touched: a cancel, a denial or the timer can still end them. */
const UNDECIDED: readonly ActiveStatus[] = [
  'CODE_SENT',
  'CONFIRMED',
  'AWAITING_APPROVAL',
  'APPROVED',
  'COOLING_DOWN',
];

/** States in which the workflow may fail or be stopped: anything not yet ended. */
const ANY_ACTIVE: readonly ActiveStatus[] = [
  'STARTED',
  'CODE_SENT',
  'CONFIRMED',
  'AWAITING_APPROVAL',
  'APPROVED',
  'COOLING_DOWN',
  'REMOVING',
  'REMOVED',
];

/**
 * The transition table: for each target state, the states it may be entered from, and who takes it.
 * Nothing else moves a request. A state may be re-entered from itself only where listed (a retried
 * step that must not reset what it already recorded).
 */
export const TRANSITIONS: Readonly<Record<RequestStatus, { from: readonly RequestStatus[]; by: string }>> = {
  STARTED: { from: [], by: 'POST /recoveries (the request is created in this state)' },
  CODE_SENT: {
    from: ['STARTED', 'CODE_SENT'],
    by: 'IssueCode (a retry re-issues the code, keeping the attempts)',
  },
  CONFIRMED: {
    from: ['CODE_SENT', 'STARTED'],
    by: 'POST /recoveries/{id}/confirm with the right code, before the deadline; or Advance, from STARTED, for a request proved with the password and a saved recovery code',
  },
  AWAITING_APPROVAL: { from: ['CONFIRMED', 'AWAITING_APPROVAL'], by: 'AwaitApproval (high risk only)' },
  APPROVED: {
    from: ['AWAITING_APPROVAL'],
    by: 'support, once enough different people approved, before the deadline',
  },
  COOLING_DOWN: { from: ['APPROVED'], by: 'Advance, which fixes resetAt before the timer starts' },
  REMOVING: {
    from: ['CONFIRMED', 'APPROVED', 'COOLING_DOWN', 'REMOVING'],
    by: 'RemoveTotp: from CONFIRMED only without approval, from APPROVED only without cool-down, from COOLING_DOWN only when now >= resetAt',
  },
  REMOVED: { from: ['REMOVING'], by: 'RemoveTotp, once reading the user back shows no TOTP factor' },
  COMPLETED: { from: ['REMOVED'], by: 'Finish, after every session was revoked' },
  SIGN_OUT_INCOMPLETE: {
    from: ['REMOVING', 'REMOVED'],
    by: 'Finish or the reconciler: the factor is gone but not every session was revoked',
  },
  EXPIRED: {
    from: ['CODE_SENT', 'AWAITING_APPROVAL'],
    by: 'Advance, when the wait ended without a decision',
  },
  LOCKED: { from: ['CODE_SENT'], by: 'POST /recoveries/{id}/confirm with the last allowed wrong code' },
  CANCELLED: { from: UNDECIDED, by: 'POST /recoveries/{id}/cancel (the "this was not me" link)' },
  DENIED: { from: ['AWAITING_APPROVAL'], by: 'support' },
  IGNORED: { from: ['STARTED'], by: 'POST /recoveries or LookUpUser: nothing will happen (decoy)' },
  FAILED: {
    from: ANY_ACTIVE,
    by: 'Finish or the reconciler, when a step failed for good (truthful: see outcomeAfterFailure)',
  },
  ABORTED: { from: ANY_ACTIVE, by: 'the reconciler, when the execution was stopped or timed out' },
};

/** The states `to` may be entered from. */
export const allowedFrom = (to: RequestStatus): readonly RequestStatus[] => TRANSITIONS[to].from;

/** True when the table allows `from` -> `to`. */
export const canMove = (from: RequestStatus, to: RequestStatus): boolean => allowedFrom(to).includes(from);

/** Once REMOVING was entered the factor may be gone: a failure after it must be checked, not assumed. */
export const mayHaveRemovedFactor = (status: RequestStatus): boolean =>
  status === 'REMOVING' || status === 'REMOVED';

/**
 * The truthful outcome of a request that failed (or was stopped) in `status`: when the factor is
 * already gone, it is never "nothing changed".
 */
export function outcomeAfterFailure(
  wanted: 'FAILED' | 'ABORTED',
  status: RequestStatus,
  factorGone: boolean,
): TerminalOutcome {
  return mayHaveRemovedFactor(status) && factorGone ? 'SIGN_OUT_INCOMPLETE' : wanted;
}

/** The audit event type of each terminal outcome. */
export const TERMINAL_EVENT: Readonly<Record<TerminalOutcome, string>> = {
  COMPLETED: 'RecoveryCompleted',
  SIGN_OUT_INCOMPLETE: 'RecoverySignOutIncomplete',
  EXPIRED: 'RecoveryExpired',
  LOCKED: 'RecoveryLocked',
  CANCELLED: 'RecoveryCancelled',
  DENIED: 'RecoveryDenied',
  IGNORED: 'RecoveryIgnored',
  FAILED: 'RecoveryFailed',
  ABORTED: 'RecoveryAborted',
};

/** Outcomes after which the user's factor is gone (the recent-recovery risk rule counts them). */
export const FACTOR_REMOVED_OUTCOMES: readonly TerminalOutcome[] = ['COMPLETED', 'SIGN_OUT_INCOMPLETE'];

/** Outcomes an operator must look at: the workflow ends them in a Fail state, so the alarm sees them. */
export const ALARMING_OUTCOMES: readonly TerminalOutcome[] = ['FAILED', 'SIGN_OUT_INCOMPLETE', 'ABORTED'];

/** Execution endings the reconciler turns into a terminal record (its EventBridge rule's pattern). */
export const RECONCILED_EXECUTION_STATUSES: readonly string[] = ['FAILED', 'TIMED_OUT', 'ABORTED'];
