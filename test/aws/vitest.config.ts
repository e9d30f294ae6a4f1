import { defineConfig } from 'vitest/config';

// `npm run test:aws`: the Cognito MFA fidelity suite of the local emulator, run against real Cognito
// (throwaway pools in the account and region of the standard AWS environment, deleted at the end).
// Not part of `npm test`.
export default defineConfig({
  test: {
    name: 'aws',
    root: `${import.meta.dirname}/../..`,
    include: ['test/emulators/user-pool-mfa.test.ts'],
    environment: 'node',
    env: { TEST_TARGET: 'aws' },
    globalSetup: [`${import.meta.dirname}/require-credentials.ts`],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
