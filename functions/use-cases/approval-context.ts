import { keys } from '../adapters/recovery-keys';
import type { Approval } from '../domain/approval';
import type { CognitoBudget } from '../domain/cognito-budget';
import { maskEmail, maskPhone } from '../domain/contact-mask';
import type { DirectoryUser, SignInEvent } from '../domain/directory';
import type {
  AccountHistory,
  CustomerDirectory,
  HistoryEvent,
  RateLimiter,
  RequestStore,
} from '../domain/ports';
import { FAILED_PASSWORD_WINDOW } from '../domain/rate-limit';
import type { RecoveryRequest } from '../domain/recovery';
import { log } from '../shared/log';

/** Why a detail is missing from a card: the pool keeps none, the account is gone, or a call failed. */
export type Unavailable = 'THREAT_PROTECTION_OFF' | 'NO_ACCOUNT' | 'LOOKUP_FAILED';

/** One detail of the decision context: its value, or why it is not available. */
export type Lookup<T> =
  | { readonly available: true; readonly value: T }
  | { readonly available: false; readonly reason: Unavailable };

/** The account as the user pool describes it now, contacts masked. */
export interface AccountFacts {
  readonly createdAt?: string;
  readonly modifiedAt?: string;
  readonly enabled: boolean;
  readonly status: string;
  readonly email?: { readonly masked: string; readonly verified: boolean };
  readonly phone?: { readonly masked: string; readonly verified: boolean };
  readonly mfa: { readonly settings: readonly string[]; readonly preferred?: string };
}

/** An earlier request of the same account (same sub), from the audit trail. */
export interface EarlierRequest {
  readonly requestId: string;
  readonly requestedAt?: string;
  readonly proof?: string;
  /** Its terminal outcome (COMPLETED, DENIED, ...); absent while it has not ended. */
  readonly outcome?: string;
  readonly endedAt?: string;
}

/** A value the client sent (never proof of anything), compared with the account's earlier requests. */
export interface ClientValue {
  readonly value: string;
  readonly comparedWithEarlier: 'SAME' | 'NEW' | 'FIRST_REQUEST' | 'UNKNOWN';
}

/** What support needs to decide, read live for each request of a list page. */
export interface ApprovalContext {
  readonly account: Lookup<AccountFacts>;
  readonly groups: Lookup<readonly string[]>;
  readonly earlierRequests: Lookup<{
    readonly items: readonly EarlierRequest[];
    readonly total: number;
    /** False when only the account's latest audit events were read. */
    readonly complete: boolean;
  }>;
  /** Wrong passwords the recovery form saw for this username: in the 24 h before the request, and now. */
  readonly wrongPasswords: Lookup<{ readonly beforeRequest?: number; readonly last24Hours: number }>;
  readonly client: Lookup<{ readonly sourceIp: ClientValue; readonly userAgent: ClientValue }>;
  /** Cognito threat protection's latest sign-in events of the account. */
  readonly signInEvents: Lookup<readonly SignInEvent[]>;
}

export interface ApprovalContextDeps {
  /** The user pool (customers), not the staff pool. */
  readonly customers: CustomerDirectory;
  /** The product's share of the Cognito quotas: one take per card for its three reads of the pool. */
  readonly cognitoBudget: CognitoBudget;
  readonly store: Pick<RequestStore, 'getRequest'>;
  readonly history: AccountHistory;
  readonly rateLimiter: Pick<RateLimiter, 'count'>;
  readonly clock: () => Date;
}

// Bounds of one card's reads: a list page costs a fixed number of calls per request.
const SIGN_IN_EVENTS = 10;
const HISTORY_EVENTS_SCANNED = 200;
const EARLIER_REQUESTS_SHOWN = 10;

const unavailable = (reason: Unavailable) => ({ available: false, reason }) as const;
const found = <T>(value: T) => ({ available: true, value }) as const;

/**
 * Reads, for one pending or decided request, what support weighs: the account now, its groups, its
 * earlier requests and their outcomes, the wrong passwords seen, where the request came from compared
 * with earlier ones, and Cognito's sign-in events. Each detail is read on its own: one that fails is
 * "not available", the others still show.
 */
