import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import * as z from 'zod';
import { loadConfig } from '../shared/config';
import {
  approvalStoreFrom,
  auditLogFrom,
  cognitoBudgetFrom,
  rateLimiterFrom,
  recoveryStoreFrom,
  systemClock,
  userDirectoryFrom,
  userHistoryFrom,
  workflowFrom,
} from '../shared/dependencies';
import { perEnvironment } from '../shared/environment';
import { httpHandler, jsonResponse, parseJsonBody, validate } from '../shared/http';
import { requestIdParameter } from '../shared/request-id';
import { staffFrom } from '../shared/staff';
import { approve, claimApproval, deny, listApprovals } from '../use-cases/support-approval';

const deps = perEnvironment(() => {
  const config = loadConfig([
    'recoveryTableName',
    'auditTableName',
    'stateMachineArn',
    'supportGroup',
    'userPoolId',
    'staffUserPoolId',
    'cognitoBudget',
    'verificationChecklist',
  ]);
  // One budget for both pools: Cognito's quotas are the account's, whichever pool a call reads.
  const cognitoBudget = cognitoBudgetFrom(config, 'signedIn');
  return {
    store: recoveryStoreFrom(config),
    approvals: approvalStoreFrom(config),
    audit: auditLogFrom(config),
    workflow: workflowFrom(config),
    // The decider is checked in the pool staff sign in to; the requester is read in the user pool.
    directory: userDirectoryFrom({ ...config, userPoolId: config.staffUserPoolId }, cognitoBudget),
    customers: userDirectoryFrom(config, cognitoBudget),
    cognitoBudget,
    history: userHistoryFrom(config),
    rateLimiter: rateLimiterFrom(config),
    clock: systemClock,
    supportGroup: config.supportGroup,
    checklist: config.verificationChecklist,
  };
});

const listQuery = z.strictObject({
  status: z.enum(['PENDING', 'APPROVED', 'DENIED']).default('PENDING'),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(2048).optional(),
});
const decision = z.strictObject({
  reason: z.string().trim().min(3).max(500),
  checklist: z.array(z.string().max(200)).max(20).default([]),
});
// A claim carries nothing: no body, or an empty JSON object.
const claimBody = z.strictObject({});

/** GET /support/approvals, POST /support/approvals/{requestId}/approve, /deny and /claim (group mfa-recovery-support). */
export const handler = httpHandler(async (event: APIGatewayProxyEventV2WithJWTAuthorizer) => {
  const staff = staffFrom(event, deps().supportGroup);
  if (event.routeKey === 'GET /support/approvals') {
    return jsonResponse(
      200,
      await listApprovals(validate(listQuery, event.queryStringParameters ?? {}), deps()),
    );
  }
  const { requestId } = validate(requestIdParameter, event.pathParameters ?? {});
  if (event.routeKey.endsWith('/claim')) {
    if (event.body) parseJsonBody(event, claimBody);
    const { claimed, claim } = await claimApproval({ requestId, staff }, deps());
    return claimed
      ? jsonResponse(200, { claim })
      : jsonResponse(409, {
          error: 'CLAIMED',
          message: `${claim.by} has been looking at this request since ${claim.since}.`,
          claim,
        });
  }
  const { reason, checklist } = parseJsonBody(event, decision);
  const decide = event.routeKey.endsWith('/approve') ? approve : deny;
  return jsonResponse(200, await decide({ requestId, reason, checklist, staff }, deps()));
});
