import { relative } from 'node:path';
import { readLocalStartConfig } from './local-config';
import { startLocalStack } from './stack';
import type { StackInfo } from './stack-info';

/** `npm start`: brings the local stack up, prints where everything is, and stops it cleanly on Ctrl-C. */
async function main(): Promise<void> {
  let config: ReturnType<typeof readLocalStartConfig>;
  try {
    config = readLocalStartConfig();
  } catch (error) {
    console.error(`npm start: ${(error as Error).message}`);
    process.exit(2);
  }
  const startedAt = Date.now();
  console.log(
    `Starting the local stack (pool MFA ${config.poolMfa}${config.persist ? ', persisted' : ', in memory'})…`,
  );
  const stack = await startLocalStack(config);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the local stack…`);
    stack.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGHUP', () => shutdown('SIGHUP'));
  printSummary(stack.info, stack.stackFile, Date.now() - startedAt);
}

function printSummary(info: StackInfo, stackFile: string, elapsedMs: number): void {
  const lines = [
    '',
    `Local stack ready in ${(elapsedMs / 1000).toFixed(1)} s`,
    '',
    `  Lost-device form   ${info.apiUrl}/`,
    `  Support console    ${info.apiUrl}/support  (sam, sara)`,
    `  Audit viewer       ${info.apiUrl}/audit  (audrey)`,
    `  Published events   ${info.eventsUrl}`,
    `  API                ${info.apiUrl}  (routes in the README)`,
    `  Health             ${info.apiUrl}/health`,
    `  Mailbox (emails)   ${info.mailboxUrl}`,
    `  DynamoDB           ${info.endpoints.dynamodb}`,
    `  SES v2             ${info.endpoints.ses}`,
    `  Cognito            ${info.endpoints.cognito}  (pool ${info.userPoolId}, MFA ${info.poolMfa})`,
    `  Step Functions     ${info.endpoints.stepfunctions}`,
    `  Secrets Manager    ${info.endpoints.secretsmanager}  (the pepper: ${info.pepperSecretArn})`,
    `  Function logs      ${relative(process.cwd(), info.logFile) || info.logFile}  (JSON lines and EMF metrics, as CloudWatch gets them)`,
    '',
    '  Demo users (add a TOTP secret to an authenticator app to sign in as that user):',
    ...info.users.map(
      (user) =>
        `    ${user.username.padEnd(7)} ${user.role.padEnd(32)} password ${user.password.padEnd(26)} ${
          user.totpSecret ? `TOTP ${user.totpSecret}` : 'no TOTP'
        }`,
    ),
    '',
    `  Everything above is in ${relative(process.cwd(), stackFile) || stackFile}. Press Ctrl-C to stop.`,
    '',
  ];
  console.log(lines.join('\n'));
}

main().catch((error: unknown) => {
  console.error(`npm start failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