export async function approvalContext(
  approval: Approval,
  deps: ApprovalContextDeps,
): Promise<ApprovalContext> {
  const nowSeconds = Math.floor(deps.clock().getTime() / 1000);
  // No room in the budget: the three reads of the pool are "not available", the rest still shows.
  const pool = deps.cognitoBudget.take(['AdminGetUser', 'AdminListGroupsForUser', 'AdminListUserAuthEvents']);
  const [account, groups, signIns, history, request, failed] = await Promise.allSettled([
    pool.then(() => deps.customers.getUser(approval.username)),
    pool.then(() => deps.customers.groupsOf(approval.username)),
    pool.then(() => deps.customers.signInEventsOf(approval.username, SIGN_IN_EVENTS)),
    deps.history.requestsOf(approval.sub, HISTORY_EVENTS_SCANNED),
    deps.store.getRequest(approval.requestId),
    deps.rateLimiter.count(keys.failedPasswords(approval.username), FAILED_PASSWORD_WINDOW, nowSeconds),
  ]);
  const failedRead = (detail: string, result: PromiseRejectedResult) => {
    log.warn(
      'a detail of the support list could not be read',
      { correlationId: approval.requestId, detail },
      result.reason,
    );
    return unavailable('LOOKUP_FAILED');
  };
  // A username can be deleted and taken again: only the account with the request's sub is this user.
  const sameAccount =
    account.status === 'fulfilled' && account.value !== undefined && account.value.sub === approval.sub;
  const accountGone = account.status === 'fulfilled' && !sameAccount;
  const ofAccount = <T, R>(
    detail: string,
    result: PromiseSettledResult<T>,
    read: (value: T) => Lookup<R>,
  ) => {
    if (accountGone) return unavailable('NO_ACCOUNT');
    return result.status === 'fulfilled' ? read(result.value) : failedRead(detail, result);
  };
  const earlier =
    history.status === 'fulfilled' ? earlierRequestsOf(history.value.events, approval.requestId) : undefined;
  return {
    account: ofAccount('account', account, (user) => found(accountFacts(user as DirectoryUser))),
    groups: ofAccount('groups', groups, (names) => found(names)),
    signInEvents: ofAccount('signInEvents', signIns, (answer) =>
      answer.threatProtection ? found(answer.events) : unavailable('THREAT_PROTECTION_OFF'),
    ),
    earlierRequests:
      history.status === 'fulfilled'
        ? found({
            items: (earlier ?? [])
              .slice(0, EARLIER_REQUESTS_SHOWN)
              .map(({ sourceIp: _ip, userAgent: _ua, ...shown }) => shown),
            total: earlier?.length ?? 0,
            complete: history.value.complete,
          })
        : failedRead('earlierRequests', history),
    wrongPasswords:
      failed.status === 'fulfilled'
        ? found({ ...beforeRequest(request), last24Hours: failed.value })
        : failedRead('wrongPasswords', failed),
    client:
      request.status === 'fulfilled' && request.value
        ? found({
            sourceIp: compared(
              request.value.sourceIp,
              earlier?.map((r) => r.sourceIp),
            ),
            userAgent: compared(
              request.value.userAgent,
              earlier?.map((r) => r.userAgent),
            ),
          })
        : request.status === 'rejected'
          ? failedRead('client', request)
          : unavailable('LOOKUP_FAILED'),
  };
}

function accountFacts(user: DirectoryUser): AccountFacts {
  return {
    ...(user.createdAt ? { createdAt: user.createdAt } : {}),
    ...(user.modifiedAt ? { modifiedAt: user.modifiedAt } : {}),
    enabled: user.enabled,
    status: user.status,
    ...(user.email ? { email: { masked: maskEmail(user.email), verified: user.emailVerified } } : {}),
    ...(user.phoneNumber
      ? { phone: { masked: maskPhone(user.phoneNumber), verified: user.phoneVerified } }
      : {}),
    mfa: { settings: user.mfa, ...(user.preferredMfa ? { preferred: user.preferredMfa } : {}) },
  };
}

/** The form counts wrong passwords only for password-proven requests: "I also lost my password" typed none. */
function beforeRequest(request: PromiseSettledResult<RecoveryRequest | undefined>) {
  if (request.status !== 'fulfilled' || !request.value || request.value.proof === 'NONE') return {};
  const count = request.value.signals?.failedPasswordAttempts;
  return count === undefined ? {} : { beforeRequest: count };
}

/** The account's other requests, newest first, with where each came from (kept for the comparison only). */
function earlierRequestsOf(
  events: readonly HistoryEvent[],
  currentRequestId: string,
): (EarlierRequest & { sourceIp?: string; userAgent?: string })[] {
  const byId = new Map<string, EarlierRequest & { sourceIp?: string; userAgent?: string }>();
  for (const event of events) {
    if (event.requestId === currentRequestId) continue;
    const entry = byId.get(event.requestId) ?? { requestId: event.requestId };
    const proof = event.details?.proof;
    byId.set(event.requestId, {
      ...entry,
      ...(event.type === 'RecoveryRequested'
        ? {
            requestedAt: event.at,
            ...(typeof proof === 'string' ? { proof } : {}),
            ...(event.sourceIp ? { sourceIp: event.sourceIp } : {}),
            ...(event.userAgent ? { userAgent: event.userAgent } : {}),
          }
        : {}),
      ...(event.terminal ? { outcome: event.terminal, endedAt: event.at } : {}),
    });
  }
  const when = (request: EarlierRequest) => request.requestedAt ?? request.endedAt ?? '';
  return [...byId.values()].sort((a, b) => when(b).localeCompare(when(a)));
}

function compared(value: string, earlier: readonly (string | undefined)[] | undefined): ClientValue {
  const comparedWithEarlier =
    earlier === undefined
      ? 'UNKNOWN'
      : earlier.length === 0
        ? 'FIRST_REQUEST'
        : earlier.includes(value)
          ? 'SAME'
          : 'NEW';
  return { value, comparedWithEarlier };
}
