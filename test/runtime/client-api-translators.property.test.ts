/**
 * The pure halves of the Responses and Messages APIs, without a network: table-driven request
 * translations, and properties of the stream assemblers on arbitrary chat chunk sequences — fed into the
 * official SDKs' own accumulators (openai's `accumulateResponse`, the Anthropic SDK's `MessageStream`),
 * which must rebuild exactly the text, reasoning and tool arguments the chunks carried.
 */
import { MessageStream } from "@anthropic-ai/sdk/lib/MessageStream";
import fc from "fast-check";
import { accumulateResponse } from "openai/lib/responses/ResponseAccumulator";
import type { Response as OpenAIResponse } from "openai/resources/responses/responses";
import { describe, expect, it } from "vitest";
import {
  BedrockCallError,
  type BedrockForgeError,
  ContentFilterError,
  RequestValidationError,
  ResponseParseError,
  toAnthropicError,
} from "../../runtime/index.js";
import { AnthropicEventAssembler } from "../../runtime/messages/stream.js";
import {
  convertMessagesRequest,
  convertStopReason,
  reasoningEffortOf,
} from "../../runtime/messages/translate.js";
import { convertResponsesRequest } from "../../runtime/responses/request.js";
import {
  buildResponseErrorEvent,
  createResponseContext,
  responseErrorCode,
} from "../../runtime/responses/response.js";
import { ResponseEventAssembler } from "../../runtime/responses/stream.js";
import type { ChatCompletionChunk, FinishReason } from "../../runtime/types.js";

const policy = { dropParams: false, warn: () => undefined };

// -------------------------------------------------------------------------------------------------
// Responses → chat
// -------------------------------------------------------------------------------------------------

describe("a Responses request as a chat request", () => {
  it.each([
    {
      name: "a string input is one user message",
      request: { model: "m", input: "Hi" },
      chat: { model: "m", messages: [{ role: "user", content: "Hi" }] },
    },
    {
      name: "instructions come first, as a system message",
      request: { model: "m", input: "Hi", instructions: "Be brief." },
      chat: {
        model: "m",
        messages: [
          { role: "system", content: "Be brief." },
          { role: "user", content: "Hi" },
        ],
      },
    },
    {
      name: "developer messages and input parts",
      request: {
        model: "m",
        input: [
          { role: "developer", content: [{ type: "input_text", text: "Rules" }] },
          {
            type: "message",
            role: "user",
            content: [
              { type: "input_text", text: "See" },
              { type: "input_image", image_url: "data:image/png;base64,AA==", detail: "high" },
              { type: "input_file", file_data: "data:application/pdf;base64,JVBE", filename: "a.pdf" },
            ],
          },
        ],
      },
      chat: {
        model: "m",
        messages: [
          { role: "developer", content: [{ type: "text", text: "Rules" }] },
          {
            role: "user",
            content: [
              { type: "text", text: "See" },
              { type: "image_url", image_url: { url: "data:image/png;base64,AA==", detail: "high" } },
              { type: "file", file: { file_data: "data:application/pdf;base64,JVBE", filename: "a.pdf" } },
            ],
          },
        ],
      },
    },
    {
      name: "assistant text, reasoning and function calls of one turn become one assistant message",
      request: {
        model: "m",
        input: [
          { role: "user", content: "Q" },
          {
            type: "reasoning",
            summary: [],
            content: [{ type: "reasoning_text", text: "hmm" }],
            encrypted_content: "sig",
          },
          { type: "reasoning", summary: [], encrypted_content: "opaque" },
          { role: "assistant", content: [{ type: "output_text", text: "Checking." }] },
          { type: "function_call", call_id: "c1", name: "f", arguments: '{"a":1}' },
          { type: "function_call", call_id: "c2", name: "g", arguments: "{}" },
          { type: "function_call_output", call_id: "c1", output: "one" },
          { type: "function_call_output", call_id: "c2", output: [{ type: "input_text", text: "two" }] },
        ],
      },
      chat: {
        model: "m",
        messages: [
          { role: "user", content: "Q" },
          {
            role: "assistant",
            content: "Checking.",
            tool_calls: [
              { id: "c1", type: "function", function: { name: "f", arguments: '{"a":1}' } },
              { id: "c2", type: "function", function: { name: "g", arguments: "{}" } },
            ],
            thinking_blocks: [
              { type: "thinking", thinking: "hmm", signature: "sig" },
              { type: "redacted_thinking", data: "opaque" },
            ],
          },
          { role: "tool", tool_call_id: "c1", content: "one" },
          { role: "tool", tool_call_id: "c2", content: [{ type: "text", text: "two" }] },
        ],
      },
    },
    {
      name: "tools, tool choice, JSON output, reasoning effort and sampling; bookkeeping left out",
      request: {
        model: "m",
        input: "Hi",
        tools: [
          { type: "function", name: "f", description: "d", parameters: { type: "object" }, strict: true },
        ],
        tool_choice: { type: "function", name: "f" },
        parallel_tool_calls: false,
        text: { format: { type: "json_schema", name: "out", schema: { type: "object" }, strict: true } },
        reasoning: { effort: "high", summary: "auto" },
        max_output_tokens: 50,
        temperature: 0.5,
        top_p: 0.8,
        metadata: { a: "b" },
        user: "u",
        store: false,
        include: ["reasoning.encrypted_content"],
        service_tier: "auto",
        stream_options: { include_obfuscation: false },
        top_k: 5,
        region: "eu-west-1",
      },
      chat: {
        model: "m",
        top_k: 5,
        region: "eu-west-1",
        messages: [{ role: "user", content: "Hi" }],
        tools: [
          {
            type: "function",
            function: { name: "f", description: "d", parameters: { type: "object" }, strict: true },
          },
        ],
        tool_choice: { type: "function", function: { name: "f" } },
        parallel_tool_calls: false,
        response_format: {
          type: "json_schema",
          json_schema: { name: "out", schema: { type: "object" }, strict: true },
        },
        reasoning_effort: "high",
        max_tokens: 50,
        temperature: 0.5,
        top_p: 0.8,
      },
    },
    {
      name: "json_object, reasoning effort none and plain text format",
      request: {
        model: "m",
        input: "Hi",
        text: { format: { type: "json_object" } },
        reasoning: { effort: "none" },
      },
      chat: {
        model: "m",
        messages: [{ role: "user", content: "Hi" }],
        response_format: { type: "json_object" },
      },
    },
  ])("$name", ({ request, chat }) => {
    expect(convertResponsesRequest(request, policy)).toEqual(chat);
  });

  it("names the input item at fault", () => {
    expect(() =>
      convertResponsesRequest(
        {
          model: "m",
          input: [
            { role: "user", content: "ok" },
            { type: "function_call", name: "f" },
          ],
        },
        policy,
      ),
    ).toThrow(expect.objectContaining({ param: "input[1]" }));
    expect(() =>
      convertResponsesRequest(
        { model: "m", input: [{ role: "system", content: [{ type: "input_image", image_url: "x" }] }] },
        policy,
      ),
    ).toThrow(/a system message takes text only/);
  });
});

