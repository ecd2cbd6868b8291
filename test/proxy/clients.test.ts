/**
 * The real client libraries against `bedrock-forge serve` (the CLI command, a config file, a master key)
 * in front of the emulator: the openai SDK (chat, the Responses API and its streaming helpers, tools),
 * Anthropic's SDK (messages, its stream helper, tools, token counts, errors), the AI SDK with
 * `@ai-sdk/openai` (whose default model is the Responses API) and `@ai-sdk/openai-compatible`, and
 * LangChain's ChatOpenAI with `useResponsesApi`. What each client sends and expects is its own code's.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createOpenAI } from "@ai-sdk/openai";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import Anthropic from "@anthropic-ai/sdk";
import { tool as langchainTool } from "@langchain/core/tools";
import { ChatOpenAI } from "@langchain/openai";
import { generateText, jsonSchema, stepCountIs, streamText, tool } from "ai";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CommandIO } from "../../cli/command.js";
import { runServe } from "../../cli/commands/serve.js";
import { type Emulator, startEmulator } from "../../emulator/index.js";
import { claude, exampleKeys, llama, waitFor } from "./helpers.js";

const masterKey = "sk-clients";

const weatherParameters = {
  type: "object" as const,
  properties: { city: { type: "string" as const, description: "The city" } },
  required: ["city"],
  additionalProperties: false,
};

/** The `url` of the `listening` log line. */
function listeningUrl(stdout: string): string | undefined {
  for (const line of stdout.split("\n")) {
    if (!line.startsWith("{")) continue;
    const parsed = JSON.parse(line) as { msg?: string; url?: string };
    if (parsed.msg === "listening") return parsed.url;
  }
  return undefined;
}

