import { once } from 'node:events';
import { createWriteStream, statSync } from 'node:fs';
import { join } from 'node:path';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { chainHash, GENESIS_HASH } from '../functions/domain/audit-chain';
import type { StackInfo } from '../local/stack-info';
import { stackClients } from '../test/support/stack-clients';

/** Writes `count` chained events (10 per request) for one day straight into the audit table. */
async function seedEvents(stack: StackInfo, day: string, count: number) {
  const { documents } = stackClients(stack);
  const items: Record<string, unknown>[] = [];
  for (let request = 0; items.length < count; request += 1) {
    const requestId = `bench${String(request).padStart(17, '0')}`;
    let prevHash = GENESIS_HASH;
    for (let seq = 1; seq <= 10 && items.length < count; seq += 1) {
      const at = new Date(Date.parse(`${day}T00:00:00.000Z`) + request * 1000 + seq).toISOString();
      const body = {
        requestId,
        seq,
        type: seq === 10 ? 'RecoveryCompleted' : 'CodeSent',
        at,
        day,
        actor: 'system',
        username: `bench-user-${request}`,
        userKey: `USER#bench-user-${request}`,
        sourceIp: '203.0.113.7',
        userAgent: 'Mozilla/5.0 (bench) like a real browser, with, commas and "quotes"',
        prevHash,
      };
      const hash = chainHash(body, prevHash);
      items.push({ ...body, pk: `REQ#${requestId}`, sk: `EVT#${String(seq).padStart(6, '0')}`, hash });
      prevHash = hash;
    }
  }
  for (let i = 0; i < items.length; i += 25) {
    await documents.send(
      new BatchWriteCommand({
        RequestItems: {
          [stack.tables.audit]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })),
        },
      }),
    );
  }
}

/** Exports the day to a file, sampling this process's heap every 20 ms; resolves time, size and peak growth. */
async function measureExport(stack: StackInfo, day: string, format: 'csv' | 'jsonl', file: string) {
  // Imported only now that a stack has set the functions' environment: their logging reads it once,
  // at import, and loaded earlier it would print every function's lines to the terminal instead of
  // the stack's log file (where the load scenario counts logged errors).
  const { createAuditReader } = await import('../functions/adapters/audit-reader');
  const { exportLines } = await import('../functions/use-cases/audit-trail');
  const reader = createAuditReader(stackClients(stack).documents, stack.tables.audit);
  global.gc?.();
  const baseline = process.memoryUsage().heapUsed;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  }, 20);
  const started = performance.now();
  const out = createWriteStream(file);
  let lines = 0;
  for await (const line of exportLines(
    reader.stream({ from: `${day}T00:00:00.000Z`, to: `${day}T23:59:59.999Z` }),
    format,
  )) {
    lines += 1;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().heapUsed);
  return {
    format,
    lines,
    seconds: (performance.now() - started) / 1000,
    fileMb: statSync(file).size / 2 ** 20,
    peakHeapGrowthMb: (peak - baseline) / 2 ** 20,
  };
}

/** 10,000 events exported as CSV and as JSON lines, through the same code the API and the CLI use. */
export async function benchAuditExport(stack: StackInfo, dir: string, count = 10_000) {
  const day = '2020-02-02';
  await seedEvents(stack, day, count);
  return [
    await measureExport(stack, day, 'csv', join(dir, 'audit.csv')),
    await measureExport(stack, day, 'jsonl', join(dir, 'audit.jsonl')),
  ];
}
