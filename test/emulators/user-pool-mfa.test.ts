import {
  AdminDeleteSoftwareTokenCommand,
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  AdminSetUserMFAPreferenceCommand,
  AssociateSoftwareTokenCommand,
  CreateUserPoolClientCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SetUserMFAPreferenceCommand,
  VerifySoftwareTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onAws, userPoolFixture } from '../support/user-pool-fixture';
import {
  enrolWithAccessToken,
  setUpAuthenticatorAtSignIn,
  signIn,
  signInWithTotp,
  totpCode,
} from '../support/users';

let fixture: Awaited<ReturnType<typeof userPoolFixture>>;
beforeAll(async () => {
  fixture = await userPoolFixture();
});
afterAll(() => fixture.close());

async function enrolledUser(mode: 'ON' | 'OPTIONAL') {
  const pool = await fixture.createPool(mode);
  const user = await fixture.createPlainUser(pool.userPoolId);
  const first = await signIn(fixture.cognito, pool.stack, user);
  if (mode === 'ON')
    await setUpAuthenticatorAtSignIn(fixture.cognito, pool.stack, user, first.Session as string);
  else await enrolWithAccessToken(fixture.cognito, user, first.AuthenticationResult?.AccessToken as string);
  return { pool, user };
}

const readUser = (userPoolId: string, username: string) =>
  fixture.cognito.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: username }));

describe('pool MFA modes', () => {
  it('OFF: a correct password signs in with no challenge', async () => {
    const pool = await fixture.createPool('OFF');
    const user = await fixture.createPlainUser(pool.userPoolId);
    const answer = await signIn(fixture.cognito, pool.stack, user);
    expect(answer.ChallengeName).toBeUndefined();
    expect(answer.AuthenticationResult?.AccessToken).toEqual(expect.any(String));
  });

  it('OPTIONAL: a user without MFA signs in with no challenge', async () => {
    const pool = await fixture.createPool('OPTIONAL');
    const user = await fixture.createPlainUser(pool.userPoolId);
    expect((await signIn(fixture.cognito, pool.stack, user)).ChallengeName).toBeUndefined();
  });

  it('ON: a user with no factor gets MFA_SETUP with TOTP as the factor to set up', async () => {
    const pool = await fixture.createPool('ON');
    const user = await fixture.createPlainUser(pool.userPoolId);
    const answer = await signIn(fixture.cognito, pool.stack, user);
    expect(answer.ChallengeName).toBe('MFA_SETUP');
    expect(answer.ChallengeParameters?.MFAS_CAN_SETUP).toBe('["SOFTWARE_TOKEN_MFA"]');
    expect(answer.AuthenticationResult).toBeUndefined();
  });
});