// -------------------------------------------------------------------------------------------------
// Messages → chat
// -------------------------------------------------------------------------------------------------

describe("a Messages request as a chat request", () => {
  const options = {
    providerParams: new Set<string>(),
    betas: [],
    dropParams: false,
    warn: () => undefined,
    model: "amazon.nova-lite-v1:0",
  };

  it("system, blocks, tool use and tool results, thinking, tools and sampling", () => {
    const chat = convertMessagesRequest(
      {
        model: "amazon.nova-lite-v1:0",
        max_tokens: 100,
        system: [{ type: "text", text: "Be brief." }],
        temperature: 0.3,
        top_p: 0.9,
        top_k: 40,
        stop_sequences: ["END"],
        metadata: { user_id: "u1" },
        tools: [{ name: "f", description: "d", input_schema: { type: "object", properties: {} } }],
        tool_choice: { type: "any", disable_parallel_tool_use: true },
        thinking: { type: "enabled", budget_tokens: 3000 },
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "Look" },
              { type: "image", source: { type: "base64", media_type: "image/png", data: "AA==" } },
              {
                type: "document",
                source: { type: "text", media_type: "text/plain", data: "notes" },
                title: "n",
              },
            ],
          },
          {
            role: "assistant",
            content: [
              { type: "thinking", thinking: "hmm", signature: "sig" },
              { type: "text", text: "Calling." },
              { type: "tool_use", id: "t1", name: "f", input: { a: 1 } },
            ],
          },
          {
            role: "user",
            content: [
              { type: "tool_result", tool_use_id: "t1", content: [{ type: "text", text: "done" }] },
              { type: "text", text: "And now?" },
            ],
          },
        ],
      },
      options,
    );
    expect(chat).toEqual({
      model: "amazon.nova-lite-v1:0",
      max_tokens: 100,
      temperature: 0.3,
      top_p: 0.9,
      top_k: 40,
      stop: ["END"],
      tools: [
        {
          type: "function",
          function: { name: "f", description: "d", parameters: { type: "object", properties: {} } },
        },
      ],
      tool_choice: "required",
      parallel_tool_calls: false,
      reasoning_effort: "medium",
      messages: [
        { role: "system", content: "Be brief." },
        {
          role: "user",
          content: [
            { type: "text", text: "Look" },
            { type: "image_url", image_url: { url: "data:image/png;base64,AA==" } },
            {
              type: "file",
              file: {
                file_data: `data:text/plain;base64,${Buffer.from("notes").toString("base64")}`,
                filename: "n",
              },
            },
          ],
        },
        {
          role: "assistant",
          content: "Calling.",
          tool_calls: [{ id: "t1", type: "function", function: { name: "f", arguments: '{"a":1}' } }],
          thinking_blocks: [{ type: "thinking", thinking: "hmm", signature: "sig" }],
        },
        { role: "tool", tool_call_id: "t1", content: [{ type: "text", text: "done" }] },
        { role: "user", content: [{ type: "text", text: "And now?" }] },
      ],
    });
  });

  it("a model whose spec declares Claude's thinking and anthropic_beta gets them as they are", () => {
    const chat = convertMessagesRequest(
      {
        model: "bedrock/converse/anthropic.claude-sonnet-4-20250514-v1:0",
        max_tokens: 2000,
        thinking: { type: "enabled", budget_tokens: 1500 },
        messages: [{ role: "user", content: "Hi" }],
      },
      { ...options, providerParams: new Set(["thinking", "anthropic_beta"]), betas: ["b1"] },
    );
    expect(chat).toMatchObject({
      thinking: { type: "enabled", budget_tokens: 1500 },
      anthropic_beta: ["b1"],
    });
    expect(chat).not.toHaveProperty("reasoning_effort");
  });

  it.each([
    [{ type: "enabled", budget_tokens: 1024 }, "low"],
    [{ type: "enabled", budget_tokens: 2048 }, "medium"],
    [{ type: "enabled", budget_tokens: 4095 }, "medium"],
    [{ type: "enabled", budget_tokens: 4096 }, "high"],
    [{ type: "adaptive" }, "medium"],
    [{ type: "disabled" }, undefined],
  ])("thinking %j is reasoning effort %s", (thinking, effort) => {
    expect(reasoningEffortOf(thinking)).toBe(effort);
  });

  it.each([[{ type: "bash_20250124", name: "bash" }, "tools[0].type"]])(
    "a Claude-only tool on another model is refused: %j",
    (tool, param) => {
      expect(() =>
        convertMessagesRequest(
          { model: "m", max_tokens: 1, tools: [tool], messages: [{ role: "user", content: "x" }] },
          options,
        ),
      ).toThrow(expect.objectContaining({ param }));
    },
  );

  // Stop reasons: https://docs.anthropic.com/en/api/handling-stop-reasons
  it.each([
    ["stop", "end_turn", "end_turn"],
    ["stop", "stop_sequence", "stop_sequence"],
    ["stop", null, "end_turn"],
    ["length", "max_tokens", "max_tokens"],
    ["length", "model_context_window_exceeded", "model_context_window_exceeded"],
    ["tool_calls", "tool_use", "tool_use"],
    ["content_filter", "guardrail_intervened", "refusal"],
  ] as const)("finish %s (native %s) is stop reason %s", (finish, native, expected) => {
    expect(convertStopReason(finish, native)).toBe(expected);
  });
});

