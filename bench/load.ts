import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import type { StackInfo } from '../local/stack-info';
import { freshSourceIp, httpClient } from '../test/support/http-client';
import { codeFrom } from '../test/support/mailbox';
import { auditOf } from '../test/support/recoveries';
import { stackClients } from '../test/support/stack-clients';
import type { TestUser } from '../test/support/users';
import { createUsers, mailWatcher } from './recovery-latency';
import { summarise } from './stats';

type Kind = 'recovery' | 'wrong-codes' | 'unknown-user' | 'wrong-password';

/** Resident memory of this process (the stack's API host, workflow host and emulators) and of DynamoDB Local's JVM. */
function memory() {
  const kb = (status: string) => Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  let jvm = 0;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent === process.pid && stat.includes('(java)'))
        jvm += kb(readFileSync(`/proc/${pid}/status`, 'utf8'));
    } catch {
      // The process ended while we looked.
    }
  }
  return { nodeRssMb: process.memoryUsage().rss / 2 ** 20, jvmRssMb: jvm / 1024 };
}

/**
 * `requests` concurrent lost-device requests against the local stack: half real recoveries, a tenth
 * with two wrong codes before the right one, a fifth for unknown users, a fifth with wrong passwords.
 * Every request is its own client (source address). Checks: no 5xx, and every accepted request
 * reaches a terminal audit record.
 */
export async function runLoad(stack: StackInfo, requests: number) {
  const counts: Record<Kind, number> = {
    recovery: Math.round(requests * 0.5),
    'wrong-codes': Math.round(requests * 0.1),
    'unknown-user': Math.round(requests * 0.2),
    'wrong-password': 0,
  };
  counts['wrong-password'] = requests - counts.recovery - counts['wrong-codes'] - counts['unknown-user'];
  const users = await createUsers(stack, counts.recovery + counts['wrong-codes'] + counts['wrong-password']);
  const plan: { kind: Kind; user: TestUser }[] = [];
  let next = 0;
  for (const kind of ['recovery', 'wrong-codes', 'wrong-password'] as const) {
    for (let i = 0; i < counts[kind]; i += 1) plan.push({ kind, user: users[next++] as TestUser });
  }
  for (let i = 0; i < counts['unknown-user']; i += 1) {
    const name = `nobody-${randomBytes(6).toString('hex')}`;
    plan.push({
      kind: 'unknown-user',
      user: { username: name, email: `${name}@example.com`, password: 'Whatever-1' },
    });
  }

  const latency: Record<string, number[]> = {};
  const statuses: Record<string, number> = {};
  const timed = async <T extends { status: number }>(route: string, call: () => Promise<T>) => {
    const t0 = performance.now();
    const answer = await call();
    latency[route] = [...(latency[route] ?? []), performance.now() - t0];
    statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
    return answer;
  };
  const watcher = mailWatcher(stack);
  const accepted: string[] = [];
  const memoryBefore = memory();
  const started = performance.now();

  await Promise.all(
    plan.map(async ({ kind, user }) => {
      const api = httpClient(stack.apiUrl, freshSourceIp());
      const email = kind === 'recovery' || kind === 'wrong-codes' ? watcher.next(user.email) : undefined;
      // A refused request's email never comes: its wait may time out unobserved.
      email?.catch(() => undefined);
      const password = kind === 'wrong-password' ? 'Not-the-password-1' : user.password;
      const answer = await timed('POST /recoveries', () =>
        api.post('/recoveries', { username: user.username, password }),
      );
      if (answer.status !== 202 || !email) return;
      const { requestId } = answer.json as { requestId: string };
      accepted.push(requestId);
      const code = codeFrom(await email);
      if (kind === 'wrong-codes') {
        for (const wrong of ['00000000', '99999999']) {
          await timed('POST /recoveries/{id}/confirm', () =>
            api.post(`/recoveries/${requestId}/confirm`, { code: wrong }),
          );
        }
      }
      await timed('POST /recoveries/{id}/confirm', () =>
        api.post(`/recoveries/${requestId}/confirm`, { code }),
      );
      await timed('GET /recoveries/{id}', () => api.get(`/recoveries/${requestId}`));
    }),
  );
  await watcher.stop();

  // Lost requests: accepted but never ended with a terminal audit record.
  const { documents } = stackClients(stack);
  const deadline = Date.now() + 180_000;
  let open = [...accepted];
  while (open.length > 0 && Date.now() < deadline) {
    const still: string[] = [];
    for (const requestId of open) {
      const records = await auditOf(documents, stack, requestId);
      if (!records.some((record) => record.terminal)) still.push(requestId);
    }
    open = still;
    if (open.length > 0) await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const elapsedSeconds = (performance.now() - started) / 1000;
  // What the functions logged as errors during the run (the local CloudWatch Logs), by kind.
  const loggedErrors: Record<string, number> = {};
  for (const line of readFileSync(stack.logFile, 'utf8').split('\n')) {
    if (!line.startsWith('{') || !line.includes('"level":"ERROR"')) continue;
    const entry = JSON.parse(line) as { message?: string; error?: { name?: string } };
    const kind = [entry.message, entry.error?.name].filter(Boolean).join(': ');
    loggedErrors[kind] = (loggedErrors[kind] ?? 0) + 1;
  }
  return {
    loggedErrors,
    requests,
    mix: counts,
    statuses,
    serverErrors: Object.entries(statuses)
      .filter(([status]) => Number(status) >= 500)
      .reduce((sum, [, n]) => sum + n, 0),
    accepted: accepted.length,
    lost: open.length,
    elapsedSeconds,
    routes: Object.fromEntries(Object.entries(latency).map(([route, sample]) => [route, summarise(sample)])),
    memoryBefore,
    memoryAfter: memory(),
  };
}
