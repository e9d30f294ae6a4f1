import {
  AdminCreateUserCommand,
  AdminInitiateAuthCommand,
  AdminListUserAuthEventsCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningCognitoEmulator, startCognitoEmulator } from '../../local/user-pools';

let emulator: RunningCognitoEmulator;
let cognito: CognitoIdentityProviderClient;

beforeAll(async () => {
  emulator = await startCognitoEmulator();
  cognito = new CognitoIdentityProviderClient({
    endpoint: emulator.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});
afterAll(() => emulator.close());

const PASSWORD = 'A-good-password-1';
const FIREFOX_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0';
const CHROME_ANDROID =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36';

/** A pool (with or without threat protection), its admin client and one user with a password. */
async function poolWithUser(addOns: {
  UserPoolTier?: 'PLUS';
  UserPoolAddOns?: { AdvancedSecurityMode: 'AUDIT' };
}) {
  const pool = await cognito.send(new CreateUserPoolCommand({ PoolName: 'threats', ...addOns }));
  const userPoolId = pool.UserPool?.Id as string;
  const client = await cognito.send(
    new CreateUserPoolClientCommand({
      UserPoolId: userPoolId,
      ClientName: 'server',
      ExplicitAuthFlows: ['ALLOW_ADMIN_USER_PASSWORD_AUTH'],
    }),
  );
  await cognito.send(
    new AdminCreateUserCommand({ UserPoolId: userPoolId, Username: 'ines', MessageAction: 'SUPPRESS' }),
  );
  await cognito.send(
    new AdminSetUserPasswordCommand({
      UserPoolId: userPoolId,
      Username: 'ines',
      Password: PASSWORD,
      Permanent: true,
    }),
  );
  const signIn = (password: string, ip: string, userAgent: string) =>
    cognito
      .send(
        new AdminInitiateAuthCommand({
          UserPoolId: userPoolId,
          ClientId: client.UserPoolClient?.ClientId as string,
          AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: 'ines', PASSWORD: password },
          ContextData: {
            IpAddress: ip,
            ServerName: 'app.example.com',
            ServerPath: '/sign-in',
            HttpHeaders: [{ headerName: 'User-Agent', headerValue: userAgent }],
          },
        }),
      )
      .catch((error: Error) => error.name);
  return { userPoolId, signIn };
}

describe('Cognito threat protection in the emulator', () => {
  it('answers AdminListUserAuthEvents with UserPoolAddOnNotEnabledException in a pool without it', async () => {
    const { userPoolId, signIn } = await poolWithUser({});
    await signIn(PASSWORD, '198.51.100.23', FIREFOX_WINDOWS);
    const described = await cognito.send(new DescribeUserPoolCommand({ UserPoolId: userPoolId }));
    expect(described.UserPool?.UserPoolAddOns).toEqual({ AdvancedSecurityMode: 'OFF' });
    await expect(
      cognito.send(new AdminListUserAuthEventsCommand({ UserPoolId: userPoolId, Username: 'ines' })),
    ).rejects.toMatchObject({ name: 'UserPoolAddOnNotEnabledException' });
  });

  it('refuses threat protection outside the Plus tier, as Cognito does', async () => {
    await expect(
      cognito.send(
        new CreateUserPoolCommand({
          PoolName: 'essentials',
          UserPoolAddOns: { AdvancedSecurityMode: 'AUDIT' },
        }),
      ),
    ).rejects.toMatchObject({ name: 'FeatureUnavailableInTierException' });
  });

  it('records each password sign-in, newest first, with the address, place, device and risk', async () => {
    const { userPoolId, signIn } = await poolWithUser({
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'AUDIT' },
    });
    expect(await signIn(PASSWORD, '198.51.100.23', FIREFOX_WINDOWS)).toMatchObject({
      AuthenticationResult: expect.any(Object),
    });
    expect(await signIn('Not-the-password-1', '203.0.113.77', CHROME_ANDROID)).toBe('NotAuthorizedException');
    const listed = await cognito.send(
      new AdminListUserAuthEventsCommand({ UserPoolId: userPoolId, Username: 'ines', MaxResults: 10 }),
    );
    expect(listed.AuthEvents).toMatchObject([
      {
        EventType: 'SignIn',
        EventResponse: 'Fail',
        EventRisk: { RiskLevel: 'Medium', RiskDecision: 'AccountTakeover' },
        ChallengeResponses: [{ ChallengeName: 'Password', ChallengeResponse: 'Failure' }],
        EventContextData: {
          IpAddress: '203.0.113.77',
          City: 'Sydney',
          Country: 'Australia',
          DeviceName: 'Chrome, Android',
        },
      },
      {
        EventResponse: 'Pass',
        EventRisk: { RiskLevel: 'Low', RiskDecision: 'NoRisk' },
        EventContextData: {
          IpAddress: '198.51.100.23',
          City: 'Toronto',
          Country: 'Canada',
          DeviceName: 'Firefox, Windows',
        },
      },
    ]);
    expect(listed.AuthEvents?.[0]?.CreationDate).toBeInstanceOf(Date);
    const first = await cognito.send(
      new AdminListUserAuthEventsCommand({ UserPoolId: userPoolId, Username: 'ines', MaxResults: 1 }),
    );
    expect(first.AuthEvents).toHaveLength(1);
    const next = await cognito.send(
      new AdminListUserAuthEventsCommand({
        UserPoolId: userPoolId,
        Username: 'ines',
        MaxResults: 1,
        NextToken: first.NextToken,
      }),
    );
    expect(next.AuthEvents?.[0]?.EventResponse).toBe('Pass');
  });
});
