import { randomBytes } from 'node:crypto';
import type { StackInfo } from '../local/stack-info';
import { freshSourceIp, httpClient } from '../test/support/http-client';
import type { TestUser } from '../test/support/users';
import { apiRecoveries, createUsers } from './recovery-latency';
import { summarise } from './stats';

/** Real recoveries measured alone and again during the flood. */
export const FLOOD_RECOVERIES = 30;
// Each flooding address sends this many requests, well under the per-address limit (20 an hour by
// default), so what the flood meets is the product's shared work, not its per-IP refusal.
const REQUESTS_PER_SOURCE = 4;

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * `count` recoveries at once; the phase times of those that completed, and the failures by kind
 * (a failed recovery has no time: it counts as an error, never as a fast sample).
 */
async function recoverAll(recoveries: ReturnType<typeof apiRecoveries>, users: readonly TestUser[]) {
  const requestToEmail: number[] = [];
  const wholeRecovery: number[] = [];
  const errors: Record<string, number> = {};
  const started = performance.now();
  await Promise.all(
    users.map(async (user) => {
      try {
        const measured = await recoveries.recover(user);
        requestToEmail.push(measured.requestToEmail);
        wholeRecovery.push(measured.wholeRecovery);
      } catch (error) {
        const kind = `recovery: ${errorText(error)}`;
        errors[kind] = (errors[kind] ?? 0) + 1;
      }
    }),
  );
  return {
    requestToEmail: summarise(requestToEmail),
    wholeRecovery: summarise(wholeRecovery),
    seconds: (performance.now() - started) / 1000,
    errors,
  };
}

/**
 * The `flood` scenario: `floodRequests` anonymous requests ("I also lost my password") for unknown
 * users, from one loopback address per `REQUESTS_PER_SOURCE` requests, all sent at once while
 * FLOOD_RECOVERIES real recoveries run; compared with as many recoveries run alone on the same stack
 * just before. Every flood request should get the same 202 a real one gets; anything else is an
 * error.
 */
export async function runFlood(stack: StackInfo, floodRequests: number) {
  const users = await createUsers(stack, 2 * FLOOD_RECOVERIES + 1);
  const [warmUp, ...rest] = users as [TestUser, ...TestUser[]];
  const recoveries = apiRecoveries(stack);
  // The first recovery loads the modules (the local stand-in for cold starts): not measured.
  await recoveries.recover(warmUp);
  const alone = await recoverAll(recoveries, rest.slice(0, FLOOD_RECOVERIES));

  const sources = Array.from({ length: Math.ceil(floodRequests / REQUESTS_PER_SOURCE) }, () =>
    httpClient(stack.apiUrl, freshSourceIp()),
  );
  const floodStatuses: Record<string, number> = {};
  const floodLatency: number[] = [];
  const floodErrors: Record<string, number> = {};
  const floodStarted = performance.now();
  const flood = Promise.all(
    Array.from({ length: floodRequests }, async (_, i) => {
      const username = `nobody-${randomBytes(6).toString('hex')}`;
      const t0 = performance.now();
      try {
        const answer = await (sources[i % sources.length] as (typeof sources)[number]).post('/recoveries', {
          username,
          lostPassword: true,
        });
        floodLatency.push(performance.now() - t0);
        floodStatuses[answer.status] = (floodStatuses[answer.status] ?? 0) + 1;
        if (answer.status !== 202) {
          const kind = `flood: POST /recoveries answered ${answer.status}`;
          floodErrors[kind] = (floodErrors[kind] ?? 0) + 1;
        }
      } catch (error) {
        const kind = `flood: ${errorText(error)}`;
        floodErrors[kind] = (floodErrors[kind] ?? 0) + 1;
      }
    }),
  ).then(() => (performance.now() - floodStarted) / 1000);
  const during = await recoverAll(recoveries, rest.slice(FLOOD_RECOVERIES));
  const floodSeconds = await flood;
  await recoveries.stop();

  const errors = { ...alone.errors, ...floodErrors };
  for (const [kind, n] of Object.entries(during.errors)) errors[`${kind} (during the flood)`] = n;
  return {
    floodRequests,
    sources: sources.length,
    recoveries: FLOOD_RECOVERIES,
    alone,
    during,
    flood: { seconds: floodSeconds, statuses: floodStatuses, latency: summarise(floodLatency) },
    errors,
  };
}