// -------------------------------------------------------------------------------------------------
// Anthropic errors
// -------------------------------------------------------------------------------------------------

describe("toAnthropicError", () => {
  const callError = (awsErrorName: string, status: number, type: BedrockForgeError["type"]) =>
    new BedrockCallError("failed", {
      status,
      type,
      code: awsErrorName,
      awsErrorName,
      retryable: false,
      requestId: "req-1",
    });
  // Types and statuses: https://docs.anthropic.com/en/api/errors
  it.each([
    [new RequestValidationError("bad"), 400, "invalid_request_error"],
    [new ContentFilterError("filtered"), 400, "invalid_request_error"],
    [callError("UnrecognizedClientException", 401, "authentication_error"), 401, "authentication_error"],
    [callError("AccessDeniedException", 403, "permission_error"), 403, "permission_error"],
    [callError("ResourceNotFoundException", 404, "not_found_error"), 404, "not_found_error"],
    [callError("ThrottlingException", 429, "rate_limit_error"), 429, "rate_limit_error"],
    [callError("ModelTimeoutException", 408, "timeout_error"), 504, "timeout_error"],
    [callError("ServiceUnavailableException", 503, "service_unavailable_error"), 529, "overloaded_error"],
    [callError("InternalServerException", 500, "api_error"), 500, "api_error"],
    [new ResponseParseError("broken"), 500, "api_error"],
    [new Error("boom"), 500, "api_error"],
  ])("%s → %i %s", (error, status, type) => {
    const answer = toAnthropicError(error);
    expect(answer.status).toBe(status);
    expect(answer.body).toEqual({
      type: "error",
      error: { type, message: (error as Error).message },
      request_id: BedrockCallError.isInstance(error) ? "req-1" : null,
    });
  });
});

