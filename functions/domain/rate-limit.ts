/**
 * A sliding-window limit of `limit` events per `windowSeconds`, kept as `limit` timestamp slots in
 * one item. Taking a slot is one conditional write ("empty or older than the window"), so concurrent
 * requests can never take the same slot and the limit holds exactly, with no window-edge burst.
 */
export interface SlidingWindow {
  readonly limit: number;
  readonly windowSeconds: number;
}

/** Slots that may be taken now, oldest first: empty ones, then ones whose event left the window. */
export function freeSlots(slots: readonly (number | undefined)[], window: SlidingWindow, nowSeconds: number) {
  const cutoff = nowSeconds - window.windowSeconds;
  const free: number[] = [];
  for (let index = 0; index < window.limit; index += 1) {
    const taken = slots[index];
    if (taken === undefined || taken <= cutoff) free.push(index);
  }
  return free.sort((a, b) => (slots[a] ?? 0) - (slots[b] ?? 0));
}

/** Seconds until the oldest slot leaves the window: the Retry-After of a limited caller. */
export function secondsUntilFree(
  slots: readonly (number | undefined)[],
  window: SlidingWindow,
  nowSeconds: number,
) {
  const taken = slots.filter((slot): slot is number => slot !== undefined);
  if (taken.length < window.limit) return 0;
  return Math.max(1, Math.min(...taken) + window.windowSeconds - nowSeconds);
}

/** Slots holding an event still inside the window. */
export function eventsInWindow(
  slots: readonly (number | undefined)[],
  window: SlidingWindow,
  nowSeconds: number,
) {
  const cutoff = nowSeconds - window.windowSeconds;
  return slots.filter((slot) => slot !== undefined && slot > cutoff).length;
}

/** Wrong passwords the recovery form remembers per username (risk rule, support list); more than any threshold allows. */
export const FAILED_PASSWORD_WINDOW: SlidingWindow = { limit: 20, windowSeconds: 86_400 };