describe("real clients through bedrock-forge serve", () => {
  let emulator: Emulator;
  let directory: string;
  let url: string;
  let stop: AbortController;
  let running: Promise<number>;
  let output = "";

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, host: "127.0.0.1" });
    directory = await mkdtemp(path.join(tmpdir(), "bedrock-forge-clients-"));
    const deployment = (name: string, model: string) => [
      `  - model_name: ${name}`,
      "    litellm_params:",
      `      model: bedrock/${model}`,
      "      aws_access_key_id: os.environ/TEST_AWS_ACCESS_KEY_ID",
      "      aws_secret_access_key: os.environ/TEST_AWS_SECRET_ACCESS_KEY",
      "      aws_region_name: us-east-1",
      `      aws_bedrock_runtime_endpoint: ${emulator.url}`,
    ];
    await writeFile(
      path.join(directory, "config.yaml"),
      [
        "model_list:",
        ...deployment("claude", claude),
        ...deployment("llama", llama),
        // Names only LangChain's tests use, to find their requests in the log.
        ...deployment("langchain-claude", claude),
        ...deployment("langchain-llama", llama),
        "general_settings:",
        "  master_key: os.environ/TEST_MASTER_KEY",
        "",
      ].join("\n"),
    );
    const io: CommandIO = {
      stdout: {
        write: (text: string) => {
          output += text;
        },
      },
      stderr: { write: () => undefined },
      env: {
        TEST_AWS_ACCESS_KEY_ID: exampleKeys.aws_access_key_id,
        TEST_AWS_SECRET_ACCESS_KEY: exampleKeys.aws_secret_access_key,
        TEST_MASTER_KEY: masterKey,
      },
      cwd: directory,
    };
    stop = new AbortController();
    running = runServe(["--config", "config.yaml", "--port", "0"], io, stop.signal);
    await waitFor(() => listeningUrl(output) !== undefined, 10_000);
    url = listeningUrl(output)!;
  });

  afterAll(async () => {
    stop?.abort();
    if (running) expect(await running).toBe(0);
    await emulator?.close();
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  /** The request log lines so far, as `serve` wrote them. */
  const requestLines = () =>
    output
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as { msg: string; path?: string; request_id?: string; model?: string })
      .filter((line) => line.msg === "request");
  /** The paths of the requests sent with `x-request-id: <id>`, once `count` of them are logged. */
  const pathsOf = async (id: string, count: number) => {
    const lines = () => requestLines().filter((line) => line.request_id === id);
    await waitFor(() => lines().length >= count).catch(() => {
      throw new Error(`expected ${count} requests with id ${id}; logged: ${JSON.stringify(requestLines())}`);
    });
    return lines().map((line) => line.path);
  };

  describe("openai", () => {
    const client = () => new OpenAI({ baseURL: `${url}/v1`, apiKey: masterKey, maxRetries: 0 });

    it("chat: the streaming helper's final completion", async () => {
      const stream = client().chat.completions.stream({
        model: "llama",
        messages: [{ role: "user", content: "Tell me a story" }],
      });
      const completion = await stream.finalChatCompletion();
      expect(completion.model).toBe("llama");
      expect(completion.choices[0]!.message.content).toMatch(/\S/);
    });

    it("responses: create, with instructions and metadata", async () => {
      const response = await client().responses.create({
        model: "claude",
        instructions: "Answer briefly",
        input: "Say hello",
        metadata: { suite: "clients" },
      });
      expect(response.model).toBe("claude");
      expect(response.status).toBe("completed");
      expect(response.output_text).toMatch(/\S/);
      expect(response.metadata).toEqual({ suite: "clients" });
    });

    it("responses: the stream helper's events and final response", async () => {
      const stream = client().responses.stream({ model: "llama", input: "Tell me a story" });
      let deltas = "";
      stream.on("response.output_text.delta", (event) => {
        deltas += event.delta;
      });
      const response = await stream.finalResponse();
      expect(response.output_text).toBe(deltas);
      expect(deltas).toMatch(/\S/);
      expect(response.usage!.output_tokens).toBeGreaterThan(0);
    });

    it("responses: create with stream: true, iterated", async () => {
      const stream = await client().responses.create({ model: "claude", input: "Hi", stream: true });
      const types: string[] = [];
      for await (const event of stream) types.push(event.type);
      expect(types[0]).toBe("response.created");
      expect(types.at(-1)).toBe("response.completed");
    });

    it("responses: a function tool called, its output sent back, and the answer", async () => {
      const api = client();
      const first = await api.responses.create({
        model: "claude",
        input: [{ role: "user", content: "What is the weather in Paris?" }],
        tools: [{ type: "function", name: "get_weather", parameters: weatherParameters, strict: true }],
        tool_choice: "required",
      });
      const call = first.output.find((item) => item.type === "function_call");
      if (call?.type !== "function_call") throw new Error("expected a function call");
      expect(call.name).toBe("get_weather");
      expect(JSON.parse(call.arguments)).toEqual(expect.objectContaining({ city: expect.any(String) }));
      const second = await api.responses.create({
        model: "claude",
        input: [
          { role: "user", content: "What is the weather in Paris?" },
          call,
          { type: "function_call_output", call_id: call.call_id, output: '{"celsius": 21}' },
        ],
        tools: [{ type: "function", name: "get_weather", parameters: weatherParameters, strict: true }],
      });
      expect(second.output_text).toMatch(/\S/);
    });

    it("raises the proxy's errors as the SDK's error classes", async () => {
      const wrongKey = new OpenAI({ baseURL: `${url}/v1`, apiKey: "sk-wrong", maxRetries: 0 });
      await expect(wrongKey.responses.create({ model: "claude", input: "hi" })).rejects.toBeInstanceOf(
        OpenAI.AuthenticationError,
      );
      await expect(
        client().responses.create({ model: "claude", input: "hi", previous_response_id: "resp_1" }),
      ).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    });
  });

  describe("@anthropic-ai/sdk", () => {
    const client = () => new Anthropic({ baseURL: url, apiKey: masterKey, maxRetries: 0 });

    it("messages.create (the key sent as x-api-key, anthropic-version set by the SDK)", async () => {
      const message = await client().messages.create({
        model: "claude",
        max_tokens: 128,
        system: "Answer briefly",
        messages: [{ role: "user", content: "Say hello" }],
      });
      expect(message.type).toBe("message");
      expect(message.model).toBe("claude");
      expect(message.content[0]).toMatchObject({ type: "text", text: expect.stringMatching(/\S/) });
      expect(message.usage.output_tokens).toBeGreaterThan(0);
    });

    it("messages.stream: text events and the final message, for Claude and for a Converse model", async () => {
      for (const model of ["claude", "llama"]) {
        const stream = client().messages.stream({
          model,
          max_tokens: 128,
          messages: [{ role: "user", content: "Tell me a story" }],
        });
        let text = "";
        stream.on("text", (delta) => {
          text += delta;
        });
        const message = await stream.finalMessage();
        expect(message.model).toBe(model);
        expect(message.stop_reason).toBe("end_turn");
        const block = message.content[0];
        expect(block?.type === "text" ? block.text : "").toBe(text);
        expect(text).toMatch(/\S/);
      }
    });

    it("tools: tool_use with its input, streamed as input_json_delta", async () => {
      const tools: Anthropic.Tool[] = [
        { name: "get_weather", description: "Current weather", input_schema: weatherParameters },
      ];
      const message = await client().messages.create({
        model: "claude",
        max_tokens: 256,
        tools,
        tool_choice: { type: "any" },
        messages: [{ role: "user", content: "What is the weather in Paris?" }],
      });
      expect(message.stop_reason).toBe("tool_use");
      const use = message.content.find((block) => block.type === "tool_use");
      expect(use).toMatchObject({ name: "get_weather", input: { city: expect.any(String) } });
      const stream = client().messages.stream({
        model: "claude",
        max_tokens: 256,
        tools,
        tool_choice: { type: "any" },
        messages: [{ role: "user", content: "What is the weather in Paris?" }],
      });
      let partialJson = "";
      stream.on("inputJson", (delta) => {
        partialJson += delta;
      });
      const streamed = await stream.finalMessage();
      const streamedUse = streamed.content.find((block) => block.type === "tool_use");
      expect(streamedUse?.type === "tool_use" ? streamedUse.input : undefined).toEqual(
        JSON.parse(partialJson),
      );
    });

    it("messages.countTokens", async () => {
      const count = await client().messages.countTokens({
        model: "claude",
        messages: [{ role: "user", content: "How many tokens is this?" }],
      });
      expect(count.input_tokens).toBeGreaterThan(0);
    });

    it("raises the proxy's errors as the SDK's error classes", async () => {
      const wrongKey = new Anthropic({ baseURL: url, apiKey: "sk-wrong", maxRetries: 0 });
      await expect(
        wrongKey.messages.create({
          model: "claude",
          max_tokens: 8,
          messages: [{ role: "user", content: "hi" }],
        }),
      ).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
      const missing = await client()
        .messages.create({ model: "nope", max_tokens: 8, messages: [{ role: "user", content: "hi" }] })
        .catch((error: unknown) => error);
      expect(missing).toBeInstanceOf(Anthropic.NotFoundError);
      expect((missing as InstanceType<typeof Anthropic.NotFoundError>).error).toMatchObject({
        type: "error",
        error: { type: "not_found_error" },
      });
    });
  });

  describe("the AI SDK", () => {
    it("@ai-sdk/openai's default model (the Responses API): generateText and streamText", async () => {
      const openai = createOpenAI({
        baseURL: `${url}/v1`,
        apiKey: masterKey,
        headers: { "x-request-id": "ai-sdk-openai" },
      });
      const generated = await generateText({ model: openai("claude"), prompt: "Say hello", maxRetries: 0 });
      expect(generated.text).toMatch(/\S/);
      expect(generated.response.modelId).toBe("claude");
      expect(generated.usage.outputTokens).toBeGreaterThan(0);
      const streamed = streamText({ model: openai("llama"), prompt: "Tell me a story", maxRetries: 0 });
      let text = "";
      for await (const delta of streamed.textStream) text += delta;
      expect(text).toMatch(/\S/);
      expect(await streamed.finishReason).toBe("stop");
      expect(await pathsOf("ai-sdk-openai", 2)).toEqual(["/v1/responses", "/v1/responses"]);
    });

    it("@ai-sdk/openai: a tool call executed and answered in a second step", async () => {
      const openai = createOpenAI({ baseURL: `${url}/v1`, apiKey: masterKey });
      const cities: string[] = [];
      const result = await generateText({
        model: openai("claude"),
        prompt: "What is the weather in Paris?",
        maxRetries: 0,
        tools: {
          get_weather: tool({
            description: "Current weather in a city",
            inputSchema: jsonSchema<{ city: string }>(weatherParameters),
            execute: async ({ city }) => {
              cities.push(city);
              return { celsius: 21 };
            },
          }),
        },
        toolChoice: "required",
        prepareStep: ({ stepNumber }) => (stepNumber > 0 ? { toolChoice: "none" } : {}),
        stopWhen: stepCountIs(2),
      });
      expect(cities).toHaveLength(1);
      expect(result.steps).toHaveLength(2);
      expect(result.steps[0]!.toolCalls[0]!.toolName).toBe("get_weather");
      expect(result.text).toMatch(/\S/);
    });

    it("@ai-sdk/openai-compatible: generateText and streamText over Chat Completions", async () => {
      const provider = createOpenAICompatible({
        name: "bedrock-forge",
        baseURL: `${url}/v1`,
        apiKey: masterKey,
        headers: { "x-request-id": "ai-sdk-compatible" },
      });
      const generated = await generateText({ model: provider("claude"), prompt: "Say hello", maxRetries: 0 });
      expect(generated.text).toMatch(/\S/);
      const streamed = streamText({ model: provider("llama"), prompt: "Tell me a story", maxRetries: 0 });
      let text = "";
      for await (const delta of streamed.textStream) text += delta;
      expect(text).toMatch(/\S/);
      expect(await pathsOf("ai-sdk-compatible", 2)).toEqual(["/v1/chat/completions", "/v1/chat/completions"]);
    });
  });

  describe("LangChain's ChatOpenAI with useResponsesApi", () => {
    const model = (name: string) =>
      new ChatOpenAI({
        model: name,
        apiKey: masterKey,
        configuration: { baseURL: `${url}/v1` },
        useResponsesApi: true,
        maxRetries: 0,
      });

    it("invoke and stream", async () => {
      const reply = await model("langchain-claude").invoke("Say hello");
      expect(reply.text).toMatch(/\S/);
      let text = "";
      for await (const chunk of await model("langchain-llama").stream("Tell me a story")) text += chunk.text;
      expect(text).toMatch(/\S/);
      const lines = () => requestLines().filter((line) => line.model?.startsWith("langchain-"));
      await waitFor(() => lines().length >= 2);
      expect(lines().map((line) => line.path)).toEqual(["/v1/responses", "/v1/responses"]);
    });

    it("a bound tool, called", async () => {
      const weather = langchainTool(async ({ city }: { city: string }) => `21 degrees in ${city}`, {
        name: "get_weather",
        description: "Current weather in a city",
        schema: weatherParameters,
      });
      const reply = await model("claude")
        .bindTools([weather], { tool_choice: "required" })
        .invoke("What is the weather in Paris?");
      expect(reply.tool_calls?.[0]).toMatchObject({
        name: "get_weather",
        args: { city: expect.any(String) },
      });
    });
  });
});
