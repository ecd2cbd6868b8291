import { expect, it } from "vitest";
import { createSyntheticCatalog } from "../../bench/synthetic-catalog.js";
import { describeProblems, generate } from "../../generator/generate.js";

// Keeps `npm run bench:generate` working as the real specs change: its catalog must stay valid.
it("the benchmark's synthetic catalog (25 families, 150 models) is valid and generates", async () => {
  const catalog = await createSyntheticCatalog({ families: 25, modelsPerFamily: 6 });
  try {
    const result = await generate({ specsDir: catalog.specsDir, displayRoot: catalog.root, manifest: false });
    if (!result.ok) throw new Error(describeProblems(result.problems));
    expect(result.specs).toHaveLength(25);
    expect([...result.files.keys()].filter((name) => name.startsWith("families/"))).toHaveLength(25);
    const modelIds = result.files
      .get("catalog.ts")!
      .match(/^export type ModelId = (.*);$/m)![1]!
      .split(" | ");
    expect(modelIds).toHaveLength(150);
    expect(new Set(modelIds).size).toBe(150);
  } finally {
    await catalog.remove();
  }
});
