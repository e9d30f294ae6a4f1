import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { createEventPublisher } from '../../functions/adapters/event-publisher';
import type { FirstEvent } from '../../functions/domain/ports';
import {
  type AuditEventItem,
  type AuditStreamRecord,
  publishAuditEvents,
} from '../../functions/use-cases/publish-audit-events';

const eventItem = (requestId: string, seq: number) => ({
  pk: `REQ#${requestId}`,
  sk: `EVT#${String(seq).padStart(6, '0')}`,
  requestId,
  seq,
  type: 'CodeSent',
  at: '2026-11-22T10:00:00.000Z',
  actor: 'system',
  prevHash: '0'.repeat(64),
  hash: 'a'.repeat(64),
});

const inserted = (itemIdentifier: string, newItem: Record<string, unknown>): AuditStreamRecord => ({
  itemIdentifier,
  eventName: 'INSERT',
  newItem,
});

/**
 * A bus that records each publish call and refuses the events `refuse` names, and day chains that
 * record each link and refuse the requests `refuseLink` names.
 */
function fakeBus(
  refuse: (event: AuditEventItem) => string | undefined = () => undefined,
  refuseLink: (first: FirstEvent) => boolean = () => false,
) {
  const calls: AuditEventItem[][] = [];
  const notPublished: { eventId: string; reason: string }[] = [];
  const linked: FirstEvent[] = [];
  const notLinked: { requestId: string; reason: string }[] = [];
  return {
    calls,
    notPublished,
    linked,
    notLinked,
    deps: {
      days: {
        link: async (first: FirstEvent) => {
          if (refuseLink(first))
            throw Object.assign(new Error('busy'), { name: 'ProvisionedThroughputExceededException' });
          linked.push(first);
          return 'linked' as const;
        },
      },
      notLinked: (event: { requestId: string }, reason: string) =>
        notLinked.push({ requestId: event.requestId, reason }),
      maxPerPublish: 10,
      publish: async (events: readonly AuditEventItem[]) => {
        calls.push([...events]);
        return events.map(refuse);
      },
      notPublished: (event: { eventId: string }, reason: string) =>
        notPublished.push({ eventId: event.eventId, reason }),
    },
  };
}

