import {
  ConfirmForgotPasswordCommand,
  ForgotPasswordCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { describe, expect, inject, it } from 'vitest';
import { freshSourceIp, httpClient } from '../support/http-client';
import { codeFrom, mailbox } from '../support/mailbox';
import { waitForStatus } from '../support/recoveries';
import { stackClients } from '../support/stack-clients';
import { decide, staffToken } from '../support/staff';
import { createUser, setUpAuthenticatorAtSignIn, signIn } from '../support/users';

const stack = inject('stack');
const { cognito } = stackClients(stack);
const mail = mailbox(stack.endpoints.ses);

describe('"I also lost my password", completed locally', () => {
  it('recovery with support review, then Forgot password from the mailbox, then MFA_SETUP and a new authenticator', async () => {
    const user = await createUser(cognito, stack);
    const api = httpClient(stack.apiUrl, freshSourceIp());
    const started = await api.post('/recoveries', { username: user.username, lostPassword: true });
    const { requestId } = started.json as { requestId: string };
    const code = codeFrom(await mail.waitFor(user.email, /code to remove/));
    expect((await api.post(`/recoveries/${requestId}/confirm`, { code })).status).toBe(200);
    await waitForStatus(api, requestId, 'AWAITING_APPROVAL');
    expect((await decide(api, requestId, 'approve', await staffToken(stack, 'sam'))).status).toBe(200);
    expect(await waitForStatus(api, requestId, 'COMPLETED')).toMatchObject({ status: 'COMPLETED' });

    // Forgot password: Cognito emails a code (locally, to the mailbox).
    const asked = await cognito.send(
      new ForgotPasswordCommand({ ClientId: stack.userPoolClientId, Username: user.username }),
    );
    expect(asked.CodeDeliveryDetails?.DeliveryMedium).toBe('EMAIL');
    const resetEmail = await mail.waitFor(user.email, /Your verification code/);
    const resetCode = /(\d{6})/.exec(resetEmail.body.text ?? '')?.[1] as string;
    const renewed = { ...user, password: `${user.password}-New2` };
    await cognito.send(
      new ConfirmForgotPasswordCommand({
        ClientId: stack.userPoolClientId,
        Username: user.username,
        ConfirmationCode: resetCode,
        Password: renewed.password,
      }),
    );

    // The next sign-in asks for a new authenticator, and the user sets one up.
    const first = await signIn(cognito, stack, renewed);
    expect(first.ChallengeName).toBe('MFA_SETUP');
    const tokens = await setUpAuthenticatorAtSignIn(cognito, stack, renewed, first.Session as string);
    expect(tokens.AccessToken).toBeTruthy();
    await expect(signIn(cognito, stack, user)).rejects.toMatchObject({ name: 'NotAuthorizedException' });
  });
});
