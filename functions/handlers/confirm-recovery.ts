import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from 'zod';
import { normaliseEmailCode } from '../domain/secrets';
import { loadConfig } from '../shared/config';
import { challengeConfigNeeds, challengeDepsFrom } from '../shared/dependencies';
import { perEnvironment } from '../shared/environment';
import { clientOf, httpHandler, jsonResponse, parseJsonBody, validate } from '../shared/http';
import { requestIdParameter } from '../shared/request-id';
import { confirmCode } from '../use-cases/confirm-code';

const deps = perEnvironment(() => {
  return challengeDepsFrom(loadConfig(challengeConfigNeeds));
});

const body = z.strictObject({
  code: z
    .string()
    .max(32)
    .transform((value, context) => {
      const code = normaliseEmailCode(value);
      if (!code) context.addIssue({ code: 'custom', message: 'must be the 8-digit code from the email' });
      return code ?? '';
    }),
});

/** POST /recoveries/{requestId}/confirm */
export const handler = httpHandler(async (event: APIGatewayProxyEventV2) => {
  const { requestId } = validate(requestIdParameter, event.pathParameters ?? {});
  const { code } = parseJsonBody(event, body);
  const result = await confirmCode({ requestId, code, ...clientOf(event) }, deps());
  return jsonResponse(200, result);
});
