// A high-risk request's approval as support sees it: who decided what, when and why.

import type { ProofKind } from './recovery';
import type { RiskAssessment } from './risk';

export type ApprovalStatus = 'PENDING' | 'APPROVED' | 'DENIED' | 'CLOSED';

/** One person's decision, as support lists show it: who, what, when, why and what they checked. */
export interface ApprovalDecision {
  readonly by: string;
  readonly decision: 'APPROVED' | 'DENIED';
  /** Absent on decisions recorded before decisions were kept with the approval. */
  readonly at?: string;
  readonly reason?: string;
  /** The verification checklist items the person ticked. */
  readonly checklist: readonly string[];
}

/** "I'm looking at this": who claimed the request, and when. Advisory: it never blocks a decision. */
export interface ApprovalClaim {
  readonly by: string;
  readonly bySub: string;
  readonly since: string;
}

/**
 * What support sees of a high-risk request: a listing projection of the request, written in the same
 * transactions as the request's own transitions. Never a code or a token.
 */
export interface Approval {
  readonly requestId: string;
  readonly username: string;
  readonly sub: string;
  readonly status: ApprovalStatus;
  readonly risk: RiskAssessment;
  readonly proof: ProofKind;
  readonly requestedAt: string;
  readonly confirmedAt?: string;
  readonly requiredApprovals: number;
  readonly approvers: readonly string[];
  readonly deniedBy?: string;
  readonly decisionReason?: string;
  readonly decisions: readonly ApprovalDecision[];
  readonly claim?: ApprovalClaim;
  readonly expiresAt: number;
}
