import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import * as z from 'zod';
import { freshSourceIp, httpClient } from '../support/http-client';
import { codeFrom, mailbox } from '../support/mailbox';
import { type AuditRecord, waitForStatus, waitForTerminalRecord } from '../support/recoveries';
import { stackClients } from '../support/stack-clients';
import { staffToken } from '../support/staff';
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

  it('verifies the day: every chain intact', async () => {
    const day = String(chain[0]?.at).slice(0, 10);
    const answer = await api.get(`/audit/verify?from=${day}&to=${day}`, auditor);
    expect(answer.json).toMatchObject({ ok: true, checkedDays: 1 });
    expect((answer.json as { checkedEvents: number }).checkedEvents).toBeGreaterThanOrEqual(chain.length);
  });

  it('refuses no token (401), a support token (403) and bad queries (400)', async () => {
    expect((await api.get('/audit/events')).status).toBe(401);
    const support = { authorization: `Bearer ${await staffToken(stack, 'sam')}` };
    for (const route of ['/audit/events', '/audit/export', '/audit/verify']) {
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
  });
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
    userSub: z.string().optional(),
    sourceIp: z.string().optional(),
    userAgent: z.string().max(256).optional(),
    outcome: z.string().optional(),
    reasons: z.array(z.string()).optional(),
    details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    terminal: z.enum(schemaFile.properties.terminal?.enum as [string, ...string[]]).optional(),
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
    const recorded = (await (await fetch(stack.eventsUrl)).json()) as {
      events: { source: string; detailType: string; eventBusName: string; detail: Record<string, unknown> }[];
    };
    const mine = recorded.events.filter((e) => e.detail.requestId === requestId);
    expect(mine.map((e) => e.detail.eventId).sort()).toEqual(expected().sort());
    for (const event of mine) {
      expect(event).toMatchObject({ source: 'cognito-totp-recovery', detailType: event.detail.type });
      expect(detail.safeParse(event.detail).error?.issues ?? []).toEqual([]);
      const record = chain.find((r) => r.seq === event.detail.seq) as AuditRecord;
      expect(event.detail.hash).toBe(record.hash);
    }
  });
});
