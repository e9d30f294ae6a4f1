import { activeSlotOf } from '../adapters/recovery-keys';
import { allowedFrom } from '../domain/recovery-state';
import { cancelTokenFor, sameHash } from '../domain/secrets';
import { RecoveryGoneError } from '../shared/errors';
import { log } from '../shared/log';
import type { ChallengeDeps } from './confirm-code';
import { wakeWorkflow } from './request-context';

/**
 * The "this was not me" link: ends the request as CANCELLED in one conditional write with its
 * terminal audit record, whatever the request waits for (the code, support, the cool-down). Once that
 * write is in, the factor can no longer be removed: RemoveTotp's own transition requires a state a
 * cancelled request never leaves. A wrong token looks like an ended request; repeating a cancel that
 * went through answers the same 200.
 */
export async function cancelRecovery(
  input: {
    readonly requestId: string;
    readonly token: string;
    readonly sourceIp: string;
    readonly userAgent: string;
  },
  deps: ChallengeDeps,
): Promise<{ status: 'CANCELLED' }> {
  const { request, challenge } = await deps.store.getRequestAndChallenge(input.requestId);
  const peppers = challenge ? await deps.pepper.verifying() : [];
  const matches = peppers.some((pepper) =>
    sameHash(cancelTokenFor(pepper, input.requestId, challenge?.cancelSalt ?? ''), input.token),
  );
  if (!request || !challenge || !matches) throw new RecoveryGoneError();
  if (request.status !== 'CANCELLED') {
    const cancelled = await deps.audit.appendWith(
      {
        requestId: input.requestId,
        username: request.username,
        userSub: request.sub,
        type: 'RecoveryCancelled',
        actor: `user:${request.username}`,
        sourceIp: input.sourceIp,
        userAgent: input.userAgent,
        terminal: 'CANCELLED',
        outcome: 'CANCELLED',
        reasons: ['CANCELLED_BY_USER'],
      },
      [deps.store.move(input.requestId, { from: allowedFrom('CANCELLED'), to: 'CANCELLED' })],
    );
    if (!cancelled && (await deps.store.getRequest(input.requestId))?.status !== 'CANCELLED') {
      throw new RecoveryGoneError();
    }
  }
  await wakeWorkflow(input.requestId, deps, request);
  // The workflow frees the slot when it ends the request; freeing it now lets the user start again at
  // once, even if the wake-up failed and the workflow only notices when its wait ends.
  const slot = activeSlotOf(request);
  await deps.store.unlockUser(slot, input.requestId).catch((error) =>
    log.warn(
      'slot not freed at cancel; the workflow frees it when it ends the request',
      {
        correlationId: input.requestId,
      },
      error,
    ),
  );
  return { status: 'CANCELLED' };
}
