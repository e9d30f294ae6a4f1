// The ports the critical use cases depend on: small interfaces in the domain's terms. DynamoDB,
// Step Functions and Secrets Manager adapters implement them in AWS and locally; test/support's
// in-memory adapters implement them with the same conditional semantics for fast unit tests.

import type { Approval, ApprovalDecision } from './approval';
import type { DirectoryUser, SignedInAccount } from './directory';
import type { Challenge, Move, RecoveryRequest } from './recovery';
import type { TerminalOutcome } from './recovery-state';

declare const pendingWriteBrand: unique symbol;

/**
 * A conditional change of stored state (a transition) that commits only together with its audit
 * record, through `AuditLog.appendWith`: both or neither. Opaque: how it is stored is the store's
 * business; use cases pass it on and never look inside.
 */
export interface PendingWrite {
  readonly [pendingWriteBrand]: 'PendingWrite';
}

/** One audit event as callers describe it; never a code, password, token or pepper. */
export interface AuditEventInput {
  readonly requestId: string;
  readonly type: string;
  readonly actor: string;
  readonly username?: string;
  readonly userSub?: string;
  readonly sourceIp?: string;
  readonly userAgent?: string;
  readonly outcome?: string;
  readonly reasons?: readonly string[];
  readonly details?: Readonly<Record<string, string | number | boolean>>;
  readonly terminal?: TerminalOutcome;
}

/** The append-only, hash-chained audit trail of each request. */
export interface AuditLog {
  /** Appends an event; resolves undefined (nothing stored) once the request's chain has ended. */
  append(input: AuditEventInput): Promise<unknown>;
  /** Appends the event of a transition with its pending writes, atomically; false when one lost. */
  appendWith(input: AuditEventInput, writes: readonly PendingWrite[]): Promise<boolean>;
}

/** Where a request's state lives: reads, and transitions described for `AuditLog.appendWith`. */
export interface RequestStore {
  getRequest(requestId: string): Promise<RecoveryRequest | undefined>;
  move(requestId: string, move: Move): PendingWrite;
}

/** The emailed code and cancel link of a request, and the user's active-recovery slot. */
export interface ChallengeStore extends RequestStore {
  getChallenge(requestId: string): Promise<Challenge | undefined>;
  /** Holds only while the stored code hash is this one and has not expired. */
  challengeStillValid(requestId: string, codeHash: string, nowSeconds: number): PendingWrite;
  /** Counts one wrong code; resolves the attempts so far, or undefined when the challenge is gone. */
  countWrongAttempt(requestId: string, nowSeconds: number): Promise<number | undefined>;
  /** Frees the user's slot if this request holds it. */
  unlockUser(slot: { pk: string; sk: string }, requestId: string): Promise<void>;
}

/** The waiting workflow: started once per request, woken (never told a decision) by a task token. */
export interface Workflow {
  /** Resolves false when the task had already closed. */
  wake(taskToken: string): Promise<boolean>;
}

/** The HMAC pepper: the current value signs, every value still in its grace period verifies. */
export interface PepperSource {
  /** AWSCURRENT: new codes and links are made with it. */
  readonly current: () => Promise<Buffer>;
  /** AWSCURRENT, then AWSPREVIOUS when there is one: codes issued before a rotation still verify. */
  readonly verifying: () => Promise<Buffer[]>;
}

/** The approvals of high-risk requests, as a decision changes them: each change a PendingWrite. */
export interface ApprovalDecisions {
  get(requestId: string): Promise<(Approval & { readonly approverSubs: readonly string[] }) | undefined>;
  /**
   * Adds one approver as the `seen`-th: holds only while the approval is pending with `seen - 1`
   * approvers, this person not among them; with `final` the approval becomes APPROVED.
   */
  addApprover(
    requestId: string,
    approver: { readonly sub: string; readonly username: string },
    seen: number,
    final: boolean,
    decision: Omit<ApprovalDecision, 'by' | 'decision'>,
  ): PendingWrite;
  /** Holds only while the approval is pending. */
  deny(requestId: string, staff: string, decision: Omit<ApprovalDecision, 'by' | 'decision'>): PendingWrite;
  /**
   * "I'm looking at this": written unless another person holds a claim made at or after
   * `staleBefore`, or the approval is no longer pending; false then.
   */
  claim(
    requestId: string,
    staff: { readonly sub: string; readonly username: string },
    since: string,
    staleBefore: string,
  ): Promise<boolean>;
}

/** Who a support person is now, asked live at every decision. */
export interface StaffDirectory {
  userOfAccessToken(accessToken: string): Promise<SignedInAccount | undefined>;
  getUser(username: string): Promise<DirectoryUser | undefined>;
  groupsOf(username: string): Promise<string[]>;
}

/** What removing a user's TOTP factor needs of the pool: the removal, its fallback, and the read-back. */
export interface FactorDirectory {
  /** AdminDeleteSoftwareToken; a region without it throws an error named UnknownOperationException. */
  deleteSoftwareToken(username: string): Promise<'deleted' | 'absent'>;
  /** The pool's MFA mode: ON, OPTIONAL or OFF. */
  poolMfaConfiguration(): Promise<string>;
  /** AdminSetUserMFAPreference with TOTP off: changes nothing in a pool that requires MFA. */
  disableTotpPreference(username: string): Promise<void>;
  getUser(username: string): Promise<DirectoryUser | undefined>;
}
