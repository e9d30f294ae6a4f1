import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { type Signature, signed } from '../domain/emails';
import { rethrowTransient } from './aws-errors';

export interface EmailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** `"Product" <address>` when a plain product name is set; a name SES would need encoded is left out. */
const sender = (address: string, productName: string | undefined) =>
  productName && /^[\x20-\x7e]+$/.test(productName) && !/["\\]/.test(productName)
    ? `"${productName}" <${address}>`
    : address;

/**
 * Sends email through SES v2, signed with the operator's product name and support contact. The
 * body may carry a code: never log a message.
 */
export function createMailer(ses: SESv2Client, fromAddress: string, signature: Signature = {}) {
  const from = sender(fromAddress, signature.productName);
  return {
    async send(unsigned: EmailMessage): Promise<void> {
      const message = signed(unsigned, signature);
      await ses
        .send(
          new SendEmailCommand({
            FromEmailAddress: from,
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
