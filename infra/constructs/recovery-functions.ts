import { join } from 'node:path';
import { ArnFormat, Aws, Duration, Stack, Validations } from 'aws-cdk-lib';
import type { IUserPool } from 'aws-cdk-lib/aws-cognito';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { type FunctionName, functionCatalog } from '../../functions/catalog';
import {
  auditTableSchema,
  BY_USER_SUB_INDEX,
  STATUS_INDEX,
  type TableSchema,
} from '../../functions/shared/table-schemas';
import { FUNCTION_NEEDS, type Need } from '../permissions';

const repoRoot = join(import.meta.dirname, '..', '..');

export interface RecoveryFunctionsProps {
  readonly userPool: IUserPool;
  /** The pool staff sign in to (the user pool unless staff have their own). */
  readonly staffUserPool: IUserPool;
  readonly recoveries: ITable;
  readonly audit: ITable;
  readonly eventBus: IEventBus;
  readonly pepper: ISecret;
  /** The state machine's ARN, formatted from its name so functions and workflow do not depend on each other. */
  readonly stateMachineArn: string;
  /** SES identities the functions may send from (domain and address). */
  readonly sendingIdentityArns: readonly string[];
  readonly environment: Readonly<Record<string, string>>;
  readonly logRetention: RetentionDays;
  /** The operator's logo file, copied into the web function's bundle as `LOGO_IN_BUNDLE`. */
  readonly logoFile?: string;
}

/** Where the web function finds the operator's logo in AWS (the bundle is unpacked in /var/task). */
export const logoInBundle = (logoFile: string) =>
  `/var/task/brand-logo${logoFile.toLowerCase().endsWith('.png') ? '.png' : '.svg'}`;

/** Every function of the catalog, bundled with esbuild (no Docker), each with only the permissions it needs. */
export class RecoveryFunctions extends Construct {
  readonly byName: Record<FunctionName, NodejsFunction>;
  /** Every function's log group (the saved Logs Insights queries read them). */
  readonly logGroups: LogGroup[] = [];

  constructor(scope: Construct, id: string, props: RecoveryFunctionsProps) {
    super(scope, id);
    const entries = Object.entries(functionCatalog) as [
      FunctionName,
      (typeof functionCatalog)[FunctionName],
    ][];
    this.byName = Object.fromEntries(
      entries.map(([name, spec]) => {
        const fn = new NodejsFunction(this, name, {
          entry: join(repoRoot, spec.entry),
          handler: 'handler',
          description: spec.description,
          // Pinned: a new runtime is a tested change, never a silent default.
          runtime: Runtime.NODEJS_24_X,
          architecture: Architecture.ARM_64,
          memorySize: 256,
          timeout: Duration.seconds('timeoutSeconds' in spec ? Number(spec.timeoutSeconds) : 30),
          tracing: Tracing.ACTIVE,
          loggingFormat: LoggingFormat.JSON,
          logGroup: this.keepLogGroup(new LogGroup(this, `${name}-logs`, { retention: props.logRetention })),
          projectRoot: repoRoot,
          depsLockFilePath: join(repoRoot, 'package-lock.json'),
          environment: { ...props.environment, NODE_OPTIONS: '--enable-source-maps' },
          bundling: {
            format: OutputFormat.ESM,
            target: 'node24',
            minify: true,
            sourceMap: true,
            // Step Functions' Retry/Catch match error names: minification must keep class names.
            keepNames: true,
            // The SDK's ES module builds, so unused commands and protocols are dropped.
            mainFields: ['module', 'main'],
            banner:
              "import { createRequire } from 'node:module';const require = createRequire(import.meta.url);",
            externalModules: [],
            ...(name === 'web' && props.logoFile
              ? {
                  commandHooks: {
                    beforeBundling: () => [],
                    beforeInstall: () => [],
                    afterBundling: (_input: string, output: string) => [
                      `cp "${props.logoFile}" "${output}/${logoInBundle(props.logoFile ?? '')
                        .split('/')
                        .pop()}"`,
                    ],
                  },
                }
              : {}),
          },
        });
        for (const statement of statementsFor(FUNCTION_NEEDS[name], props)) fn.addToRolePolicy(statement);
        Validations.of(fn).acknowledge(
          {
            id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
            reason:
              'Active tracing (xray:PutTraceSegments, PutTelemetryRecords) and SMS notices (sns:Publish to a phone number) accept no resource ARN.',
          },
          {
            id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
            reason: 'The AWS-maintained minimal policy for a function to write its own logs.',
          },
          {
            id: 'AwsSolutions::AwsSolutions-L1',
            reason:
              'Node.js 24 is the runtime this code is built and tested for (target node24, CI on Node 24); moving up is a tested change.',
          },
        );
        return [name, fn];
      }),
    ) as Record<FunctionName, NodejsFunction>;
  }

