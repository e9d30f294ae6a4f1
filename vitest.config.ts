import { defineConfig } from 'vitest/config';

// Tiers (see test/README.md): `unit` runs without any service; `local` runs against
// emulators and the local stack, started once by test/support/global-setup.ts.
export default defineConfig({
  test: {
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
          name: 'local',
          include: [
            'test/emulators/**/*.test.ts',
            'test/statemachine/**/*.test.ts',
            'test/e2e/**/*.test.ts',
            'test/security/**/*.test.ts',
          ],
          environment: 'node',
          setupFiles: ['local/polyfills.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
