import { describe, expect, inject, it } from 'vitest';
import { checkTerminalRecords } from '../support/terminal-records';

// Runs after every other e2e file (see the sequencer in vitest.config.ts).
describe('after the whole end-to-end run', () => {
  it('every request has exactly one terminal audit record, and it is the last of its chain', async () => {
    const { requests } = await checkTerminalRecords(inject('stack'));
    expect(requests).toBeGreaterThan(0);
  });
});
