import { SetUserPoolMfaConfigCommand } from '@aws-sdk/client-cognito-identity-provider';
import { describe, expect, it } from 'vitest';
import { cliFor } from '../support/cli';
import { freshSourceIp, httpClient } from '../support/http-client';
import { codeFrom, mailbox } from '../support/mailbox';
import { ownStack } from '../support/own-stack';
import { waitForStatus, waitForTerminalRecord } from '../support/recoveries';
import { stackClients } from '../support/stack-clients';
import { createUser, signIn } from '../support/users';

// A stack of its own whose Cognito answers AdminDeleteSoftwareToken as unknown, as a region
// without the 2026 API would.
const own = ownStack({ poolMfa: 'ON', disabledCognitoOperations: ['AdminDeleteSoftwareToken'] });

async function recoverUntilEnd(mode: 'ON' | 'OPTIONAL') {
  const { cognito, documents } = stackClients(own.current.info);
  await cognito.send(
    new SetUserPoolMfaConfigCommand({
      UserPoolId: own.current.info.userPoolId,
      SoftwareTokenMfaConfiguration: { Enabled: true },
      MfaConfiguration: mode,
    }),
  );
  const user = await createUser(cognito, own.current.info);
  const api = httpClient(own.current.info.apiUrl, freshSourceIp());
  const started = await api.post('/recoveries', { username: user.username, password: user.password });
  const { requestId } = started.json as { requestId: string };
  const code = codeFrom(await mailbox(own.current.info.endpoints.ses).waitFor(user.email, /code to remove/));
  expect((await api.post(`/recoveries/${requestId}/confirm`, { code })).status).toBe(200);
  const end = await waitForStatus(api, requestId);
  const records = await waitForTerminalRecord(documents, own.current.info, requestId);
  return { user, end, records, cognito };
}

describe('in a region without AdminDeleteSoftwareToken', () => {
  it('the preflight probe tells the missing operation from a missing user: FAIL for an MFA-required pool, exit 1', async () => {
    const run = await cliFor(own.current.info)(['preflight']);
    expect(run.code).toBe(1);
    expect(run.out).toMatch(/^AdminDeleteSoftwareToken +FAIL +not available in us-east-1/m);
    expect(run.out).toMatch(
      /fix: deploy the product, with the pool, in a region that has AdminDeleteSoftwareToken/,
    );
    expect(run.out).toMatch(/^SES sending identity +PASS/m);
  });

  it('an MFA-required pool ends the request FAILED with TOTP_RESET_UNSUPPORTED and leaves TOTP in place', async () => {
    const { user, end, records, cognito } = await recoverUntilEnd('ON');
    expect(end).toMatchObject({ status: 'FAILED' });
    expect(records.at(-1)).toMatchObject({
      terminal: 'FAILED',
      reasons: ['TOTP_RESET_UNSUPPORTED'],
      details: {
        error: 'TotpResetUnsupported',
        explanation: expect.stringContaining('AdminDeleteSoftwareToken'),
      },
    });
    expect(records.map((r) => r.type)).not.toContain('TotpRemoved');
    expect((await signIn(cognito, own.current.info, user)).ChallengeName).toBe('SOFTWARE_TOKEN_MFA');
    await mailbox(own.current.info.endpoints.ses).waitFor(user.email, /could not be completed/);
  });

  it('an MFA-optional pool falls back to AdminSetUserMFAPreference, verified by reading the user back', async () => {
    const { user, end, records, cognito } = await recoverUntilEnd('OPTIONAL');
    expect(end).toMatchObject({ status: 'COMPLETED' });
    expect(records.find((r) => r.type === 'TotpRemoved')).toMatchObject({
      details: { method: 'AdminSetUserMFAPreference' },
    });
    expect((await signIn(cognito, own.current.info, user)).ChallengeName).toBeUndefined();
  });
});
