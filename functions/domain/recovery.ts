// The recovery request and its challenge as the domain knows them: the store keeps them, use cases
// read them and describe transitions (Move); how they are stored is the adapters' business.

import type { RequestStatus } from './recovery-state';
import type { RiskAssessment } from './risk';

/** How the request was proved: the password, the password and a saved recovery code, or nothing. */
export type ProofKind = 'PASSWORD' | 'RECOVERY_CODE' | 'NONE';

/** One recovery request: the single source of truth for where it stands (domain/recovery-state.ts). */
export interface RecoveryRequest {
  readonly requestId: string;
  readonly username: string;
  readonly sub: string;
  readonly status: RequestStatus;
  readonly createdAt: string;
  /** Decoys answer like real requests but nothing happens (unknown user, no TOTP, rate limited). */
  readonly decoy: boolean;
  readonly proof: ProofKind;
  /** As sent by the client: never proof of anything. */
  readonly sourceIp: string;
  /** As sent by the client: never proof of anything. */
  readonly userAgent: string;
  readonly email?: string;
  readonly phoneNumber?: string;
  readonly groups?: readonly string[];
  readonly risk?: RiskAssessment;
  /** Fixed by LookUpUser's risk score: false only when no support approval is needed. */
  readonly needsApproval?: boolean;
  /** Epoch seconds: the code's deadline, fixed when the request is accepted. */
  readonly codeExpiresAt?: number;
  /** Epoch seconds: support must decide before this, fixed when the approval is first requested. */
  readonly approvalExpiresAt?: number;
  /** Cool-down only: when the factor will be removed unless the user cancels; fixed before the timer starts. */
  readonly resetAt?: string;
  readonly terminal?: RequestStatus;
  readonly notifiedAt?: string;
  /** The waiting task's token (a wake-up, never a decision); never leaves the table. */
  readonly waitToken?: string;
  /** What the form saw when the request came in; read by the risk step. */
  readonly signals?: RequestSignals;
  readonly accountCreatedAt?: string;
  readonly emailChangedAt?: string;
  /** How the user reads times (Cognito `zoneinfo`, `locale`), copied when the user is looked up. */
  readonly zoneinfo?: string;
  readonly locale?: string;
}

/** What LookUpUser writes on a request: what the pool and the risk score told, never its state. */
export type RequestDescription = Partial<
  Pick<
    RecoveryRequest,
    | 'email'
    | 'phoneNumber'
    | 'groups'
    | 'accountCreatedAt'
    | 'emailChangedAt'
    | 'zoneinfo'
    | 'locale'
    | 'risk'
    | 'needsApproval'
  >
>;

/** Risk signals known only when the request arrives. */
export interface RequestSignals {
  readonly lostPassword: boolean;
  readonly failedPasswordAttempts: number;
  readonly requestsInWindow: number;
}

/** The emailed code and the cancel link of a request, in stored form only. */
export interface Challenge {
  readonly requestId: string;
  readonly codeHash: string;
  /** With the pepper, gives the cancel link's token (domain/secrets.ts). */
  readonly cancelSalt: string;
  /** Epoch seconds; the same deadline as the request's codeExpiresAt. */
  readonly expiresAt: number;
  readonly attempts: number;
  readonly maxAttempts: number;
}

/** A transition of the request item: allowed source states (from the table), target, and what else it sets. */
export interface Move {
  readonly from: readonly RequestStatus[];
  readonly to: RequestStatus;
  readonly set?: Readonly<Record<string, unknown>>;
  /** An extra condition on one field of the request, in the domain's words (no store syntax). */
  readonly when?: MoveCondition;
}

/**
 * `{ field: 'resetAt', is: 'atMost', value: now }`: the transition holds only while the request's
 * field compares so (`equals`, `after` = greater than, `atMost` = less than or equal).
 */
export interface MoveCondition {
  readonly field: 'approvalExpiresAt' | 'resetAt' | 'needsApproval';
  readonly is: 'equals' | 'after' | 'atMost';
  readonly value: string | number | boolean;
}

/** Whether a request meets a move's extra condition (the stores' shared meaning of MoveCondition). */
export function meets(request: RecoveryRequest, condition: MoveCondition | undefined): boolean {
  if (!condition) return true;
  const actual = request[condition.field];
  if (actual === undefined) return false;
  if (condition.is === 'equals') return actual === condition.value;
  return condition.is === 'after' ? actual > condition.value : actual <= condition.value;
}
