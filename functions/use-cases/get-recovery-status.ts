import type { RecoveryRequest, RecoveryStore } from '../adapters/recovery-store';
import { RecoveryNotFoundError } from '../shared/errors';

/** What the requester may see: a state in plain terms, and nothing about the account. */
export type PublicStatus =
  | 'PROCESSING'
  | 'CODE_SENT'
  | 'CONFIRMED'
  | 'AWAITING_APPROVAL'
  | 'COOLING_DOWN'
  | 'COMPLETED'
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

/**
 * Maps a stored request to its public status. A decoy (no TOTP, rate limited) looks exactly like a
 * request whose code was sent, then expires like one.
 */
export function publicStatus(
  request: RecoveryRequest,
  challenge: { attempts: number; maxAttempts: number } | undefined,
  nowSeconds: number,
  maxAttempts: number,
): PublicRecoveryStatus {
  const expiresAt = request.codeExpiresAt;
  const codeWindow = expiresAt ? { codeExpiresAt: new Date(expiresAt * 1000).toISOString() } : {};
  if (request.decoy) {
    const expired = expiresAt === undefined || expiresAt <= nowSeconds;
    return expired
      ? { requestId: request.requestId, status: 'EXPIRED' }
      : { requestId: request.requestId, status: 'CODE_SENT', ...codeWindow, attemptsLeft: maxAttempts };
  }
  switch (request.status) {
    case 'STARTED':
      return { requestId: request.requestId, status: 'PROCESSING' };
    case 'CODE_SENT':
      return {
        requestId: request.requestId,
        status: 'CODE_SENT',
        ...codeWindow,
        ...(challenge ? { attemptsLeft: Math.max(0, challenge.maxAttempts - challenge.attempts) } : {}),
      };
    case 'IGNORED':
      return { requestId: request.requestId, status: 'EXPIRED' };
    case 'COOLING_DOWN':
      return {
        requestId: request.requestId,
        status: 'COOLING_DOWN',
        ...(request.resetAt ? { resetAt: request.resetAt } : {}),
      };
    default:
      return { requestId: request.requestId, status: request.status };
  }
}

export async function getRecoveryStatus(
  requestId: string,
  deps: { readonly store: RecoveryStore; readonly clock: () => Date; readonly maxCodeAttempts: number },
): Promise<PublicRecoveryStatus> {
  const request = await deps.store.getRequest(requestId);
  if (!request) throw new RecoveryNotFoundError('No such recovery request.');
  const challenge = request.decoy ? undefined : await deps.store.getChallenge(requestId);
  return publicStatus(request, challenge, Math.floor(deps.clock().getTime() / 1000), deps.maxCodeAttempts);
}
