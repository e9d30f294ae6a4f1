import { readFileSync } from 'node:fs';
import { describe, expect, inject, it } from 'vitest';
import { completedRecovery } from '../support/recoveries';

const stack = inject('stack');

/** The JSON lines of the local CloudWatch Logs (the stack's logFile). */
function jsonLines(): Record<string, unknown>[] {
  return readFileSync(stack.logFile, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('what operators see of one recovery', () => {
  it("tells the recovery's story by its correlation id: a JSON line from every function that handled it", async () => {
    const { requestId } = await completedRecovery(stack);
    await expect
      .poll(
        () =>
          new Set(
            jsonLines()
              .filter((line) => line.correlationId === requestId)
              .map((line) => line.function_name),
          ),
        { timeout: 10_000 },
      )
      .toEqual(
        new Set([
          'start-recovery',
          'look-up-user',
          'issue-code',
          'get-recovery',
          'confirm-recovery',
          'advance-recovery',
          'remove-totp',
          'sign-out-user',
          'finish-recovery',
        ]),
      );
    const lines = jsonLines().filter((line) => line.correlationId === requestId);
    for (const line of lines) {
      expect(line).toMatchObject({ service: 'cognito-totp-recovery', level: expect.any(String) });
      expect(typeof line.cold_start).toBe('boolean');
    }
    const apiLines = lines.filter((line) => line.function_name === 'confirm-recovery');
    expect(apiLines[0]).toMatchObject({ apiRequestId: expect.any(String), statusCode: 200 });
  });

  it('emits the business metrics of a recovery as EMF blobs under one namespace', async () => {
    await completedRecovery(stack);
    const emitted = new Set(
      jsonLines()
        .filter((line) => line._aws)
        .flatMap((line) => {
          const directives = (
            line._aws as { CloudWatchMetrics: { Namespace: string; Metrics: { Name: string }[] }[] }
          ).CloudWatchMetrics;
          return directives.flatMap((d) => d.Metrics.map((m) => `${d.Namespace}/${m.Name}`));
        }),
    );
    for (const metric of ['RequestsAccepted', 'CodesSent', 'RecoveriesEnded', 'TimeToComplete']) {
      expect(emitted).toContain(`CognitoTotpRecovery/${metric}`);
    }
  });
});
