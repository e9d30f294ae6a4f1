import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import canonicalize from 'canonicalize';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import * as z from 'zod';
import type { AuditSummary } from '../../functions/domain/audit-summary';
import type { StackInfo } from '../../local/stack-info';
import { freshSourceIp, httpClient } from '../support/http-client';
import { cancelTokenFrom, codeFrom, mailbox } from '../support/mailbox';
import { ownStack } from '../support/own-stack';
import { type AuditRecord, waitForStatus, waitForTerminalRecord } from '../support/recoveries';
import { stackClients } from '../support/stack-clients';
import { decide, staffToken } from '../support/staff';
import { createUser, type TestUser } from '../support/users';

const stack = inject('stack');
const { cognito, documents } = stackClients(stack);
const api = httpClient(stack.apiUrl, freshSourceIp());

let user: TestUser;
let requestId: string;
let chain: AuditRecord[];
let auditor: { authorization: string };

beforeAll(async () => {
  user = await createUser(cognito, stack);
  const client = httpClient(stack.apiUrl, freshSourceIp());
  requestId = (
    (await client.post('/recoveries', { username: user.username, password: user.password })).json as {
      requestId: string;
    }
  ).requestId;
  const code = codeFrom(await mailbox(stack.endpoints.ses).waitFor(user.email, /code to remove/));
  await client.post(`/recoveries/${requestId}/confirm`, { code });
  await waitForStatus(client, requestId);
  chain = await waitForTerminalRecord(documents, stack, requestId);
  auditor = { authorization: `Bearer ${await staffToken(stack, 'audrey')}` };
});

const events = async (query: string) => {
  const answer = await api.get(`/audit/events?${query}`, auditor);
  expect(answer.status).toBe(200);
  return answer.json as { items: AuditRecord[]; cursor?: string };
};
const ids = (items: AuditRecord[]) => items.map((e) => `${e.requestId}/${e.seq}`);
const expected = () => ids([...chain].reverse());

