import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import * as z from 'zod';
import type { AuditCursor } from '../adapters/audit-reader';
import { AUDIT_EVENT_TYPES } from '../domain/audit-event-types';
import { REQUEST_ID_PATTERN } from '../domain/secrets';
import { loadConfig } from '../shared/config';
import { auditReaderFrom } from '../shared/dependencies';
import { perEnvironment } from '../shared/environment';
import { InvalidRequestError } from '../shared/errors';
import { httpHandler, jsonResponse, validate } from '../shared/http';
import { staffFrom } from '../shared/staff';
import {
  auditRange,
  exportLines,
  listEvents,
  summarizeAuditTrail,
  verifyAuditTrail,
} from '../use-cases/audit-trail';

const deps = perEnvironment(() => {
  const config = loadConfig(['auditTableName', 'auditorGroup']);
  return { reader: auditReaderFrom(config), auditorGroup: config.auditorGroup };
});

const DAY_MS = 86_400_000;
/** At most a year per export or verify call; larger ranges are several calls. */
const MAX_RANGE_DAYS = 366;
/** Events per export response: a Lambda response is at most 6 MB. */
const EXPORT_PAGE = 5000;

const instant = z.union([z.iso.datetime(), z.iso.date()]);
const cursorKey = z.partialRecord(
  z.enum(['pk', 'sk', 'userKey', 'userSub', 'day', 'at']),
  z.union([z.string().max(300), z.number()]),
);
const cursorShape = z.strictObject({ day: z.iso.date().optional(), key: cursorKey });
const cursor = z
  .string()
  .max(2048)
  .transform((text, context): AuditCursor => {
    try {
      return cursorShape.parse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
    } catch {
      context.addIssue({ code: 'custom', message: 'not a cursor this API returned' });
      return z.NEVER;
    }
  });
const range = {
  from: instant.optional(),
  to: instant.optional(),
};
/** Who or what the events are about: the same search for listing and exporting. */
const filters = {
  username: z.string().min(1).max(128).optional(),
  userSub: z
    .string()
    .regex(/^[\w-]{1,64}$/)
    .optional(),
  requestId: z.string().regex(REQUEST_ID_PATTERN).optional(),
  type: z.enum(AUDIT_EVENT_TYPES).optional(),
};
const eventsQuery = z.strictObject({
  ...range,
  ...filters,
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: cursor.optional(),
});
const exportQuery = z.strictObject({
  ...range,
  ...filters,
  format: z.enum(['jsonl', 'csv']).default('jsonl'),
  cursor: cursor.optional(),
});
const rangeQuery = z.strictObject(range);

/** The range asked for (see auditRange), refused when backwards or longer than MAX_RANGE_DAYS. */
function timeRange(query: { from?: string; to?: string }) {
  const range = auditRange(query);
  if (range.from > range.to) {
    throw new InvalidRequestError('the request is not valid', [
      { path: 'from', message: 'must not be after to' },
    ]);
  }
  if (Date.parse(range.to) - Date.parse(range.from) > MAX_RANGE_DAYS * DAY_MS) {
    throw new InvalidRequestError('the request is not valid', [
      { path: 'from', message: `the range may span at most ${MAX_RANGE_DAYS} days` },
    ]);
  }
  return range;
}

const encode = (next: AuditCursor | undefined) =>
  next ? Buffer.from(JSON.stringify(next)).toString('base64url') : undefined;

/** GET /audit/events, /audit/export, /audit/summary and /audit/verify (group mfa-recovery-auditor). */
export const handler = httpHandler(async (event: APIGatewayProxyEventV2WithJWTAuthorizer) => {
  const { reader, auditorGroup } = deps();
  const auditor = staffFrom(event, auditorGroup);
  const params = event.queryStringParameters ?? {};
  if (event.routeKey === 'GET /audit/events') {
    const { limit, cursor: at, from, to, ...who } = validate(eventsQuery, params);
    const result = await listEvents(
      { ...who, ...timeRange({ from, to }) },
      { limit, ...(at ? { cursor: at } : {}) },
      reader,
    );
    const next = encode(result.next);
    return jsonResponse(200, { items: result.items, ...(next ? { cursor: next } : {}) });
  }
  if (event.routeKey === 'GET /audit/export') {
    const { format, cursor: at, from, to, ...who } = validate(exportQuery, params);
    const page = await reader.page({ ...who, ...timeRange({ from, to }) }, EXPORT_PAGE, at);
    async function* events() {
      yield* page.items;
    }
    let body = '';
    for await (const line of exportLines(events(), format)) body += line;
    const next = encode(page.next);
    return {
      statusCode: 200,
      headers: {
        'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
        'content-disposition': `attachment; filename="audit.${format}"`,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        ...(next ? { 'x-next-cursor': next } : {}),
      },
      body,
    };
  }
  const range = timeRange(validate(rangeQuery, params));
  if (event.routeKey === 'GET /audit/summary')
    return jsonResponse(200, await summarizeAuditTrail(range, reader));
  return jsonResponse(200, await verifyAuditTrail(range, reader, { verifiedBy: auditor.username }));
});
