import { AdminGetUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import * as fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FaultKind, FaultRule } from '../../local/faults/fault-proxy';
import type { HttpAnswer } from '../support/http-client';
import { ownStack } from '../support/own-stack';
import { type AuditRecord, waitForTerminalRecord } from '../support/recoveries';
import { decide, staffToken } from '../support/staff';
import { recoveryDriver } from '../support/state-model';
import { createUser, type TestUser } from '../support/users';

// A model-based property test over the real local stack: random interleavings of what users, support
// and timers do, with faults injected into every dependency at random points. After each run, the
// invariants of the state model must hold whatever happened. PROPERTY_RUNS sets the number of runs
// (50 in CI); PROPERTY_SEED replays one.
const own = ownStack({
  faultInjection: true,
  timeScale: 0.05,
  functionEnvironment: {
    AWS_REQUEST_TIMEOUT_MS: '300',
    CODE_TTL_SECONDS: '4',
    APPROVAL_TIMEOUT_SECONDS: '3',
    COOL_DOWN_SECONDS: '1',
    SLOT_GRACE_SECONDS: '2',
  },
});
const drive = recoveryDriver(own);
const RUNS = Number(process.env.PROPERTY_RUNS ?? 50);

/** What can go wrong: an operation of a dependency the functions call. */
const FAULT_TARGETS: readonly Pick<FaultRule, 'service' | 'operation'>[] = [
  { service: 'stepfunctions', operation: 'SendTaskSuccess' },
  { service: 'cognito', operation: 'AdminDeleteSoftwareToken' },
  { service: 'cognito', operation: 'AdminUserGlobalSignOut' },
  { service: 'cognito', operation: 'AdminGetUser' },
  { service: 'cognito', operation: 'GetUser' },
  { service: 'ses', operation: 'SendEmail' },
  { service: 'dynamodb', operation: 'TransactWriteItems' },
  { service: 'dynamodb', operation: 'UpdateItem' },
  { service: 'dynamodb', operation: 'GetItem' },
  { service: 'dynamodb', operation: 'Query' },
  { service: 'eventbridge', operation: 'PutEvents' },
];

type Action =
  | { readonly kind: 'confirm'; readonly right: boolean }
  | { readonly kind: 'cancel' }
  | { readonly kind: 'approve'; readonly who: 'sam' | 'sara' }
  | { readonly kind: 'deny' }
  | { readonly kind: 'wait'; readonly ms: number }
  | { readonly kind: 'fault'; readonly target: number; readonly fault: FaultKind; readonly times?: number };

type Step = Action | { readonly kind: 'race'; readonly actions: readonly Action[] };

interface Scenario {
  readonly account: 'regular' | 'admin';
  readonly proof: 'password' | 'anonymous';
  readonly steps: readonly Step[];
}

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('confirm' as const), right: fc.boolean() }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'cancel' as const }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('approve' as const),
      who: fc.constantFrom('sam' as const, 'sara' as const),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'deny' as const }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 50, max: 1500 }) }),
  },
  {
    weight: 2,
    arbitrary: fc.record(
      {
        kind: fc.constant('fault' as const),
        target: fc.nat({ max: FAULT_TARGETS.length - 1 }),
        fault: fc.constantFrom<FaultKind>('throttle', 'server-error', 'timeout'),
        times: fc.integer({ min: 1, max: 4 }),
      },
      // No `times`: the fault lasts until the run's actions are over (a permanent outage).
      { requiredKeys: ['kind', 'target', 'fault'] },
    ),
  },
);

const scenario: fc.Arbitrary<Scenario> = fc.record({
  account: fc.constantFrom('regular' as const, 'admin' as const),
  proof: fc.constantFrom('password' as const, 'anonymous' as const),
  steps: fc.array(
    fc.oneof(
      { weight: 4, arbitrary: action },
      {
        weight: 1,
        arbitrary: fc.record({
          kind: fc.constant('race' as const),
          actions: fc.array(action, { minLength: 2, maxLength: 3 }),
        }),
      },
    ),
    { minLength: 1, maxLength: 8 },
  ),
});