describe('the auditor API', () => {
  it('answers by request with exactly the chain, newest first, without table keys', async () => {
    const { items } = await events(`requestId=${requestId}`);
    expect(ids(items)).toEqual(expected());
    expect(items[0]).toMatchObject({ type: 'RecoveryCompleted', terminal: 'COMPLETED' });
    expect(Object.keys(items[0] ?? {})).not.toContain('pk');
    expect(JSON.stringify(items)).not.toMatch(/taskToken|waitToken|codeHash|cancelSalt|"password":/i);
  });

  it('answers by username and by sub with exactly that user’s events', async () => {
    expect(ids((await events(`username=${user.username}`)).items)).toEqual(expected());
    const sub = String(chain[0]?.userSub);
    expect(ids((await events(`userSub=${sub}`)).items)).toEqual(expected());
  });

  it('answers by date range and type, and pages with a cursor', async () => {
    const from = String(chain[0]?.at);
    const to = String(chain.at(-1)?.at);
    const inRange = await events(`from=${from}&to=${to}&limit=100`);
    expect(ids(inRange.items)).toEqual(expect.arrayContaining(expected()));
    expect(inRange.items.every((e) => String(e.at) >= from && String(e.at) <= to)).toBe(true);
    const removed = await events(`requestId=${requestId}&type=TotpRemoved`);
    expect(removed.items.map((e) => e.type)).toEqual(['TotpRemoved']);
    const first = await events(`requestId=${requestId}&limit=2`);
    expect(first.items).toHaveLength(2);
    const rest = await events(`requestId=${requestId}&limit=100&cursor=${first.cursor}`);
    expect([...ids(first.items), ...ids(rest.items)]).toEqual(expected());
  });

  it('exports CSV and JSON lines', async () => {
    const day = String(chain[0]?.at).slice(0, 10);
    const jsonl = await api.get(`/audit/export?from=${day}&to=${day}&format=jsonl`, auditor);
    expect(jsonl.status).toBe(200);
    expect(jsonl.headers['content-type']).toMatch(/application\/x-ndjson/);
    const lines = jsonl.text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as AuditRecord);
    expect(ids(lines.filter((e) => e.requestId === requestId)).sort()).toEqual(expected().sort());
    const csv = await api.get(`/audit/export?from=${day}&to=${day}&format=csv`, auditor);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const [header, ...rows] = csv.text.trim().split('\n');
    expect(header).toBe(
      'at,requestId,seq,type,actor,username,userSub,outcome,terminal,reasons,details,sourceIp,userAgent,prevHash,hash',
    );
    expect(rows.filter((row) => row.includes(requestId))).toHaveLength(chain.length);
  });

  it('exports only what the search finds: one request, or one user and type', async () => {
    const csv = await api.get(`/audit/export?requestId=${requestId}&format=csv`, auditor);
    expect(csv.status).toBe(200);
    const [, ...rows] = csv.text.trim().split('\n');
    expect(rows).toHaveLength(chain.length);
    expect(rows.map((row) => row.split(',')[1])).toEqual(chain.map(() => requestId));
    const jsonl = await api.get(`/audit/export?username=${user.username}&type=TotpRemoved`, auditor);
    const lines = jsonl.text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as AuditRecord);
    expect(lines.map((e) => `${e.requestId}/${e.type}`)).toEqual([`${requestId}/TotpRemoved`]);
  });

  it('verifies the day: every chain intact, in a report naming the range, the time and the auditor', async () => {
    const day = String(chain[0]?.at).slice(0, 10);
    const before = new Date().toISOString();
    const answer = await api.get(`/audit/verify?from=${day}&to=${day}`, auditor);
    expect(answer.json).toMatchObject({
      ok: true,
      from: `${day}T00:00:00.000Z`,
      to: `${day}T23:59:59.999Z`,
      verifiedBy: 'audrey',
      checkedDays: 1,
    });
    const report = answer.json as { verifiedAt: string; checkedEvents: number; checkedRequests: number };
    expect(report.verifiedAt >= before && report.verifiedAt <= new Date().toISOString()).toBe(true);
    expect(report.checkedEvents).toBeGreaterThanOrEqual(chain.length);
    expect(report.checkedRequests).toBeGreaterThanOrEqual(1);
  });

  it('refuses no token (401), a support token (403) and bad queries (400)', async () => {
    expect((await api.get('/audit/events')).status).toBe(401);
    expect((await api.get('/audit/summary')).status).toBe(401);
    const support = { authorization: `Bearer ${await staffToken(stack, 'sam')}` };
    for (const route of ['/audit/events', '/audit/export', '/audit/summary', '/audit/verify']) {
      expect((await api.get(route, support)).status).toBe(403);
    }
    for (const query of [
      'from=2026-11-23&to=2026-11-22',
      'from=2020-01-01&to=2026-11-22',
      'from=yesterday',
      'type=<script>',
      'type=Nope',
      'limit=0',
      'cursor=bm90LWEtY3Vyc29y',
      'requestId=short',
      'admin=true',
    ]) {
      const answer = await api.get(`/audit/events?${query}`, auditor);
      expect(answer.status, query).toBe(400);
      expect(answer.json).toMatchObject({ error: 'INVALID_REQUEST' });
    }
    expect((await api.get('/audit/export?format=xml', auditor)).status).toBe(400);
    expect((await api.get('/audit/export?requestId=short', auditor)).status).toBe(400);
    for (const [query, path] of [
      ['from=2020-01-01&to=2026-11-22', 'from'],
      ['from=2026-11-23&to=2026-11-22', 'from'],
      ['to=tomorrow', 'to'],
    ]) {
      const answer = await api.get(`/audit/summary?${query}`, auditor);
      expect(answer.status, query).toBe(400);
      expect(answer.json, query).toMatchObject({ error: 'INVALID_REQUEST', fields: [{ path }] });
    }
    // The summary is of a range only: a search field is refused, not ignored.
    expect((await api.get('/audit/summary?username=alice', auditor)).status).toBe(400);
  });
});

