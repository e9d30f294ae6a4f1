import { defineConfig } from 'vitest/config';
import { LastFileSequencer } from './test/support/last-file-sequencer';

// Tiers (see the README, "Test"): `unit` needs no service; `emulators` starts the emulator under test
// in each file; `e2e` shares one local stack started by test/support/global-setup.ts.
export default defineConfig({
  test: {
    // The run-wide invariants (zz-*.test.ts) read what every other file left: they run last. Vitest
    // reads the sequencer from the root config only (a project's is ignored).
    sequence: { sequencer: LastFileSequencer },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/infra/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'emulators',
          include: ['test/emulators/**/*.test.ts', 'test/statemachine/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: [
            'test/e2e/**/*.test.ts',
            'test/security/**/*.test.ts',
            'test/browser/**/*.test.ts',
            'test/reliability/**/*.test.ts',
          ],
          environment: 'node',
          globalSetup: ['test/support/global-setup.ts'],
          // One shared stack; some files switch the pool's MFA mode, so files run one at a time.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