describe('TOTP enrolment', () => {
  it('verifies a real RFC 6238 code from the associated secret and rejects a wrong one', async () => {
    const pool = await fixture.createPool('OPTIONAL');
    const user = await fixture.createPlainUser(pool.userPoolId);
    const { AuthenticationResult } = await signIn(fixture.cognito, pool.stack, user);
    const accessToken = AuthenticationResult?.AccessToken as string;
    const { SecretCode } = await fixture.cognito.send(
      new AssociateSoftwareTokenCommand({ AccessToken: accessToken }),
    );
    expect(SecretCode).toMatch(/^[A-Z2-7]{32}$/);
    await expect(
      fixture.cognito.send(
        new VerifySoftwareTokenCommand({
          AccessToken: accessToken,
          UserCode: totpCode(SecretCode as string, 5),
        }),
      ),
    ).rejects.toMatchObject({ name: 'EnableSoftwareTokenMFAException' });
    const verified = await fixture.cognito.send(
      new VerifySoftwareTokenCommand({ AccessToken: accessToken, UserCode: totpCode(SecretCode as string) }),
    );
    expect(verified.Status).toBe('SUCCESS');
  });

  it('SetUserMFAPreference makes TOTP preferred, and refuses TOTP before a token is verified', async () => {
    const pool = await fixture.createPool('OPTIONAL');
    const user = await fixture.createPlainUser(pool.userPoolId);
    const token = (await signIn(fixture.cognito, pool.stack, user)).AuthenticationResult
      ?.AccessToken as string;
    await expect(
      fixture.cognito.send(
        new SetUserMFAPreferenceCommand({ AccessToken: token, SoftwareTokenMfaSettings: { Enabled: true } }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await enrolWithAccessToken(fixture.cognito, user, token);
    const read = await readUser(pool.userPoolId, user.username);
    expect(read.UserMFASettingList).toEqual(['SOFTWARE_TOKEN_MFA']);
    expect(read.PreferredMfaSetting).toBe('SOFTWARE_TOKEN_MFA');
  });

  it('completes MFA_SETUP through the session chain and then challenges with the new factor', async () => {
    const { pool, user } = await enrolledUser('ON');
    expect((await signIn(fixture.cognito, pool.stack, user)).ChallengeName).toBe('SOFTWARE_TOKEN_MFA');
    expect((await readUser(pool.userPoolId, user.username)).UserMFASettingList).toEqual([
      'SOFTWARE_TOKEN_MFA',
    ]);
  });
});

describe('signing in with TOTP', () => {
  it.each(['USER_PASSWORD_AUTH', 'ADMIN_USER_PASSWORD_AUTH'] as const)(
    '%s gives SOFTWARE_TOKEN_MFA for an enrolled user',
    async (flow) => {
      const { pool, user } = await enrolledUser('ON');
      const parameters = { USERNAME: user.username, PASSWORD: user.password };
      const answer =
        flow === 'USER_PASSWORD_AUTH'
          ? await signIn(fixture.cognito, pool.stack, user)
          : await fixture.cognito.send(
              new AdminInitiateAuthCommand({
                UserPoolId: pool.userPoolId,
                ClientId: pool.userPoolClientId,
                AuthFlow: flow,
                AuthParameters: parameters,
              }),
            );
      expect(answer.ChallengeName).toBe('SOFTWARE_TOKEN_MFA');
      expect(answer.Session).toEqual(expect.any(String));
    },
  );

  it('RespondToAuthChallenge accepts only a valid TOTP code', async () => {
    const { pool, user } = await enrolledUser('ON');
    const first = await signIn(fixture.cognito, pool.stack, user);
    const respond = (code: string) =>
      fixture.cognito.send(
        new RespondToAuthChallengeCommand({
          ClientId: pool.userPoolClientId,
          ChallengeName: 'SOFTWARE_TOKEN_MFA',
          Session: first.Session,
          ChallengeResponses: { USERNAME: user.username, SOFTWARE_TOKEN_MFA_CODE: code },
        }),
      );
    await expect(respond(totpCode(user.totpSecret as string, 4))).rejects.toMatchObject({
      name: 'CodeMismatchException',
    });
    await expect(respond('abc')).rejects.toMatchObject({ name: 'CodeMismatchException' });
    const ok = await respond(totpCode(user.totpSecret as string));
    expect(ok.AuthenticationResult?.IdToken).toEqual(expect.any(String));
  });
});

describe('removing the TOTP factor with AdminDeleteSoftwareToken', () => {
  it.each([
    ['ON', 'MFA_SETUP', 'MFA_SETUP'],
    ['OPTIONAL', 'no challenge', undefined],
  ] as const)(
    'in an %s pool, the next sign-in gives %s and AdminGetUser lists no TOTP',
    async (mode, _, next) => {
      const { pool, user } = await enrolledUser(mode);
      await fixture.cognito.send(
        new AdminDeleteSoftwareTokenCommand({ UserPoolId: pool.userPoolId, Username: user.username }),
      );
      expect((await signIn(fixture.cognito, pool.stack, user)).ChallengeName).toBe(next);
      const read = await readUser(pool.userPoolId, user.username);
      expect(read.UserMFASettingList ?? []).toEqual([]);
      expect(read.PreferredMfaSetting).toBeUndefined();
    },
  );

  it('answers ResourceNotFoundException when the user has no TOTP factor', async () => {
    const pool = await fixture.createPool('OPTIONAL');
    const user = await fixture.createPlainUser(pool.userPoolId);
    await expect(
      fixture.cognito.send(
        new AdminDeleteSoftwareTokenCommand({ UserPoolId: pool.userPoolId, Username: user.username }),
      ),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('lets the user enrol a new authenticator afterwards', async () => {
    const { pool, user } = await enrolledUser('ON');
    const oldSecret = user.totpSecret;
    await fixture.cognito.send(
      new AdminDeleteSoftwareTokenCommand({ UserPoolId: pool.userPoolId, Username: user.username }),
    );
    const setup = await signIn(fixture.cognito, pool.stack, user);
    await setUpAuthenticatorAtSignIn(fixture.cognito, pool.stack, user, setup.Session as string);
    expect(user.totpSecret).not.toBe(oldSecret);
    expect((await signInWithTotp(fixture.cognito, pool.stack, user)).AccessToken).toEqual(expect.any(String));
  });
});

describe('AdminSetUserMFAPreference with TOTP disabled', () => {
  const disable = (userPoolId: string, username: string) =>
    fixture.cognito.send(
      new AdminSetUserMFAPreferenceCommand({
        UserPoolId: userPoolId,
        Username: username,
        SoftwareTokenMfaSettings: { Enabled: false, PreferredMfa: false },
      }),
    );

  it('works in an OPTIONAL pool: no more TOTP challenge', async () => {
    const { pool, user } = await enrolledUser('OPTIONAL');
    await disable(pool.userPoolId, user.username);
    expect((await signIn(fixture.cognito, pool.stack, user)).ChallengeName).toBeUndefined();
    expect((await readUser(pool.userPoolId, user.username)).UserMFASettingList ?? []).toEqual([]);
  });

  it('in an MFA-required (ON) pool answers 200 and changes nothing: the user is still challenged', async () => {
    const { pool, user } = await enrolledUser('ON');
    const answer = await disable(pool.userPoolId, user.username);
    expect(answer.$metadata.httpStatusCode).toBe(200);
    expect((await signIn(fixture.cognito, pool.stack, user)).ChallengeName).toBe('SOFTWARE_TOKEN_MFA');
    expect((await readUser(pool.userPoolId, user.username)).UserMFASettingList).toEqual([
      'SOFTWARE_TOKEN_MFA',
    ]);
  });
});

// Emulator-only: real regions cannot be told to lack an operation (npm run test:aws leaves it out).
describe.skipIf(onAws)('an emulated region without AdminDeleteSoftwareToken', () => {
  it('answers the operation as unknown', async () => {
    const limited = await userPoolFixture({ disabledOperations: ['AdminDeleteSoftwareToken'] });
    try {
      const pool = await limited.createPool('OPTIONAL');
      const user = await limited.createPlainUser(pool.userPoolId);
      await expect(
        limited.cognito.send(
          new AdminDeleteSoftwareTokenCommand({ UserPoolId: pool.userPoolId, Username: user.username }),
        ),
      ).rejects.toMatchObject({ name: 'UnknownOperationException' });
    } finally {
      await limited.close();
    }
  });
});

describe('InitiateAuth flows allowed per client', () => {
  it('refuses a flow the client does not allow', async () => {
    const pool = await fixture.createPool('OFF');
    const user = await fixture.createPlainUser(pool.userPoolId);
    const proofOnly = await fixture.cognito.send(
      new CreateUserPoolClientCommand({
        UserPoolId: pool.userPoolId,
        ClientName: 'proof',
        ExplicitAuthFlows: ['ALLOW_ADMIN_USER_PASSWORD_AUTH'],
      }),
    );
    await expect(
      fixture.cognito.send(
        new InitiateAuthCommand({
          ClientId: proofOnly.UserPoolClient?.ClientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: user.username, PASSWORD: user.password },
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });
});
