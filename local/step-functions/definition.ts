import { SfnError } from './errors';

type Json = Record<string, unknown>;

/** Facts about one Task state the host needs when it runs. */
export interface TaskStateInfo {
  readonly name: string;
  readonly resource: string;
  readonly timeoutSeconds?: number;
  readonly heartbeatSeconds?: number;
  readonly hasTimeoutPath: boolean;
}

export const TIMEOUT_FIELD = '__localTimeoutSeconds';
export const INPUT_FIELD = '__localInput';

function eachStateMap(definition: Json, visit: (states: Record<string, Json>) => void): void {
  const states = definition.States as Record<string, Json> | undefined;
  if (!states) return;
  visit(states);
  for (const state of Object.values(states)) {
    for (const branch of (state.Branches as Json[] | undefined) ?? []) eachStateMap(branch, visit);
    const processor = (state.ItemProcessor ?? state.Iterator) as Json | undefined;
    if (processor) eachStateMap(processor, visit);
  }
}

/**
 * Checks what the local host requires beyond the ASL validator: JSONPath only (no JSONata, no
 * Assign), and an explicit timeout on every Task, since the library's default (60 s) differs from AWS's.
 */
export function checkDefinition(definition: Json): void {
  if (definition.QueryLanguage === 'JSONata') {
    throw new SfnError(
      'InvalidDefinition',
      'the local host runs JSONPath definitions only (QueryLanguage JSONata is not supported)',
    );
  }
  eachStateMap(definition, (states) => {
    for (const [name, state] of Object.entries(states)) {
      if (state.QueryLanguage === 'JSONata' || 'Assign' in state) {
        throw new SfnError(
          'InvalidDefinition',
          `state ${name}: the local host supports neither JSONata nor Assign`,
        );
      }
      if (
        state.Type === 'Task' &&
        state.TimeoutSeconds === undefined &&
        state.TimeoutSecondsPath === undefined
      ) {
        throw new SfnError(
          'InvalidDefinition',
          `the local host requires an explicit TimeoutSeconds or TimeoutSecondsPath on Task state ${name}`,
        );
      }
    }
  });
}

/** Every Task state, nested ones included, by name. */
export function taskStates(definition: Json): Map<string, TaskStateInfo> {
  const tasks = new Map<string, TaskStateInfo>();
  eachStateMap(definition, (states) => {
    for (const [name, state] of Object.entries(states)) {
      if (state.Type !== 'Task') continue;
      tasks.set(name, {
        name,
        resource: String(state.Resource),
        ...(typeof state.TimeoutSeconds === 'number' ? { timeoutSeconds: state.TimeoutSeconds } : {}),
        ...(typeof state.HeartbeatSeconds === 'number' ? { heartbeatSeconds: state.HeartbeatSeconds } : {}),
        hasTimeoutPath: typeof state.TimeoutSecondsPath === 'string',
      });
    }
  });
  return tasks;
}

/**
 * The library resolves `TimeoutSecondsPath` against the input after `Parameters`; AWS resolves it
 * against the state's input ("a dynamic timeout specified by a path in the state input", CDK
 * `Timeout.at` reference). The copy the library runs carries the path's value through a hidden
 * Parameters field, which the task router strips before calling anything.
 */
export function forLibrary(definition: Json): Json {
  const copy = structuredClone(definition);
  eachStateMap(copy, (states) => {
    for (const state of Object.values(states)) {
      if (state.Type !== 'Task' || typeof state.TimeoutSecondsPath !== 'string') continue;
      const path = state.TimeoutSecondsPath;
      const parameters = (state.Parameters as Json | undefined) ?? { [`${INPUT_FIELD}.$`]: '$' };
      state.Parameters = { ...parameters, [`${TIMEOUT_FIELD}.$`]: path };
      state.TimeoutSecondsPath = `$.${TIMEOUT_FIELD}`;
    }
  });
  return copy;
}

/** Scales Wait states and retry intervals for tests (factor < 1 runs them faster). */
export function timeOverrides(definition: Json, scale: number) {
  const waitTimeOverrides: Record<string, number> = {};
  const retryIntervalOverrides: Record<string, number[]> = {};
  if (scale === 1) return { waitTimeOverrides, retryIntervalOverrides };
  eachStateMap(definition, (states) => {
    for (const [name, state] of Object.entries(states)) {
      if (state.Type === 'Wait' && typeof state.Seconds === 'number')
        waitTimeOverrides[name] = state.Seconds * 1000 * scale;
      const retriers = state.Retry as { IntervalSeconds?: number }[] | undefined;
      if (retriers)
        retryIntervalOverrides[name] = retriers.map((r) => (r.IntervalSeconds ?? 1) * 1000 * scale);
    }
  });
  return { waitTimeOverrides, retryIntervalOverrides };
}
