/** One Lambda function of the product: where its code is and how the workflow refers to it. */
export interface FunctionSpec {
  /** Handler module, relative to the repository root; it exports `handler`. */
  readonly entry: string;
  readonly description: string;
  /** @default 30 */
  readonly timeoutSeconds?: number;
  /** DefinitionSubstitutions key the state machine uses for this function's ARN. */
  readonly substitution?: string;
}

/** One HTTP API route and the function behind it. */
export interface RouteSpec {
  readonly routeKey: string;
  readonly functionName: FunctionName;
  /**
   * `cognito-jwt`: staff routes, an access token of the staff client (staff pool), checked by the
   * HTTP API's JWT authorizer. `user-jwt`: a user's own routes, an access token of an app client of
   * the user pool (the operator's, or the product's enrolment client).
   */
  readonly auth: 'none' | 'cognito-jwt' | 'user-jwt';
}

/** Every function of the product, keyed by its local name (also the CDK construct id). */
export const functionCatalog = {
  'start-recovery': {
    entry: 'functions/handlers/start-recovery.ts',
    description: 'POST /recoveries: proves the password, applies rate limits, starts the workflow',
  },
  'confirm-recovery': {
    entry: 'functions/handlers/confirm-recovery.ts',
    description: 'POST /recoveries/{requestId}/confirm: checks the emailed code and resumes the workflow',
  },
  'cancel-recovery': {
    entry: 'functions/handlers/cancel-recovery.ts',
    description: 'POST /recoveries/{requestId}/cancel: the "this was not me" link',
  },
  'get-recovery': {
    entry: 'functions/handlers/get-recovery.ts',
    description: 'GET /recoveries/{requestId}: the requester-facing status',
  },
  web: {
    entry: 'functions/handlers/web.ts',
    description:
      'The pages people use: lost-device form, code confirmation and status, cancel, support console, audit viewer',
  },
  'look-up-user': {
    entry: 'functions/handlers/look-up-user.ts',
    description: 'Workflow: reads the user from the pool, decides eligibility and scores the request',
    substitution: 'LookUpUserFunctionArn',
  },
  'advance-recovery': {
    entry: 'functions/handlers/advance-recovery.ts',
    description:
      'Workflow: after each wait, decides the next step from the stored state (and expires what nobody decided)',
    substitution: 'AdvanceRecoveryFunctionArn',
  },
  'issue-code': {
    entry: 'functions/handlers/issue-code.ts',
    description: 'Workflow: stores the hashed code with the task token and emails the code',
    substitution: 'IssueCodeFunctionArn',
  },
  'request-approval': {
    entry: 'functions/handlers/request-approval.ts',
    description: 'Workflow: records a pending approval for a high-risk request and tells support',
    substitution: 'RequestApprovalFunctionArn',
  },
  'start-cool-down': {
    entry: 'functions/handlers/start-cool-down.ts',
    description: 'Workflow: tells the user when the approved reset happens; the cancel link still works',
    substitution: 'StartCoolDownFunctionArn',
  },
  'support-approvals': {
    entry: 'functions/handlers/support-approvals.ts',
    description: 'Support API: list approvals with what a decision needs, claim, approve, deny',
  },
  'audit-api': {
    entry: 'functions/handlers/audit-api.ts',
    description: 'Auditor API: query, export, summarize and verify the audit trail',
  },
  'remove-totp': {
    entry: 'functions/handlers/remove-totp.ts',
    description: 'Workflow: removes the TOTP factor and verifies it is gone',
    substitution: 'RemoveTotpFunctionArn',
  },
  'sign-out-user': {
    entry: 'functions/handlers/sign-out-user.ts',
    description: 'Workflow: signs the user out everywhere and forgets remembered devices',
    substitution: 'SignOutUserFunctionArn',
  },
  'finish-recovery': {
    entry: 'functions/handlers/finish-recovery.ts',
    description: 'Workflow: writes the terminal audit record, notifies the user, releases the slot',
    substitution: 'FinishRecoveryFunctionArn',
  },
  'recovery-codes': {
    entry: 'functions/handlers/recovery-codes.ts',
    description:
      'POST /recovery-codes and GET /recovery-codes/status: a signed-in user’s saved recovery codes',
  },
  'reconcile-recovery': {
    entry: 'functions/handlers/reconcile-recovery.ts',
    description:
      'EventBridge: ends the request of an execution that failed, timed out or was stopped, and frees its slot',
  },
  'publish-audit-events': {
    entry: 'functions/handlers/publish-audit-events.ts',
    description:
      "DynamoDB stream: publishes each audit event written to the audit table to the product's event bus",
  },
} as const satisfies Record<string, FunctionSpec>;

export type FunctionName = keyof typeof functionCatalog;

/** The product's HTTP API, the same in AWS (API Gateway HTTP API) and locally. */
export const apiRoutes: readonly RouteSpec[] = [
  { routeKey: 'POST /recoveries', functionName: 'start-recovery', auth: 'none' },
  { routeKey: 'POST /recoveries/{requestId}/confirm', functionName: 'confirm-recovery', auth: 'none' },
  { routeKey: 'POST /recoveries/{requestId}/cancel', functionName: 'cancel-recovery', auth: 'none' },
  { routeKey: 'GET /recoveries/{requestId}', functionName: 'get-recovery', auth: 'none' },
  { routeKey: 'GET /support/approvals', functionName: 'support-approvals', auth: 'cognito-jwt' },
  {
    routeKey: 'POST /support/approvals/{requestId}/approve',
    functionName: 'support-approvals',
    auth: 'cognito-jwt',
  },
  {
    routeKey: 'POST /support/approvals/{requestId}/deny',
    functionName: 'support-approvals',
    auth: 'cognito-jwt',
  },
  {
    routeKey: 'POST /support/approvals/{requestId}/claim',
    functionName: 'support-approvals',
    auth: 'cognito-jwt',
  },
  { routeKey: 'POST /recovery-codes', functionName: 'recovery-codes', auth: 'user-jwt' },
  { routeKey: 'GET /recovery-codes/status', functionName: 'recovery-codes', auth: 'user-jwt' },
  { routeKey: 'POST /authenticator-notices', functionName: 'recovery-codes', auth: 'user-jwt' },
  { routeKey: 'GET /audit/events', functionName: 'audit-api', auth: 'cognito-jwt' },
  { routeKey: 'GET /audit/export', functionName: 'audit-api', auth: 'cognito-jwt' },
  { routeKey: 'GET /audit/summary', functionName: 'audit-api', auth: 'cognito-jwt' },
  { routeKey: 'GET /audit/verify', functionName: 'audit-api', auth: 'cognito-jwt' },
  { routeKey: 'GET /', functionName: 'web', auth: 'none' },
  { routeKey: 'GET /recover/{requestId}', functionName: 'web', auth: 'none' },
  { routeKey: 'GET /recover/{requestId}/cancel', functionName: 'web', auth: 'none' },
  { routeKey: 'GET /assets/{file}', functionName: 'web', auth: 'none' },
  { routeKey: 'GET /enroll', functionName: 'web', auth: 'none' },
  { routeKey: 'GET /recovery-codes', functionName: 'web', auth: 'none' },
  { routeKey: 'GET /support', functionName: 'web', auth: 'none' },
  { routeKey: 'GET /audit', functionName: 'web', auth: 'none' },
  // Every other path and method: a page for people, `{"message":"Not Found"}` for programs.
  { routeKey: '$default', functionName: 'web', auth: 'none' },
];
