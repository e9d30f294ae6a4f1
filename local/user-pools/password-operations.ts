import { createHash, randomInt } from 'node:crypto';
import { checkPasswordPolicy } from './admin-operations';
import type { Body, EmulatorContext, Operation } from './context';
import { CognitoError, requireStrings } from './errors';
import { hashPassword } from './state';

/** Sends an email as Cognito's default sender would (locally: into the local mailbox). */
export type SendEmail = (to: string, subject: string, text: string) => Promise<void>;

const CODE_SECONDS = 3600;
const MAX_CODE_FAILURES = 5;
const digest = (code: string) => createHash('sha256').update(code).digest('base64url');

/** `a***@e***`: how Cognito shows where a code went. */
const masked = (email: string) => {
  const [local = '', domain = ''] = email.split('@');
  return `${local.charAt(0)}***@${domain.charAt(0)}***`;
};

/**
 * ForgotPassword and ConfirmForgotPassword, as Cognito answers them: a 6-digit code to the verified
 * email, valid for an hour, replaced by the next request; with PreventUserExistenceErrors an
 * unknown user gets the same answer and nothing is sent.
 */
export function passwordOperations(
  ctx: EmulatorContext,
  sendEmail: SendEmail | undefined,
): Record<string, Operation> {
  return {
    async ForgotPassword(body: Body) {
      requireStrings(body, 'Username');
      const { pool, client } = ctx.client(body);
      const user = ctx.findUser(pool, body.Username as string);
      const email = user?.attributes.email;
      const verified = user?.attributes.email_verified === 'true';
      if (!user || !email || !verified || !user.enabled) {
        if (client.preventUserExistenceErrors === 'ENABLED') {
          return {
            CodeDeliveryDetails: {
              Destination: masked(`${String(body.Username)}@example.com`),
              DeliveryMedium: 'EMAIL',
              AttributeName: 'email',
            },
          };
        }
        if (!user)
          throw new CognitoError('UserNotFoundException', 'Username/client id combination not found.');
        throw new CognitoError(
          'InvalidParameterException',
          'Cannot reset password for the user as there is no registered/verified email or phone_number',
        );
      }
      const code = randomInt(0, 1_000_000).toString().padStart(6, '0');
      user.passwordReset = {
        codeHash: digest(code),
        expiresAt: Date.now() / 1000 + CODE_SECONDS,
        failures: 0,
      };
      ctx.persist();
      await sendEmail?.(email, 'Your verification code', `Your password reset code is ${code}`);
      return {
        CodeDeliveryDetails: { Destination: masked(email), DeliveryMedium: 'EMAIL', AttributeName: 'email' },
      };
    },

    ConfirmForgotPassword(body: Body) {
      requireStrings(body, 'Username', 'ConfirmationCode', 'Password');
      const { pool } = ctx.client(body);
      const user = ctx.findUser(pool, body.Username as string);
      const reset = user?.passwordReset;
      if (!user || !reset) {
        throw new CognitoError('ExpiredCodeException', 'Invalid code provided, please request a code again.');
      }
      if (reset.expiresAt < Date.now() / 1000) {
        user.passwordReset = undefined;
        throw new CognitoError('ExpiredCodeException', 'Invalid code provided, please request a code again.');
      }
      if (reset.codeHash !== digest(String(body.ConfirmationCode))) {
        reset.failures += 1;
        if (reset.failures >= MAX_CODE_FAILURES) user.passwordReset = undefined;
        throw new CognitoError(
          'CodeMismatchException',
          'Invalid verification code provided, please try again.',
        );
      }
      checkPasswordPolicy(pool, body.Password as string);
      user.password = hashPassword(body.Password as string);
      user.status = 'CONFIRMED';
      user.passwordReset = undefined;
      user.modifiedAt = Date.now() / 1000;
      ctx.persist();
      return {};
    },
  };
}
