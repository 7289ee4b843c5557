import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'test/**/*.test.ts', 'test/**/*.test.tsx', 'vscode/src/**/*.test.ts'],
    // End-to-end tests spawn daemons and doubles as real processes: give them room, and run
    // files in separate processes so one file's daemon can't leak into another's.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // This machine is shared and has two cores: a timing assertion here would be a flaky one.
    // Speed is measured in `npm run bench`, never in tests.
  },
});
