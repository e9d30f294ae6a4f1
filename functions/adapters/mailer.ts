import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { rethrowTransient } from './aws-errors';

export interface EmailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** Sends email through SES v2. The body may carry a code: never log a message. */
export function createMailer(ses: SESv2Client, fromAddress: string) {
  return {
    async send(message: EmailMessage): Promise<void> {
      await ses
        .send(
          new SendEmailCommand({
            FromEmailAddress: fromAddress,
            Destination: { ToAddresses: [message.to] },
            Content: {
              Simple: {
                Subject: { Data: message.subject, Charset: 'UTF-8' },
                Body: {
                  Text: { Data: message.text, Charset: 'UTF-8' },
                  Html: { Data: message.html, Charset: 'UTF-8' },
                },
              },
            },
          }),
        )
        .catch((error) => rethrowTransient(error, 'SendEmail'));
    },
  };
}

export type Mailer = ReturnType<typeof createMailer>;
