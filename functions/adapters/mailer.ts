import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { createVoices, type EmailMessage, type Voices } from '../domain/emails';
import { rethrowTransient } from './aws-errors';

export type { EmailMessage };

/**
 * `"Name" <address>`; a name beyond plain ASCII (accents, Japanese) goes as an RFC 2047 encoded-word,
 * as SES asks for a Unicode "friendly from" name.
 */
const sender = (address: string, name: string | undefined) => {
  if (!name) return address;
  if (/^[\x20-\x7e]+$/.test(name) && !/["\\]/.test(name)) return `"${name}" <${address}>`;
  return `=?UTF-8?B?${Buffer.from(name, 'utf8').toString('base64')}?= <${address}>`;
};

/**
 * Sends email through SES v2 from the operator's from-name (or product name). The messages are
 * written in each reader's voice (language, signature, logo): `voice(locale)` gives it. The body
 * may carry a code: never log a message.
 */
export function createMailer(
  ses: SESv2Client,
  fromAddress: string,
  options: { fromName?: string | undefined; voices?: Voices } = {},
) {
  const from = sender(fromAddress, options.fromName);
  const voices = options.voices ?? createVoices();
  return {
    voice: voices,
    async send(message: EmailMessage): Promise<void> {
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
