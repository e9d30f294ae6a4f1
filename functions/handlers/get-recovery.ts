import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { loadConfig } from '../shared/config';
import { recoveryStoreFrom, systemClock } from '../shared/dependencies';
import { errorResponse, jsonResponse, validate } from '../shared/http';
import { requestIdParameter } from '../shared/request-id';
import { getRecoveryStatus } from '../use-cases/get-recovery-status';

const config = loadConfig(['recoveryTableName', 'maxCodeAttempts']);
const deps = {
  store: recoveryStoreFrom(config),
  clock: systemClock,
  maxCodeAttempts: config.maxCodeAttempts,
};

/** GET /recoveries/{requestId} */
export async function handler(event: APIGatewayProxyEventV2) {
  try {
    const { requestId } = validate(requestIdParameter, event.pathParameters ?? {});
    return jsonResponse(200, await getRecoveryStatus(requestId, deps));
  } catch (error) {
    return errorResponse(error, event.requestContext?.requestId);
  }
}
