/**
 * Threat protection ("advanced security"), as far as the product reads it: a pool created with
 * `UserPoolAddOns.AdvancedSecurityMode` AUDIT (on the Plus tier) records every password sign-in of a
 * user, and AdminListUserAuthEvents lists them, newest first. In a pool without it, that call answers
 * UserPoolAddOnNotEnabledException, as Cognito does.
 *
 * What Cognito computes from its own data is made deterministic here:
 * - the IP address is the body's context data (`ContextData.IpAddress` of the admin flows,
 *   `UserContextData.IpAddress` of the public ones), else the caller's address;
 * - the device name is read from the user agent (`Firefox, Windows`), `Unknown` parts otherwise;
 * - the location is known only for the documentation ranges of RFC 5737 (`LOCATIONS` below), as a
 *   loopback or private address has none in Cognito either;
 * - the risk is Medium (AccountTakeover) for a sign-in from an address the user's earlier events never
 *   came from, Low (NoRisk) otherwise and for the first event. AUDIT takes no action on it.
 */
import { randomUUID } from 'node:crypto';
import type { Body, CallContext, EmulatorContext, Operation } from './context';
import { CognitoError, invalidParameter } from './errors';
import type { AuthEvent, Pool, User } from './state';

/** Events kept per user, oldest dropped first. */
const MAX_EVENTS = 100;

/** Where the RFC 5737 documentation networks "are": the only addresses this emulator can place. */
const LOCATIONS: readonly { readonly prefix: string; readonly city: string; readonly country: string }[] = [
  { prefix: '192.0.2.', city: 'Lisbon', country: 'Portugal' },
  { prefix: '198.51.100.', city: 'Toronto', country: 'Canada' },
  { prefix: '203.0.113.', city: 'Sydney', country: 'Australia' },
];

const BROWSERS: readonly [RegExp, string][] = [
  [/Edg\//, 'Edge'],
  [/Firefox\//, 'Firefox'],
  [/Chrom(e|ium)\//, 'Chrome'],
  [/Safari\//, 'Safari'],
];
const SYSTEMS: readonly [RegExp, string][] = [
  [/Android/, 'Android'],
  [/iPhone|iPad/, 'iOS'],
  [/Windows/, 'Windows'],
  [/Mac OS X|Macintosh/, 'macOS'],
  [/Linux/, 'Linux'],
];

const first = (text: string, table: readonly [RegExp, string][]) =>
  table.find(([pattern]) => pattern.test(text))?.[1] ?? 'Unknown';

/** The caller of a sign-in: the body's context data first, then the HTTP caller. */
export function signInContext(body: Body, call: CallContext): { ipAddress: string; userAgent?: string } {
  const admin = body.ContextData as
    | { IpAddress?: unknown; HttpHeaders?: { headerName?: unknown; headerValue?: unknown }[] }
    | undefined;
  const user = body.UserContextData as { IpAddress?: unknown } | undefined;
  const header = admin?.HttpHeaders?.find((h) => String(h.headerName).toLowerCase() === 'user-agent');
  const ipAddress =
    typeof admin?.IpAddress === 'string'
      ? admin.IpAddress
      : typeof user?.IpAddress === 'string'
        ? user.IpAddress
        : call.sourceIp.replace(/^::ffff:/, '');
  const userAgent = typeof header?.headerValue === 'string' ? header.headerValue : call.userAgent;
  return { ipAddress, ...(userAgent ? { userAgent } : {}) };
}

/** Records one password sign-in of `user` when the pool has threat protection. */
export function recordSignIn(
  pool: Pool,
  user: User,
  attempt: { readonly response: AuthEvent['response']; readonly passwordCorrect: boolean },
  context: { readonly ipAddress: string; readonly userAgent?: string },
): void {
  if ((pool.advancedSecurityMode ?? 'OFF') === 'OFF') return;
  const earlier = user.authEvents ?? [];
  const newAddress = earlier.length > 0 && !earlier.some((e) => e.ipAddress === context.ipAddress);
  const location = LOCATIONS.find((l) => context.ipAddress.startsWith(l.prefix));
  const event: AuthEvent = {
    eventId: randomUUID(),
    creationDate: Date.now() / 1000,
    response: attempt.response,
    passwordCorrect: attempt.passwordCorrect,
    riskDecision: newAddress ? 'AccountTakeover' : 'NoRisk',
    riskLevel: newAddress ? 'Medium' : 'Low',
    ipAddress: context.ipAddress,
    deviceName: `${first(context.userAgent ?? '', BROWSERS)}, ${first(context.userAgent ?? '', SYSTEMS)}`,
    ...(location ? { city: location.city, country: location.country } : {}),
  };
  user.authEvents = [...earlier, event].slice(-MAX_EVENTS);
}

/** AdminListUserAuthEvents. */
export function threatProtectionOperations(ctx: EmulatorContext): Record<string, Operation> {
  return {
    AdminListUserAuthEvents(body) {
      const pool = ctx.pool(body);
      if ((pool.advancedSecurityMode ?? 'OFF') === 'OFF') {
        throw new CognitoError(
          'UserPoolAddOnNotEnabledException',
          'Advanced security features are not enabled for this user pool.',
        );
      }
      const user = ctx.user(pool, body);
      const requested = Number(body.MaxResults ?? 0);
      if (!Number.isInteger(requested) || requested < 0 || requested > 60)
        throw invalidParameter('MaxResults must be 0-60');
      const max = requested === 0 ? 60 : requested;
      const start =
        typeof body.NextToken === 'string' ? Number(Buffer.from(body.NextToken, 'base64url').toString()) : 0;
      const newestFirst = [...(user.authEvents ?? [])].reverse();
      return {
        AuthEvents: newestFirst.slice(start, start + max).map(describeEvent),
        ...(start + max < newestFirst.length
          ? { NextToken: Buffer.from(String(start + max)).toString('base64url') }
          : {}),
      };
    },
  };
}

function describeEvent(event: AuthEvent) {
  return {
    EventId: event.eventId,
    EventType: 'SignIn',
    CreationDate: event.creationDate,
    EventResponse: event.response,
    EventRisk: {
      RiskDecision: event.riskDecision,
      RiskLevel: event.riskLevel,
      CompromisedCredentialsDetected: false,
    },
    ChallengeResponses: [
      { ChallengeName: 'Password', ChallengeResponse: event.passwordCorrect ? 'Success' : 'Failure' },
    ],
    EventContextData: {
      ...(event.ipAddress ? { IpAddress: event.ipAddress } : {}),
      ...(event.deviceName ? { DeviceName: event.deviceName } : {}),
      ...(event.city ? { City: event.city } : {}),
      ...(event.country ? { Country: event.country } : {}),
    },
  };
}
