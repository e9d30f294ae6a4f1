import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../cli/main';
import { ownStack } from '../support/own-stack';
import {
  type AuditRecord,
  completedRecovery,
  waitForDayLink,
  waitForTerminalRecord,
} from '../support/recoveries';
import { stackClients } from '../support/stack-clients';

// A stack of its own: these tests damage the audit table as a rogue administrator would.
const own = ownStack({});

async function tamperableRecovery() {
  const stack = own.current.info;
  const { documents } = stackClients(stack);
  const { requestId } = await completedRecovery(stack);
  return { requestId, chain: await waitForTerminalRecord(documents, stack, requestId), documents, stack };
}

/** `totp-recovery audit verify` for today, against the own stack, as an auditor would run it. */
async function verify() {
  const out: string[] = [];
  const err: string[] = [];
  const day = new Date().toISOString().slice(0, 10);
  const code = await runCli(
    ['--stack-file', own.current.stackFile, 'audit', 'verify', '--from', day, '--to', day],
    {
      out: (text) => out.push(text),
      err: (text) => err.push(text),
      env: {},
      cwd: process.cwd(),
    },
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const key = (record: AuditRecord) => ({ pk: String(record.pk), sk: String(record.sk) });

describe('tampering with the audit table', () => {
  it('verifies clean, then names the event whose field a rogue admin altered', async () => {
    const { requestId, chain, documents, stack } = await tamperableRecovery();
    expect(await verify()).toMatchObject({ code: 0 });
    const third = chain[2] as AuditRecord;
    await documents.send(
      new UpdateCommand({
        TableName: stack.tables.audit,
        Key: key(third),
        UpdateExpression: 'SET actor = :who',
        ExpressionAttributeValues: { ':who': 'support:mallory' },
      }),
    );
    const run = await verify();
    expect(run.code).toBe(1);
    expect(run.err).toContain(`BROKEN at request ${requestId} event ${third.seq}: HASH_MISMATCH`);
    await documents.send(new PutCommand({ TableName: stack.tables.audit, Item: third }));
    expect(await verify()).toMatchObject({ code: 0 });
  });

  it('names the place of one deleted event', async () => {
    const { requestId, chain, documents, stack } = await tamperableRecovery();
    const removed = chain[3] as AuditRecord;
    await documents.send(new DeleteCommand({ TableName: stack.tables.audit, Key: key(removed) }));
    const run = await verify();
    expect(run.code).toBe(1);
    expect(run.err).toContain(`BROKEN at request ${requestId} event ${removed.seq}: SEQUENCE_GAP`);
    await documents.send(new PutCommand({ TableName: stack.tables.audit, Item: removed }));
    expect(await verify()).toMatchObject({ code: 0 });
  });

  it('names a whole deleted request through its day chain, once the stream linked it', async () => {
    const { requestId, chain, documents, stack } = await tamperableRecovery();
    // Links are written from the audit stream, off the request path: the window SECURITY.md states.
    const place = await waitForDayLink(documents, stack, requestId);
    expect(place.linkDay).toBe(String(chain[0]?.day));
    for (const record of chain)
      await documents.send(new DeleteCommand({ TableName: stack.tables.audit, Key: key(record) }));
    const run = await verify();
    expect(run.code).toBe(1);
    expect(run.err).toMatch(
      new RegExp(
        `BROKEN at day \\d{4}-\\d{2}-\\d{2} shard \\d link \\d+: REQUEST_MISSING: request ${requestId} is linked but its events are gone`,
      ),
    );
  });
});
