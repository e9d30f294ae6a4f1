import type { FunctionName } from '../functions/catalog';

/** Item actions on the recoveries table, each granted only to the functions whose code makes it. */
export type RecoveryItemAction = 'GetItem' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'ConditionCheckItem';

/**
 * What a function may do; each maps to the narrowest IAM statement for it (recovery-functions.ts).
 * `cognito:` actions apply to the user pool, `staff-cognito:` ones to the pool staff sign in to.
 */
export type Need =
  | `recoveries:${RecoveryItemAction}`
  | 'recoveries:query-by-status'
  | 'recoveries:query-request'
  | 'audit:append'
  | 'audit:read'
  | 'audit:query-by-user'
  | 'states:start'
  | 'states:callback'
  | 'ses:send'
  | 'pepper:read'
  | 'events:put'
  | 'sms:send'
  | `cognito:${CognitoAction}`
  | `staff-cognito:${CognitoAction}`;

export type CognitoAction =
  | 'AdminInitiateAuth'
  | 'AdminGetUser'
  | 'ListUsers'
  | 'AdminListGroupsForUser'
  | 'AdminListUserAuthEvents'
  | 'AdminDeleteSoftwareToken'
  | 'AdminSetUserMFAPreference'
  | 'DescribeUserPool'
  | 'AdminUserGlobalSignOut'
  | 'AdminListDevices'
  | 'AdminForgetDevice';

// Every function that writes audit events appends to its chain, moving the chain head its request
// item keeps (GetItem to read it, UpdateItem to move it); the table's stream publishes the events.
const AUDITED: Need[] = ['audit:append', 'recoveries:GetItem', 'recoveries:UpdateItem'];
// A workflow step reads its request and moves it on (the same item actions).
const STEP: Need[] = [...AUDITED];
// Ending a request also frees its slot (DeleteItem) and keeps its outcome for the next risk check.
const ENDING: Need[] = [...STEP, 'recoveries:PutItem', 'recoveries:DeleteItem', 'ses:send', 'sms:send'];
// Before its Cognito calls a function takes the product's Cognito budget: one conditional UpdateItem
// on the second's budget item (functions/domain/cognito-budget.ts). STEP already holds it.
const COGNITO_BUDGET: Need[] = ['recoveries:UpdateItem'];

/**
 * Each function's permissions, derived from the SDK calls its code makes (functions/adapters/) and
 * checked against the calls of the whole end-to-end run (test/e2e/zz-run-invariants.test.ts): every
 * call must be allowed, every grant used or listed in KEPT_GRANTS. A Record over the catalog: a new
 * function does not compile until its needs are written here.
 */
export const FUNCTION_NEEDS: Record<FunctionName, readonly Need[]> = {
  'start-recovery': [
    ...STEP,
    'recoveries:PutItem',
    'recoveries:DeleteItem',
    'states:start',
    'pepper:read',
    'cognito:AdminInitiateAuth',
    'cognito:AdminGetUser',
    'cognito:ListUsers',
  ],
  // A request and its challenge are read in one query of the request's partition (query-request).
  'confirm-recovery': [
    ...STEP,
    'recoveries:query-request',
    'recoveries:ConditionCheckItem',
    'states:callback',
    'pepper:read',
  ],
  'cancel-recovery': [
    ...STEP,
    'recoveries:query-request',
    'recoveries:DeleteItem',
    'states:callback',
    'pepper:read',
  ],
  'get-recovery': ['recoveries:query-request'],
  web: [],
  'look-up-user': [...STEP, 'cognito:AdminGetUser', 'cognito:AdminListGroupsForUser'],
  // The request and its challenge are read in one query of the request's partition (query-request).
  'issue-code': [...STEP, 'recoveries:query-request', 'ses:send', 'sms:send', 'pepper:read'],
  'request-approval': [...STEP, 'recoveries:PutItem', 'ses:send'],
  // Only arms the cool-down's timer and tells the user: the decision before it was audited.
  'start-cool-down': ['recoveries:GetItem', 'recoveries:UpdateItem', 'ses:send'],
  // Each decision and claim checks the decider live, in the staff pool: GetUser (the sign-in,
  // authorised by the token itself, no IAM action), AdminGetUser (enabled, verified contacts) and
  // AdminListGroupsForUser (the group now). The list reads each requester in the user pool (the
  // account, its groups, threat protection's sign-in events), the account's earlier requests in the
  // audit table's by-sub index, and the wrong-password counter (GetItem).
  'support-approvals': [
    ...STEP,
    'recoveries:query-by-status',
    'states:callback',
    'audit:query-by-user',
    'staff-cognito:AdminGetUser',
    'staff-cognito:AdminListGroupsForUser',
    'cognito:AdminGetUser',
    'cognito:AdminListGroupsForUser',
    'cognito:AdminListUserAuthEvents',
  ],
  'audit-api': ['audit:read'],
  // The codes item (Get, Put) and the sign-in checked live with GetUser (the token, no IAM action),
  // within the Cognito budget.
  'recovery-codes': [
    ...AUDITED,
    ...COGNITO_BUDGET,
    'recoveries:GetItem',
    'recoveries:PutItem',
    'pepper:read',
    'ses:send',
    'sms:send',
  ],
  'remove-totp': [
    ...STEP,
    'cognito:AdminDeleteSoftwareToken',
    'cognito:DescribeUserPool',
    'cognito:AdminSetUserMFAPreference',
    'cognito:AdminGetUser',
  ],
  'sign-out-user': [
    ...AUDITED,
    ...COGNITO_BUDGET,
    'recoveries:GetItem',
    'cognito:AdminUserGlobalSignOut',
    'cognito:AdminListDevices',
    'cognito:AdminForgetDevice',
  ],
  // AdminGetUser: a failure after REMOVING began is checked against the pool before it is told.
  'finish-recovery': [...ENDING, 'cognito:AdminGetUser'],
  'advance-recovery': [...STEP],
  'reconcile-recovery': [...ENDING, 'cognito:AdminGetUser'],
  // Reading the audit table's stream is granted by its event source mapping (KEPT_GRANTS); linking
  // each request into its day's chain reads the shard's head and puts the link (audit:append).
  'publish-audit-events': ['events:put', 'audit:append'],
};

