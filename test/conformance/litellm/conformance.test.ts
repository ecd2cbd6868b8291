/**
 * The LiteLLM conformance suite: every case in cases/*.yaml runs through createBedrock, the real AWS SDK and
 * the emulator (see README.md). A case agrees with LiteLLM, differs from it on purpose (`differs`, with our
 * own expected value), or is `pending`: then it must still disagree, so the day the behaviour is fixed this
 * test fails and says to remove the mark.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../../../emulator/types.js";
import { loadCaseFiles } from "./cases.js";
import { judgeOutcome, runCase, startCaseEmulator } from "./execute.js";

const files = loadCaseFiles();

describe.each(files)("$file: $title", (file) => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startCaseEmulator(file);
  });
  afterAll(async () => {
    await emulator?.close();
  });

  it.each(file.cases.map((testCase) => [testCase.id, testCase] as const))("%s", async (_id, testCase) => {
    const outcome = await runCase(file, testCase, emulator);
    const problems = judgeOutcome(testCase, outcome);
    if (testCase.pending) {
      expect(
        problems,
        `${testCase.id} now agrees with LiteLLM: remove its pending mark ("${testCase.pending}") and from conformance-divergences`,
      ).not.toEqual([]);
    } else {
      expect(problems, `${testCase.id} (${testCase.source.file} ${testCase.source.test})`).toEqual([]);
    }
  });
});

describe("the suite", () => {
  it("holds at least 150 cases, each naming its LiteLLM source", () => {
    const cases = files.flatMap((file) => file.cases);
    expect(cases.length).toBeGreaterThanOrEqual(150);
    for (const testCase of cases) expect(testCase.source.file).toMatch(/^(tests|litellm|docs)\//);
  });
});