/** What the callers were told: the ground truth the invariants hold the system to. */
interface Told {
  confirmed: boolean;
  cancelled: boolean;
  denied: boolean;
  answers: string[];
}

let tokens: Record<'sam' | 'sara', string>;
beforeAll(async () => {
  tokens = { sam: await staffToken(drive.stack(), 'sam'), sara: await staffToken(drive.stack(), 'sara') };
});

async function run(scenario: Scenario): Promise<void> {
  const user = await createUser(drive.clients().cognito, drive.stack(), {
    groups: scenario.account === 'admin' ? ['admins'] : [],
    prefix: 'prop',
  });
  const started = await drive.request(user, scenario.proof);
  const { api, requestId } = started;
  expect([202, 503]).toContain(started.answer.status);
  const told: Told = { confirmed: false, cancelled: false, denied: false, answers: [] };
  const note = (what: string, answer: HttpAnswer) => told.answers.push(`${what}:${answer.status}`);

  const latestEmail = async () => {
    const emails = (await drive.mail().to(user.email)).filter((e) => /code to remove/.test(e.subject));
    const text = emails.at(-1)?.body.text ?? '';
    return { code: /\b(\d{4} \d{4})\b/.exec(text)?.[1], token: /#token=([A-Za-z0-9_-]+)/.exec(text)?.[1] };
  };

  async function perform(step: Action): Promise<void> {
    switch (step.kind) {
      case 'confirm': {
        const { code } = await latestEmail();
        const answer = await api.post(`/recoveries/${requestId}/confirm`, {
          code: step.right && code ? code : '00000000',
        });
        note('confirm', answer);
        if (answer.status === 200) told.confirmed = true;
        return;
      }
      case 'cancel': {
        const { token } = await latestEmail();
        if (!token) return;
        const answer = await api.post(`/recoveries/${requestId}/cancel`, { token });
        note('cancel', answer);
        if (answer.status === 200) told.cancelled = true;
        return;
      }
      case 'approve':
        note(`approve-${step.who}`, await decide(api, requestId, 'approve', tokens[step.who]));
        return;
      case 'deny': {
        const answer = await decide(api, requestId, 'deny', tokens.sam);
        note('deny', answer);
        if (answer.status === 200) told.denied = true;
        return;
      }
      case 'wait':
        await new Promise((resolve) => setTimeout(resolve, step.ms));
        return;
      case 'fault':
        own.current.faults?.add({
          ...(FAULT_TARGETS[step.target] as Pick<FaultRule, 'service' | 'operation'>),
          kind: step.fault,
          ...(step.times ? { times: step.times } : {}),
        });
        return;
    }
  }

  try {
    if (requestId) {
      for (const step of scenario.steps) {
        if (step.kind === 'race') await Promise.all(step.actions.map(perform));
        else await perform(step);
      }
    }
  } finally {
    // The outage ends; from here on, the system must bring every request to its one true end.
    own.current.faults?.clear();
  }
  if (!requestId) return;
  const chain = await waitForTerminalRecord(drive.clients().documents, drive.stack(), requestId, 40_000);
  await checkInvariants(user, requestId, chain, told, scenario);
}

async function factorGone(user: TestUser): Promise<boolean> {
  const read = await drive
    .clients()
    .cognito.send(new AdminGetUserCommand({ UserPoolId: drive.stack().userPoolId, Username: user.username }));
  return !(read.UserMFASettingList ?? []).includes('SOFTWARE_TOKEN_MFA');
}

async function checkInvariants(
  user: TestUser,
  requestId: string,
  chain: AuditRecord[],
  told: Told,
  scenario: Scenario,
) {
  const sorted = [...chain].sort((a, b) => a.seq - b.seq);
  const terminals = sorted.filter((r) => r.terminal);
  const context = `${requestId} ${JSON.stringify(scenario)} told ${told.answers.join(',')} chain ${sorted.map((r) => r.type).join(',')}`;
  // Exactly one terminal record, and it is the last of its chain.
  expect(terminals, context).toHaveLength(1);
  expect(sorted.at(-1)?.terminal, context).toBeDefined();
  const outcome = String(terminals[0]?.terminal);
  // Every terminal record says why, with a reason code.
  expect(terminals[0]?.reasons?.[0], context).toMatch(/^[A-Z][A-Z_]+(:.+)?$/);
  const gone = await factorGone(user);

  // The outcome agrees with Cognito.
  if (gone) expect(['COMPLETED', 'SIGN_OUT_INCOMPLETE'], context).toContain(outcome);
  else expect(['COMPLETED', 'SIGN_OUT_INCOMPLETE'], context).not.toContain(outcome);

  // The factor is removed only after a confirmed code, enough different approvals, and no cancel or denial.
  const removalAt = sorted.findIndex((r) => r.type === 'RemovalStarted');
  if (gone || removalAt >= 0) {
    const before = sorted.slice(0, removalAt >= 0 ? removalAt : sorted.length);
    expect(
      before.some((r) => r.type === 'CodeConfirmed'),
      context,
    ).toBe(true);
    expect(
      before.some((r) => r.type === 'RecoveryCancelled' || r.type === 'RecoveryDenied'),
      context,
    ).toBe(false);
    const highRisk = before.some((r) => r.type === 'RiskAssessed' && r.outcome === 'HIGH');
    if (highRisk) {
      const approvers = new Set(before.filter((r) => r.type === 'Approved').map((r) => r.actor));
      const required = scenario.account === 'admin' ? 2 : 1;
      expect(approvers.size, context).toBeGreaterThanOrEqual(required);
    }
  }
  // A 200 to a cancel or a denial means the factor stayed; a 200 to a cancel means CANCELLED.
  if (told.cancelled || told.denied) expect(gone, context).toBe(false);
  if (told.cancelled) expect(outcome, context).toBe('CANCELLED');
  if (told.denied) expect(outcome, context).toBe('DENIED');

  // The emails the user received match the outcome.
  const subjects = (await drive.mail().to(user.email)).map((m) => m.subject).join('|');
  if (gone) expect(subjects, context).not.toMatch(/could not be completed|was stopped|declined|was locked/);
  const expected: Record<string, RegExp | undefined> = {
    COMPLETED: /authenticator was removed from your account/,
    SIGN_OUT_INCOMPLETE: /not every session was signed out/,
    DENIED: /declined/,
    LOCKED: /was locked/,
  };
  const wanted = expected[outcome];
  if (wanted)
    await expect
      .poll(async () => (await drive.mail().to(user.email)).map((m) => m.subject).join('|'), {
        timeout: 10_000,
      })
      .toMatch(wanted);

  // The user's active slot is released.
  const sub = String(sorted[0]?.userSub ?? '');
  const slotKey = scenario.proof === 'anonymous' ? 'ACTIVE_ANONYMOUS' : 'ACTIVE';
  await expect
    .poll(
      async () =>
        (
          await drive.clients().documents.send(
            new GetCommand({
              TableName: drive.stack().tables.recoveries,
              Key: { pk: `USER#${sub}`, sk: slotKey },
              ConsistentRead: true,
            }),
          )
        ).Item?.requestId,
      { timeout: 10_000 },
    )
    .not.toBe(requestId);
}

describe('the state model under random interleavings and injected faults', () => {
  it(`holds its invariants in ${RUNS} random runs`, { timeout: RUNS * 60_000 }, async () => {
    await fc.assert(fc.asyncProperty(scenario, run), {
      numRuns: RUNS,
      ...(process.env.PROPERTY_SEED ? { seed: Number(process.env.PROPERTY_SEED) } : {}),
      endOnFailure: true,
    });
  });
});
