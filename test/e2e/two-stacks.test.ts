import { describe, expect, it } from 'vitest';
import type { StackInfo } from '../../local/stack-info';
import { freshSourceIp, httpClient } from '../support/http-client';
import { ownStack } from '../support/own-stack';
import { auditOf, completedRecovery, waitForTerminalRecord } from '../support/recoveries';
import { stackClients } from '../support/stack-clients';
import { createUser } from '../support/users';

// Two stacks in one process, as tests and the benchmark run them: each stack's functions must read
// their own configuration and call their own endpoints (functions/shared/environment.ts), never
// those of the stack whose invocation happened to load the handler first.
const first = ownStack({});
const second = ownStack({ functionEnvironment: { CODE_TTL_SECONDS: '45' } });

/** Seconds from now to the code deadline a fresh request of a fresh user of `stack` gets. */
async function codeLifetimeOf(stack: StackInfo): Promise<number> {
  const user = await createUser(stackClients(stack).cognito, stack);
  const api = httpClient(stack.apiUrl, freshSourceIp());
  const started = await api.post('/recoveries', { username: user.username, password: user.password });
  const { requestId } = started.json as { requestId: string };
  const status = await api.get(`/recoveries/${requestId}`);
  return (Date.parse(String((status.json as { codeExpiresAt: string }).codeExpiresAt)) - Date.now()) / 1000;
}

describe('two local stacks in one process', () => {
  it('recovers a user on each at once, each through its own endpoints: neither stack holds the other’s request', async () => {
    const [a, b] = [first.current.info, second.current.info];
    expect(a.endpoints.dynamodb).not.toBe(b.endpoints.dynamodb);
    expect(a.endpoints.cognito).not.toBe(b.endpoints.cognito);
    const [ra, rb] = await Promise.all([completedRecovery(a), completedRecovery(b)]);
    for (const [own, mine, theirs] of [
      [a, ra.requestId, rb.requestId],
      [b, rb.requestId, ra.requestId],
    ] as const) {
      const { documents } = stackClients(own);
      const chain = await waitForTerminalRecord(documents, own, mine);
      expect(chain.at(-1)).toMatchObject({ terminal: 'COMPLETED' });
      expect(await auditOf(documents, own, theirs)).toEqual([]);
    }
  });

  it('configures each stack’s functions from that stack’s environment', async () => {
    const [a, b] = await Promise.all([
      codeLifetimeOf(first.current.info),
      codeLifetimeOf(second.current.info),
    ]);
    expect(a).toBeGreaterThan(500);
    expect(b).toBeGreaterThan(30);
    expect(b).toBeLessThanOrEqual(45);
  });
});
