import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./run-cli.js";

const titan = "amazon.titan-embed-text-v2:0";

describe("bedrock-forge embed", { timeout: 60_000 }, () => {
  it("embeds texts offline and prints each vector's size, tokens and cost", async () => {
    const result = await runCli([
      "embed",
      "good morning",
      "good night",
      "--model",
      titan,
      "--dimensions",
      "256",
      "--offline",
    ]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^#0 {2}256 dims {2}\[-?\d\.\d{4}, .*, …\] {2}"good morning"$/);
    expect(lines[1]).toMatch(/^#1 {2}256 dims .*"good night"$/);
    expect(result.stderr).toMatch(/^2 embeddings · tokens: \d+ · cost: \$0\.\d+\n$/);
  });

  it("embeds a file in batches, in order, and stays quiet about progress when piped", async () => {
    const folder = await mkdtemp(path.join(os.tmpdir(), "bedrock-forge-embed-"));
    try {
      const file = path.join(folder, "texts.txt");
      const texts = Array.from({ length: 70 }, (_, index) => `sentence number ${index}`);
      await writeFile(file, `${texts.join("\n")}\n\n`);
      const result = await runCli(["embed", "--file", file, "--model", titan, "--json", "--offline"]);
      expect(result.code).toBe(0);
      const response = JSON.parse(result.stdout) as {
        data: { index: number; embedding: number[] }[];
        usage: { prompt_tokens: number; cost: number };
      };
      expect(response.data.map((item) => item.index)).toEqual(texts.map((_, index) => index));
      expect(response.data.every((item) => item.embedding.length === 1024)).toBe(true);
      expect(response.usage.prompt_tokens).toBeGreaterThan(70);
      expect(response.usage.cost).toBeGreaterThan(0);
      expect(result.stderr).toBe("");
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it("reads --file by its path, relative to the working folder (names with # and ?), or names a missing one", async () => {
    const folder = await mkdtemp(path.join(os.tmpdir(), "bedrock-forge-embed-"));
    try {
      await writeFile(path.join(folder, "a#1?.txt"), "right text\n");
      await writeFile(path.join(folder, "a"), "wrong text\n");
      const result = await runCli(["embed", "--file", "a#1?.txt", "--model", titan, "--offline"], {
        cwd: folder,
      });
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('"right text"');
      const missing = await runCli(["embed", "--file", "nope.txt", "--model", titan, "--offline"], {
        cwd: folder,
      });
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain("cannot read nope.txt: no such file");
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it("refuses bad usage (exit 2): no text, a bad --dimensions, a dimension the model lacks", async () => {
    const noText = await runCli(["embed", "--model", titan]);
    expect(noText.code).toBe(2);
    expect(noText.stderr).toContain("give at least one text");
    const badNumber = await runCli(["embed", "hi", "--model", titan, "--dimensions", "many"]);
    expect(badNumber.code).toBe(2);
    expect(badNumber.stderr).toContain('--dimensions must be a positive integer, not "many"');
    const unsupported = await runCli(["embed", "hi", "--model", titan, "--dimensions", "300", "--offline"]);
    expect(unsupported.code).toBe(2);
    expect(unsupported.stderr).toContain(
      "dimensions=300 is not supported by amazon.titan-embed-text-v2:0: use 256, 512, 1024",
    );
  });
});
