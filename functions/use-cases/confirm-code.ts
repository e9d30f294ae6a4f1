import type { AuditLog } from '../adapters/audit-log';
import type { RecoveryStore } from '../adapters/recovery-store';
import type { Workflow } from '../adapters/workflow';
import { hashRecoveryCode, sameHash } from '../domain/secrets';
import { RecoveryGoneError, WrongCodeError } from '../shared/errors';

/** What the code-confirmation and cancellation use cases need: both settle a pending challenge. */
export interface ChallengeDeps {
  readonly store: RecoveryStore;
  readonly audit: AuditLog;
  readonly workflow: Workflow;
  readonly pepper: () => Promise<Buffer>;
  readonly clock: () => Date;
}

/**
 * Checks an emailed code. A right code settles the challenge exactly once and resumes the workflow;
 * a wrong one is counted atomically, and the last allowed wrong one locks the request. Expired, used,
 * locked, cancelled and unknown requests all answer RecoveryGoneError.
 */
export async function confirmCode(
  input: {
    readonly requestId: string;
    readonly code: string;
    readonly sourceIp: string;
    readonly userAgent: string;
  },
  deps: ChallengeDeps,
): Promise<{ status: 'CONFIRMED' }> {
  const now = deps.clock();
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const challenge = await deps.store.getChallenge(input.requestId);
  const hash = hashRecoveryCode(await deps.pepper(), input.requestId, input.code);
  if (challenge?.status !== 'PENDING' || challenge.expiresAt <= nowSeconds) {
    throw new RecoveryGoneError();
  }
  const request = await deps.store.getRequest(input.requestId);
  const who = {
    requestId: input.requestId,
    username: request?.username,
    userSub: request?.sub,
    sourceIp: input.sourceIp,
    userAgent: input.userAgent,
    actor: `user:${request?.username ?? 'unknown'}`,
  };

  if (sameHash(hash, challenge.codeHash)) {
    const taskToken = await deps.store.settleChallenge(input.requestId, 'USED', nowSeconds);
    if (!taskToken) throw new RecoveryGoneError();
    let resumed: boolean;
    try {
      // Recorded before the workflow resumes, so the chain shows the confirmation ahead of the removal.
      await deps.store.updateRequest(input.requestId, { status: 'CONFIRMED' });
      await deps.audit.append({ ...who, type: 'CodeConfirmed', outcome: 'CONFIRMED' });
      resumed = await deps.workflow.succeed(taskToken, { confirmedAt: now.toISOString() });
    } catch (error) {
      // The workflow did not hear it: reopen the challenge so the same code works when the user retries.
      await deps.store.reopenChallenge(input.requestId, taskToken).catch(() => undefined);
      throw error;
    }
    if (!resumed) throw new RecoveryGoneError();
    return { status: 'CONFIRMED' };
  }

  const attempts = await deps.store.countWrongAttempt(input.requestId, nowSeconds);
  if (attempts === undefined) throw new RecoveryGoneError();
  const attemptsLeft = Math.max(0, challenge.maxAttempts - attempts);
  await deps.audit.append({
    ...who,
    type: 'CodeRejected',
    outcome: 'WRONG_CODE',
    details: { attempts, attemptsLeft },
  });
  if (attemptsLeft === 0) {
    const taskToken = await deps.store.settleChallenge(input.requestId, 'LOCKED', nowSeconds);
    if (taskToken) await deps.workflow.fail(taskToken, 'CodeLocked', 'too many wrong codes');
  }
  throw new WrongCodeError(attemptsLeft);
}
