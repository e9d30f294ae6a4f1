import type { FunctionName } from '../functions/catalog';

/** What a function may do; each maps to the narrowest IAM statement for it (recovery-functions.ts). */
export type Need =
  | 'recoveries:read'
  | 'recoveries:write'
  | 'audit:append'
  | 'audit:read'
  | 'states:start'
  | 'states:callback'
  | 'ses:send'
  | 'pepper:read'
  | 'events:put'
  | `cognito:${CognitoAction}`;

export type CognitoAction =
  | 'AdminInitiateAuth'
  | 'AdminGetUser'
  | 'ListUsers'
  | 'AdminListGroupsForUser'
  | 'AdminDeleteSoftwareToken'
  | 'AdminSetUserMFAPreference'
  | 'DescribeUserPool'
  | 'AdminUserGlobalSignOut'
  | 'AdminListDevices'
  | 'AdminForgetDevice';

// Every function that writes audit events also publishes them.
const AUDITED: Need[] = ['recoveries:write', 'audit:append', 'events:put'];

/**
 * Each function's permissions, derived from the SDK calls its code makes (functions/adapters/). A
 * Record over the catalog: a new function does not compile until its needs are written here.
 */
export const FUNCTION_NEEDS: Record<FunctionName, readonly Need[]> = {
  'start-recovery': [
    ...AUDITED,
    'states:start',
    'cognito:AdminInitiateAuth',
    'cognito:AdminGetUser',
    'cognito:ListUsers',
  ],
  'confirm-recovery': [...AUDITED, 'states:callback', 'pepper:read'],
  'cancel-recovery': [...AUDITED, 'states:callback', 'pepper:read'],
  'get-recovery': ['recoveries:read'],
  web: [],
  'look-up-user': [...AUDITED, 'cognito:AdminGetUser', 'cognito:AdminListGroupsForUser'],
  'assess-risk': [...AUDITED],
  'issue-code': [...AUDITED, 'ses:send', 'pepper:read'],
  'request-approval': [...AUDITED, 'ses:send'],
  'start-cool-down': [...AUDITED, 'ses:send'],
  // Each decision checks the decider live: GetUser (the sign-in, authorised by the token itself, no
  // IAM action), AdminGetUser (enabled, verified contacts) and AdminListGroupsForUser (the group now).
  'support-approvals': [
    ...AUDITED,
    'states:callback',
    'cognito:AdminGetUser',
    'cognito:AdminListGroupsForUser',
  ],
  'audit-api': ['audit:read'],
  'remove-totp': [
    ...AUDITED,
    'cognito:AdminDeleteSoftwareToken',
    'cognito:DescribeUserPool',
    'cognito:AdminSetUserMFAPreference',
    'cognito:AdminGetUser',
  ],
  'sign-out-user': [
    ...AUDITED,
    'cognito:AdminUserGlobalSignOut',
    'cognito:AdminListDevices',
    'cognito:AdminForgetDevice',
  ],
  // AdminGetUser: a failure after REMOVING began is checked against the pool before it is told.
  'finish-recovery': [...AUDITED, 'ses:send', 'cognito:AdminGetUser'],
  'advance-recovery': [...AUDITED],
  'reconcile-recovery': [...AUDITED, 'ses:send', 'cognito:AdminGetUser'],
};
