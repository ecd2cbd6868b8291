/**
 * Thinking across turns and what it rules out, through the public API, the real AWS SDK and the emulator:
 * thinking blocks of earlier answers sent back (signed ones as reasoning, unsigned ones as text, as
 * LiteLLM's test_converse_transformation_nova_2.py multi-turn tests expect), a forced tool choice turned to
 * auto while thinking and thinking dropped under modify_params when an earlier tool call has no thinking block
 * (LiteLLM's test_converse_transformation.py: test_reasoning_with_forced_tool_choice_switches_to_auto,
 * test_drop_thinking_param_when_thinking_blocks_missing). Claude's rules: AWS's extended thinking guide,
 * https://docs.aws.amazon.com/bedrock/latest/userguide/claude-messages-extended-thinking.html
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../../emulator/index.js";
import { type Bedrock, createBedrock, RequestValidationError } from "../../runtime/index.js";
import { credentials, failure, lastBody } from "./live.js";

const SONNET_45 = "bedrock/converse/us.anthropic.claude-sonnet-4-5-20250929-v1:0";
const SONNET_37_INVOKE = "bedrock/invoke/us.anthropic.claude-3-7-sonnet-20250219-v1:0";

const searchTool = {
  type: "function",
  function: { name: "search", parameters: { type: "object", properties: { query: { type: "string" } } } },
} as const;

const toolTurns = [
  { role: "user", content: "Search for the weather" },
  {
    role: "assistant",
    content: "",
    tool_calls: [
      { id: "call_1", type: "function", function: { name: "search", arguments: '{"query":"weather"}' } },
    ],
  },
  { role: "tool", tool_call_id: "call_1", content: "Sunny" },
];

let emulator: Emulator;
let bedrock: Bedrock;
const warnings: string[] = [];

beforeAll(async () => {
  emulator = await startEmulator({ mode: "synthesize" });
  bedrock = createBedrock({
    region: "us-east-1",
    endpoint: emulator.url,
    credentials,
    num_retries: 0,
    onWarning: (message) => warnings.push(message),
  });
});

afterAll(async () => {
  await emulator?.close();
});

async function send(body: Record<string, unknown>) {
  warnings.length = 0;
  await bedrock.chat.completions.create(body as never);
  return lastBody(emulator);
}

describe("a forced tool choice while thinking", () => {
  it.each(["required", { type: "function", function: { name: "search" } }])(
    "%j becomes auto, with a warning",
    async (toolChoice) => {
      const body = await send({
        model: SONNET_45,
        messages: [{ role: "user", content: "Weather?" }],
        tools: [searchTool],
        tool_choice: toolChoice,
        reasoning_effort: "low",
      });
      expect(body.toolConfig.toolChoice).toEqual({ auto: {} });
      expect(body.additionalModelRequestFields.thinking).toEqual({ type: "enabled", budget_tokens: 1024 });
      expect(warnings.join("\n")).toMatch(/tool_choice .* becomes auto/);
    },
  );

  it("stays forced without thinking", async () => {
    const body = await send({
      model: SONNET_45,
      messages: [{ role: "user", content: "Weather?" }],
      tools: [searchTool],
      tool_choice: "required",
    });
    expect(body.toolConfig.toolChoice).toEqual({ any: {} });
  });

  it("turns the JSON tool's forced choice to auto without a warning (the JSON tool is not the caller's)", async () => {
    const body = await send({
      model: "bedrock/converse/us.anthropic.claude-3-7-sonnet-20250219-v1:0",
      messages: [{ role: "user", content: "Weather as JSON" }],
      response_format: {
        type: "json_schema",
        json_schema: {
          name: "Weather",
          schema: { type: "object", properties: { temp: { type: "number" } } },
        },
      },
      thinking: { type: "enabled", budget_tokens: 2048 },
    });
    expect(body.toolConfig.toolChoice).toEqual({ auto: {} });
    expect(body.toolConfig.tools[0].toolSpec.name).toBe("json_tool_call");
    expect(warnings).toEqual([]);
  });
});

describe("thinking and earlier tool calls without thinking blocks", () => {
  const request = {
    model: SONNET_45,
    tools: [searchTool],
    thinking: { type: "enabled", budget_tokens: 1024 },
    max_tokens: 4096,
    messages: toolTurns,
  };

  it("under modify_params, thinking is dropped with a warning", async () => {
    const body = await send({ ...request, modify_params: true });
    expect(body.additionalModelRequestFields).toBeUndefined();
    expect(warnings.join("\n")).toMatch(/dropping thinking .*no thinking block \(modify_params\)/);
  });

  it("keeps the other additional fields when it drops thinking", async () => {
    const body = await send({ ...request, modify_params: true, top_k: 5 });
    expect(body.additionalModelRequestFields).toEqual({ top_k: 5 });
  });

  it("without modify_params the request is sent as asked", async () => {
    const body = await send(request);
    expect(body.additionalModelRequestFields.thinking).toEqual({ type: "enabled", budget_tokens: 1024 });
  });

  it("is kept when an earlier assistant turn carries a thinking block", async () => {
    const [user, assistant, tool] = toolTurns;
    const body = await send({
      ...request,
      modify_params: true,
      messages: [
        user,
        {
          ...assistant,
          thinking_blocks: [{ type: "thinking", thinking: "I should search.", signature: "sig" }],
        },
        tool,
      ],
    });
    expect(body.additionalModelRequestFields.thinking).toEqual({ type: "enabled", budget_tokens: 1024 });
    expect(body.messages[1].content[0]).toEqual({
      reasoningContent: { reasoningText: { text: "I should search.", signature: "sig" } },
    });
  });
});

describe("thinking blocks of earlier answers", () => {
  const redacted = Buffer.from("redacted thinking").toString("base64");

  it("Converse: thinking parts of an assistant content list go back as reasoning, in order, before the text", async () => {
    const body = await send({
      model: SONNET_45,
      messages: [
        { role: "user", content: "Hi" },
        {
          role: "assistant",
          content: [
            { type: "thinking", thinking: "hmm", signature: "sig-2" },
            { type: "redacted_thinking", data: redacted },
            { type: "text", text: "Hello!" },
          ],
        },
        { role: "user", content: "Bye" },
      ],
    });
    expect(body.messages[1].content).toEqual([
      { reasoningContent: { reasoningText: { text: "hmm", signature: "sig-2" } } },
      { reasoningContent: { redactedContent: redacted } },
      { text: "Hello!" },
    ]);
  });

  it("Converse: unsigned thinking goes back as text, and empty unsigned thinking not at all", async () => {
    const body = await send({
      model: "bedrock/converse/amazon.nova-2-lite-v1:0",
      messages: [
        { role: "user", content: "What is 2+2?" },
        {
          role: "assistant",
          content: "4.",
          thinking_blocks: [
            { type: "thinking", thinking: "Simple addition" },
            { type: "thinking", thinking: "" },
          ],
        },
        { role: "user", content: "Sure?" },
      ],
    });
    expect(body.messages[1].content).toEqual([{ text: "Simple addition" }, { text: "4." }]);
  });

  it("InvokeModel: thinking parts become Claude's thinking and redacted_thinking blocks", async () => {
    const body = await send({
      model: SONNET_37_INVOKE,
      messages: [
        { role: "user", content: "Hi" },
        {
          role: "assistant",
          content: [
            { type: "thinking", thinking: "hmm", signature: "sig-2" },
            { type: "redacted_thinking", data: redacted },
            { type: "text", text: "Hello!" },
          ],
        },
        { role: "user", content: "Bye" },
      ],
    });
    expect(body.messages[1].content).toEqual([
      { type: "thinking", thinking: "hmm", signature: "sig-2" },
      { type: "redacted_thinking", data: redacted },
      { type: "text", text: "Hello!" },
    ]);
  });

  it("refuses another part type in an assistant content list, naming its place", async () => {
    const error = await failure(
      bedrock.chat.completions.create({
        model: SONNET_45,
        messages: [
          { role: "user", content: "Hi" },
          {
            role: "assistant",
            content: [
              { type: "text", text: "a" },
              { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } },
            ],
          },
          { role: "user", content: "Bye" },
        ],
      } as never),
    );
    expect(RequestValidationError.isInstance(error)).toBe(true);
    expect(String(error)).toMatch(
      /messages\[1\]\.content\[1\] must be a text, thinking or redacted_thinking part/,
    );
  });
});
