import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { createVoices, type Voices } from '../domain/emails';
import { rethrowTransient } from './aws-errors';

/**
 * Sends text messages to a verified phone number through Amazon SNS (`Publish` with a phone
 * number, transactional). Notices only: no code ever goes by SMS. Never log a message.
 */
export function createTexter(sns: SNSClient, voices: Voices = createVoices()) {
  return {
    /** The reader's voice (language and signature) the texts of domain/texts.ts take. */
    voice: voices,
    async send(phoneNumber: string, text: string): Promise<void> {
      await sns
        .send(
          new PublishCommand({
            PhoneNumber: phoneNumber,
            Message: text,
            MessageAttributes: {
              'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
            },
          }),
        )
        .catch((error) => rethrowTransient(error, 'Publish'));
    },
  };
}

export type Texter = ReturnType<typeof createTexter>;
