import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Signature } from '../domain/emails';
import { rethrowTransient } from './aws-errors';

/**
 * Sends text messages to a verified phone number through Amazon SNS (`Publish` with a phone
 * number, transactional). Notices only: no code ever goes by SMS. Never log a message.
 */
export function createTexter(sns: SNSClient, signature: Signature = {}) {
  return {
    /** How the operator signs each text (the texts of domain/texts.ts take it). */
    signature,
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
