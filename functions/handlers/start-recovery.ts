import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { z } from 'zod';
import { loadConfig } from '../shared/config';
import {
  auditLogFrom,
  rateLimiterFrom,
  recoveryStoreFrom,
  systemClock,
  userDirectoryFrom,
  workflowFrom,
} from '../shared/dependencies';
import { errorResponse, jsonResponse, parseJsonBody } from '../shared/http';
import { startRecovery } from '../use-cases/start-recovery';

const config = loadConfig([
  'recoveryTableName',
  'auditTableName',
  'userPoolId',
  'passwordProofClientId',
  'stateMachineArn',
  'codeTtlSeconds',
  'approvalTimeoutSeconds',
  'coolDownSeconds',
  'userRequestLimit',
  'userRequestWindowSeconds',
  'ipRequestLimit',
  'ipRequestWindowSeconds',
]);
const deps = {
  directory: userDirectoryFrom(config),
  store: recoveryStoreFrom(config),
  rateLimiter: rateLimiterFrom(config),
  audit: auditLogFrom(config),
  workflow: workflowFrom(config),
  clock: systemClock,
  settings: config,
};

const password = z.string().min(1).max(256);
const body = z.union([
  z.strictObject({ username: z.string().trim().min(1).max(128), password }),
  z.strictObject({ email: z.string().trim().toLowerCase().email().max(254), password }),
]);

/** POST /recoveries */
export async function handler(event: APIGatewayProxyEventV2) {
  try {
    const { password: secret, ...identifier } = parseJsonBody(event, body);
    const result = await startRecovery(
      {
        identifier,
        password: secret,
        sourceIp: event.requestContext.http.sourceIp,
        userAgent: event.requestContext.http.userAgent.slice(0, 256),
      },
      deps,
    );
    return jsonResponse(202, result);
  } catch (error) {
    return errorResponse(error);
  }
}