describe("Responses errors", () => {
  // ResponseError codes of the `openai` package's `ResponseError` type.
  it.each([
    [new RequestValidationError("bad", { param: "input" }), "invalid_prompt"],
    [
      new BedrockCallError("slow down", {
        status: 429,
        type: "rate_limit_error",
        code: "ThrottlingException",
        awsErrorName: "ThrottlingException",
        retryable: true,
      }),
      "rate_limit_exceeded",
    ],
    [new ResponseParseError("broken"), "server_error"],
    [new Error("boom"), "server_error"],
  ])("%s → response.error.code %s", (error, code) => {
    expect(responseErrorCode(error)).toBe(code);
  });

  it("the error event a server writes after response.failed: our code, message and param", () => {
    expect(
      buildResponseErrorEvent(
        new RequestValidationError("bad input", { param: "input", code: "invalid_request" }),
        7,
      ),
    ).toEqual({
      type: "error",
      code: "invalid_request",
      message: "bad input",
      param: "input",
      sequence_number: 7,
    });
    expect(buildResponseErrorEvent(new Error("boom"), 3)).toEqual({
      type: "error",
      code: "server_error",
      message: "boom",
      param: null,
      sequence_number: 3,
    });
  });
});

// -------------------------------------------------------------------------------------------------
// Stream assemblers on arbitrary chunk sequences
// -------------------------------------------------------------------------------------------------

type Piece =
  | { kind: "text"; text: string }
  | { kind: "reasoning"; text: string }
  | { kind: "tool"; name: string; input: Record<string, string | number>; pieces: string[] };

/** A tool call's JSON arguments, cut into the pieces a stream sends them in. */
const toolArbitrary = fc
  .record({
    name: fc.constantFrom("get_weather", "get_time"),
    input: fc.dictionary(fc.string({ maxLength: 4 }), fc.oneof(fc.string({ maxLength: 6 }), fc.integer()), {
      maxKeys: 3,
    }),
    cuts: fc.array(fc.nat(), { maxLength: 4 }),
  })
  .map(({ name, input, cuts }) => {
    const json = JSON.stringify(input);
    const points = [...new Set(cuts.map((cut) => cut % (json.length + 1)))].sort((a, b) => a - b);
    const pieces = [0, ...points, json.length]
      .slice(1)
      .map((end, index, ends) => json.slice(index === 0 ? 0 : ends[index - 1], end))
      .filter((piece) => piece !== "");
    return { kind: "tool" as const, name, input, pieces };
  });

const pieceArbitrary: fc.Arbitrary<Piece> = fc.oneof(
  fc.record({ kind: fc.constant("text" as const), text: fc.string({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant("reasoning" as const), text: fc.string({ minLength: 1, maxLength: 8 }) }),
  toolArbitrary,
);

/** Chat chunks for pieces, as the runtime's ChunkAssembler emits them (role first, usage chunk last). */
function chunksOf(pieces: readonly Piece[], finish: FinishReason): ChatCompletionChunk[] {
  const base = { id: "chatcmpl-1", object: "chat.completion.chunk" as const, created: 1, model: "m" };
  const chunk = (
    delta: ChatCompletionChunk["choices"][number]["delta"],
    finishReason: FinishReason | null = null,
  ) => ({
    ...base,
    choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }],
  });
  const chunks: ChatCompletionChunk[] = [chunk({ role: "assistant", content: "" })];
  let tools = 0;
  for (const piece of pieces) {
    if (piece.kind === "text") chunks.push(chunk({ content: piece.text }));
    else if (piece.kind === "reasoning") chunks.push(chunk({ reasoning_content: piece.text }));
    else {
      const index = tools++;
      chunks.push(
        chunk({
          tool_calls: [
            { index, id: `call_${index}`, type: "function", function: { name: piece.name, arguments: "" } },
          ],
        }),
      );
      for (const part of piece.pieces)
        chunks.push(chunk({ tool_calls: [{ index, function: { arguments: part } }] }));
    }
  }
  chunks.push({ ...chunk({}, finish), provider_specific_fields: { route: "converse", stop_reason: null } });
  chunks.push({
    ...base,
    choices: [],
    usage: { prompt_tokens: 7, completion_tokens: 5, total_tokens: 12, cost: 0.001 },
  });
  return chunks;
}

