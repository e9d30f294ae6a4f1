// The ports the critical use cases depend on: small interfaces in the domain's terms. DynamoDB,
// Step Functions and Secrets Manager adapters implement them in AWS and locally; test/support's
// in-memory adapters implement them with the same conditional semantics for fast unit tests.

import type { Approval, ApprovalDecision, ApprovalStatus } from './approval';
import type { DirectoryUser, SignedInAccount, SignInEvents } from './directory';
import type { EmailMessage, Voices } from './emails';
import type { SlidingWindow } from './rate-limit';
import type { Challenge, Move, RecoveryRequest, RequestDescription } from './recovery';
import type { RecoveryCodeStatus } from './recovery-codes';
import type { RequestStatus, TerminalOutcome } from './recovery-state';

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
  /**
   * Starts a new request's chain: its first events, in order, together with the writes that create
   * the request (one of them the request's item, which is given the chain's head), in one atomic
   * write; false when one of them lost (the request exists already).
   */
  startChain(inputs: readonly AuditEventInput[], writes: readonly PendingWrite[]): Promise<boolean>;
}

/** A request's first audit event, as its day's chain links it. */
export interface FirstEvent {
  readonly requestId: string;
  readonly day: string;
  readonly at: string;
  readonly hash: string;
}

/** The day chains: each request linked once, after it was written (from the audit table's stream). */
export interface DayChain {
  /** Links the request; 'already' when it was linked before (a record delivered again). */
  link(first: FirstEvent): Promise<'linked' | 'already'>;
}

/** Where a request's state lives: reads, and transitions described for `AuditLog.appendWith`. */
export interface RequestStore {
  getRequest(requestId: string): Promise<RecoveryRequest | undefined>;
  move(requestId: string, move: Move): PendingWrite;
}

