/** One history event as GetExecutionHistory returns it (before ids are assigned). */
export interface RawEvent {
  readonly timestamp: number;
  readonly type: string;
  readonly details: Record<string, unknown>;
  /** Task events carry their state: they sort after that state's entry and before its exit. */
  readonly taskOf?: string;
  readonly stateName?: string;
  readonly order: number;
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface Execution {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly input: string;
  readonly startDate: number;
  status: ExecutionStatus;
  stopDate?: number;
  output?: string;
  error?: string;
  cause?: string;
  readonly events: RawEvent[];
  abort?: () => void;
}

export interface StateMachineRecord {
  readonly stateMachineArn: string;
  readonly name: string;
  definition: string;
  readonly roleArn: string;
  readonly creationDate: number;
}

const END_TYPES = new Set(['ExecutionSucceeded', 'ExecutionFailed', 'ExecutionAborted', 'ExecutionTimedOut']);

/**
 * Orders an execution's events. Library events arrive through an async queue and task events are
 * recorded directly, so order is rebuilt from timestamps; at equal timestamps a task's events come
 * after its state's entry and before its exit.
 */
export function orderedHistory(events: readonly RawEvent[]) {
  const rank = (event: RawEvent, other: RawEvent): number => {
    if (event.taskOf === undefined) return 0;
    if (other.taskOf !== undefined) return 0;
    if (END_TYPES.has(other.type)) return -1;
    if (other.type.endsWith('StateExited') && other.stateName === event.taskOf) return -1;
    return 1;
  };
  const sorted = [...events].sort((a, b) => {
    if (a.timestamp !== b.timestamp) return a.timestamp - b.timestamp;
    const byRank = rank(a, b) - rank(b, a);
    return byRank !== 0 ? byRank : a.order - b.order;
  });
  return sorted.map((event, index) => ({
    id: index + 1,
    previousEventId: index,
    timestamp: event.timestamp / 1000,
    type: event.type,
    ...event.details,
  }));
}
