import { describe, expect, it } from "vitest";
import { catalog, modelIds } from "../../generated/catalog.js";
import { runCli } from "./run-cli.js";

/**
 * The models of issue 11's December 2026 batch, with the operations and routes Bedrock serves them through
 * (ListFoundationModels and ListInferenceProfiles of 2026-10-07; AWS's model-parameters pages): written out
 * here, not read from the specs.
 */
const decemberBatch: readonly (readonly [string, string, string])[] = [
  ["deepseek.v3-v1:0", "chat,chat-stream", "invoke,converse"],
  ["deepseek.v3.2", "chat,chat-stream", "converse"],
  ["qwen.qwen3-235b-a22b-2507-v1:0", "chat,chat-stream", "invoke,converse"],
  ["qwen.qwen3-32b-v1:0", "chat,chat-stream", "invoke,converse"],
  ["qwen.qwen3-coder-30b-a3b-v1:0", "chat,chat-stream", "invoke,converse"],
  ["qwen.qwen3-coder-480b-a35b-v1:0", "chat,chat-stream", "invoke,converse"],
  ["qwen.qwen3-coder-next", "chat,chat-stream", "invoke,converse"],
  ["qwen.qwen3-next-80b-a3b", "chat,chat-stream", "invoke,converse"],
  ["qwen.qwen3-vl-235b-a22b", "chat,chat-stream", "invoke,converse"],
  ["moonshot.kimi-k2-thinking", "chat,chat-stream", "invoke,converse"],
  ["moonshotai.kimi-k2.5", "chat,chat-stream", "converse"],
  ["moonshotai.kimi-k3", "chat,chat-stream", "invoke,converse"],
  ["minimax.minimax-m2", "chat,chat-stream", "converse"],
  ["minimax.minimax-m2.1", "chat,chat-stream", "converse"],
  ["minimax.minimax-m2.5", "chat,chat-stream", "converse"],
  ["zai.glm-4.7", "chat,chat-stream", "converse"],
  ["zai.glm-4.7-flash", "chat,chat-stream", "converse"],
  ["zai.glm-5", "chat,chat-stream", "converse"],
  ["zai.glm-5.3", "chat,chat-stream", "converse"],
  ["google.gemma-3-4b-it", "chat,chat-stream", "converse"],
  ["google.gemma-3-12b-it", "chat,chat-stream", "converse"],
  ["google.gemma-3-27b-it", "chat,chat-stream", "converse"],
  ["nvidia.nemotron-nano-9b-v2", "chat,chat-stream", "converse"],
  ["nvidia.nemotron-nano-12b-v2", "chat,chat-stream", "converse"],
  ["nvidia.nemotron-nano-3-30b", "chat,chat-stream", "converse"],
  ["nvidia.nemotron-super-3-120b", "chat,chat-stream", "converse"],
  ["xai.grok-4.6", "chat,chat-stream", "converse"],
  ["xai.grok-4.7", "chat,chat-stream", "converse"],
  ["writer.palmyra-x4-v1:0", "chat,chat-stream", "invoke,converse"],
  ["writer.palmyra-x5-v1:0", "chat,chat-stream", "invoke,converse"],
  ["writer.palmyra-vision-7b", "chat,chat-stream", "converse"],
  ["mistral.voxtral-mini-3b-2507", "chat,chat-stream", "converse"],
  ["mistral.voxtral-small-24b-2507", "chat,chat-stream", "converse"],
  ["twelvelabs.pegasus-1-2-v1:0", "chat,chat-stream", "invoke"],
  ["twelvelabs.marengo-embed-3-0-v1:0", "embeddings", "invoke"],
  ["amazon.nova-sonic-v1:0", "speech-to-speech", "bidirectional-stream"],
  ["amazon.nova-2-sonic-v1:0", "speech-to-speech", "bidirectional-stream"],
  ["amazon.nova-2-5-sonic", "speech-to-speech", "bidirectional-stream"],
  // OpenAI's models on bedrock-mantle, its OpenAI-compatible endpoint (ListFoundationModels of 2026-10-07 lists
  // them, through inference profiles only on bedrock-runtime; LiteLLM's bedrock_mantle provider serves them).
  ["openai.gpt-5.4", "chat,chat-stream", "mantle"],
  ["openai.gpt-5.5", "chat,chat-stream", "mantle"],
  ["openai.gpt-6-astra", "chat,chat-stream", "mantle"],
  ["openai.gpt-6.1-sol", "chat,chat-stream", "mantle"],
];

describe("bedrock-forge models", { timeout: 60_000 }, () => {
  it("lists every model of the December 2026 batch with its operations and routes", async () => {
    const result = await runCli(["models"]);
    expect(result.code).toBe(0);
    const rows = new Map(
      result.stdout
        .trimEnd()
        .split("\n")
        .map((line) => line.split(/\s{2,}/))
        .map((cells) => [cells[0], cells] as const),
    );
    for (const [id, operations, routes] of decemberBatch) {
      const row = rows.get(id);
      expect(row, id).toBeDefined();
      expect([row![2], row![6]], id).toEqual([operations, routes]);
    }
  });

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
