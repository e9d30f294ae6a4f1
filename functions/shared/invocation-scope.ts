import { AsyncLocalStorage } from 'node:async_hooks';

// Locally many invocations of many functions run at once in one process; in Lambda one at a time.
const scope = new AsyncLocalStorage<Map<string, Map<string, unknown>>>();

/** Runs one invocation with memos of its own (withInvocation does this for every handler). */
export const withInvocationScope = <R>(run: () => R): R => scope.run(new Map(), run);

/**
 * A map that lives as long as the current invocation, or undefined outside one: what a step learned
 * (a request's chain head) is reused within its invocation, never by another function's invocation
 * that happens to share the process locally.
 */
export function invocationMap<V>(name: string): Map<string, V> | undefined {
  const memos = scope.getStore();
  if (!memos) return undefined;
  let map = memos.get(name);
  if (!map) {
    map = new Map();
    memos.set(name, map);
  }
  return map as Map<string, V>;
}
