import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: "forks",
    // The AWS SDK warns once per process on Node below 22; the test output should show the tests.
    // Most tests replay real exchanges with models Bedrock has since retired or made legacy; the refusal
    // of retired models and the lifecycle warnings are tested on their own (test/runtime/lifecycle.test.ts
    // sets both variables itself).
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      BEDROCK_FORGE_ALLOW_RETIRED: "1",
      BEDROCK_FORGE_LIFECYCLE_WARNINGS: "0",
    },
  },
});
