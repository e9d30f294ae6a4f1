import {
  CreateEmailIdentityCommand,
  GetAccountCommand,
  GetEmailIdentityCommand,
  SESv2Client,
  SendEmailCommand,
} from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSesLocal, startSesLocal } from '../../local/ses/ses-local';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
let production: RunningSesLocal;
let sandbox: RunningSesLocal;
const client = (ses: RunningSesLocal) =>
  new SESv2Client({ endpoint: ses.url, region: 'us-east-1', credentials });

beforeAll(async () => {
  production = await startSesLocal({ verifiedIdentities: ['mail.example.com'] });
  sandbox = await startSesLocal({
    verifiedIdentities: ['mail.example.com', 'verified@example.org'],
    sandbox: true,
  });
});
afterAll(async () => {
  await production.close();
  await sandbox.close();
});

const email = (from: string, to: string) =>
  new SendEmailCommand({
    FromEmailAddress: from,
    Destination: { ToAddresses: [to] },
    Content: { Simple: { Subject: { Data: 'hello' }, Body: { Text: { Data: 'hi' } } } },
  });

describe('the local SES v2, as SES answers', () => {
  it('GetAccount tells production access and counts what was sent in the last 24 hours', async () => {
    const ses = client(production);
    const before = await ses.send(new GetAccountCommand({}));
    expect(before).toMatchObject({ ProductionAccessEnabled: true, SendingEnabled: true });
    await ses.send(email('Recovery <no-reply@mail.example.com>', 'anyone@example.net'));
    const after = await ses.send(new GetAccountCommand({}));
    expect(after.SendQuota?.SentLast24Hours).toBe((before.SendQuota?.SentLast24Hours ?? 0) + 1);
    expect((await client(sandbox).send(new GetAccountCommand({}))).ProductionAccessEnabled).toBe(false);
  });

  it('a new identity is PENDING and not verified for sending; an unknown one is NotFoundException', async () => {
    const ses = client(production);
    await ses.send(new CreateEmailIdentityCommand({ EmailIdentity: 'new.example.com' }));
    expect(await ses.send(new GetEmailIdentityCommand({ EmailIdentity: 'new.example.com' }))).toMatchObject({
      IdentityType: 'DOMAIN',
      VerifiedForSendingStatus: false,
      VerificationStatus: 'PENDING',
    });
    await expect(
      ses.send(new CreateEmailIdentityCommand({ EmailIdentity: 'new.example.com' })),
    ).rejects.toMatchObject({ name: 'AlreadyExistsException' });
    await expect(
      ses.send(new GetEmailIdentityCommand({ EmailIdentity: 'unknown.example.com' })),
    ).rejects.toMatchObject({ name: 'NotFoundException' });
  });

  it('refuses a sender that is not verified (MessageRejected), and in the sandbox a recipient that is not', async () => {
    await expect(
      client(production).send(email('someone@new.example.com', 'a@example.net')),
    ).rejects.toMatchObject({
      name: 'MessageRejected',
    });
    await expect(
      client(sandbox).send(email('no-reply@mail.example.com', 'a@example.net')),
    ).rejects.toMatchObject({
      name: 'MessageRejected',
      message: expect.stringMatching(/a@example\.net/),
    });
    const sent = await client(sandbox).send(email('no-reply@mail.example.com', 'verified@example.org'));
    expect(sent.MessageId).toBeTruthy();
  });
});
