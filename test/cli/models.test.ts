import { describe, expect, it } from "vitest";
import { catalog, modelIds } from "../../generated/catalog.js";
import { runCli } from "./run-cli.js";

describe("bedrock-forge models", { timeout: 60_000 }, () => {
  it("prints every catalog model as a table with limits, prices, routes and profiles", async () => {
    const result = await runCli(["models"]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(
      /^id\s+provider\s+operations\s+context\s+max output\s+\$ per 1M in \/ out\s+routes\s+profiles$/,
    );
    expect(lines).toHaveLength(modelIds.length + 2);
    const haiku = lines.find((line) => line.startsWith("anthropic.claude-3-haiku-20240307-v1:0 "));
    expect(haiku).toBeDefined();
    expect(haiku!.split(/\s{2,}/)).toEqual([
      "anthropic.claude-3-haiku-20240307-v1:0",
      "anthropic",
      "chat,chat-stream",
      "200,000",
      "4,096",
      "$0.25 / $1.25",
      "invoke,converse",
      expect.stringMatching(/^[a-z,-]*us[a-z,-]*$/),
    ]);
  });

  it("filters by provider, operation and capability, and prints JSON", async () => {
    const result = await runCli([
      "models",
      "--provider",
      "anthropic",
      "--operation",
      "chat",
      "--capability",
      "vision",
      "--json",
    ]);
    expect(result.code).toBe(0);
    const entries = JSON.parse(result.stdout) as { id: string; provider: string; capabilities: string[] }[];
    const expected = modelIds.filter(
      (id) =>
        catalog[id].provider === "anthropic" &&
        catalog[id].operations.includes("chat") &&
        catalog[id].capabilities.includes("vision"),
    );
    expect(entries.map((entry) => entry.id)).toEqual(expected);
    expect(expected.length).toBeGreaterThan(0);
    expect(
      entries.every((entry) => entry.provider === "anthropic" && entry.capabilities.includes("vision")),
    ).toBe(true);
  });

  it("refuses a filter value no model has, naming the known ones (exit 2)", async () => {
    const result = await runCli(["models", "--capability", "telepathy"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--capability telepathy: no model in the catalog has it. Known:");
    expect(result.stderr).toContain("tools");
    expect(result.stdout).toBe("");
  });

  it("refuses unknown options and positionals (exit 2) and has --help (exit 0)", async () => {
    const unknown = await runCli(["models", "--colour"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown option '--colour'");
    expect(unknown.stderr).toContain("Usage: bedrock-forge models");
    const positional = await runCli(["models", "claude"]);
    expect(positional.code).toBe(2);
    const help = await runCli(["models", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: bedrock-forge models");
  });
});
