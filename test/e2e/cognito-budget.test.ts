import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { alarmsWithoutMetric, BUSINESS_ALARMS, emittedMetrics } from '../../infra/observability';
import { freshSourceIp, httpClient } from '../support/http-client';
import { ownStack } from '../support/own-stack';
import { stackClients } from '../support/stack-clients';
import { createUser } from '../support/users';

// A stack of its own whose product may make one AdminInitiateAuth per second (the other categories
// keep their defaults); the fault proxy in front of Cognito counts every call the functions make.
const own = ownStack({
  faultInjection: true,
  functionEnvironment: { COGNITO_BUDGET: JSON.stringify({ UserAuthentication: 1 }) },
});

const authentications = () => own.current.faults?.calls.get('cognito.AdminInitiateAuth') ?? 0;
const newUser = () => createUser(stackClients(own.current.info).cognito, own.current.info);
const post = (body: object) => httpClient(own.current.info.apiUrl, freshSourceIp()).post('/recoveries', body);

/** Waits for a second of its own: its budget is untouched. */
const freshSecond = () => new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 20));

describe('the Cognito budget of POST /recoveries', () => {
  it('answers 429 with Retry-After once the authentication budget is spent, before any AdminInitiateAuth', async () => {
    const user = await newUser();
    const before = authentications();
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => post({ username: user.username, password: 'Wrong-password-1' })),
    );
    const limited = answers.filter((answer) => answer.status === 429);
    // One proof per second: however the ten fall across seconds, most find the budget spent.
    expect(limited.length).toBeGreaterThanOrEqual(7);
    for (const answer of limited) {
      expect(answer.headers['retry-after']).toBe('1');
      expect(answer.json).toMatchObject({ error: 'RATE_LIMITED' });
    }
    const proved = answers.filter((answer) => answer.status !== 429);
    expect(proved.every((answer) => answer.status === 401)).toBe(true);
    // Every answer but the 429s cost one password proof; the 429s cost none.
    expect(authentications() - before).toBe(proved.length);
  });

  it('counts each refusal in the metric the CognitoBudgetSpent alarm watches', async () => {
    const alarm = BUSINESS_ALARMS.filter((spec) => spec.id === 'CognitoBudgetSpent');
    expect(alarm).toHaveLength(1);
    const metrics = () =>
      emittedMetrics(
        readFileSync(own.current.info.logFile, 'utf8')
          .split('\n')
          .filter((line) => line.startsWith('{"_aws"'))
          .map((line) => JSON.parse(line) as Record<string, unknown>),
      );
    expect(alarmsWithoutMetric(alarm, metrics())).toEqual([]);
    expect(metrics()).toContainEqual(
      expect.objectContaining({
        name: 'CognitoBudgetSpent',
        dimensions: expect.objectContaining({ category: 'UserAuthentication' }),
      }),
    );
  });

  it('makes no AdminInitiateAuth for an unknown user, and answers exactly as for a wrong password', async () => {
    const user = await newUser();
    const costOf = async (body: object) => {
      await freshSecond();
      const before = authentications();
      const answer = await post(body);
      return { answer, proofs: authentications() - before };
    };
    const wrong = await costOf({ username: user.username, password: 'Wrong-password-1' });
    expect(wrong.answer.status).toBe(401);
    expect(wrong.proofs).toBe(1);
    for (const unknown of [
      { username: `nobody-${user.username}`, password: user.password },
      { email: `nobody-${user.email}`, password: user.password },
    ]) {
      const { answer, proofs } = await costOf(unknown);
      expect(answer.status).toBe(401);
      expect(answer.text).toBe(wrong.answer.text);
      expect(proofs).toBe(0);
    }
  });

  it('makes no AdminInitiateAuth for "I also lost my password", known user or not', async () => {
    const user = await newUser();
    for (const username of [`nobody-${user.username}`, user.username]) {
      const before = authentications();
      expect((await post({ username, lostPassword: true })).status).toBe(202);
      expect(authentications() - before).toBe(0);
    }
  });
});
