/**
 * Every audit event type the product writes or has written (docs/events.md). The audit API and the
 * CLI accept only these as a filter; a unit test keeps docs/events.schema.json in step.
 */
export const AUDIT_EVENT_TYPES = [
  'RecoveryRequested',
  'RecoveryRequestRepeated',
  'UserLookedUp',
  'RiskAssessed',
  'CodeSent',
  'CodeRejected',
  'CodeConfirmed',
  'RecoveryConfirmed',
  'RecoveryCodeUsed',
  'RecoveryCodesIssued',
  'AuthenticatorAdded',
  'CancelRequested',
  'ApprovalRequested',
  'Approved',
  'Denied',
  'CoolDownStarted',
  'RemovalStarted',
  'TotpRemoved',
  'UserSignedOut',
  'RecoveryCompleted',
  'RecoveryExpired',
  'RecoveryLocked',
  'RecoveryCancelled',
  'RecoveryDenied',
  'RecoveryIgnored',
  'RecoveryFailed',
  'RecoverySignOutIncomplete',
  'RecoveryAborted',
] as const;

export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];
