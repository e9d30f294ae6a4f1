import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  CustomerManagedEncryptionConfiguration,
  DefinitionBody,
  LogLevel,
  StateMachine,
  StateMachineType,
} from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { definitionPath, substitutionNames } from '../../statemachine/definition';

export interface RecoveryWorkflowProps {
  readonly stateMachineName: string;
  /** Each DefinitionSubstitutions name of the definition file, and the function it stands for. */
  readonly functions: Readonly<Record<string, IFunction>>;
  readonly key: IKey;
  readonly logRetention: RetentionDays;
}

/** The Standard state machine from statemachine/recovery.asl.json, the file the local stack runs. */
export class RecoveryWorkflow extends Construct {
  readonly stateMachine: StateMachine;

  constructor(scope: Construct, id: string, props: RecoveryWorkflowProps) {
    super(scope, id);
    const missing = substitutionNames().filter((name) => !props.functions[name]);
    if (missing.length > 0) throw new Error(`RecoveryWorkflow: no function for ${missing.join(', ')}`);
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineName: props.stateMachineName,
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromFile(definitionPath),
      definitionSubstitutions: Object.fromEntries(
        Object.entries(props.functions).map(([name, fn]) => [name, fn.functionArn]),
      ),
      tracingEnabled: true,
      // Execution data never reaches the logs: the workflow carries identifiers only, but logs are read widely.
      logs: {
        destination: new LogGroup(this, 'Logs', {
          retention: props.logRetention,
          removalPolicy: RemovalPolicy.DESTROY,
        }),
        level: LogLevel.ALL,
        includeExecutionData: false,
      },
      encryptionConfiguration: new CustomerManagedEncryptionConfiguration(props.key, Duration.minutes(5)),
    });
    // The definition names each function by its unqualified ARN: no version or alias wildcard needed.
    this.stateMachine.addToRolePolicy(
      new PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: Object.values(props.functions).map((fn) => fn.functionArn),
      }),
    );
    Validations.of(this.stateMachine).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray tracing and CloudWatch Logs delivery (logs:CreateLogDelivery and friends) accept no resource ARN.',
    });
  }
}
