import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import type { StaffMember } from '../use-cases/support-approval';
import { ForbiddenError, UnauthenticatedError } from './errors';

/**
 * The caller as the HTTP API JWT authorizer verified them, required to be in `group`. The
 * authorizer hands claims over as strings; groups arrive as "[a b]".
 */
export function staffFrom(event: APIGatewayProxyEventV2WithJWTAuthorizer, group: string): StaffMember {
  const claims = event.requestContext.authorizer?.jwt?.claims;
  const sub = claims?.sub;
  const username = claims?.username ?? claims?.['cognito:username'];
  if (typeof sub !== 'string' || typeof username !== 'string')
    throw new UnauthenticatedError('A staff sign-in is required.');
  const raw = claims?.['cognito:groups'];
  const groups = Array.isArray(raw)
    ? raw.map(String)
    : String(raw ?? '')
        .replace(/^\[|\]$/g, '')
        .split(/[\s,]+/)
        .filter(Boolean);
  if (!groups.includes(group)) throw new ForbiddenError(`This needs membership of ${group}.`);
  return { sub, username, groups };
}