/** The emailed code and cancel link of a request, and the user's active-recovery slot. */
export interface ChallengeStore extends RequestStore {
  getChallenge(requestId: string): Promise<Challenge | undefined>;
  /** The request and its challenge as of one consistent read (one call, not two). */
  getRequestAndChallenge(requestId: string): Promise<{ request?: RecoveryRequest; challenge?: Challenge }>;
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

/** Sliding-window rate limits: `inWindow` counts this event too. */
export type RateDecision =
  | { readonly allowed: true; readonly inWindow: number }
  | { readonly allowed: false; readonly retryAfterSeconds: number };

export interface RateLimiter {
  /** Events in the window so far, without recording one. */
  count(key: SlotKey, window: SlidingWindow, nowSeconds: number): Promise<number>;
  /** Records one event if the window has room; atomic under concurrency. */
  take(key: SlotKey, window: SlidingWindow, nowSeconds: number): Promise<RateDecision>;
}

/** A stored item's key: rate-limit windows and active-recovery slots. */
export interface SlotKey {
  readonly pk: string;
  readonly sk: string;
}

/** Where a new request is accepted: the request, a decoy's challenge, and the user's one active slot. */
export interface AdmissionStore extends RequestStore {
  /** A new request's item, created with its chain (`AuditLog.startChain`); only if none exists. */
  newRequest(request: RecoveryRequest, ttl: number): PendingWrite;
  /** A decoy's challenge, created with its request; only if none exists. */
  newDecoyChallenge(challenge: Challenge, ttl: number): PendingWrite;
  /** Takes the slot for `requestId`, or tells who holds it and since when. */
  lockUser(
    slot: SlotKey,
    requestId: string,
    nowSeconds: number,
    holdSeconds: number,
  ): Promise<
    | { readonly locked: true }
    | { readonly locked: false; readonly holder: string | undefined; readonly takenAt: number }
  >;
  /** Takes over a slot still held by `previous` (ended, or never stored). */
  replaceLock(
    slot: SlotKey,
    requestId: string,
    previous: string,
    nowSeconds: number,
    holdSeconds: number,
  ): Promise<boolean>;
  unlockUser(slot: SlotKey, requestId: string): Promise<void>;
}

/** The user pool as a new request needs it: who the person is, and whether the password is right. */
export interface UserLookup {
  usernameForEmail(email: string): Promise<string | undefined>;
  getUser(username: string): Promise<DirectoryUser | undefined>;
  provePassword(
    clientId: string,
    username: string,
    password: string,
    client?: { readonly sourceIp: string; readonly userAgent: string; readonly serverName: string },
  ): Promise<{ readonly kind: 'rejected' } | { readonly kind: 'proven'; readonly totpEnrolled: boolean }>;
}

/** A user's saved recovery codes, as HMACs: whether one is held, and using it (once). */
export interface RecoveryCodeLedger {
  holds(sub: string, candidates: readonly string[]): Promise<boolean>;
  /** Uses the code: resolves the codes left, or undefined when it was no longer there. */
  consume(sub: string, candidates: readonly string[]): Promise<number | undefined>;
}

/** What the workflow is started with: identifiers and policy only, never a secret. */
export interface WorkflowInput {
  readonly requestId: string;
  readonly username: string;
  readonly sub: string;
  readonly policy: {
    readonly codeTtlSeconds: number;
    readonly approvalTimeoutSeconds: number;
    readonly coolDownSeconds: number;
  };
}

/** Starts the execution named after the request, so a request can never run twice. */
export interface WorkflowStarter {
  start(input: WorkflowInput): Promise<void>;
}

/** Where the workflow steps keep a request's progress, besides its transitions. */
export interface WorkflowStore extends RequestStore {
  /** Sets what LookUpUser learned (contacts, groups, risk), never the request's state. */
  describeRequest(requestId: string, fields: RequestDescription): Promise<void>;
  /** When the user's last recovery removed a factor, if one ever did. */
  lastCompletion(sub: string): Promise<string | undefined>;
  /** Records that a recovery removed the user's factor: the next request's risk score reads it. */
  recordCompletion(sub: string, at: string): Promise<void>;
  /** Stores the waiting task's token, only while the request is still in `status`; false otherwise. */
  setWaitToken(requestId: string, status: RequestStatus, taskToken: string): Promise<boolean>;
  /**
   * A (new) code for the request, keeping the attempts already counted; holds only while the stored
   * cancel salt is the one given (or there is none yet): a retried IssueCode never resets the counter
   * or breaks a link already sent.
   */
  issueChallenge(challenge: Omit<Challenge, 'attempts'>, ttl: number): PendingWrite;
  getChallenge(requestId: string): Promise<Challenge | undefined>;
  /** The request and its challenge as of one consistent read (one call, not two). */
  getRequestAndChallenge(requestId: string): Promise<{ request?: RecoveryRequest; challenge?: Challenge }>;
  /** A decoy's challenge; never replaces one the request has (false then). */
  putDecoyChallenge(challenge: Challenge, ttl: number): Promise<boolean>;
  /** Forgets an ended request's wait token. */
  forgetWaitToken(requestId: string): Promise<void>;
  /** Records that the user was told how the request ended; false when someone already did. */
  markNotified(requestId: string, at: string): Promise<boolean>;
  /** Records that the user was told the cool-down's reset time; false when already told. */
  markCoolDownTold(requestId: string): Promise<boolean>;
  /** Frees the user's slot if this request holds it. */
  unlockUser(slot: SlotKey, requestId: string): Promise<void>;
}

/** The user pool as the workflow steps need it: the account, its groups, its sessions and devices. */
export interface AccountDirectory {
  getUser(username: string): Promise<DirectoryUser | undefined>;
  groupsOf(username: string): Promise<string[]>;
  /** AdminUserGlobalSignOut: every session of the user ends. */
  signOutEverywhere(username: string): Promise<void>;
  /** Forgets every remembered device; resolves how many were forgotten. */
  forgetDevices(username: string): Promise<number>;
}

/** Email to the user or to support, in each reader's voice. A message may carry a code: never log it. */
export interface Mailer {
  /** The voice (language, signature) of a reader with this locale. */
  readonly voice: Voices;
  send(message: EmailMessage): Promise<void>;
}

/** Text messages to a verified phone number: notices only, never a code. */
export interface Texter {
  /** The voice (language, signature) of a reader with this locale. */
  readonly voice: Voices;
  send(phoneNumber: string, text: string): Promise<void>;
}

/** The approval of a request that needs one, as the workflow opens it and closes it. */
export interface ApprovalQueue {
  /** Opens the approval, pending with nobody's decision yet; holds only while the request has none. */
  open(approval: Omit<Approval, 'status' | 'approvers' | 'decisions' | 'claim'>): PendingWrite;
  /** Takes a still-pending approval off the support list once its request ended otherwise. */
  close(requestId: string): Promise<void>;
}

/** One page of approvals; `next` is where the following page starts, absent on the last. */
export interface ApprovalPage {
  readonly items: readonly Approval[];
  readonly next?: Record<string, unknown>;
}

/** The approvals support browses, by status. */
export interface ApprovalListing {
  /** One page of approvals in a status, oldest first, from where `cursor` (a page's `next`) left off. */
  list(status: ApprovalStatus, limit: number, cursor?: Record<string, unknown>): Promise<ApprovalPage>;
}

/** An audit event of one of an account's requests: when it came, from where, and how it ended. */
export type HistoryEvent = Pick<
  AuditEventInput,
  'requestId' | 'type' | 'terminal' | 'sourceIp' | 'userAgent' | 'details'
> & { readonly at: string };

/** An account's earlier requests, as the audit trail recorded them by its sub. */
export interface AccountHistory {
  /**
   * The account's request and ending events, newest first, among its latest `scanned` events:
   * `complete` is false when older events were left unread.
   */
  requestsOf(sub: string, scanned: number): Promise<{ events: HistoryEvent[]; complete: boolean }>;
}

/** The user pool as support's cards read it: the account now, its groups, its sign-in events. */
export interface CustomerDirectory {
  getUser(username: string): Promise<DirectoryUser | undefined>;
  groupsOf(username: string): Promise<string[]>;
  /** The latest sign-in attempts (at most `max`, newest first), when the pool has threat protection. */
  signInEventsOf(username: string, max: number): Promise<SignInEvents>;
}

/** Who an access token belongs to now, asked of the pool: undefined once it is no longer valid. */
export interface SignedInAccounts {
  userOfAccessToken(accessToken: string): Promise<SignedInAccount | undefined>;
}

/** A user's set of saved recovery codes as the user manages it: issued anew, and counted. */
export interface RecoveryCodeSets {
  /** Replaces the user's set with these HMACs: the old codes stop working at once. */
  replace(sub: string, hashes: readonly string[], issuedAt: string): Promise<void>;
  status(sub: string): Promise<RecoveryCodeStatus>;
}
