import type { RecoveryRequest } from './recovery-store';

/** Item keys of the recovery table (single-table design; see functions/shared/table-schemas.ts). */
export const keys = {
  request: (requestId: string) => ({ pk: `REQ#${requestId}`, sk: 'META' }),
  challenge: (requestId: string) => ({ pk: `REQ#${requestId}`, sk: 'CHALLENGE' }),
  approval: (requestId: string) => ({ pk: `REQ#${requestId}`, sk: 'APPROVAL' }),
  /** The one active password-proven recovery of a user. */
  activeRecovery: (sub: string) => ({ pk: `USER#${sub}`, sk: 'ACTIVE' }),
  /** The one active anonymous ("I also lost my password") recovery of a user: never shared with the above. */
  activeAnonymous: (sub: string) => ({ pk: `USER#${sub}`, sk: 'ACTIVE_ANONYMOUS' }),
  lastCompleted: (sub: string) => ({ pk: `USER#${sub}`, sk: 'LAST_COMPLETED' }),
  /** The user's saved recovery codes, as HMACs; a new set replaces the item. */
  recoveryCodes: (sub: string) => ({ pk: `USER#${sub}`, sk: 'RECOVERY_CODES' }),
  /** Tries of a saved recovery code, right or wrong, per user: a budget of their own. */
  recoveryCodeTries: (sub: string) => ({ pk: `RATE#CODES#${sub}`, sk: 'SLOTS' }),
  userRate: (username: string) => ({ pk: `RATE#USER#${username.toLowerCase()}`, sk: 'SLOTS' }),
  /** Anonymous requests have a budget of their own, so they can never use up a password-proven one. */
  anonymousRate: (username: string) => ({ pk: `RATE#ANON#${username.toLowerCase()}`, sk: 'SLOTS' }),
  ipRate: (ip: string) => ({ pk: `RATE#IP#${ip}`, sk: 'SLOTS' }),
  failedPasswords: (username: string) => ({ pk: `RATE#PWFAIL#${username.toLowerCase()}`, sk: 'SLOTS' }),
};

/** The active-recovery slot a request holds: anonymous and password-proven requests never share one. */
export const activeSlotOf = (request: Pick<RecoveryRequest, 'proof' | 'sub'>) =>
  request.proof === 'NONE' ? keys.activeAnonymous(request.sub) : keys.activeRecovery(request.sub);
