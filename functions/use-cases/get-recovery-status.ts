import type { ChallengeStore } from '../domain/ports';
import type { RecoveryRequest } from '../domain/recovery';
import type { RequestStatus } from '../domain/recovery-state';
import { RecoveryNotFoundError } from '../shared/errors';

/** What the requester may see: a state in plain terms, and nothing about the account. */
export type PublicStatus =
  | 'CODE_SENT'
  | 'CONFIRMED'
  | 'AWAITING_APPROVAL'
  | 'COOLING_DOWN'
  | 'COMPLETED'
  | 'SIGN_OUT_INCOMPLETE'
  | 'DENIED'
  | 'EXPIRED'
  | 'LOCKED'
  | 'CANCELLED'
  | 'FAILED';

export interface PublicRecoveryStatus {
  readonly requestId: string;
  readonly status: PublicStatus;
  readonly codeExpiresAt?: string;
  readonly attemptsLeft?: number;
  /** During a cool-down: when the factor will be removed unless the user cancels. */
  readonly resetAt?: string;
}

/** The stored states a requester sees under another name: work in progress, or an ending told plainly. */
const SHOWN_AS: Partial<Record<RequestStatus, PublicStatus>> = {
  APPROVED: 'CONFIRMED',
  REMOVING: 'CONFIRMED',
  REMOVED: 'CONFIRMED',
  ABORTED: 'FAILED',
};

/**
 * Maps a stored request to its public status. A request reads CODE_SENT from the moment it is
 * accepted (before its code is out), and a decoy (an IGNORED request) reads exactly like a real one:
 * CODE_SENT until its deadline, LOCKED after the last wrong code, EXPIRED after the deadline.
 */
export function publicStatus(
  request: RecoveryRequest,
  challenge: { attempts: number; maxAttempts: number } | undefined,
  nowSeconds: number,
  maxAttempts: number,
): PublicRecoveryStatus {
  const { requestId } = request;
  const expiresAt = request.codeExpiresAt ?? 0;
  const waitingForCode = ['STARTED', 'CODE_SENT', 'IGNORED'].includes(request.status);
  if (waitingForCode) {
    const attemptsLeft = Math.max(0, (challenge?.maxAttempts ?? maxAttempts) - (challenge?.attempts ?? 0));
    if (attemptsLeft === 0) return { requestId, status: 'LOCKED' };
    if (expiresAt <= nowSeconds) return { requestId, status: 'EXPIRED' };
    return {
      requestId,
      status: 'CODE_SENT',
      codeExpiresAt: new Date(expiresAt * 1000).toISOString(),
      attemptsLeft,
    };
  }
  if (request.status === 'COOLING_DOWN') {
    return { requestId, status: 'COOLING_DOWN', ...(request.resetAt ? { resetAt: request.resetAt } : {}) };
  }
  return { requestId, status: SHOWN_AS[request.status] ?? (request.status as PublicStatus) };
}

export async function getRecoveryStatus(
  requestId: string,
  deps: {
    readonly store: Pick<ChallengeStore, 'getRequestAndChallenge'>;
    readonly clock: () => Date;
    readonly maxCodeAttempts: number;
  },
): Promise<PublicRecoveryStatus> {
  const { request, challenge } = await deps.store.getRequestAndChallenge(requestId);
  if (!request) throw new RecoveryNotFoundError('No such recovery request.');
  return publicStatus(request, challenge, Math.floor(deps.clock().getTime() / 1000), deps.maxCodeAttempts);
}
