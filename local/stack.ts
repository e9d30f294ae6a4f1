import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { CreateStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import { apiRoutes, functionCatalog } from '../functions/catalog';
import { brandEnvironment } from '../functions/domain/brand';
import { COGNITO_CATEGORIES, MAX_BUDGET_PER_SECOND } from '../functions/domain/cognito-budget';
import { RECONCILED_EXECUTION_STATUSES } from '../functions/domain/recovery-state';
import { auditTableSchema, recoveryTableSchema } from '../functions/shared/table-schemas';
import { loadDefinition } from '../statemachine/definition';
import { type ApiRoute, jsonResponse, startApiHost } from './api/http-api-host';
import { readBrandFile } from './brand-file';
import { startDynamoDbLocal } from './dynamodb/dynamodb-local';
import { startStreamPoller } from './dynamodb/stream-poller';
import { startEventRecorder } from './eventbridge';
import { FaultPlan, startFaultProxy } from './faults/fault-proxy';
import { createAwsCallRecorder, RECORDED_PLACEHOLDERS } from './iam/aws-calls';
import { createLocalInvoker } from './lambda/local-invoker';
import { LOCAL_VERIFICATION_CHECKLIST } from './local-config';
import { captureConsole } from './log-capture';
import { readRiskPolicyFile } from './risk-policy';
import { startSecretsManager } from './secrets-manager';
import { ensureTable } from './seed/tables';
import { demoUsers, isStaff, type PoolMfaMode, STAFF_POOL_NAME, seedUserPool } from './seed/user-pool';
import { startSesLocal } from './ses/ses-local';
import { startSmsRecorder } from './sns/sms-recorder';
import type { StackInfo } from './stack-info';
import { startStepFunctionsHost } from './step-functions';
import { startCognitoEmulator } from './user-pools';

export const REGION = 'us-east-1';
export const ACCOUNT_ID = '000000000000';
const STATE_MACHINE_NAME = 'totp-recovery';

const FROM_ADDRESS = 'no-reply@recovery.example.com';
const FROM_DOMAIN = FROM_ADDRESS.slice(FROM_ADDRESS.indexOf('@') + 1);
const COGNITO_SENDER_DOMAIN = 'verificationemail.com';
const TABLES = { recoveries: 'totp-recovery-recoveries', audit: 'totp-recovery-audit' } as const;
// Emulators accept any credentials; the SDK still needs some to sign requests.
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export interface LocalStackOptions {
  /** Port of the local API host; 0 picks a free one. @default 8787 */
  readonly port?: number;
  /** Keep state under `<stateDir>/data` between runs instead of in memory. @default false */
  readonly persist?: boolean;
  /** Folder for stack.json, the pepper and persisted data. @default `<repo>/.local` */
  readonly stateDir?: string;
  /** MFA mode of the seeded pool. @default 'ON' */
  readonly poolMfa?: PoolMfaMode;
  /** Extra environment for the product's handlers (tests shorten lifetimes with it). */
  readonly functionEnvironment?: Readonly<Record<string, string>>;
  /** Scale factor for Wait states and retry intervals in the workflow. @default 1 */
  readonly timeScale?: number;
  /**
   * Cognito threat protection (AUDIT, on the Plus tier) on the seeded user pool, with a few sign-ins
   * of the demo users recorded from documentation addresses (local/seed/user-pool.ts). @default false
   */
  readonly threatProtection?: boolean;
  /** Cognito operations the emulator answers as unknown (a region without them). */
  readonly disabledCognitoOperations?: readonly string[];
  /** The risk policy (JSON, same shape as the CDK prop). @default `<repo>/local/risk-policy.json` */
  readonly riskPolicyFile?: string;
  /** The brand and languages (JSON, same shape as the CDK prop `brand`). @default `<repo>/local/brand.json` */
  readonly brandFile?: string;
  /**
   * Put a fault-injecting proxy between the functions and each emulator (tests make dependencies
   * throttle, fail or hang through `RunningLocalStack.faults`). @default false
   */
  readonly faultInjection?: boolean;
  /**
   * Record every AWS call each function makes (action and resource ARN, never a body) into
   * `<stateDir>/logs/aws-calls.jsonl`, for the IAM check against the synthesized template. @default false
   */
  readonly recordAwsCalls?: boolean;
  /**
   * Seed staff (support, auditors) in a pool of their own, as with the `staffUserPool` prop: the
   * user pool then holds only customers. @default false - one pool, as by default in AWS
   */
  readonly separateStaffPool?: boolean;
}

export interface RunningLocalStack {
  readonly info: StackInfo;
  /** Where `stack.json` was written. */
  readonly stackFile: string;
  /** Stops every service; safe to call more than once. */
  stop(): Promise<void>;
  /** With `faultInjection`: the faults the functions' AWS calls meet. */
  readonly faults?: FaultPlan;
  /** Invokes one of the stack's functions as Lambda would: in the stack's environment, JSON in and out. */
  invoke(functionName: string, payload: unknown): Promise<unknown>;
}

const repoRoot = resolve(import.meta.dirname, '..');

/** Starts the whole local AWS stack on loopback, seeds it, and writes `stack.json`. */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<RunningLocalStack> {
  const stateDir = resolve(options.stateDir ?? join(repoRoot, '.local'));
  const riskPolicy = readRiskPolicyFile(
    options.riskPolicyFile ?? join(repoRoot, 'local', 'risk-policy.json'),
  );
  const brand = readBrandFile(options.brandFile ?? join(repoRoot, 'local', 'brand.json'));
  const dataDir = options.persist ? join(stateDir, 'data') : undefined;
  mkdirSync(dataDir ?? stateDir, { recursive: true });
  const stoppers: (() => Promise<void>)[] = [];
  const logFile = join(stateDir, 'logs', 'functions.log');
  const releaseConsole = captureConsole(logFile);
  stoppers.push(async () => releaseConsole());
  const stop = once(async () => {
    for (const stopOne of stoppers.reverse()) await stopOne().catch(() => undefined);
  });

  // Cognito's own emails (ForgotPassword codes) go through the local SES, once it is up.
  let cognitoSes: SESv2Client | undefined;
  const cognitoMail = async (to: string, subject: string, text: string) => {
    if (!cognitoSes) throw new Error('the local SES is not up yet');
    await cognitoSes.send(
      new SendEmailCommand({
        FromEmailAddress: `no-reply@${COGNITO_SENDER_DOMAIN}`,
        Destination: { ToAddresses: [to] },
        Content: { Simple: { Subject: { Data: subject }, Body: { Text: { Data: text } } } },
      }),
    );
  };

  try {
    const [dynamodb, ses, cognito] = await Promise.all([
      startDynamoDbLocal(dataDir ? { dataDir: join(dataDir, 'dynamodb') } : {}).then((s) => {
        stoppers.push(s.close);
        return s;
      }),
      // The sending domain is verified and the account is out of the sandbox, as operators set them up.
      // Cognito's own sender (verificationemail.com) too: ForgotPassword's code reaches the mailbox.
      startSesLocal({ verifiedIdentities: [FROM_DOMAIN, COGNITO_SENDER_DOMAIN] }).then((s) => {
        stoppers.push(s.close);
        return s;
      }),
      startCognitoEmulator({
        region: REGION,
        ...(dataDir ? { dataFile: join(dataDir, 'cognito.json') } : {}),
        ...(options.disabledCognitoOperations
          ? { disabledOperations: options.disabledCognitoOperations }
          : {}),
        sendEmail: (to, subject, text) => cognitoMail(to, subject, text),
      }).then((s) => {
        stoppers.push(s.close);
        return s;
      }),
    ]);

    cognitoSes = new SESv2Client({ endpoint: ses.url, region: REGION, credentials: LOCAL_CREDENTIALS });
    const ddbClient = new DynamoDBClient({
      endpoint: dynamodb.url,
      region: REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    const cognitoClient = new CognitoIdentityProviderClient({
      endpoint: cognito.url,
      region: REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    await ensureTable(ddbClient, TABLES.recoveries, recoveryTableSchema);
    await ensureTable(ddbClient, TABLES.audit, auditTableSchema);

    const seedFile = join(dataDir ?? stateDir, 'seed-secrets.json');
    const knownSecrets = dataDir && existsSync(seedFile) ? JSON.parse(readFileSync(seedFile, 'utf8')) : {};
    const separate = options.separateStaffPool ?? false;
    const pool = await seedUserPool(cognitoClient, {
      mfa: options.poolMfa ?? 'ON',
      knownSecrets,
      threatProtection: options.threatProtection ?? false,
      ...(separate ? { users: demoUsers.filter((user) => !isStaff(user)) } : {}),
    });
    const staffPool = separate
      ? await seedUserPool(cognitoClient, {
          mfa: 'ON',
          knownSecrets,
          poolName: STAFF_POOL_NAME,
          users: demoUsers.filter(isStaff),
        })
      : pool;
    const seededUsers = separate ? [...pool.users, ...staffPool.users] : pool.users;
    if (dataDir) {
      const secrets = Object.fromEntries(
        seededUsers.flatMap((u) => (u.totpSecret ? [[u.username, u.totpSecret]] : [])),
      );
      writeFileSync(seedFile, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
    }

    // Text messages (SNS Publish to a phone number) are recorded, as the mailbox records email.
    const sms = await startSmsRecorder();
    stoppers.push(sms.close);

    // The pepper lives in a local Secrets Manager, read by the functions as in AWS (and rotatable).
    const secretsManager = await startSecretsManager({
      region: REGION,
      accountId: ACCOUNT_ID,
      ...(dataDir ? { dataFile: join(dataDir, 'secrets.json') } : {}),
    });
    stoppers.push(secretsManager.close);
    const secretsClient = new SecretsManagerClient({
      endpoint: secretsManager.url,
      region: REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    const pepperSecretArn = await ensurePepper(secretsClient);

    const stateMachineArn = `arn:aws:states:${REGION}:${ACCOUNT_ID}:stateMachine:${STATE_MACHINE_NAME}`;
    const recorder = options.recordAwsCalls
      ? createAwsCallRecorder(awsCallsFileOf(logFile), {
          region: REGION,
          accountId: ACCOUNT_ID,
          stateMachineArn,
        })
      : undefined;
    recorder?.name(pool.userPoolId, RECORDED_PLACEHOLDERS.userPoolId);
    if (separate) recorder?.name(staffPool.userPoolId, RECORDED_PLACEHOLDERS.staffUserPoolId);
    recorder?.name(pepperSecretArn, RECORDED_PLACEHOLDERS.pepperSecretArn);
    const functionEnvironment: NodeJS.ProcessEnv = { ...process.env };
    const invokeLambda = createLocalInvoker({
      environment: functionEnvironment,
      functions: functionCatalog,
      region: REGION,
      accountId: ACCOUNT_ID,
      root: repoRoot,
      ...(recorder ? { recorder } : {}),
    });
    // The state machine's role invokes the functions: its calls are checked too.
    const invokeAsStateMachine: typeof invokeLambda = (functionNameOrArn, payload) => {
      recorder?.record({
        principal: 'state-machine',
        operation: 'Invoke',
        action: 'lambda:InvokeFunction',
        resource: functionNameOrArn.startsWith('arn:')
          ? functionNameOrArn
          : `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:${functionNameOrArn}`,
      });
      return invokeLambda(functionNameOrArn, payload);
    };
    // The reconciler's rule, as infra/constructs/recovery-reconciler.ts deploys it.
    const eventBus = await startEventRecorder([
      {
        matches: (event) =>
          event.source === 'aws.states' &&
          event.detailType === 'Step Functions Execution Status Change' &&
          RECONCILED_EXECUTION_STATUSES.includes(String((event.detail as { status?: unknown }).status)),
        deliver: (event) => invokeLambda('reconcile-recovery', event),
      },
    ]);
    stoppers.push(eventBus.close);
    const sfn = await startStepFunctionsHost({
      region: REGION,
      accountId: ACCOUNT_ID,
      invokeLambda: invokeAsStateMachine,
      serviceEndpoints: { dynamodb: dynamodb.url, cognitoidentityprovider: cognito.url, sesv2: ses.url },
      timeScale: options.timeScale ?? 1,
      onStatusChange: (event) => eventBus.emit(event),
    });
    stoppers.push(sfn.close);

    const sfnClient = new SFNClient({ endpoint: sfn.url, region: REGION, credentials: LOCAL_CREDENTIALS });
    const created = await sfnClient.send(
      new CreateStateMachineCommand({
        name: STATE_MACHINE_NAME,
        type: 'STANDARD',
        roleArn: `arn:aws:iam::${ACCOUNT_ID}:role/totp-recovery-state-machine`,
        definition: loadDefinition(localSubstitutions()),
      }),
    );
    if (created.stateMachineArn !== stateMachineArn) {
      throw new Error(`CreateStateMachine returned ${created.stateMachineArn}, not ${stateMachineArn}`);
    }

    const faults = options.faultInjection ? new FaultPlan() : undefined;
    const functionEndpoints = {
      dynamodb: dynamodb.url,
      ses: ses.url,
      cognito: cognito.url,
      stepfunctions: sfn.url,
      eventbridge: eventBus.url,
    };
    if (faults) {
      for (const service of ['dynamodb', 'ses', 'cognito', 'stepfunctions', 'eventbridge'] as const) {
        const proxy = await startFaultProxy(service, functionEndpoints[service], faults);
        stoppers.push(proxy.close);
        functionEndpoints[service] = proxy.url;
      }
    }

    // What every stack of this process shares: the SDK's credentials, where Powertools writes, no
    // X-Ray daemon. Everything a stack's handlers read through their configuration is the stack's own.
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      // Powertools writes through the console this process captures into logFile; no X-Ray daemon here.
      LOCAL_FUNCTION_LOGS: 'console',
      POWERTOOLS_TRACE_ENABLED: 'false',
    });
    // The handlers read their configuration from their environment, as in Lambda: this stack's, set
    // around each of its invocations (functions/shared/environment.ts), so two stacks in one process
    // each talk to their own endpoints.
    Object.assign(functionEnvironment, {
      AWS_REGION: REGION,
      RECOVERY_TABLE_NAME: TABLES.recoveries,
      AUDIT_TABLE_NAME: TABLES.audit,
      USER_POOL_ID: pool.userPoolId,
      PASSWORD_PROOF_CLIENT_ID: pool.passwordProofClientId,
      STATE_MACHINE_ARN: created.stateMachineArn,
      PEPPER_SECRET_ARN: pepperSecretArn,
      FROM_ADDRESS,
      SUPPORT_EMAIL: 'support@example.com',
      PRIVILEGED_APPROVALS: '2',
      // What support checks before deciding, as an operator would word it (local/local-config.ts).
      VERIFICATION_CHECKLIST: JSON.stringify(LOCAL_VERIFICATION_CHECKLIST),
      STAFF_USER_POOL_ID: staffPool.userPoolId,
      STAFF_CLIENT_ID: staffPool.userPoolClientId,
      ENROLL_CLIENT_ID: pool.enrollClientId,
      // The operator's brand, languages and support contact, as a deployment sets them.
      ...brandEnvironment(brand, brand.logo),
      RISK_POLICY: JSON.stringify(riskPolicy),
      // The emulators share this machine's cores with everything else; under a load test a call can
      // wait seconds for a core, which AWS never makes it do. The AWS default stays 3 s.
      AWS_REQUEST_TIMEOUT_MS: '20000',
      // The emulator has no quota to share, and the tests and the benchmark run recoveries by the
      // hundred at once: every category gets the most a budget may be. In AWS the default is 20 % of
      // each quota (functions/domain/cognito-budget.ts); a test sets a small one to see it work.
      COGNITO_BUDGET: JSON.stringify(
        Object.fromEntries(Object.keys(COGNITO_CATEGORIES).map((name) => [name, MAX_BUDGET_PER_SECOND])),
      ),
      LOCAL_ENDPOINT_DYNAMODB: functionEndpoints.dynamodb,
      LOCAL_ENDPOINT_SES: functionEndpoints.ses,
      LOCAL_ENDPOINT_COGNITO: functionEndpoints.cognito,
      LOCAL_ENDPOINT_STEPFUNCTIONS: functionEndpoints.stepfunctions,
      LOCAL_ENDPOINT_EVENTBRIDGE: functionEndpoints.eventbridge,
      LOCAL_ENDPOINT_SECRETSMANAGER: secretsManager.url,
      LOCAL_ENDPOINT_SNS: sms.url,
      EVENT_BUS_NAME: 'totp-recovery-events',
      LOCAL_MAILBOX_URL: `${ses.url}/`,
      ...options.functionEnvironment,
    });

    // The audit table's stream to publish-audit-events, as its event source mapping does in AWS
    // (infra/constructs/recovery-event-stream.ts). Started once the handlers' environment is set.
    const auditStream = (await ddbClient.send(new DescribeTableCommand({ TableName: TABLES.audit }))).Table;
    if (!auditStream?.LatestStreamArn || !auditStream.LatestStreamLabel) {
      throw new Error(`the local ${TABLES.audit} table has no stream`);
    }
    const auditStreamArn = `arn:aws:dynamodb:${REGION}:${ACCOUNT_ID}:table/${TABLES.audit}/stream/${auditStream.LatestStreamLabel}`;
    const auditStreamPoller = startStreamPoller({
      client: new DynamoDBStreamsClient({
        endpoint: dynamodb.url,
        region: REGION,
        credentials: LOCAL_CREDENTIALS,
      }),
      streamArn: auditStream.LatestStreamArn,
      eventSourceArn: auditStreamArn,
      region: REGION,
      deliver: (batch) => invokeLambda('publish-audit-events', batch),
      // Lambda's poller reads the stream with the function's role: the IAM check counts these reads.
      onRead: (read) =>
        recorder?.record({
          principal: 'publish-audit-events',
          operation: read,
          action: `dynamodb:${read}`,
          resource: auditStreamArn,
        }),
      onDeadLetter: (failure) =>
        console.error(
          JSON.stringify({ level: 'error', message: 'audit stream records dead-lettered', ...failure }),
        ),
    });
    stoppers.push(auditStreamPoller.stop);

    const health = async () => {
      const checks = await Promise.all(
        [`${dynamodb.url}`, `${ses.url}/health-check`, `${cognito.url}/health`, `${sfn.url}/health`].map(
          (url) =>
            fetch(url, { signal: AbortSignal.timeout(2000) }).then(
              () => true,
              () => false,
            ),
        ),
      );
      const [ddbUp, sesUp, cognitoUp, sfnUp] = checks;
      const services = { dynamodb: ddbUp, ses: sesUp, cognito: cognitoUp, stepfunctions: sfnUp, api: true };
      const ok = checks.every(Boolean);
      return jsonResponse(ok ? 200 : 503, { status: ok ? 'ok' : 'degraded', services });
    };
    // The HTTP API JWT authorizer's job, done with aws-jwt-verify against the emulator's JWKS.
    // It trusts the staff pool's tokens for the staff client only.
    const staffVerifier = CognitoJwtVerifier.create({
      userPoolId: staffPool.userPoolId,
      tokenUse: 'access',
      clientId: staffPool.userPoolClientId,
    });
    // A user's own routes take the user pool's access tokens of the app's client and the enrolment client.
    const userVerifier = CognitoJwtVerifier.create({
      userPoolId: pool.userPoolId,
      tokenUse: 'access',
      clientId: [pool.userPoolClientId, pool.enrollClientId],
    });
    for (const [verifier, poolId] of [
      [staffVerifier, staffPool.userPoolId],
      [userVerifier, pool.userPoolId],
    ] as const) {
      const jwks = await (await fetch(`${cognito.url}/${poolId}/.well-known/jwks.json`)).json();
      verifier.cacheJwks(jwks as Parameters<typeof verifier.cacheJwks>[0]);
    }
    const authorizer = async (token: string) =>
      (await staffVerifier.verify(token)) as Record<string, unknown>;
    const userAuthorizer = async (token: string) =>
      (await userVerifier.verify(token)) as Record<string, unknown>;
    const api = await startApiHost({
      port: options.port ?? 8787,
      routes: apiRoutes.map(
        (route): ApiRoute => ({
          routeKey: route.routeKey,
          functionName: route.functionName,
          ...(route.auth === 'cognito-jwt' ? { authorizer } : {}),
          ...(route.auth === 'user-jwt' ? { authorizer: userAuthorizer } : {}),
        }),
      ),
      invoke: invokeLambda,
      localRoutes: { 'GET /health': health },
    });
    stoppers.push(api.close);
    // Links in emails point at the API host's pages; its port is known only now.
    functionEnvironment.PUBLIC_BASE_URL = api.url;

    const info: StackInfo = {
      apiUrl: api.url,
      region: REGION,
      accountId: ACCOUNT_ID,
      userPoolId: pool.userPoolId,
      staffUserPoolId: staffPool.userPoolId,
      userPoolClientId: pool.userPoolClientId,
      staffClientId: staffPool.userPoolClientId,
      enrollClientId: pool.enrollClientId,
      passwordProofClientId: pool.passwordProofClientId,
      poolMfa: options.poolMfa ?? 'ON',
      stateMachineArn: created.stateMachineArn,
      fromAddress: FROM_ADDRESS,
      mailboxUrl: `${ses.url}/`,
      tables: { ...TABLES },
      endpoints: {
        dynamodb: dynamodb.url,
        ses: ses.url,
        cognito: cognito.url,
        stepfunctions: sfn.url,
        eventbridge: eventBus.url,
        secretsmanager: secretsManager.url,
        sns: sms.url,
      },
      smsUrl: `${sms.url}/messages`,
      pepperSecretArn,
      eventsUrl: `${eventBus.url}/events`,
      jwksUrl: `${cognito.url}/${pool.userPoolId}/.well-known/jwks.json`,
      logFile,
      users: seededUsers,
    };
    const stackFile = join(stateDir, 'stack.json');
    writeFileSync(stackFile, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
    return { info, stackFile, stop, invoke: invokeLambda, ...(faults ? { faults } : {}) };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Where a stack with `recordAwsCalls` keeps the calls it saw: next to its function log. */
export const awsCallsFileOf = (logFile: string) => join(dirname(logFile), 'aws-calls.jsonl');

const PEPPER_SECRET_NAME = 'totp-recovery-pepper';

/** The pepper secret, created with a random value unless a persisted one exists; resolves its ARN. */
async function ensurePepper(secrets: SecretsManagerClient): Promise<string> {
  try {
    const existing = await secrets.send(new GetSecretValueCommand({ SecretId: PEPPER_SECRET_NAME }));
    if (existing.ARN) return existing.ARN;
  } catch (error) {
    if ((error as Error).name !== 'ResourceNotFoundException') throw error;
  }
  const created = await secrets.send(
    new CreateSecretCommand({
      Name: PEPPER_SECRET_NAME,
      SecretString: randomBytes(48).toString('base64url'),
    }),
  );
  if (!created.ARN) throw new Error('CreateSecret returned no ARN');
  return created.ARN;
}

/** DefinitionSubstitutions for the local stack: each function's ARN points at its local handler module. */
function localSubstitutions(): Record<string, string> {
  const substitutions: Record<string, string> = {};
  for (const [name, fn] of Object.entries(functionCatalog)) {
    if ('substitution' in fn)
      substitutions[fn.substitution] = `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:${name}`;
  }
  return substitutions;
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => {
    running ??= fn();
    return running;
  };
}
