import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from 'zod';
import { loadConfig } from '../shared/config';
import { challengeConfigNeeds, challengeDepsFrom } from '../shared/dependencies';
import { perEnvironment } from '../shared/environment';
import { clientOf, httpHandler, jsonResponse, parseJsonBody, validate } from '../shared/http';
import { requestIdParameter } from '../shared/request-id';
import { cancelRecovery } from '../use-cases/cancel-recovery';

const deps = perEnvironment(() => {
  return challengeDepsFrom(loadConfig(challengeConfigNeeds));
});

const body = z.strictObject({
  token: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be the token from the email link'),
});

/** POST /recoveries/{requestId}/cancel */
export const handler = httpHandler(async (event: APIGatewayProxyEventV2) => {
  const { requestId } = validate(requestIdParameter, event.pathParameters ?? {});
  const { token } = parseJsonBody(event, body);
  return jsonResponse(200, await cancelRecovery({ requestId, token, ...clientOf(event) }, deps()));
});
