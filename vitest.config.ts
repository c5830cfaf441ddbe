import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // A passing run prints vitest's report only; a failing test shows what it logged.
    silent: 'passed-only',
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      AWS_EC2_METADATA_DISABLED: 'true',
      // Powertools Logger writes through a Console of its own on process.stdout, which vitest
      // cannot capture; in dev mode it uses the global console, which vitest does.
      POWERTOOLS_DEV: 'true',
    },
  },
});
