import type { AuditLog, ChallengeStore, PepperSource, Workflow } from '../domain/ports';
import { hashEmailCode, sameHash } from '../domain/secrets';
import { RecoveryGoneError, WrongCodeError } from '../shared/errors';
import { wakeWorkflow } from './request-context';

/** What the code-confirmation and cancellation use cases need: both decide, then wake the workflow. */
export interface ChallengeDeps {
  readonly store: ChallengeStore;
  readonly audit: AuditLog;
  readonly workflow: Workflow;
  readonly pepper: PepperSource;
  readonly clock: () => Date;
}

/**
 * Checks an emailed code. The right code moves the request CODE_SENT -> CONFIRMED in one conditional
 * write with its audit record (so it counts once, whatever races it), then wakes the workflow; a
 * wrong one is counted atomically, and the last allowed wrong one locks the request the same way.
 * Expired, used, locked, cancelled and unknown requests all answer RecoveryGoneError; a decoy answers
 * wrong codes exactly like a real request.
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
  const { request, challenge } = await deps.store.getRequestAndChallenge(input.requestId);
  // Every pepper that may still verify: a code issued before a rotation keeps working.
  const hashes = (await deps.pepper.verifying()).map((pepper) =>
    hashEmailCode(pepper, input.requestId, input.code),
  );
  // An ignored request (a decoy) has a challenge nobody was sent: it counts wrong codes like a real one.
  const decoy = request?.status === 'IGNORED';
  const open = decoy || request?.status === 'CODE_SENT';
  if (!request || !challenge || !open || challenge.expiresAt <= nowSeconds) throw new RecoveryGoneError();
  const who = {
    requestId: input.requestId,
    username: request.username,
    userSub: request.sub,
    sourceIp: input.sourceIp,
    userAgent: input.userAgent,
    actor: `user:${request.username}`,
  };

  const hash = hashes.find((candidate) => sameHash(candidate, challenge.codeHash));
  if (!decoy && hash) {
    const confirmed = await deps.audit.appendWith({ ...who, type: 'CodeConfirmed', outcome: 'CONFIRMED' }, [
      deps.store.move(input.requestId, { from: ['CODE_SENT'], to: 'CONFIRMED' }),
      deps.store.challengeStillValid(input.requestId, hash, nowSeconds),
    ]);
    if (!confirmed) throw new RecoveryGoneError();
    await wakeWorkflow(input.requestId, deps, request);
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
  if (attemptsLeft === 0 && !decoy) {
    const locked = await deps.audit.appendWith(
      {
        ...who,
        actor: 'system',
        type: 'RecoveryLocked',
        terminal: 'LOCKED',
        outcome: 'LOCKED',
        reasons: ['TOO_MANY_WRONG_CODES'],
      },
      [deps.store.move(input.requestId, { from: ['CODE_SENT'], to: 'LOCKED' })],
    );
    if (locked) await wakeWorkflow(input.requestId, deps, request);
  }
  throw new WrongCodeError(attemptsLeft);
}
