import { createHash } from 'node:crypto';
import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { createAuditReader } from '../../functions/adapters/audit-reader';
import { createDayChain } from '../../functions/adapters/day-chain';
import { createRateLimiter } from '../../functions/adapters/rate-limiter';
import { keys } from '../../functions/adapters/recovery-keys';
import { verifyDay } from '../../functions/domain/audit-verify';
import { freshSourceIp, httpClient } from '../support/http-client';
import { auditOf } from '../support/recoveries';
import { stackClients } from '../support/stack-clients';
import { createUser } from '../support/users';

const stack = inject('stack');
const { cognito, documents, sfn } = stackClients(stack);

describe('limits under concurrency', () => {
  it('lets exactly 3 of 50 parallel takes through a per-user limit of 3', async () => {
    const limiter = createRateLimiter(documents, stack.tables.recoveries);
    const key = keys.userRate(`parallel-${Date.now()}`);
    const now = Math.floor(Date.now() / 1000);
    const decisions = await Promise.all(
      Array.from({ length: 50 }, () => limiter.take(key, { limit: 3, windowSeconds: 86_400 }, now)),
    );
    expect(decisions.filter((d) => d.allowed)).toHaveLength(3);
    expect(decisions.filter((d) => !d.allowed)).toHaveLength(47);
    expect(await limiter.count(key, { limit: 3, windowSeconds: 86_400 }, now)).toBe(3);
  });

  it('turns 50 parallel requests of one user into one recovery: one id, one execution, one slot used', async () => {
    const user = await createUser(cognito, stack);
    const answers = await Promise.all(
      Array.from({ length: 50 }, () =>
        httpClient(stack.apiUrl, freshSourceIp()).post('/recoveries', {
          username: user.username,
          password: user.password,
        }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(50).fill(202));
    const ids = new Set(answers.map((a) => (a.json as { requestId: string }).requestId));
    expect(ids.size).toBe(1);
    const executions = await sfn.send(new ListExecutionsCommand({ stateMachineArn: stack.stateMachineArn }));
    expect((executions.executions ?? []).filter((e) => ids.has(e.name ?? ''))).toHaveLength(1);
    const slots = await documents.send(
      new GetCommand({
        TableName: stack.tables.recoveries,
        Key: keys.userRate(user.username),
        ConsistentRead: true,
      }),
    );
    expect(Object.keys(slots.Item ?? {}).filter((name) => /^s\d+$/.test(name))).toHaveLength(1);
    // Every repeat is on the record, linked into the one chain despite 50 writers at once.
    const records = await auditOf(documents, stack, [...ids][0] as string);
    expect(records.filter((r) => r.type === 'RecoveryRequestRepeated')).toHaveLength(49);
    expect(records.map((r) => r.seq)).toEqual(records.map((_, i) => i + 1));
  });
});

describe('day chains linked from the stream', () => {
  it('links 60 requests from four consumers at once into intact day chains, each request once, a redelivered record not twice', async () => {
    // A day no other test writes: the chains hold exactly these requests.
    const day = `19${String(10 + (Date.now() % 89)).padStart(2, '0')}-0${1 + (Date.now() % 9)}-1${Date.now() % 10}`;
    const consumers = Array.from({ length: 4 }, () => createDayChain(documents, stack.tables.audit));
    const firsts = Array.from({ length: 60 }, (_, index) => ({
      requestId: `day-${Date.now()}-${index}`,
      day,
      at: `${day}T10:00:00.000Z`,
      hash: createHash('sha256').update(String(index)).digest('hex'),
    }));
    const outcomes = await Promise.all(
      firsts.map((first, index) => (consumers[index % 4] as (typeof consumers)[number]).link(first)),
    );
    expect(outcomes.every((outcome) => outcome === 'linked')).toBe(true);
    // Lambda delivers a record again after a partial failure: the marker keeps it from a second link.
    expect(await consumers[1]?.link(firsts[0] as (typeof firsts)[number])).toBe('already');
    const links = await createAuditReader(documents, stack.tables.audit).dayLinks(day);
    expect(links.map((link) => link.requestId).sort()).toEqual(firsts.map((first) => first.requestId).sort());
    const firstEvents = new Map(firsts.map((first) => [first.requestId, { hash: first.hash, at: first.at }]));
    expect(verifyDay(day, links, firstEvents)).toBeUndefined();
    // And the check can fail: a request whose events are gone is named by its link.
    firstEvents.delete(firsts[7]?.requestId as string);
    expect(verifyDay(day, links, firstEvents)).toMatchObject({
      kind: 'REQUEST_MISSING',
      requestId: firsts[7]?.requestId,
    });
  });
});
