import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { loadConfig } from '../shared/config';
import { recoveryStoreFrom, systemClock } from '../shared/dependencies';
import { httpHandler, jsonResponse, validate } from '../shared/http';
import { requestIdParameter } from '../shared/request-id';
import { getRecoveryStatus } from '../use-cases/get-recovery-status';

const config = loadConfig(['recoveryTableName', 'maxCodeAttempts']);
const deps = {
  store: recoveryStoreFrom(config),
  clock: systemClock,
  maxCodeAttempts: config.maxCodeAttempts,
};

/** GET /recoveries/{requestId} */
export const handler = httpHandler(async (event: APIGatewayProxyEventV2) => {
  const { requestId } = validate(requestIdParameter, event.pathParameters ?? {});
  return jsonResponse(200, await getRecoveryStatus(requestId, deps));
});
