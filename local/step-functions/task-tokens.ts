import { randomBytes } from 'node:crypto';
import { SfnError, TaskFailure } from './errors';

interface OpenTask {
  readonly executionArn: string;
  readonly resolve: (output: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly deadline: number;
  heartbeatSeconds?: number;
  heartbeatTimer?: NodeJS.Timeout;
}

/**
 * Callback task tokens. A token is opaque (256 random bits) and open while its task waits; once the
 * task ended for any reason, SendTask* answers TaskTimedOut, as Step Functions does.
 */
export class TaskTokens {
  private readonly open = new Map<string, OpenTask>();
  private readonly closed = new Set<string>();

  /** Opens a token for one entry into a `.waitForTaskToken` task; the promise settles on SendTask*. */
  mint(executionArn: string, timeoutSeconds: number, heartbeatSeconds?: number) {
    const token = `AQ${randomBytes(32).toString('base64url')}`;
    const { promise, resolve, reject } = Promise.withResolvers<unknown>();
    const task: OpenTask = { executionArn, resolve, reject, deadline: Date.now() + timeoutSeconds * 1000 };
    if (heartbeatSeconds !== undefined) task.heartbeatSeconds = heartbeatSeconds;
    this.open.set(token, task);
    this.armHeartbeat(token, task);
    void promise.catch(() => undefined);
    return { token, result: promise };
  }

  private armHeartbeat(token: string, task: OpenTask): void {
    if (task.heartbeatSeconds === undefined) return;
    clearTimeout(task.heartbeatTimer);
    task.heartbeatTimer = setTimeout(() => {
      this.close(token);
      task.reject(new TaskFailure('States.HeartbeatTimeout', 'no heartbeat within HeartbeatSeconds'));
    }, task.heartbeatSeconds * 1000);
  }

  private take(token: unknown): OpenTask {
    if (typeof token !== 'string' || token.length < 1 || token.length > 2048) {
      throw new SfnError('InvalidToken', 'Invalid token');
    }
    const task = this.open.get(token);
    if (task && task.deadline > Date.now()) return task;
    if (task || this.closed.has(token)) {
      this.close(token);
      throw new SfnError('TaskTimedOut', 'Task Timed Out');
    }
    if (!token.startsWith('AQ')) throw new SfnError('InvalidToken', 'Invalid token');
    throw new SfnError('TaskDoesNotExist', 'Task does not exist anymore');
  }

  succeed(token: unknown, output: unknown): void {
    const task = this.take(token);
    this.close(token as string);
    task.resolve(output);
  }

  fail(token: unknown, error: string, cause: string): void {
    const task = this.take(token);
    this.close(token as string);
    task.reject(new TaskFailure(error, cause));
  }

  heartbeat(token: unknown): void {
    const task = this.take(token);
    this.armHeartbeat(token as string, task);
  }

  /** Ends a waiting task at its timeout: the token closes and the wait fails with States.Timeout. */
  expire(token: string): void {
    const task = this.open.get(token);
    this.close(token);
    task?.reject(new TaskFailure('States.Timeout', 'Task timed out'));
  }

  close(token: string): void {
    const task = this.open.get(token);
    if (task) clearTimeout(task.heartbeatTimer);
    this.open.delete(token);
    this.closed.add(token);
  }

  /**
   * Closes every token of an execution that ended, so late callbacks answer TaskTimedOut, and ends
   * the waits still pending so no timer outlives the execution.
   */
  closeExecution(executionArn: string): void {
    for (const [token, task] of this.open) {
      if (task.executionArn !== executionArn) continue;
      this.close(token);
      task.reject(new TaskFailure('States.Runtime', 'the execution ended'));
    }
  }
}
