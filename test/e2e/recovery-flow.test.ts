import {
  AdminGetUserCommand,
  AdminUpdateUserAttributesCommand,
  GetUserCommand,
  InitiateAuthCommand,
  SetUserPoolMfaConfigCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CATALOGS, LANGUAGES } from '../../web/i18n';
import { freshSourceIp, httpClient } from '../support/http-client';
import { codeFrom, mailbox } from '../support/mailbox';
import { waitForStatus, waitForTerminalRecord } from '../support/recoveries';
import { stackClients } from '../support/stack-clients';
import {
  createUser,
  enrolWithAccessToken,
  setUpAuthenticatorAtSignIn,
  signIn,
  signInWithTotp,
  type TestUser,
} from '../support/users';

const stack = inject('stack');
const { cognito, documents } = stackClients(stack);
const mail = mailbox(stack.endpoints.ses);
// The code email, in whatever language the account reads.
const CODE_SUBJECT = new RegExp(
  LANGUAGES.map((language) =>
    String(CATALOGS[language]['email.code.subject']).replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
  ).join('|'),
);

async function recover(user: TestUser, api = httpClient(stack.apiUrl, freshSourceIp())) {
  const started = await api.post('/recoveries', { username: user.username, password: user.password });
  expect(started.status).toBe(202);
  const { requestId } = started.json as { requestId: string };
  const code = codeFrom(await mail.waitFor(user.email, CODE_SUBJECT));
  const confirmed = await api.post(`/recoveries/${requestId}/confirm`, { code });
  expect(confirmed.status).toBe(200);
  expect(await waitForStatus(api, requestId)).toMatchObject({ status: 'COMPLETED' });
  return { requestId, code, api };
}

async function refreshWith(refreshToken: string) {
  return cognito.send(
    new InitiateAuthCommand({
      ClientId: stack.userPoolClientId,
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      AuthParameters: { REFRESH_TOKEN: refreshToken },
    }),
  );
}

describe('recovering a lost authenticator in an MFA-required (ON) pool', () => {
  it('removes TOTP so the next sign-in asks to set up a new authenticator, and revokes old sessions', async () => {
    const user = await createUser(cognito, stack);
    expect((await signIn(cognito, stack, user)).ChallengeName).toBe('SOFTWARE_TOKEN_MFA');
    const before = await signInWithTotp(cognito, stack, user);
    const oldSecret = user.totpSecret;

    const { requestId } = await recover(user);

    const after = await signIn(cognito, stack, user);
    expect(after.ChallengeName).toBe('MFA_SETUP');
    await setUpAuthenticatorAtSignIn(cognito, stack, user, after.Session as string);
    expect(user.totpSecret).not.toBe(oldSecret);
    const fresh = await signInWithTotp(cognito, stack, user);
    expect(fresh.AccessToken).toEqual(expect.any(String));
    await expect(refreshWith(before.RefreshToken as string)).rejects.toMatchObject({
      name: 'NotAuthorizedException',
    });
    await expect(cognito.send(new GetUserCommand({ AccessToken: before.AccessToken }))).rejects.toMatchObject(
      {
        name: 'NotAuthorizedException',
      },
    );

    const removed = await mail.waitFor(user.email, /authenticator was removed/);
    expect(removed.body.text).toContain('set up your new authenticator');
    const records = await waitForTerminalRecord(documents, stack, requestId);
    expect(records.map((r) => r.type)).toEqual([
      'RecoveryRequested',
      'UserLookedUp',
      'RiskAssessed',
      'CodeSent',
      'CodeConfirmed',
      'RemovalStarted',
      'TotpRemoved',
      'UserSignedOut',
      'RecoveryCompleted',
    ]);
    expect(records.filter((r) => r.terminal)).toEqual([expect.objectContaining({ terminal: 'COMPLETED' })]);
  });

  it('writes to the user in their language and gives the code’s expiry in their time zone and locale (Cognito locale and zoneinfo), and links the completion email to /enroll', async () => {
    const user = await createUser(cognito, stack);
    await cognito.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: stack.userPoolId,
        Username: user.username,
        UserAttributes: [
          { Name: 'zoneinfo', Value: 'Asia/Tokyo' },
          { Name: 'locale', Value: 'ja-JP' },
        ],
      }),
    );
    await recover(user);
    const codeEmail = await mail.waitFor(user.email, CODE_SUBJECT);
    expect(codeEmail.subject).toBe(CATALOGS.ja['email.code.subject']);
    expect(codeEmail.body.text).toMatch(/\d+分.*\d{4}年\d{1,2}月\d{1,2}日 \d{1,2}:\d{2} JST/);
    const done = await mail.waitFor(user.email, new RegExp(String(CATALOGS.ja['email.removed.subject'])));
    expect(done.body.text).toContain(`${CATALOGS.ja['email.enrolLink']}: ${stack.apiUrl}/enroll`);
  });

  it('leaves the user with no TOTP factor when read back with AdminGetUser', async () => {
    const user = await createUser(cognito, stack);
    await recover(user);
    const read = await cognito.send(
      new AdminGetUserCommand({ UserPoolId: stack.userPoolId, Username: user.username }),
    );
    expect(read.UserMFASettingList ?? []).not.toContain('SOFTWARE_TOKEN_MFA');
  });
});

describe('recovering a lost authenticator in an MFA-optional pool', () => {
  beforeAll(async () => {
    await cognito.send(
      new SetUserPoolMfaConfigCommand({
        UserPoolId: stack.userPoolId,
        SoftwareTokenMfaConfiguration: { Enabled: true },
        MfaConfiguration: 'OPTIONAL',
      }),
    );
  });
  afterAll(async () => {
    await cognito.send(
      new SetUserPoolMfaConfigCommand({
        UserPoolId: stack.userPoolId,
        SoftwareTokenMfaConfiguration: { Enabled: true },
        MfaConfiguration: 'ON',
      }),
    );
  });

  it('removes TOTP so sign-in no longer challenges, and the user can enrol a new authenticator', async () => {
    const user = await createUser(cognito, stack);
    expect((await signIn(cognito, stack, user)).ChallengeName).toBe('SOFTWARE_TOKEN_MFA');
    const before = await signInWithTotp(cognito, stack, user);

    await recover(user);

    const after = await signIn(cognito, stack, user);
    expect(after.ChallengeName).toBeUndefined();
    expect(after.AuthenticationResult?.AccessToken).toEqual(expect.any(String));
    await enrolWithAccessToken(cognito, user, after.AuthenticationResult?.AccessToken as string);
    expect((await signIn(cognito, stack, user)).ChallengeName).toBe('SOFTWARE_TOKEN_MFA');
    expect((await signInWithTotp(cognito, stack, user)).AccessToken).toEqual(expect.any(String));
    await expect(refreshWith(before.RefreshToken as string)).rejects.toMatchObject({
      name: 'NotAuthorizedException',
    });
  });
});
