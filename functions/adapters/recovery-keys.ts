/** Item keys of the recovery table (single-table design; see functions/shared/table-schemas.ts). */
export const keys = {
  request: (requestId: string) => ({ pk: `REQ#${requestId}`, sk: 'META' }),
  challenge: (requestId: string) => ({ pk: `REQ#${requestId}`, sk: 'CHALLENGE' }),
  approval: (requestId: string) => ({ pk: `REQ#${requestId}`, sk: 'APPROVAL' }),
  coolDown: (requestId: string) => ({ pk: `REQ#${requestId}`, sk: 'COOL_DOWN' }),
  activeRecovery: (sub: string) => ({ pk: `USER#${sub}`, sk: 'ACTIVE' }),
  lastCompleted: (sub: string) => ({ pk: `USER#${sub}`, sk: 'LAST_COMPLETED' }),
  userRate: (username: string) => ({ pk: `RATE#USER#${username.toLowerCase()}`, sk: 'SLOTS' }),
  ipRate: (ip: string) => ({ pk: `RATE#IP#${ip}`, sk: 'SLOTS' }),
  failedPasswords: (username: string) => ({ pk: `RATE#PWFAIL#${username.toLowerCase()}`, sk: 'SLOTS' }),
};