describe('publishing the audit table’s stream to the bus', () => {
  it('publishes only the inserted audit events: not day-chain links, changes, removals or other items', async () => {
    const bus = fakeBus();
    const result = await publishAuditEvents(
      [
        inserted('1', eventItem('r1', 1)),
        inserted('2', {
          pk: 'DAY#2026-11-22#1',
          sk: 'LINK#00000001',
          requestId: 'r1',
          seq: 1,
          at: '2026-11-22T10:00:00.000Z',
          hash: 'b'.repeat(64),
        }),
        { itemIdentifier: '3', eventName: 'MODIFY', newItem: eventItem('r1', 2) },
        { itemIdentifier: '4', eventName: 'REMOVE' },
        inserted('5', { pk: 'REQ#r1', sk: 'META', requestId: 'r1' }),
        inserted('6', eventItem('r2', 1)),
      ],
      bus.deps,
    );
    expect(bus.calls.flat().map((event) => `${event.requestId}/${event.seq}`)).toEqual(['r1/1', 'r2/1']);
    expect(result.batchItemFailures).toEqual([]);
  });

  it('links each request’s first event (and only it) into its day’s chain, with the hash and time the event was written with', async () => {
    const bus = fakeBus();
    const link = {
      pk: 'DAY#2026-11-22#1',
      sk: 'LINK#00000001',
      requestId: 'r1',
      seq: 1,
      at: '2026-11-22T10:00:00.000Z',
      hash: 'b'.repeat(64),
    };
    await publishAuditEvents(
      [
        inserted('1', eventItem('r1', 1)),
        inserted('2', eventItem('r1', 2)),
        inserted('3', link),
        { itemIdentifier: '4', eventName: 'MODIFY', newItem: eventItem('r3', 1) },
        inserted('5', { ...eventItem('r2', 1), at: '2026-11-23T00:00:01.000Z' }),
      ],
      bus.deps,
    );
    expect(bus.linked).toEqual([
      { requestId: 'r1', day: '2026-11-22', at: '2026-11-22T10:00:00.000Z', hash: 'a'.repeat(64) },
      { requestId: 'r2', day: '2026-11-23', at: '2026-11-23T00:00:01.000Z', hash: 'a'.repeat(64) },
    ]);
  });

  it('reports a first event it could not link for redelivery, tells of it without its body, and still publishes every event', async () => {
    const bus = fakeBus(undefined, (first) => first.requestId === 'r2');
    const result = await publishAuditEvents(
      [
        inserted('a', eventItem('r1', 1)),
        inserted('b', eventItem('r2', 1)),
        inserted('c', eventItem('r2', 2)),
      ],
      bus.deps,
    );
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'b' }]);
    expect(bus.notLinked).toEqual([{ requestId: 'r2', reason: 'ProvisionedThroughputExceededException' }]);
    expect(bus.calls.flat().map((event) => `${event.requestId}/${event.seq}`)).toEqual([
      'r1/1',
      'r2/1',
      'r2/2',
    ]);
  });

  it('names a record that failed both its link and its publication once', async () => {
    const bus = fakeBus(
      () => 'InternalFailure',
      () => true,
    );
    const result = await publishAuditEvents([inserted('a', eventItem('r1', 1))], bus.deps);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'a' }]);
  });

  it('splits a batch of more than 10 events into PutEvents calls of at most 10, in stream order', async () => {
    const bus = fakeBus();
    const records = Array.from({ length: 23 }, (_, index) =>
      inserted(String(index), eventItem('r1', index + 1)),
    );
    await publishAuditEvents(records, bus.deps);
    expect(bus.calls.map((call) => call.length)).toEqual([10, 10, 3]);
    expect(bus.calls.flat().map((event) => event.seq)).toEqual(records.map((_, index) => index + 1));
  });

  it('reports each refused entry in batchItemFailures, and tells of it by eventId and error code', async () => {
    const bus = fakeBus((event) => (event.seq === 12 ? 'ThrottlingException' : undefined));
    const records = Array.from({ length: 15 }, (_, index) =>
      inserted(`seq-${index + 1}`, eventItem('r1', index + 1)),
    );
    const result = await publishAuditEvents(records, bus.deps);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'seq-12' }]);
    expect(bus.notPublished).toEqual([{ eventId: 'r1/12', reason: 'ThrottlingException' }]);
  });

  it('reports every record of a PutEvents call that failed as a whole, and still publishes the other calls', async () => {
    const bus = fakeBus();
    let call = 0;
    const deps = {
      ...bus.deps,
      publish: async (events: readonly AuditEventItem[]) => {
        call += 1;
        if (call === 1) throw Object.assign(new Error('down'), { name: 'InternalException' });
        return bus.deps.publish(events);
      },
    };
    const records = Array.from({ length: 12 }, (_, index) =>
      inserted(`s${index}`, eventItem('r1', index + 1)),
    );
    const result = await publishAuditEvents(records, deps);
    expect(result.batchItemFailures.map((failure) => failure.itemIdentifier)).toEqual(
      records.slice(0, 10).map((record) => record.itemIdentifier),
    );
    expect(bus.calls.flat().map((event) => event.seq)).toEqual([11, 12]);
    expect(bus.notPublished[0]).toEqual({ eventId: 'r1/1', reason: 'InternalException' });
  });
});

describe('the event publisher', () => {
  it('sends one PutEvents of the events’ published details, and answers each entry’s error code', async () => {
    const client = new EventBridgeClient({ region: 'us-east-1' });
    const eventBridge = mockClient(client);
    eventBridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ EventId: 'e1' }, { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }],
    });
    const publish = createEventPublisher(client, 'bus');
    const outcomes = await publish([eventItem('r1', 1), eventItem('r1', 2)]);
    expect(outcomes).toEqual([undefined, 'InternalFailure']);
    const entries = eventBridge.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries ?? [];
    expect(entries.map((entry) => [entry.EventBusName, entry.Source, entry.DetailType])).toEqual([
      ['bus', 'cognito-totp-recovery', 'CodeSent'],
      ['bus', 'cognito-totp-recovery', 'CodeSent'],
    ]);
    const detail = JSON.parse(entries[0]?.Detail ?? '{}');
    expect(detail).toMatchObject({ schemaVersion: 1, eventId: 'r1/1', requestId: 'r1', seq: 1 });
    expect(detail).not.toHaveProperty('pk');
    expect(detail).not.toHaveProperty('sk');
    await expect(publish(Array.from({ length: 11 }, (_, i) => eventItem('r1', i + 1)))).rejects.toThrow(
      RangeError,
    );
  });
});