  private keepLogGroup(group: LogGroup): LogGroup {
    this.logGroups.push(group);
    return group;
  }
}

/** The narrowest statements for a function's needs. */
function statementsFor(needs: readonly Need[], props: RecoveryFunctionsProps): PolicyStatement[] {
  const statements: PolicyStatement[] = [];
  const allow = (actions: string[], resources: string[]) =>
    statements.push(new PolicyStatement({ actions, resources }));
  const withPrefix = (prefix: string, service: string) =>
    needs.filter((need) => need.startsWith(prefix)).map((need) => `${service}:${need.slice(prefix.length)}`);
  const cognito = withPrefix('cognito:', 'cognito-idp');
  if (cognito.length > 0) allow(cognito, [props.userPool.userPoolArn]);
  const staffCognito = withPrefix('staff-cognito:', 'cognito-idp');
  if (staffCognito.length > 0) allow(staffCognito, [props.staffUserPool.userPoolArn]);
  const items = withPrefix('recoveries:', 'dynamodb').filter(
    (action) => action !== 'dynamodb:query-by-status' && action !== 'dynamodb:query-request',
  );
  if (items.length > 0) allow(items, [props.recoveries.tableArn]);
  for (const need of needs) {
    switch (need) {
      case 'recoveries:query-by-status':
        allow(['dynamodb:Query'], [`${props.recoveries.tableArn}/index/${STATUS_INDEX}`]);
        break;
      case 'recoveries:query-request':
        // One request's partition (its item, challenge and approval): the table, no index.
        allow(['dynamodb:Query'], [props.recoveries.tableArn]);
        break;
      case 'audit:append':
        // Put and read the chain's head only: never update, never delete.
        allow(['dynamodb:PutItem', 'dynamodb:Query'], [props.audit.tableArn]);
        break;
      case 'audit:query-by-user':
        // One index only: the account's earlier requests, read by the support list.
        allow(['dynamodb:Query'], [`${props.audit.tableArn}/index/${BY_USER_SUB_INDEX}`]);
        break;
      case 'audit:read':
        allow(
          ['dynamodb:Query'],
          [props.audit.tableArn, ...indexArns(props.audit.tableArn, auditTableSchema)],
        );
        break;
      case 'states:start':
        allow(['states:StartExecution'], [props.stateMachineArn]);
        break;
      case 'states:callback':
        // Wake-ups only: a decision is recorded in the table, never sent as a task failure or output.
        allow(['states:SendTaskSuccess'], [props.stateMachineArn]);
        break;
      case 'ses:send':
        allow(['ses:SendEmail'], [...props.sendingIdentityArns]);
        break;
      case 'pepper:read':
        allow(['secretsmanager:GetSecretValue'], [props.pepper.secretArn]);
        break;
      case 'events:put':
        allow(['events:PutEvents'], [props.eventBus.eventBusArn]);
        break;
      case 'sms:send':
        // SNS authorises a text to a phone number only on "*" (there is no resource to name); the
        // Deny keeps that "*" from reaching any topic or platform endpoint: phone numbers only.
        allow(['sns:Publish'], ['*']);
        statements.push(
          new PolicyStatement({
            effect: Effect.DENY,
            actions: ['sns:Publish'],
            resources: [`arn:${Aws.PARTITION}:sns:*:*:*`],
          }),
        );
        break;
      default:
        break;
    }
  }
  return statements;
}

/** The ARNs of a table's indexes, each by name: no wildcard. */
const indexArns = (tableArn: string, schema: TableSchema) =>
  (schema.globalSecondaryIndexes ?? []).map((index) => `${tableArn}/index/${index.indexName}`);

/** The ARN a state machine named `name` has in this stack. */
export const stateMachineArnOf = (scope: Construct, name: string) =>
  Stack.of(scope).formatArn({
    service: 'states',
    resource: 'stateMachine',
    resourceName: name,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
