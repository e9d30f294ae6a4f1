import { PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { hashEmailCode } from '../../functions/domain/secrets';
import { ownStack } from '../support/own-stack';
import { waitForStatus } from '../support/recoveries';
import { recoveryDriver } from '../support/state-model';
import { createUser } from '../support/users';

// Functions keep the pepper 1 s here (PEPPER_MAX_AGE_SECONDS; 300 s by default).
const own = ownStack({ functionEnvironment: { PEPPER_MAX_AGE_SECONDS: '1' } });
const drive = recoveryDriver(own);

describe('rotating the pepper', () => {
  it('keeps codes and cancel links issued before the rotation working, and makes new codes with the new pepper', async () => {
    const stack = drive.stack();
    const { cognito } = drive.clients();
    const before = await createUser(cognito, stack);
    const cancelled = await createUser(cognito, stack);
    const first = await drive.request(before);
    const second = await drive.request(cancelled);
    const { code } = await drive.codeEmail(before);
    const { cancelToken } = await drive.codeEmail(cancelled);

    const rotated = 'a-new-pepper-for-the-test-0123456789abcdefghijklmnop';
    const secrets = new SecretsManagerClient({
      endpoint: stack.endpoints.secretsmanager,
      region: stack.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await secrets.send(new PutSecretValueCommand({ SecretId: stack.pepperSecretArn, SecretString: rotated }));
    await new Promise((resolve) => setTimeout(resolve, 1500));

    expect((await first.api.post(`/recoveries/${first.requestId}/confirm`, { code })).status).toBe(200);
    expect(await waitForStatus(first.api, first.requestId)).toMatchObject({ status: 'COMPLETED' });
    expect(
      (await second.api.post(`/recoveries/${second.requestId}/cancel`, { token: cancelToken })).status,
    ).toBe(200);

    const after = await createUser(cognito, stack);
    const third = await drive.request(after);
    const newCode = (await drive.codeEmail(after)).code;
    const { GetCommand } = await import('@aws-sdk/lib-dynamodb');
    const challenge = await drive.clients().documents.send(
      new GetCommand({
        TableName: stack.tables.recoveries,
        Key: { pk: `REQ#${third.requestId}`, sk: 'CHALLENGE' },
        ConsistentRead: true,
      }),
    );
    expect(challenge.Item?.codeHash).toBe(
      hashEmailCode(Buffer.from(rotated, 'utf8'), third.requestId, newCode.replace(' ', '')),
    );
    expect((await third.api.post(`/recoveries/${third.requestId}/confirm`, { code: newCode })).status).toBe(
      200,
    );
  });
});
