import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { StackInfo } from '../../local/stack-info';
import type { Bindings, TemplateJson } from './iam-policy';

const repoRoot = join(import.meta.dirname, '..', '..');
const STACK_NAME = 'TotpRecovery';

/**
 * The stack `cdk deploy -c userPoolId=<the local pool>` would create, synthesized in the local
 * account and region without bundling, and what each of its intrinsics stands for locally: the
 * template the recorded calls are checked against.
 */
export async function synthesizeForLocal(stack: StackInfo) {
  // Imported here so a test can substitute infra/permissions.ts before the stack module loads.
  const { TotpRecoveryStack } = await import('../../infra/app');
  const cdkJson = JSON.parse(readFileSync(join(repoRoot, 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  };
  const app = new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } });
  const deployed = new TotpRecoveryStack(
    app,
    STACK_NAME,
    {
      userPoolId: stack.userPoolId,
      ...(stack.staffUserPoolId !== stack.userPoolId ? { staffUserPoolId: stack.staffUserPoolId } : {}),
      fromAddress: stack.fromAddress,
      supportEmail: 'support@example.com',
    },
    { env: { account: stack.accountId, region: stack.region } },
  );
  const template = app.synth().getStackByName(STACK_NAME).template as TemplateJson;
  const { recovery } = deployed;
  const idOf = (construct: IConstruct) =>
    Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);
  const arn = (service: string, resource: string) =>
    `arn:aws:${service}:${stack.region}:${stack.accountId}:${resource}`;

  // Anything not bound below resolves to a name no recorded call can match.
  const refs: Record<string, string> = {};
  const arns: Record<string, string> = {};
  for (const id of Object.keys(template.Resources)) {
    refs[id] = `unbound-${id}`;
    arns[id] = `arn:unbound:${id}`;
  }
  const bindTable = (construct: IConstruct, name: string) => {
    refs[idOf(construct)] = name;
    arns[idOf(construct)] = arn('dynamodb', `table/${name}`);
  };
  bindTable(recovery.tables.recoveries, stack.tables.recoveries);
  bindTable(recovery.tables.audit, stack.tables.audit);
  // A stream's label is the time it was enabled: the local one is not the deployed one.
  arns[`${idOf(recovery.tables.audit)}.StreamArn`] = arn('dynamodb', `table/${stack.tables.audit}/stream/*`);
  const eventBusName = 'totp-recovery-events';
  refs[idOf(recovery.eventBus)] = eventBusName;
  arns[idOf(recovery.eventBus)] = arn('events', `event-bus/${eventBusName}`);
  refs[idOf(recovery.pepper)] = stack.pepperSecretArn;
  const principals: Record<string, string> = { 'state-machine': idOf(recovery.stateMachine) };
  for (const [name, fn] of Object.entries(recovery.functions)) {
    principals[name] = idOf(fn);
    refs[idOf(fn)] = name;
    arns[idOf(fn)] = arn('lambda', `function:${name}`);
  }
  const bindings: Bindings = {
    refs,
    arns,
    pseudo: {
      'AWS::Partition': 'aws',
      'AWS::Region': stack.region,
      'AWS::AccountId': stack.accountId,
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::StackName': STACK_NAME,
    },
    // The deployed state machine is named after its stack; the local one is not.
    renames: {
      [`stateMachine:${STACK_NAME}-totp-recovery`]: stack.stateMachineArn.slice(
        stack.stateMachineArn.indexOf('stateMachine:'),
      ),
    },
  };
  return { template, bindings, principals };
}
