import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: "forks",
    // Test files share a worker's loaded modules (the runtime, the catalog, the AWS SDK) instead of each
    // loading them again: the suite runs in about half the time. So a test file leaves no state behind that
    // changes another's results (a warning given once per receiver, not per process; env restored).
    isolate: false,
    // Vitest's default leaves a core to itself (one worker on a 2-core machine), but its own process is
    // mostly idle, and many tests wait on child processes and sockets: one worker per core.
    maxWorkers: availableParallelism(),
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
