import { resolve } from 'node:path';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import { UserPoolClient } from 'aws-cdk-lib/aws-cognito';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { ConfigurationSet, EmailIdentity, Identity } from 'aws-cdk-lib/aws-ses';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { type FunctionName, functionCatalog } from '../functions/catalog';
import { brandEnvironment } from '../functions/domain/brand';
import { RecoveryAlarms } from './constructs/recovery-alarms';
import { RecoveryApi } from './constructs/recovery-api';
import { RecoveryDashboard } from './constructs/recovery-dashboard';
import { RecoveryEdge } from './constructs/recovery-edge';
import { RecoveryEventStream } from './constructs/recovery-event-stream';
import { logoInBundle, RecoveryFunctions, stateMachineArnOf } from './constructs/recovery-functions';
import { RecoveryReconciler } from './constructs/recovery-reconciler';
import { RecoveryTables } from './constructs/recovery-tables';
import { RecoveryWorkflow } from './constructs/recovery-workflow';
import { resolveSettings, type TotpRecoveryProps } from './props';

/**
 * Self-service recovery of a lost TOTP authenticator for an existing Cognito user pool: the pages,
 * the recovery API, the Step Functions workflow, support approval and the audit trail.
 */
export class TotpRecovery extends Construct {
  /** Where users, support staff and auditors go (`/`, `/support`, `/audit`). */
  readonly url: string;
  readonly stateMachine: StateMachine;
  readonly tables: RecoveryTables;
  /** The product's public client of the user pool (re-enrolment, recovery codes). */
  readonly enrollClient: IUserPoolClient;
  /** The pool staff sign in to: `staffUserPool`, or the user pool. */
  readonly staffUserPool: IUserPool;
  /** The app client staff sign in with (support console, audit viewer, CLI). */
  readonly staffClient: IUserPoolClient;
  readonly eventBus: EventBus;
  /** Every function of the product, by catalog name. */
  readonly functions: Readonly<Record<FunctionName, IFunction>>;
  /** The HMAC pepper (codes, cancel tokens). */
  readonly pepper: ISecret;

