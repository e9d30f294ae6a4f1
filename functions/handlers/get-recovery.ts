import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { loadConfig } from '../shared/config';
import { recoveryStoreFrom, systemClock } from '../shared/dependencies';
import { perEnvironment } from '../shared/environment';
import { httpHandler, jsonResponse, validate } from '../shared/http';
import { requestIdParameter } from '../shared/request-id';
import { getRecoveryStatus } from '../use-cases/get-recovery-status';

const deps = perEnvironment(() => {
  const config = loadConfig(['recoveryTableName', 'maxCodeAttempts']);
  return {
    store: recoveryStoreFrom(config),
    clock: systemClock,
    maxCodeAttempts: config.maxCodeAttempts,
  };
});

/** GET /recoveries/{requestId} */
export const handler = httpHandler(async (event: APIGatewayProxyEventV2) => {
  const { requestId } = validate(requestIdParameter, event.pathParameters ?? {});
  return jsonResponse(200, await getRecoveryStatus(requestId, deps()));
});
