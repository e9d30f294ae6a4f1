import type { ApprovalStore } from '../adapters/approval-store';
import { hashCancelToken, sameHash } from '../domain/secrets';
import { RecoveryGoneError } from '../shared/errors';
import type { ChallengeDeps } from './confirm-code';

/** The "this wasn't me" link: ends a pending request as cancelled. A wrong token looks like an ended request. */
export async function cancelRecovery(
  input: {
    readonly requestId: string;
    readonly token: string;
    readonly sourceIp: string;
    readonly userAgent: string;
  },
  deps: ChallengeDeps & { readonly approvals: ApprovalStore },
): Promise<{ status: 'CANCELLED' }> {
  const nowSeconds = Math.floor(deps.clock().getTime() / 1000);
  const challenge = await deps.store.getChallenge(input.requestId);
  const hash = hashCancelToken(await deps.pepper(), input.requestId, input.token);
  if (!challenge || !sameHash(hash, challenge.cancelHash)) throw new RecoveryGoneError();
  // Whatever the request waits for (the code, support, the cool-down), that wait ends as cancelled.
  const taskToken =
    (challenge.status === 'PENDING'
      ? await deps.store.settleChallenge(input.requestId, 'CANCELLED', nowSeconds)
      : undefined) ??
    (await deps.approvals.decide(input.requestId, 'CLOSED')) ??
    (await deps.store.settleCoolDown(input.requestId, 'CANCELLED'));
  if (!taskToken) throw new RecoveryGoneError();
  const request = await deps.store.getRequest(input.requestId);
  await deps.audit.append({
    requestId: input.requestId,
    type: 'CancelRequested',
    actor: `user:${request?.username ?? 'unknown'}`,
    username: request?.username,
    userSub: request?.sub,
    sourceIp: input.sourceIp,
    userAgent: input.userAgent,
  });
  await deps.workflow.fail(taskToken, 'RecoveryCancelled', 'cancelled by the user');
  return { status: 'CANCELLED' };
}
