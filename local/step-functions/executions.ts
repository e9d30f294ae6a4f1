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

/**
 * Orders an execution's events. Library events arrive in order through an async queue; task events
 * are recorded directly by the task router. Each task event goes inside its state's entry: after the
 * state's latest `...StateEntered`, before the first later library event not older than it.
 */
export function orderedHistory(events: readonly RawEvent[]) {
  const library = events.filter((e) => e.taskOf === undefined).sort((a, b) => a.order - b.order);
  const pending = events.filter((e) => e.taskOf !== undefined).sort((a, b) => a.order - b.order);
  const open = new Set<string>();
  const ordered: RawEvent[] = [];
  const flush = (before?: RawEvent) => {
    for (let i = 0; i < pending.length; ) {
      const task = pending[i] as RawEvent;
      if (open.has(task.taskOf as string) && (!before || task.timestamp <= before.timestamp)) {
        ordered.push(task);
        pending.splice(i, 1);
      } else i += 1;
    }
  };
  for (const event of library) {
    flush(event);
    ordered.push(event);
    if (event.stateName && event.type.endsWith('StateEntered')) open.add(event.stateName);
    if (event.stateName && event.type.endsWith('StateExited')) open.delete(event.stateName);
  }
  flush();
  ordered.push(...pending);
  return ordered.map((event, index) => ({
    id: index + 1,
    previousEventId: index,
    timestamp: event.timestamp / 1000,
    type: event.type,
    ...event.details,
  }));
}