  constructor(scope: Construct, id: string, props: TotpRecoveryProps) {
    super(scope, id);
    const settings = resolveSettings(props);
    const stack = Stack.of(this);
    const logRetention = props.logRetention ?? RetentionDays.ONE_YEAR;

    this.tables = new RecoveryTables(this, 'Tables', {
      auditTableRemovalPolicy: props.auditTableRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.eventBus = new EventBus(this, 'Events', { eventBusName: `${stack.stackName}-totp-recovery` });
    const pepper = new Secret(this, 'Pepper', {
      description: 'HMAC key for recovery codes and cancel tokens',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    Validations.of(pepper).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SMG4',
      reason:
        'Rotating the HMAC pepper would invalidate every pending code and cancel link at once; rotate by hand in a quiet window (docs/deploy.md).',
    });
    const key = new Key(this, 'WorkflowKey', {
      description: 'Encrypts the recovery workflow’s execution data',
      enableKeyRotation: true,
    });
    // The product's own client: proves the password server-side, never hands tokens to anyone.
    const passwordProof = new UserPoolClient(this, 'PasswordProofClient', {
      userPool: props.userPool,
      authFlows: { adminUserPassword: true },
      generateSecret: false,
      disableOAuth: true,
      preventUserExistenceErrors: true,
    });
    // The product's public client for the re-enrolment page: the user signs in from the browser.
    this.enrollClient = browserClient(this, 'EnrollClient', props.userPool, Duration.hours(1));
    const staffUserPool = props.staffUserPool ?? props.userPool;
    this.staffUserPool = staffUserPool;
    this.staffClient = browserClient(this, 'StaffClient', staffUserPool, Duration.hours(12));

    const configurationSet = new ConfigurationSet(this, 'Mail', { reputationMetrics: true });
    const domain = props.fromAddress.split('@')[1] as string;
    if (props.createEmailIdentity) {
      new EmailIdentity(this, 'MailIdentity', { identity: Identity.domain(domain), configurationSet });
    }
    const identityArn = (name: string) =>
      stack.formatArn({ service: 'ses', resource: 'identity', resourceName: name });
    const sendingIdentityArns = [
      identityArn(domain),
      identityArn(props.fromAddress),
      stack.formatArn({
        service: 'ses',
        resource: 'configuration-set',
        resourceName: configurationSet.configurationSetName,
      }),
    ];

    const stateMachineName = `${stack.stackName}-totp-recovery`;
    const stateMachineArn = stateMachineArnOf(this, stateMachineName);
    const functions = new RecoveryFunctions(this, 'Functions', {
      userPool: props.userPool,
      staffUserPool,
      recoveries: this.tables.recoveries,
      audit: this.tables.audit,
      eventBus: this.eventBus,
      pepper,
      stateMachineArn,
      sendingIdentityArns,
      logRetention,
      ...(props.brand?.logo ? { logoFile: resolve(props.brand.logo) } : {}),
      environment: {
        RECOVERY_TABLE_NAME: this.tables.recoveries.tableName,
        AUDIT_TABLE_NAME: this.tables.audit.tableName,
        USER_POOL_ID: props.userPool.userPoolId,
        STAFF_USER_POOL_ID: staffUserPool.userPoolId,
        PASSWORD_PROOF_CLIENT_ID: passwordProof.userPoolClientId,
        STAFF_CLIENT_ID: this.staffClient.userPoolClientId,
        ENROLL_CLIENT_ID: this.enrollClient.userPoolClientId,
        ...(props.productName ? { PRODUCT_NAME: props.productName } : {}),
        // The brand's own product name, when set, wins over the older top-level prop.
        ...(props.appSignInUrl ? { APP_SIGN_IN_URL: props.appSignInUrl } : {}),
        ...brandEnvironment(
          props.brand ?? {},
          props.brand?.logo ? logoInBundle(props.brand.logo) : undefined,
        ),
        STATE_MACHINE_ARN: stateMachineArn,
        FROM_ADDRESS: props.fromAddress,
        SUPPORT_EMAIL: props.supportEmail,
        PEPPER_SECRET_ARN: pepper.secretArn,
        EVENT_BUS_NAME: this.eventBus.eventBusName,
        CODE_TTL_SECONDS: String(settings.codeTtlSeconds),
        MAX_CODE_ATTEMPTS: String(settings.maxCodeAttempts),
        USER_REQUEST_LIMIT: String(settings.userRequestLimit),
        USER_REQUEST_WINDOW_SECONDS: String(settings.userRequestWindowSeconds),
        IP_REQUEST_LIMIT: String(settings.ipRequestLimit),
        IP_REQUEST_WINDOW_SECONDS: String(settings.ipRequestWindowSeconds),
        COGNITO_BUDGET: settings.cognitoBudgetJson,
        RISK_POLICY: settings.riskPolicyJson,
        APPROVAL_TIMEOUT_SECONDS: String(settings.approvalTimeoutSeconds),
        COOL_DOWN_SECONDS: String(settings.coolDownSeconds),
        PRIVILEGED_APPROVALS: String(settings.privilegedApprovals),
        VERIFICATION_CHECKLIST: settings.verificationChecklistJson,
        SUPPORT_GROUP: settings.supportGroup,
        AUDITOR_GROUP: settings.auditorGroup,
      },
    });

    const recoveryApi = new RecoveryApi(this, 'Api', {
      functions: functions.byName,
      staffUserPool,
      staffClient: this.staffClient,
      userPool: props.userPool,
      userClientIds: [this.enrollClient.userPoolClientId, ...(props.appClientIds ?? [])],
      throttle: props.apiThrottle ?? { rate: 50, burst: 100 },
      logRetention,
      // Behind CloudFront, the custom domain is CloudFront's; the API keeps its execute-api name.
      ...(props.domain && !props.edge ? { domain: props.domain } : {}),
    });
    const edge = props.edge
      ? new RecoveryEdge(this, 'Edge', {
          httpApi: recoveryApi.httpApi,
          ...(props.domain ? { domain: props.domain } : {}),
          ...props.edge,
        })
      : undefined;
    this.url = edge?.url ?? recoveryApi.url;
    // Links in emails point at the pages, at the public address.
    for (const fn of Object.values(functions.byName)) {
      fn.addEnvironment('PUBLIC_BASE_URL', this.url);
      if (edge) fn.addEnvironment('ORIGIN_VERIFY', edge.originVerify);
    }
    this.functions = functions.byName;
    this.pepper = pepper;

    const workflowFunctions = Object.fromEntries(
      Object.entries(functionCatalog).flatMap(([name, spec]) =>
        'substitution' in spec
          ? [[spec.substitution, functions.byName[name as keyof typeof functionCatalog]]]
          : [],
      ),
    );
    this.stateMachine = new RecoveryWorkflow(this, 'Workflow', {
      stateMachineName,
      functions: workflowFunctions,
      key,
      logRetention,
    }).stateMachine;

    const reconciler = new RecoveryReconciler(this, 'Reconciler', {
      stateMachine: this.stateMachine,
      reconciler: functions.byName['reconcile-recovery'],
    });

    const eventStream = new RecoveryEventStream(this, 'EventStream', {
      audit: this.tables.audit,
      publisher: functions.byName['publish-audit-events'],
    });

    new RecoveryDashboard(this, 'Dashboard', {
      dashboardName: `${stack.stackName}-totp-recovery`,
      functions: functions.byName,
      logGroups: functions.logGroups,
    });
    new RecoveryAlarms(this, 'Alarms', {
      stateMachine: this.stateMachine,
      reconcilerDeadLetters: reconciler.deadLetterQueue,
      auditEventDeadLetters: eventStream.deadLetterQueue,
      httpApi: recoveryApi.httpApi,
      ...(props.alarmTopic ? { topic: props.alarmTopic } : {}),
    });
  }
}

/**
 * A public app client that signs people in from the browser with USER_PASSWORD_AUTH: no secret, no
 * OAuth, no user-existence errors, one-hour tokens; `refreshFor` bounds the session.
 */
function browserClient(
  scope: Construct,
  id: string,
  userPool: IUserPool,
  refreshFor: Duration,
): UserPoolClient {
  return new UserPoolClient(scope, id, {
    userPool,
    authFlows: { userPassword: true },
    generateSecret: false,
    disableOAuth: true,
    preventUserExistenceErrors: true,
    accessTokenValidity: Duration.hours(1),
    idTokenValidity: Duration.hours(1),
    refreshTokenValidity: refreshFor,
  });
}