/**
 * Grants the IAM check (test/e2e/zz-run-invariants.test.ts) finds unused in the end-to-end run, each
 * with the reason it stays. Everything else granted must be used by some call of the run.
 */
export const KEPT_GRANTS: readonly {
  readonly principal: string;
  readonly action: string;
  readonly resource?: string;
  readonly reason: string;
}[] = [
  {
    principal: '*',
    action: 'xray:*',
    reason:
      'Active tracing: the Lambda runtime and Step Functions send trace segments, not the product code.',
  },
  {
    principal: 'reconcile-recovery',
    action: 'cognito-idp:AdminGetUser',
    reason:
      'An execution that stopped while REMOVING is checked against the pool before its outcome is told; the reconciled executions of the run stopped elsewhere (the same path of finish-recovery is exercised).',
  },
  {
    principal: 'reconcile-recovery',
    action: 'sns:Publish',
    reason:
      'Texts the ending of a reconciled request to a verified phone; the reconciled requests of the run belong to users without one (finish-recovery texts are exercised).',
  },
  {
    principal: '*',
    action: 'dynamodb:Query',
    resource: 'arn:*:dynamodb:*:*:table/*-audit',
    reason:
      'An append reads its chain from the audit table only when the head its request item keeps is behind (a writer that did not move it: an older version still running during a deployment) or the chain has no request item; in the run the workflow steps always found their head current.',
  },
  {
    principal: 'confirm-recovery',
    action: 'dynamodb:GetItem',
    resource: 'arn:*:dynamodb:*:*:table/*-recoveries',
    reason:
      'The request and its challenge are read in one query; the request is read again only when the wait token read before the decision belonged to a task that had closed, or an append finds no chain head in its invocation; in the run neither happened to a confirmation.',
  },
  {
    principal: 'issue-code',
    action: 'dynamodb:GetItem',
    resource: 'arn:*:dynamodb:*:*:table/*-recoveries',
    reason:
      'The request is read with its challenge in one query; its item is read alone only when that query found no chain head (a request stored before heads, met during the deployment that adds them); no such request exists in the run.',
  },
  {
    principal: 'sign-out-user',
    action: 'cognito-idp:AdminForgetDevice',
    reason: 'Forgets each device the user let Cognito remember; the test users remember none.',
  },
  {
    principal: '*',
    action: 'ses:SendEmail',
    resource: 'arn:*:ses:*:*:configuration-set/*',
    reason:
      'With createEmailIdentity the sending identity names the configuration set as its default, and SES then authorises each send against it too; the local SES has no configuration sets.',
  },
  {
    principal: 'publish-audit-events',
    action: 'dynamodb:ListStreams',
    reason:
      'Granted with the audit stream’s event source mapping for Lambda’s poller, which reads the stream as the function’s role; the local poller knows its stream from the table (its DescribeStream, GetShardIterator and GetRecords are recorded and checked).',
  },
  {
    principal: 'publish-audit-events',
    action: 'sqs:*',
    reason:
      'Lambda sends where a batch that kept failing was in the stream to the on-failure queue, as the function’s role; the local stack has no SQS (its poller logs the dead letter).',
  },
  {
    principal: 'state-machine',
    action: 'kms:*',
    reason:
      'Step Functions itself encrypts and decrypts the execution data with the workflow key, as the role (scoped by encryption context to this state machine).',
  },
  {
    principal: 'state-machine',
    action: 'logs:*',
    reason:
      'Step Functions delivers the execution logs to the log group on the role’s behalf (these actions take no resource).',
  },
];
