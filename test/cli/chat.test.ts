import { describe, expect, it } from "vitest";
import { cleanEnvironment, runCli, runCliProcess } from "./run-cli.js";

const haiku = "anthropic.claude-3-haiku-20240307-v1:0";

describe("bedrock-forge chat", { timeout: 60_000 }, () => {
  it("answers offline through the built-in emulator: the answer on stdout, tokens and cost on stderr", async () => {
    // The executable itself, as a child process; the other tests run the same command line in-process.
    const result = await runCliProcess([
      "chat",
      "Say hi",
      "--model",
      haiku,
      "--system",
      "Be brief.",
      "--offline",
    ]);
    expect(result.stderr).toMatch(
      /^tokens: \d+ in \/ \d+ out · cost: \$0\.\d+ · finish: stop · route: converse\n$/,
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Say hi");
    expect(result.stdout.endsWith("\n")).toBe(true);
  });

  it("streams, and prints JSON chunks with --stream --json (the last with usage and cost)", async () => {
    const streamed = await runCli([
      "chat",
      "Tell me about rivers",
      "--model",
      "meta.llama3-8b-instruct-v1:0",
      "--stream",
      "--offline",
    ]);
    expect(streamed.code).toBe(0);
    expect(streamed.stdout).toContain("rivers");
    // Like a unary answer, a streamed one ends with its finish reason and route.
    expect(streamed.stderr).toMatch(
      /^tokens: \d+ in \/ \d+ out · cost: \$0\.\d+ · finish: stop · route: converse\n$/,
    );
    const invoked = await runCli([
      "chat",
      "Tell me about rivers",
      "--model",
      "bedrock/invoke/meta.llama3-8b-instruct-v1:0",
      "--param",
      "max_tokens=3",
      "--stream",
      "--offline",
    ]);
    expect(invoked.stderr).toMatch(/ · finish: length · route: invoke\n$/);

    const json = await runCli([
      "chat",
      "Hi",
      "--model",
      haiku,
      "--stream",
      "--json",
      "--param",
      "max_tokens=64",
      "--offline",
    ]);
    expect(json.code).toBe(0);
    const chunks = json.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { object: string; usage?: { cost: number } | null });
    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks.every((chunk) => chunk.object === "chat.completion.chunk")).toBe(true);
    expect(chunks.at(-1)!.usage!.cost).toBeGreaterThan(0);
  });

  it("reads the prompt from stdin when it is -", async () => {
    const result = await runCli(["chat", "-", "--model", haiku, "--offline"], {
      input: "a prompt from stdin\n",
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("a prompt from stdin");
  });

  it("prints the whole completion with --json", async () => {
    const result = await runCli([
      "chat",
      "Hi",
      "--model",
      haiku,
      "--json",
      "--param",
      "temperature=0.2",
      "--offline",
    ]);
    expect(result.code).toBe(0);
    const completion = JSON.parse(result.stdout);
    expect(completion).toMatchObject({
      object: "chat.completion",
      model: haiku,
      choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant" } }],
      usage: {
        prompt_tokens: expect.any(Number),
        completion_tokens: expect.any(Number),
        cost: expect.any(Number),
      },
    });
  });

  it("refuses bad usage and requests the model cannot take with exit 2, before any call", async () => {
    const [noModel, badParam, outOfRange, notChat] = await Promise.all([
      runCli(["chat", "Hi"]),
      runCli(["chat", "Hi", "--model", haiku, "--param", "temperature"]),
      runCli(["chat", "Hi", "--model", haiku, "--param", "temperature=7", "--offline"]),
      runCli(["chat", "Hi", "--model", "amazon.titan-embed-text-v2:0", "--offline"]),
    ]);
    expect(noModel.code).toBe(2);
    expect(noModel.stderr).toContain("bedrock-forge chat: --model is required");
    expect(noModel.stderr).toContain('Usage: bedrock-forge chat "<prompt>"');

    expect(badParam.code).toBe(2);
    expect(badParam.stderr).toContain('--param takes key=value, not "temperature"');

    expect(outOfRange.code).toBe(2);
    expect(outOfRange.stderr).toContain(
      "temperature=7 is out of range for anthropic.claude-3-haiku-20240307-v1:0",
    );

    expect(notChat.code).toBe(2);
    expect(notChat.stderr).toContain("does not support chat");
  });

  it("--param: refuses the fields the command sets itself, and builds nested objects from dotted keys", async () => {
    const [reserved, nested, clash] = await Promise.all([
      runCli(["chat", "Hi", "--model", haiku, "--param", "stream=true", "--offline"]),
      runCli(["chat", "Hi", "--model", haiku, "--param", "thinking.type=enabled", "--offline"]),
      runCli(["chat", "Hi", "--model", haiku, "--param", "top_k=5", "--param", "top_k.x=1"]),
    ]);
    expect(reserved.code).toBe(2);
    expect(reserved.stderr).toContain("--param stream is set by the command itself");
    // Claude 3 Haiku has no extended thinking: the nested object reached the param check, which names it.
    expect(nested.code).toBe(2);
    expect(nested.stderr).toContain("thinking is not supported by anthropic.claude-3-haiku-20240307-v1:0");
    expect(clash.code).toBe(2);
    expect(clash.stderr).toContain("--param top_k.x: top_k is already set to a non-object value");
  });

  it("explains a missing region and missing credentials (exit 1), without touching the network", async () => {
    const env = cleanEnvironment({
      HOME: "/nonexistent",
      AWS_CONFIG_FILE: "/nonexistent",
      AWS_SHARED_CREDENTIALS_FILE: "/nonexistent",
    });
    const [noRegion, noCredentials] = await Promise.all([
      runCli(["chat", "Hi", "--model", haiku], { env }),
      runCli(["chat", "Hi", "--model", haiku, "--region", "us-east-1"], { env }),
    ]);
    expect(noRegion.code).toBe(1);
    expect(noRegion.stderr).toContain("Region is missing");
    expect(noRegion.stderr).toContain("--offline");
    expect(noCredentials.code).toBe(1);
    expect(noCredentials.stderr).toContain("Could not load credentials");
    expect(noCredentials.stderr).toContain("AWS_PROFILE or --profile");
  });
});
