import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { DAY_LINK_MARKER_SK } from '../../functions/adapters/day-chain';
import { SINGLE_EVENT_CHAINS } from '../../functions/domain/audit-verify';
import type { StackInfo } from '../../local/stack-info';
import { stackClients } from './stack-clients';

/**
 * The run-wide invariant: every request that has an audit chain ends with exactly one terminal
 * record, and it is the chain's last link. Waits for running executions to end first.
 */
export async function checkTerminalRecords(stack: StackInfo, waitMs = 30_000): Promise<{ requests: number }> {
  const { sfn, documents } = stackClients(stack);
  const deadline = Date.now() + waitMs;
  for (;;) {
    const running = await sfn.send(
      new ListExecutionsCommand({
        stateMachineArn: stack.stateMachineArn,
        statusFilter: 'RUNNING',
        maxResults: 1,
      }),
    );
    if (!running.executions?.length) break;
    if (Date.now() > deadline) throw new Error('executions were still running when the suite ended');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const chains = new Map<string, { seq: number; type: string; terminal?: string }[]>();
  // Day links (by request id) and the requests marked linked (by partition key).
  const links: string[] = [];
  const linked = new Set<string>();
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(new ScanCommand({ TableName: stack.tables.audit, ExclusiveStartKey }));
    for (const item of page.Items ?? []) {
      if (String(item.pk).startsWith('DAY#')) links.push(String(item.requestId));
      if (item.sk === DAY_LINK_MARKER_SK) linked.add(String(item.pk));
      if (!String(item.pk).startsWith('REQ#') || !String(item.sk).startsWith('EVT#')) continue;
      const chain = chains.get(item.pk) ?? [];
      chain.push({ seq: item.seq, type: item.type, terminal: item.terminal });
      chains.set(item.pk, chain);
    }
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  const broken: string[] = [];
  for (const [pk, chain] of chains) {
    chain.sort((a, b) => a.seq - b.seq);
    // An event of the account (a new set of recovery codes) is a chain of one event, not a request.
    if (SINGLE_EVENT_CHAINS.includes(chain[0]?.type ?? '')) {
      if (chain.length !== 1) broken.push(`${pk}: ${chain.length} events in a one-event chain`);
      continue;
    }
    const terminals = chain.filter((event) => event.terminal);
    if (terminals.length !== 1 || !chain.at(-1)?.terminal) {
      broken.push(
        `${pk}: ${terminals.length} terminal record(s), last is ${chain.at(-1)?.terminal ?? 'not terminal'}`,
      );
    }
  }
  if (broken.length > 0)
    throw new Error(`requests without exactly one final terminal record:\n${broken.join('\n')}`);
  await checkDayLinks([...chains.keys()], links, linked, stack);
  return {
    requests: [...chains.values()].filter((c) => !SINGLE_EVENT_CHAINS.includes(c[0]?.type ?? '')).length,
  };
}

/**
 * The second run-wide invariant of the audit trail: every chain (request or account event) is linked
 * into its day's chain exactly once. Links come from the stream, a moment after the events: a chain
 * not linked yet gets a few seconds.
 */
async function checkDayLinks(chains: string[], links: string[], linked: Set<string>, stack: StackInfo) {
  const { documents } = stackClients(stack);
  const seen = new Set<string>();
  const twice = links.filter((requestId) => seen.has(requestId) || !seen.add(requestId));
  if (twice.length > 0) throw new Error(`requests linked into a day chain twice: ${twice.join(', ')}`);
  const deadline = Date.now() + 15_000;
  let waiting = chains.filter((pk) => !linked.has(pk));
  while (waiting.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const found = await Promise.all(
      waiting.map((pk) =>
        documents.send(
          new GetCommand({
            TableName: stack.tables.audit,
            Key: { pk, sk: DAY_LINK_MARKER_SK },
            ConsistentRead: true,
          }),
        ),
      ),
    );
    waiting = waiting.filter((_, index) => !found[index]?.Item);
  }
  if (waiting.length > 0)
    throw new Error(`requests never linked into their day's chain: ${waiting.join(', ')}`);
}
