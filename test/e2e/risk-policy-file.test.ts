import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateGroupCommand } from '@aws-sdk/client-cognito-identity-provider';
import { describe, expect, it } from 'vitest';
import { startLocalStack } from '../../local/stack';
import { freshSourceIp, httpClient } from '../support/http-client';
import { codeFrom, mailbox } from '../support/mailbox';
import { ownStack } from '../support/own-stack';
import { auditOf, waitForStatus } from '../support/recoveries';
import { stackClients } from '../support/stack-clients';
import { createUser } from '../support/users';

const policyDir = mkdtempSync(join(tmpdir(), 'totp-recovery-policy-'));
const policyFile = join(policyDir, 'risk-policy.json');
writeFileSync(policyFile, JSON.stringify({ newAccountDays: 7, privilegedGroups: ['finance'] }));
const own = ownStack({ riskPolicyFile: policyFile });

describe('the local risk policy file', () => {
  it('applies its rules: a week-old account and a privileged group of its own are HIGH, admins are not', async () => {
    const stack = own.current.info;
    const { cognito, documents } = stackClients(stack);
    const mail = mailbox(stack.endpoints.ses);
    await cognito.send(new CreateGroupCommand({ UserPoolId: stack.userPoolId, GroupName: 'finance' }));
    const user = await createUser(cognito, stack, { groups: ['finance', 'admins'] });
    const api = httpClient(stack.apiUrl, freshSourceIp());
    const { requestId } = (
      await api.post('/recoveries', { username: user.username, password: user.password })
    ).json as { requestId: string };
    const code = codeFrom(await mail.waitFor(user.email, /code to remove/));
    await api.post(`/recoveries/${requestId}/confirm`, { code });
    await waitForStatus(api, requestId, 'AWAITING_APPROVAL');
    const assessed = (await auditOf(documents, stack, requestId)).find((r) => r.type === 'RiskAssessed');
    expect(assessed).toMatchObject({
      outcome: 'HIGH',
      reasons: ['PRIVILEGED_GROUP:finance', 'NEW_ACCOUNT:7d'],
    });
  });

  it('stops the stack from starting when the file is invalid, naming the field', async () => {
    const bad = join(policyDir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ newAccountDays: 'seven' }));
    await expect(startLocalStack({ port: 0, stateDir: policyDir, riskPolicyFile: bad })).rejects.toThrow(
      /risk policy .*bad\.json: newAccountDays: /,
    );
  });
});
