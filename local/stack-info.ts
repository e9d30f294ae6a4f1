import type { SeededUser } from './seed/user-pool';

/** What `.local/stack.json` holds: the contract tools outside the repo rely on (see README). */
export interface StackInfo {
  readonly apiUrl: string;
  readonly region: string;
  readonly accountId: string;
  readonly userPoolId: string;
  /** The pool staff sign in to: the user pool, unless staff have a pool of their own. */
  readonly staffUserPoolId: string;
  /** The app's sign-in client (USER_PASSWORD_AUTH), as a sign-in page would use. */
  readonly userPoolClientId: string;
  /** The product's own client for the password proof (ADMIN_USER_PASSWORD_AUTH only). */
  readonly passwordProofClientId: string;
  /** The product's public client of the user pool: re-enrolment and recovery codes. */
  readonly enrollClientId: string;
  /** The client staff sign in with (support console, audit viewer, CLI): in the staff pool. */
  readonly staffClientId: string;
  readonly poolMfa: 'ON' | 'OPTIONAL' | 'OFF';
  readonly stateMachineArn: string;
  /** The address the product sends from; its domain is a verified identity of the local SES. */
  readonly fromAddress: string;
  readonly mailboxUrl: string;
  readonly tables: { readonly recoveries: string; readonly audit: string };
  readonly endpoints: {
    readonly dynamodb: string;
    readonly ses: string;
    readonly cognito: string;
    readonly stepfunctions: string;
    readonly eventbridge: string;
    readonly secretsmanager: string;
    readonly sns: string;
  };
  /** Every text message the product sent (`GET`, JSON `{"messages":[{to,text,at}]}`), as the mailbox for email. */
  readonly smsUrl: string;
  /** The HMAC pepper's secret in the local Secrets Manager (rotate it with PutSecretValue). */
  readonly pepperSecretArn: string;
  /** Every event the product published to its bus (the local EventBridge recorder). */
  readonly eventsUrl: string;
  readonly jwksUrl: string;
  /** What the product's functions printed (the local stand-in for CloudWatch Logs). */
  readonly logFile: string;
  readonly users: readonly SeededUser[];
}
