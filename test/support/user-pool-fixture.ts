import { randomBytes } from 'node:crypto';
import {
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DeleteUserPoolCommand,
  SetUserPoolMfaConfigCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { StackInfo } from '../../local/stack-info';
import { type CognitoEmulatorOptions, startCognitoEmulator } from '../../local/user-pools';
import { createUser } from './users';

export type PoolMode = 'ON' | 'OPTIONAL' | 'OFF';

/**
 * Where the fidelity suite runs: the local emulator (`npm test`), or real Cognito in the account and
 * region of the standard AWS environment (`npm run test:aws`, TEST_TARGET=aws).
 */
export const onAws = process.env.TEST_TARGET === 'aws';

/**
 * A Cognito of its own for a test file, driven only through the SDK: the local emulator, or with
 * TEST_TARGET=aws real Cognito, where the pools it creates are deleted on close. The fixture creates
 * pools and users the way an operator would, and hands out the pieces tests need.
 */
export async function userPoolFixture(options: CognitoEmulatorOptions = {}) {
  const emulator = onAws ? undefined : await startCognitoEmulator(options);
  const cognito = emulator
    ? new CognitoIdentityProviderClient({
        endpoint: emulator.url,
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      })
    : new CognitoIdentityProviderClient({});
  const created: string[] = [];

  /** A pool in the given MFA mode with a sign-in client and an admin password-proof client. */
  async function createPool(mode: PoolMode) {
    const pool = await cognito.send(
      new CreateUserPoolCommand({
        PoolName: `pool-${randomBytes(3).toString('hex')}`,
        AliasAttributes: ['email'],
        Policies: { PasswordPolicy: { MinimumLength: 8 } },
      }),
    );
    const userPoolId = pool.UserPool?.Id as string;
    created.push(userPoolId);
    await cognito.send(
      new SetUserPoolMfaConfigCommand({
        UserPoolId: userPoolId,
        SoftwareTokenMfaConfiguration: { Enabled: true },
        MfaConfiguration: mode,
      }),
    );
    const client = await cognito.send(
      new CreateUserPoolClientCommand({
        UserPoolId: userPoolId,
        ClientName: 'web',
        ExplicitAuthFlows: [
          'ALLOW_USER_PASSWORD_AUTH',
          'ALLOW_ADMIN_USER_PASSWORD_AUTH',
          'ALLOW_REFRESH_TOKEN_AUTH',
        ],
      }),
    );
    const userPoolClientId = client.UserPoolClient?.ClientId as string;
    // The shape the user helpers in users.ts expect.
    const stack = { userPoolId, userPoolClientId } as StackInfo;
    return { userPoolId, userPoolClientId, stack };
  }

  /** A confirmed user with a verified email and a permanent password, no MFA yet. */
  const createPlainUser = (userPoolId: string) =>
    createUser(cognito, { userPoolId } as StackInfo, { totp: false, prefix: 'u' });

  /** Stops the emulator, or deletes every pool made in AWS (their users go with them). */
  async function close() {
    if (emulator) return emulator.close();
    for (const userPoolId of created)
      await cognito.send(new DeleteUserPoolCommand({ UserPoolId: userPoolId }));
  }

  return { emulator, cognito, createPool, createPlainUser, close };
}
