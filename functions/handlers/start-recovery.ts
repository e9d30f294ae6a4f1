import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from 'zod';
import { loadConfig } from '../shared/config';
import {
  auditLogFrom,
  cognitoBudgetFrom,
  pepperFrom,
  proofTimingFrom,
  rateLimiterFrom,
  recoveryCodeStoreFrom,
  recoveryStoreFrom,
  systemClock,
  userDirectoryFrom,
  workflowFrom,
} from '../shared/dependencies';
import { perEnvironment } from '../shared/environment';
import { clientOf, httpHandler, jsonResponse, parseJsonBody } from '../shared/http';
import { correlate } from '../shared/observability';
import { startRecovery } from '../use-cases/start-recovery';

const deps = perEnvironment(() => {
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
    'cognitoBudget',
    'maxCodeAttempts',
    'slotGraceSeconds',
    'pepperSecretArn',
    'pepperMaxAgeSeconds',
    'publicBaseUrl',
  ]);
  const cognitoBudget = cognitoBudgetFrom(config, 'public');
  return {
    directory: userDirectoryFrom(config, cognitoBudget),
    cognitoBudget,
    proofTiming: proofTimingFrom(),
    store: recoveryStoreFrom(config),
    rateLimiter: rateLimiterFrom(config),
    audit: auditLogFrom(config),
    workflow: workflowFrom(config),
    recoveryCodes: recoveryCodeStoreFrom(config),
    pepper: pepperFrom(config),
    clock: systemClock,
    settings: { ...config, serverName: new URL(config.publicBaseUrl).host },
  };
});

const username = z.string().trim().min(1).max(128);
const email = z.string().trim().toLowerCase().email().max(254);
const password = z.string().min(1).max(256);
// "I also lost my password" is said explicitly; a missing password is never taken to mean it.
const lostPassword = z.literal(true);
// A saved recovery code goes with the password (the two proofs of a recovery without email).
const recoveryCode = z.string().trim().min(1).max(64).optional();
const body = z.union([
  z.strictObject({ username, password, recoveryCode }),
  z.strictObject({ email, password, recoveryCode }),
  z.strictObject({ username, lostPassword }),
  z.strictObject({ email, lostPassword }),
]);

/** POST /recoveries */
export const handler = httpHandler(async (event: APIGatewayProxyEventV2) => {
  const parsed = parseJsonBody(event, body);
  const result = await startRecovery(
    {
      identifier: 'username' in parsed ? { username: parsed.username } : { email: parsed.email },
      password: 'password' in parsed ? parsed.password : undefined,
      ...('recoveryCode' in parsed && parsed.recoveryCode !== undefined
        ? { recoveryCode: parsed.recoveryCode }
        : {}),
      ...clientOf(event),
    },
    deps(),
  );
  // The rest of this invocation's lines belong to the recovery (decoys get an id too: no tell).
  correlate(result.requestId);
  return jsonResponse(202, result);
});
