import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { loadConfig } from '../shared/config';
import {
  auditLogFrom,
  cognitoBudgetFrom,
  mailerFrom,
  pepperFrom,
  recoveryCodeStoreFrom,
  systemClock,
  texterFrom,
  userDirectoryFrom,
} from '../shared/dependencies';
import { perEnvironment } from '../shared/environment';
import { UnauthenticatedError } from '../shared/errors';
import { clientOf, httpHandler, jsonResponse } from '../shared/http';
import {
  issueRecoveryCodes,
  noticeNewAuthenticator,
  recoveryCodeStatus,
  type SignedInUser,
} from '../use-cases/recovery-codes';

const deps = perEnvironment(() => {
  const config = loadConfig([
    'recoveryTableName',
    'auditTableName',
    'userPoolId',
    'cognitoBudget',
    'pepperSecretArn',
    'pepperMaxAgeSeconds',
    'fromAddress',
  ]);
  // The user's own token: they may wait a moment for room in the budget.
  const cognitoBudget = cognitoBudgetFrom(config, 'signedIn');
  return {
    codes: recoveryCodeStoreFrom(config),
    pepper: pepperFrom(config),
    audit: auditLogFrom(config),
    directory: userDirectoryFrom(config, cognitoBudget),
    cognitoBudget,
    clock: systemClock,
    mailer: mailerFrom(config),
    texter: texterFrom(config),
  };
});

/** The user behind the access token the JWT authorizer verified (an app client of the user pool). */
function signedInUser(event: APIGatewayProxyEventV2WithJWTAuthorizer): SignedInUser {
  const claims = event.requestContext.authorizer?.jwt?.claims ?? {};
  const authorization = event.headers?.authorization ?? event.headers?.Authorization ?? '';
  const accessToken = /^Bearer (\S+)$/i.exec(authorization)?.[1];
  const authTime = Number(claims.auth_time);
  if (
    claims.token_use !== 'access' ||
    typeof claims.sub !== 'string' ||
    typeof claims.username !== 'string' ||
    !Number.isFinite(authTime) ||
    !accessToken
  ) {
    throw new UnauthenticatedError('Sign in to manage your recovery codes.');
  }
  return {
    sub: claims.sub,
    username: claims.username,
    authTime,
    accessToken,
    ...clientOf(event),
  };
}

/** POST /recovery-codes (a new set, shown once), GET /recovery-codes/status, POST /authenticator-notices. */
export const handler = httpHandler(async (event: APIGatewayProxyEventV2WithJWTAuthorizer) => {
  const user = signedInUser(event);
  if (event.routeKey === 'GET /recovery-codes/status') {
    return jsonResponse(200, await recoveryCodeStatus(user.sub, deps()));
  }
  if (event.routeKey === 'POST /authenticator-notices') {
    return jsonResponse(202, await noticeNewAuthenticator(user, deps()));
  }
  // Every JSON answer carries Cache-Control: no-store, so the codes are never kept by a cache.
  return jsonResponse(201, await issueRecoveryCodes(user, deps()));
});
