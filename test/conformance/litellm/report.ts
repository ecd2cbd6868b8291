/**
 * Prints every conformance case with its status and, for those that disagree with LiteLLM, what differs:
 * `npx tsx test/conformance/litellm/report.ts [group ...]`. The divergence list for the engineers who fix
 * them is written from this output. Exit code 1 when a case is out of step with its mark.
 */
import { loadCaseFiles } from "./cases.js";
import { judgeOutcome, runCase, startCaseEmulator } from "./execute.js";

const wanted = new Set(process.argv.slice(2));
let outOfStep = 0;
const counts = { agrees: 0, differs: 0, pending: 0 };
for (const file of loadCaseFiles()) {
  if (wanted.size > 0 && !wanted.has(file.group)) continue;
  const emulator = await startCaseEmulator(file);
  try {
    console.log(`\n## ${file.group} (${file.file}): ${file.title}`);
    for (const testCase of file.cases) {
      const problems = judgeOutcome(testCase, await runCase(file, testCase, emulator));
      const mark = testCase.pending ? "pending" : testCase.differs ? "differs" : "agrees";
      counts[mark]++;
      const inStep = testCase.pending ? problems.length > 0 : problems.length === 0;
      if (!inStep) outOfStep++;
      const status = inStep ? mark : testCase.pending ? "FIXED (remove pending)" : "FAILS";
      console.log(`- ${testCase.id}: ${status}${testCase.pending ? ` — ${testCase.pending}` : ""}`);
      for (const problem of problems) console.log(`    ${problem}`);
    }
  } finally {
    await emulator.close();
  }
}
console.log(`\n${JSON.stringify(counts)}; ${outOfStep} case(s) out of step with their marks`);
process.exitCode = outOfStep > 0 ? 1 : 0;
