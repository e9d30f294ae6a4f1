import type { AuditLog, RequestStore } from '../domain/ports';
import { isTerminal } from '../domain/recovery-state';
import { auditSubject, requestOf } from './request-context';

/**
 * Where the workflow goes after a wait or a step, read from the request's stored state. `waitSeconds`
 * is the CoolDown timer (0 elsewhere: JSONPath needs the field on every answer).
 */
export interface NextStep {
  readonly next: 'AwaitApproval' | 'CoolDown' | 'RemoveTotp' | 'Finish';
  readonly waitSeconds: number;
}

const go = (next: NextStep['next'], waitSeconds = 0): NextStep => ({ next, waitSeconds });

export interface AdvanceDeps {
  readonly store: RequestStore;
  readonly audit: AuditLog;
  readonly clock: () => Date;
  readonly coolDownSeconds: number;
}

// A decision written between our read and our write makes the write lose; read again and follow it.
const MAX_ROUNDS = 5;

/**
 * Workflow step Advance: runs after every wait (woken by a decision, or by the timer) and decides
 * from the request item alone what comes next. A wake-up carries no decision: whatever the user or
 * support decided is already recorded, and a wait that ended with nothing decided expires here.
 */
export async function advanceRecovery(requestId: string, deps: AdvanceDeps): Promise<NextStep> {
  for (let round = 0; round < MAX_ROUNDS; round += 1) {
    const request = await requestOf(deps.store, requestId);
    const now = deps.clock();
    if (isTerminal(request.status)) return go('Finish');
    switch (request.status) {
      case 'CODE_SENT':
      case 'AWAITING_APPROVAL': {
        // The wait is over and nobody decided: the timer's decision is "expired".
        const reason = request.status === 'CODE_SENT' ? 'CODE_NOT_CONFIRMED' : 'APPROVAL_TIMED_OUT';
        const ended = await deps.audit.appendWith(
          {
            ...auditSubject(request),
            type: 'RecoveryExpired',
            actor: 'system',
            terminal: 'EXPIRED',
            outcome: 'EXPIRED',
            reasons: [reason],
          },
          [deps.store.move(requestId, { from: [request.status], to: 'EXPIRED' })],
        );
        if (ended) return go('Finish');
        break;
      }
      case 'CONFIRMED':
        return go(request.needsApproval === false ? 'RemoveTotp' : 'AwaitApproval');
      case 'APPROVED': {
        if (deps.coolDownSeconds <= 0) return go('RemoveTotp');
        // resetAt is fixed here, before the timer starts: the time told to the user is the time that applies.
        const resetAt = new Date(now.getTime() + deps.coolDownSeconds * 1000).toISOString();
        const moved = await deps.audit.appendWith(
          {
            ...auditSubject(request),
            type: 'CoolDownStarted',
            actor: 'system',
            details: { resetAt },
          },
          [deps.store.move(requestId, { from: ['APPROVED'], to: 'COOLING_DOWN', set: { resetAt } })],
        );
        if (moved) return go('CoolDown', deps.coolDownSeconds);
        break;
      }
      case 'COOLING_DOWN': {
        const left = Date.parse(request.resetAt ?? '') - now.getTime();
        if (Number.isNaN(left) || left <= 0) return go('RemoveTotp');
        return go('CoolDown', Math.max(1, Math.ceil(left / 1000)));
      }
      case 'REMOVING':
      case 'REMOVED':
        return go('RemoveTotp');
      case 'STARTED': {
        // Proved with the password and a saved recovery code: confirmed without an emailed code.
        if (request.proof !== 'RECOVERY_CODE') return go('Finish');
        const confirmed = await deps.audit.appendWith(
          {
            ...auditSubject(request),
            type: 'RecoveryConfirmed',
            actor: `user:${request.username}`,
            details: { proof: 'RECOVERY_CODE' },
          },
          [deps.store.move(requestId, { from: ['STARTED'], to: 'CONFIRMED' })],
        );
        if (confirmed) return go(request.needsApproval === false ? 'RemoveTotp' : 'AwaitApproval');
        break;
      }
      default:
        // No code was ever sent, so nothing can be waiting; Finish ends it as FAILED.
        return go('Finish');
    }
  }
  throw new Error(`request ${requestId} kept changing while the workflow advanced it`);
}