describe('the audit summary', () => {
  // A stack of its own: its counts are exactly the recoveries made here, whatever other files do.
  // One approver for privileged accounts, so one decision ends an approval.
  const own = ownStack({ functionEnvironment: { PRIVILEGED_APPROVALS: '1' } });

  /** A request of a fresh user whose code email arrived. */
  async function started(info: StackInfo, groups: string[] = []) {
    const user = await createUser(stackClients(info).cognito, info, { groups });
    const client = httpClient(info.apiUrl, freshSourceIp());
    const answer = await client.post('/recoveries', { username: user.username, password: user.password });
    const { requestId } = answer.json as { requestId: string };
    const email = await mailbox(info.endpoints.ses).waitFor(user.email, /code to remove/);
    return { client, requestId, email };
  }

  /** A recovery that ends as `outcome`, through the API as people would end it. */
  async function recovery(
    info: StackInfo,
    outcome: 'COMPLETED' | 'APPROVED' | 'DENIED' | 'LOCKED' | 'CANCELLED',
  ) {
    const privileged = outcome === 'APPROVED' || outcome === 'DENIED';
    const { client, requestId, email } = await started(info, privileged ? ['admins'] : []);
    if (outcome === 'LOCKED') {
      for (let i = 0; i < 5; i += 1)
        await client.post(`/recoveries/${requestId}/confirm`, { code: '00000000' });
    } else if (outcome === 'CANCELLED') {
      await client.post(`/recoveries/${requestId}/cancel`, { token: cancelTokenFrom(email) });
    } else {
      await client.post(`/recoveries/${requestId}/confirm`, { code: codeFrom(email) });
    }
    if (privileged) {
      await waitForStatus(client, requestId, 'AWAITING_APPROVAL');
      const verb = outcome === 'APPROVED' ? 'approve' : 'deny';
      expect((await decide(client, requestId, verb, await staffToken(info, 'sam'))).status).toBe(200);
    }
    return waitForTerminalRecord(stackClients(info).documents, info, requestId);
  }

  it('counts exactly the recoveries of the range by outcome, with their times and the support decisions', async () => {
    const info = own.current.info;
    const chains = await Promise.all(
      (['COMPLETED', 'APPROVED', 'DENIED', 'LOCKED', 'CANCELLED', 'CANCELLED'] as const).map((outcome) =>
        recovery(info, outcome),
      ),
    );
    const ends = chains.map((records) => records.find((r) => r.terminal)?.terminal);
    expect(ends.sort()).toEqual(['CANCELLED', 'CANCELLED', 'COMPLETED', 'COMPLETED', 'DENIED', 'LOCKED']);

    const client = httpClient(info.apiUrl, freshSourceIp());
    const answer = await client.get('/audit/summary', {
      authorization: `Bearer ${await staffToken(info, 'audrey')}`,
    });
    expect(answer.status).toBe(200);
    const summary = answer.json as AuditSummary;
    expect(summary).toMatchObject({
      ended: 6,
      byOutcome: { COMPLETED: 2, DENIED: 1, LOCKED: 1, CANCELLED: 2, EXPIRED: 0, FAILED: 0 },
      locks: 1,
      cancels: 2,
      denialShare: { denied: 1, decided: 2, share: 0.5 },
    });
    expect(summary.perDay).toHaveLength(31);
    expect(summary.perDay.reduce((sum, day) => sum + day.total, 0)).toBe(6);
    expect(summary.timeToComplete.count).toBe(2);
    expect(summary.timeToComplete.medianMs).toBeGreaterThan(0);
    expect(summary.timeToComplete.p95Ms).toBeGreaterThanOrEqual(summary.timeToComplete.medianMs as number);
    // Completed: from each request's first record to its terminal one.
    const completedMs = chains
      .filter((records) => records.some((r) => r.terminal === 'COMPLETED'))
      .map((records) => {
        const first = records.find((r) => r.seq === 1) as AuditRecord;
        const end = records.find((r) => r.terminal) as AuditRecord;
        return Date.parse(String(end.at)) - Date.parse(String(first.at));
      })
      .sort((a, b) => a - b);
    expect(summary.timeToComplete.medianMs).toBe(
      Math.round(((completedMs[0] ?? 0) + (completedMs[1] ?? 0)) / 2),
    );
    expect(summary.approvalTurnaround.count).toBe(2);
  }, 120_000);
});