/** What the pieces add up to: consecutive text and reasoning pieces join; each tool call is its own item. */
function expectedItems(pieces: readonly Piece[]) {
  const items: { kind: Piece["kind"]; text: string; name?: string; input?: unknown }[] = [];
  for (const piece of pieces) {
    const last = items.at(-1);
    if (piece.kind === "tool")
      items.push({ kind: "tool", text: piece.pieces.join(""), name: piece.name, input: piece.input });
    else if (last && last.kind === piece.kind) last.text += piece.text;
    else items.push({ kind: piece.kind, text: piece.text });
  }
  return items;
}

const finishArbitrary = fc.constantFrom<FinishReason>("stop", "length", "tool_calls", "content_filter");

describe("Responses events from chat chunks", () => {
  it("openai's accumulator rebuilds every item; sequence numbers count from 0; every item added is done", () => {
    fc.assert(
      fc.property(fc.array(pieceArbitrary, { maxLength: 8 }), finishArbitrary, (pieces, finish) => {
        const assembler = new ResponseEventAssembler(createResponseContext({ model: "m", input: "x" }, "m"));
        const events = [
          ...assembler.start(),
          ...chunksOf(pieces, finish).flatMap((chunk) => assembler.push(chunk)),
          ...assembler.end(),
        ];
        expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
        let snapshot: OpenAIResponse | undefined;
        for (const event of events) snapshot = accumulateResponse(event, snapshot);
        const final = snapshot!;
        const expected = expectedItems(pieces);
        const items = final.output.filter((item) => !(expected.length === 0 && item.type === "message"));
        expect(
          items.map((item) =>
            item.type === "message"
              ? {
                  kind: "text",
                  text: item.content.map((part) => (part.type === "output_text" ? part.text : "")).join(""),
                }
              : item.type === "reasoning"
                ? { kind: "reasoning", text: item.content!.map((part) => part.text).join("") }
                : item.type === "function_call"
                  ? {
                      kind: "tool",
                      text: item.arguments,
                      name: item.name,
                      input: JSON.parse(item.arguments || "{}"),
                    }
                  : { kind: "other", text: "" },
          ),
        ).toEqual(expected);
        const added = events
          .filter((event) => event.type === "response.output_item.added")
          .map((event) => event.output_index);
        const done = events
          .filter((event) => event.type === "response.output_item.done")
          .map((event) => event.output_index);
        expect([...done].sort()).toEqual([...added].sort());
        const last = events.at(-1)!;
        const cut = finish === "length" || finish === "content_filter";
        expect(last.type).toBe(cut ? "response.incomplete" : "response.completed");
        expect(final.usage).toMatchObject({ input_tokens: 7, output_tokens: 5, total_tokens: 12 });
      }),
      { numRuns: 200 },
    );
  });
});

describe("Anthropic events from chat chunks", () => {
  async function finalMessageOf(events: readonly unknown[]) {
    const encoder = new TextEncoder();
    const readable = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const event of events) controller.enqueue(encoder.encode(`${JSON.stringify(event)}\n`));
        controller.close();
      },
    });
    return MessageStream.fromReadableStream(readable).finalMessage();
  }

  it("the Anthropic SDK's MessageStream rebuilds every block, the stop reason and the usage", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(pieceArbitrary, { maxLength: 8 }),
        finishArbitrary,
        async (pieces, finish) => {
          const assembler = new AnthropicEventAssembler("m");
          const events = [
            ...assembler.start(),
            ...chunksOf(pieces, finish).flatMap((chunk) => assembler.push(chunk)),
            ...assembler.end(),
          ];
          const starts = events.filter((event) => event.type === "content_block_start").length;
          const stops = events.filter((event) => event.type === "content_block_stop").length;
          expect(stops).toBe(starts);
          const message = await finalMessageOf(events);
          const expected = expectedItems(pieces).map(({ text, ...item }) =>
            item.kind === "tool" ? item : { ...item, text },
          );
          expect(
            message.content.map((block) =>
              block.type === "text"
                ? { kind: "text", text: block.text }
                : block.type === "thinking"
                  ? { kind: "reasoning", text: block.thinking }
                  : block.type === "tool_use"
                    ? { kind: "tool", name: block.name, input: block.input }
                    : { kind: "other", text: "" },
            ),
          ).toEqual(expected);
          expect(message.stop_reason).toBe(convertStopReason(finish, null));
          expect(message.usage).toMatchObject({ input_tokens: 7, output_tokens: 5 });
        },
      ),
      { numRuns: 100 },
    );
  });
});
