import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import type { StaffMember } from '../use-cases/support-approval';
import { ForbiddenError, UnauthenticatedError } from './errors';

/**
 * The groups claim exactly as the HTTP API JWT authorizer delivers it: a JSON array stays an array,
 * and the authorizer's string form "[a b]" is split on single spaces only. Cognito group names cannot
 * hold whitespace, so a name such as "partners,mfa-recovery-support" stays one group.
 */
export function groupsClaim(raw: unknown): string[] {
  if (Array.isArray(raw)) return raw.map(String);
  const text = String(raw ?? '');
  const inner = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  return inner.split(' ').filter(Boolean);
}

/**
 * The caller as the HTTP API JWT authorizer verified them, required to be in `group` per the token.
 * This is only the first gate: a decision checks the person again, live, against the pool.
 */
export function staffFrom(event: APIGatewayProxyEventV2WithJWTAuthorizer, group: string): StaffMember {
  const claims = event.requestContext.authorizer?.jwt?.claims;
  const sub = claims?.sub;
  const username = claims?.username ?? claims?.['cognito:username'];
  const authorization = event.headers?.authorization ?? event.headers?.Authorization ?? '';
  const accessToken = /^Bearer (\S+)$/i.exec(authorization)?.[1];
  if (typeof sub !== 'string' || typeof username !== 'string' || !accessToken)
    throw new UnauthenticatedError('A staff sign-in is required.');
  const groups = groupsClaim(claims?.['cognito:groups']);
  if (!groups.includes(group)) throw new ForbiddenError(`This needs membership of ${group}.`);
  return { sub, username, groups, accessToken };
}
