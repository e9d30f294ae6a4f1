import { describe, expect, it } from 'vitest';
import { freeSlots, secondsUntilFree } from '../../functions/domain/rate-limit';

const window = { limit: 3, windowSeconds: 100 };

describe('a sliding-window limit', () => {
  it('offers every slot when nothing happened yet', () => {
    expect(freeSlots([], window, 1000)).toEqual([0, 1, 2]);
  });

  it('offers no slot while every event is inside the window', () => {
    expect(freeSlots([950, 960, 999], window, 1000)).toEqual([]);
    expect(secondsUntilFree([950, 960, 999], window, 1000)).toBe(50);
  });

  it('frees a slot exactly when its event leaves the window, oldest first', () => {
    expect(freeSlots([900, 960, 901], window, 1000)).toEqual([0]);
    expect(freeSlots([900, 960, 901], window, 1001)).toEqual([0, 2]);
  });

  it('has no burst at a window edge: three events late in one day block the next morning', () => {
    const slots = [86_390, 86_395, 86_399];
    expect(freeSlots(slots, { limit: 3, windowSeconds: 86_400 }, 86_410)).toEqual([]);
  });

  it('says a caller with free slots need not wait', () => {
    expect(secondsUntilFree([950], window, 1000)).toBe(0);
  });
});
