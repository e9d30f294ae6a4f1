import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  ConfirmForgotPasswordCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  ForgotPasswordCommand,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningCognitoEmulator, startCognitoEmulator } from '../../local/user-pools';
import { decodeJwt } from '../../local/user-pools/tokens';

// The emulator's own surface (its email hook), so it runs locally only.
const sent: { to: string; subject: string; text: string }[] = [];
let emulator: RunningCognitoEmulator;
let cognito: CognitoIdentityProviderClient;
let poolId = '';
let clientId = '';

beforeAll(async () => {
  emulator = await startCognitoEmulator({
    sendEmail: async (to, subject, text) => {
      sent.push({ to, subject, text });
    },
  });
  cognito = new CognitoIdentityProviderClient({
    endpoint: emulator.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  poolId = (await cognito.send(new CreateUserPoolCommand({ PoolName: 'reset' }))).UserPool?.Id as string;
  clientId = (
    await cognito.send(
      new CreateUserPoolClientCommand({
        UserPoolId: poolId,
        ClientName: 'app',
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
        PreventUserExistenceErrors: 'ENABLED',
      }),
    )
  ).UserPoolClient?.ClientId as string;
});
afterAll(() => emulator.close());

async function user(name: string, verified = true) {
  await cognito.send(
    new AdminCreateUserCommand({
      UserPoolId: poolId,
      Username: name,
      MessageAction: 'SUPPRESS',
      UserAttributes: [
        { Name: 'email', Value: `${name}@example.com` },
        { Name: 'email_verified', Value: String(verified) },
      ],
    }),
  );
  await cognito.send(
    new AdminSetUserPasswordCommand({
      UserPoolId: poolId,
      Username: name,
      Password: 'Old-password-1',
      Permanent: true,
    }),
  );
}

const signIn = (name: string, password: string) =>
  cognito.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: name, PASSWORD: password },
    }),
  );

describe('ForgotPassword and ConfirmForgotPassword, as Cognito answers them', () => {
  it('email a 6-digit code to the verified address; the code sets the new password once', async () => {
    await user('rita');
    const asked = await cognito.send(new ForgotPasswordCommand({ ClientId: clientId, Username: 'rita' }));
    expect(asked.CodeDeliveryDetails).toEqual({
      Destination: 'r***@e***',
      DeliveryMedium: 'EMAIL',
      AttributeName: 'email',
    });
    const code = /(\d{6})/.exec(sent.at(-1)?.text ?? '')?.[1] as string;
    expect(sent.at(-1)?.to).toBe('rita@example.com');
    await expect(
      cognito.send(
        new ConfirmForgotPasswordCommand({
          ClientId: clientId,
          Username: 'rita',
          ConfirmationCode: '000000',
          Password: 'New-password-2',
        }),
      ),
    ).rejects.toMatchObject({ name: 'CodeMismatchException' });
    await expect(
      cognito.send(
        new ConfirmForgotPasswordCommand({
          ClientId: clientId,
          Username: 'rita',
          ConfirmationCode: code,
          Password: 'short',
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidPasswordException' });
    await cognito.send(
      new ConfirmForgotPasswordCommand({
        ClientId: clientId,
        Username: 'rita',
        ConfirmationCode: code,
        Password: 'New-password-2',
      }),
    );
    expect((await signIn('rita', 'New-password-2')).AuthenticationResult?.AccessToken).toBeTruthy();
    await expect(signIn('rita', 'Old-password-1')).rejects.toMatchObject({ name: 'NotAuthorizedException' });
    await expect(
      cognito.send(
        new ConfirmForgotPasswordCommand({
          ClientId: clientId,
          Username: 'rita',
          ConfirmationCode: code,
          Password: 'Other-password-3',
        }),
      ),
    ).rejects.toMatchObject({ name: 'ExpiredCodeException' });
  });

  it('answer an unknown user like a known one and send nothing, with PreventUserExistenceErrors', async () => {
    const before = sent.length;
    const asked = await cognito.send(new ForgotPasswordCommand({ ClientId: clientId, Username: 'nobody' }));
    expect(asked.CodeDeliveryDetails).toMatchObject({ DeliveryMedium: 'EMAIL', AttributeName: 'email' });
    expect(sent.length).toBe(before);
  });

  it('keep the auth_time of the sign-in on refreshed tokens: a refresh is not a fresh sign-in', async () => {
    await user('tom');
    const first = (await signIn('tom', 'Old-password-1')).AuthenticationResult;
    const authTime = decodeJwt(first?.AccessToken as string)?.auth_time;
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const refreshed = await cognito.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: { REFRESH_TOKEN: first?.RefreshToken as string },
      }),
    );
    const claims = decodeJwt(refreshed.AuthenticationResult?.AccessToken as string);
    expect(claims?.auth_time).toBe(authTime);
    expect(Number(claims?.iat)).toBeGreaterThan(Number(authTime));
  });
});
