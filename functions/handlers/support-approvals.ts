import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import * as z from 'zod';
import { loadConfig } from '../shared/config';
import {
  approvalStoreFrom,
  auditLogFrom,
  recoveryStoreFrom,
  systemClock,
  userDirectoryFrom,
  workflowFrom,
} from '../shared/dependencies';
import { httpHandler, jsonResponse, parseJsonBody, validate } from '../shared/http';
import { requestIdParameter } from '../shared/request-id';
import { staffFrom } from '../shared/staff';
import { approve, deny, listApprovals } from '../use-cases/support-approval';

const config = loadConfig([
  'recoveryTableName',
  'auditTableName',
  'stateMachineArn',
  'supportGroup',
  'staffUserPoolId',
]);
const deps = {
  store: recoveryStoreFrom(config),
  approvals: approvalStoreFrom(config),
  audit: auditLogFrom(config),
  workflow: workflowFrom(config),
  // The decider is checked in the pool staff sign in to.
  directory: userDirectoryFrom({ ...config, userPoolId: config.staffUserPoolId }),
  clock: systemClock,
  supportGroup: config.supportGroup,
};

const listQuery = z.strictObject({
  status: z.enum(['PENDING', 'APPROVED', 'DENIED']).default('PENDING'),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(2048).optional(),
});
const decision = z.strictObject({ reason: z.string().trim().min(3).max(500) });

/** GET /support/approvals, POST /support/approvals/{requestId}/approve and /deny (group mfa-recovery-support). */
export const handler = httpHandler(async (event: APIGatewayProxyEventV2WithJWTAuthorizer) => {
  const staff = staffFrom(event, config.supportGroup);
  if (event.routeKey === 'GET /support/approvals') {
    return jsonResponse(
      200,
      await listApprovals(validate(listQuery, event.queryStringParameters ?? {}), deps),
    );
  }
  const { requestId } = validate(requestIdParameter, event.pathParameters ?? {});
  const { reason } = parseJsonBody(event, decision);
  const decide = event.routeKey.endsWith('/approve') ? approve : deny;
  return jsonResponse(200, await decide({ requestId, reason, staff }, deps));
});