describe('the published events', () => {
  const schemaFile = JSON.parse(
    readFileSync(join(import.meta.dirname, '../../docs/events.schema.json'), 'utf8'),
  ) as {
    required: string[];
    properties: Record<string, { enum?: string[] }>;
  };
  // The documented schema, as zod; its keys and enums are checked against the JSON Schema file below.
  const detail = z.strictObject({
    schemaVersion: z.literal(1),
    eventId: z.string().regex(/^[A-Za-z0-9_-]{22}\/[1-9]\d*$/),
    requestId: z.string().regex(/^[A-Za-z0-9_-]{22}$/),
    seq: z.number().int().min(1),
    type: z.enum(schemaFile.properties.type?.enum as [string, ...string[]]),
    at: z.iso.datetime(),
    day: z.iso.date(),
    actor: z.string().regex(/^(system|user:.+|support:.+)$/),
    username: z.string().max(254).optional(),
    userKey: z
      .string()
      .regex(/^USER#/)
      .optional(),
    userSub: z.string().optional(),
    sourceIp: z.string().optional(),
    userAgent: z.string().max(256).optional(),
    outcome: z.string().optional(),
    reasons: z.array(z.string()).optional(),
    details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    terminal: z.enum(schemaFile.properties.terminal?.enum as [string, ...string[]]).optional(),
    chainVersion: z.literal(2).optional(),
    prevHash: z.string().regex(/^[0-9a-f]{64}$/),
    hash: z.string().regex(/^[0-9a-f]{64}$/),
  });

  it('the test schema and the documented JSON Schema name the same fields', () => {
    expect(Object.keys(detail.shape).sort()).toEqual(Object.keys(schemaFile.properties).sort());
    expect(
      Object.entries(detail.shape)
        .filter(([, s]) => !s.safeParse(undefined).success)
        .map(([k]) => k)
        .sort(),
    ).toEqual([...schemaFile.required].sort());
  });

  it('every event of a recovery is published once, matches the schema, and equals its audit record', async () => {
    const mine = await publishedEventsOf(requestId, chain.length);
    expect(mine.map((e) => e.detail.eventId).sort()).toEqual(expected().sort());
    for (const event of mine) {
      expect(event).toMatchObject({ source: 'cognito-totp-recovery', detailType: event.detail.type });
      expect(detail.safeParse(event.detail).error?.issues ?? []).toEqual([]);
      const record = chain.find((r) => r.seq === event.detail.seq) as AuditRecord;
      expect(event.detail.hash).toBe(record.hash);
    }
  });

  it('can be re-verified from the events alone with a JCS library and SHA-256, as docs/events.md tells a SIEM', async () => {
    const mine = (await publishedEventsOf(requestId, chain.length))
      .map((e) => e.detail)
      .sort((a, b) => Number(a.seq) - Number(b.seq));
    expect(mine).toHaveLength(chain.length);
    let head = '0'.repeat(64);
    for (const detail of mine) {
      // Only the recipe of docs/events.md and the canonicalize package: none of the product's code.
      const { schemaVersion: _schemaVersion, eventId: _eventId, hash, ...hashed } = detail;
      expect(hashed).toMatchObject({ chainVersion: 2, prevHash: head });
      const recomputed = createHash('sha256')
        .update(canonicalize(hashed) ?? '', 'utf8')
        .update(String(hashed.prevHash))
        .digest('hex');
      expect(recomputed).toBe(hash);
      head = String(hash);
    }
    expect(mine.at(-1)).toMatchObject({ terminal: 'COMPLETED' });
  });
});

interface PublishedEvent {
  readonly source: string;
  readonly detailType: string;
  readonly eventBusName: string;
  readonly detail: Record<string, unknown>;
}

/**
 * The events the local bus holds for a request, once it holds `count` of them: the audit table's
 * stream publishes them a moment after each record is written (docs/events.md).
 */
async function publishedEventsOf(id: string, count: number, timeoutMs = 15_000): Promise<PublishedEvent[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const recorded = (await (await fetch(stack.eventsUrl)).json()) as { events: PublishedEvent[] };
    const mine = recorded.events.filter((e) => e.detail.requestId === id);
    if (mine.length >= count || Date.now() > deadline) return mine;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
