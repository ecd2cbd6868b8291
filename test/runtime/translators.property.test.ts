/**
 * Property tests: on arbitrary OpenAI-shaped requests, the message translators (normalization, the
 * Converse builder, every family's invoke codec, the prompt templates) and the whole request path of
 * the public API throw nothing but the project's typed errors. The end-to-end property uses a real
 * SDK client whose HTTP handler refuses to send, so every request the runtime accepts is also one the
 * SDK could serialize (the handler's refusal is the only other way a call may end).
 */
import { BedrockRuntimeClient } from "@aws-sdk/client-bedrock-runtime";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { catalog } from "../../generated/index.js";
import type { PromptTemplate } from "../../generated/spec-types.js";
import { buildConverseMessages } from "../../runtime/chat/converse.js";
import { buildInvokeChatBody } from "../../runtime/chat/invoke.js";
import { normalizeChat } from "../../runtime/chat/normalize.js";
import type { PreparedChat } from "../../runtime/chat/prepare.js";
import { renderPrompt } from "../../runtime/codecs/template/render-prompt.js";
import type { CatalogEntry } from "../../runtime/descriptor.js";
import { loadFamily } from "../../runtime/families.js";
import { BedrockCallError, BedrockForgeError, createBedrock } from "../../runtime/index.js";
import { resolveModel } from "../../runtime/models.js";
import type { ChatMessage } from "../../runtime/types.js";
import { pdfDataUrl, pngDataUrl } from "./live.js";

const entries = Object.values(catalog) as CatalogEntry[];
/** One chat model per family that has an invoke chat mapping, and one per family for Converse. */
const invokeModels = [
  ...new Map(
    entries
      .filter((entry) => entry.operations.includes("chat") && entry.routes.includes("invoke"))
      .map((entry) => [entry.family, entry] as const),
  ).values(),
];
const converseModels = [
  ...new Map(
    entries
      .filter((entry) => entry.operations.includes("chat") && entry.routes.includes("converse"))
      .map((entry) => [entry.family, entry] as const),
  ).values(),
];
const modelRef = (entry: CatalogEntry) => (entry.profileOnly ? `${entry.profiles[0]}.${entry.id}` : entry.id);

// -------------------------------------------------------------------------------------------------
// Arbitrary OpenAI-shaped input: mostly well-formed pieces, mixed with anything at every level.
// -------------------------------------------------------------------------------------------------

const text = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom("", " ", "BLOCKED", "{", "\u0000"));
const url = fc.oneof(
  fc.constantFrom(
    pngDataUrl,
    "data:image/jpeg;base64,/9j/4AAQSkZJRg==",
    "data:image/png;base64,",
    "data:image/bmp;base64,Qk0=",
    "data:text/plain,hello",
    "data:,",
    "https://example.com/a.png",
    "ftp://example.com/a.png",
  ),
  fc.string({ maxLength: 10 }),
);
const part = fc.oneof(
  fc.record({ type: fc.constant("text"), text }),
  fc.record({ type: fc.constant("image_url"), image_url: fc.oneof(fc.record({ url }), url, fc.anything()) }),
  fc.record({
    type: fc.constant("file"),
    file: fc.oneof(
      fc.record({
        file_data: fc.oneof(fc.constant(pdfDataUrl), fc.constant("data:text/csv;base64,YSxi"), url),
        filename: fc.option(fc.string({ maxLength: 8 }), { nil: undefined }),
        format: fc.option(fc.constantFrom("pdf", "docx", "zip"), { nil: undefined }),
      }),
      fc.anything(),
    ),
  }),
  fc.record({ type: fc.string({ maxLength: 6 }), text: fc.anything() }),
  fc.anything(),
);
const content = fc.oneof(text, fc.array(part, { maxLength: 3 }), fc.constant(null), fc.anything());
const callId = fc.constantFrom("call_1", "call_2", "");
const toolCall = fc.record({
  id: fc.oneof(callId, fc.anything()),
  type: fc.oneof(fc.constant("function"), fc.string({ maxLength: 4 })),
  function: fc.oneof(
    fc.record({
      name: fc.oneof(fc.constantFrom("get_weather", "get_time"), fc.string({ maxLength: 6 })),
      arguments: fc.oneof(fc.constantFrom('{"city":"Paris"}', "{}", "", "[1]", "null", "{"), fc.anything()),
    }),
    fc.anything(),
  ),
});
const thinkingBlock = fc.oneof(
  fc.record({
    type: fc.constant("thinking"),
    thinking: text,
    signature: fc.option(text, { nil: undefined }),
  }),
  fc.record({
    type: fc.constant("redacted_thinking"),
    data: fc.oneof(fc.constant("cmVkYWN0ZWQ="), fc.anything()),
  }),
  fc.anything(),
);
const message = fc.oneof(
  fc.record({ role: fc.constantFrom("system", "developer"), content }),
  fc.record({ role: fc.constant("user"), content, name: fc.option(fc.string(), { nil: undefined }) }),
  fc.record({
    role: fc.constant("assistant"),
    content,
    tool_calls: fc.option(fc.oneof(fc.array(toolCall, { maxLength: 2 }), fc.anything()), { nil: undefined }),
    thinking_blocks: fc.option(fc.oneof(fc.array(thinkingBlock, { maxLength: 2 }), fc.anything()), {
      nil: undefined,
    }),
  }),
  fc.record({ role: fc.constant("tool"), tool_call_id: fc.oneof(callId, fc.anything()), content }),
  fc.anything(),
);
const messages = fc.oneof(fc.array(message, { maxLength: 6 }), fc.anything());
const tool = fc.oneof(
  fc.record({
    type: fc.constant("function"),
    function: fc.record({
      name: fc.oneof(
        fc.constantFrom("get_weather", "get_time", "json_tool_call", "bad name"),
        fc.string({ maxLength: 5 }),
      ),
      description: fc.option(text, { nil: undefined }),
      parameters: fc.option(
        fc.oneof(fc.constant({ type: "object", properties: { city: { type: "string" } } }), fc.anything()),
        { nil: undefined },
      ),
    }),
  }),
  fc.anything(),
);
const toolChoice = fc.oneof(
  fc.constantFrom("auto", "none", "required", "any"),
  fc.record({
    type: fc.constant("function"),
    function: fc.record({ name: fc.constantFrom("get_weather", "nope") }),
  }),
  fc.anything(),
);
const responseFormat = fc.oneof(
  fc.constant({ type: "json_object" }),
  fc.constant({ type: "text" }),
  fc.record({
    type: fc.constant("json_schema"),
    json_schema: fc.oneof(fc.record({ name: fc.string(), schema: fc.anything() }), fc.anything()),
  }),
  fc.anything(),
);
const number = fc.oneof(fc.integer({ min: -5, max: 5000 }), fc.double(), fc.anything());
/** A request body besides model and messages: each field present or not. */
const params = fc.record(
  {
    tools: fc.oneof(fc.array(tool, { maxLength: 3 }), fc.anything()),
    tool_choice: toolChoice,
    response_format: responseFormat,
    max_tokens: number,
    temperature: number,
    top_p: number,
    top_k: number,
    stop: fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 2 }), fc.anything()),
    reasoning_effort: fc.oneof(fc.constantFrom("minimal", "low", "medium", "high", "extreme"), fc.anything()),
    thinking: fc.oneof(fc.constant({ type: "enabled", budget_tokens: 1024 }), fc.anything()),
    n: number,
    seed: number,
    presence_penalty: number,
    user: fc.anything(),
    custom_field: fc.anything(),
    modify_params: fc.boolean(),
    drop_params: fc.boolean(),
    user_continue_message: fc.oneof(fc.constant({ role: "user", content: "Go on." }), fc.anything()),
  },
  { requiredKeys: [] },
);

/** Conversations most models accept, so the end-to-end property reaches the SDK often. */
const plainConversation = fc
  .tuple(
    fc.option(fc.string({ minLength: 1, maxLength: 8 }), { nil: undefined }),
    fc.string({ minLength: 1, maxLength: 12 }),
    fc.option(
      fc.tuple(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ minLength: 1, maxLength: 8 })),
      { nil: undefined },
    ),
  )
  .map(([system, first, more]) => [
    ...(system ? [{ role: "system", content: system }] : []),
    { role: "user", content: first },
    ...(more
      ? [
          { role: "assistant", content: more[0] },
          { role: "user", content: more[1] },
        ]
      : []),
  ]);
const plainParams = fc.record(
  {
    tools: fc.constant([
      {
        type: "function",
        function: {
          name: "get_weather",
          parameters: { type: "object", properties: { city: { type: "string" } } },
        },
      },
    ]),
    tool_choice: fc.constantFrom("auto", "none", "required"),
    response_format: fc.constantFrom({ type: "json_object" }, { type: "text" }),
    max_tokens: fc.integer({ min: 1, max: 2000 }),
    temperature: fc.double({ min: 0, max: 1, noNaN: true }),
    drop_params: fc.boolean(),
  },
  { requiredKeys: [] },
);

/** Runs `work`; an error must be one of the project's typed errors. */
async function onlyTypedErrors(work: () => unknown): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (!BedrockForgeError.isInstance(error)) throw error;
  }
}

async function prepared(entry: CatalogEntry, route: "invoke" | "converse"): Promise<PreparedChat> {
  return {
    resolved: resolveModel(`bedrock/${route}/${modelRef(entry)}`),
    route,
    entry,
    descriptor: (await loadFamily(entry.family)).descriptor,
    meta: { id: "chatcmpl-property", model: entry.id, created: 0, jsonTool: false },
    price: undefined,
  };
}

const templates: [string, PromptTemplate][] = [];

describe("the message translators throw only typed errors on arbitrary input", () => {
  it("normalization, then the Converse builder (with and without system support and guardrails)", async () => {
    await fc.assert(
      fc.asyncProperty(
        messages,
        params,
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        async (input, request, allowPrefill, supportsSystem, guarded) => {
          await onlyTypedErrors(async () => {
            const chat = await normalizeChat(input as ChatMessage[], {
              model: "test-model",
              allowPrefill,
              modify_params: request.modify_params,
              user_continue_message: request.user_continue_message as never,
              tools: request.tools as never,
              toolChoice: request.tool_choice as never,
            });
            buildConverseMessages(
              chat,
              {},
              {
                model: "test-model",
                supportsSystem,
                guardrail: guarded ? { guardrailIdentifier: "gr", guardrailVersion: "1" } : undefined,
              },
            );
          });
        },
      ),
      { numRuns: 400 },
    );
  });

  it("every family's invoke body builder (params policy, normalization, codec)", async () => {
    const preparedByFamily = await Promise.all(invokeModels.map((entry) => prepared(entry, "invoke")));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...preparedByFamily),
        messages,
        params,
        async (chat, input, request) => {
          await onlyTypedErrors(() =>
            buildInvokeChatBody(
              {
                request: { model: chat.entry!.id, messages: input, ...request },
                warn: () => {},
                dropParams: request.drop_params ?? false,
                modifyParams: request.modify_params ?? false,
              },
              { ...chat, meta: { ...chat.meta } },
            ),
          );
        },
      ),
      { numRuns: 600 },
    );
  });

  it("every family's prompt template", async () => {
    for (const entry of invokeModels) {
      const { descriptor } = await loadFamily(entry.family);
      const template = descriptor.chat?.request.template;
      if (template) templates.push([entry.id, template]);
    }
    expect(templates.length).toBeGreaterThanOrEqual(8);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...templates),
        messages,
        fc.boolean(),
        async ([model, template], input, prefill) => {
          await onlyTypedErrors(async () => {
            const chat = await normalizeChat(input as ChatMessage[], {
              model,
              allowPrefill: prefill,
              modify_params: true,
            });
            const prompt = renderPrompt(chat, template, model);
            expect(typeof prompt).toBe("string");
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});

/** An HTTP handler that never sends: the request was fully built and serialized when it is called. */
class RefusingHandler {
  static readonly refusal = new Error("the property test's handler does not send requests");
  requests = 0;
  async handle(): Promise<never> {
    this.requests++;
    throw RefusingHandler.refusal;
  }
  updateHttpClientConfig(): void {}
  httpHandlerConfigs(): Record<string, never> {
    return {};
  }
  destroy(): void {}
}

describe("the public request path", () => {
  it("create() on any chat model, route and stream flag: a typed error before sending, or the handler's refusal", async () => {
    const handler = new RefusingHandler();
    const client = new BedrockRuntimeClient({
      region: "us-east-1",
      endpoint: "http://127.0.0.1:9",
      credentials: {
        accessKeyId: "AKIAIOSFODNN7EXAMPLE",
        secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      },
      requestHandler: handler as never,
      maxAttempts: 1,
    });
    const bedrock = createBedrock({ client, onWarning: () => {} });
    const routes = [
      ...invokeModels.map((entry) => `bedrock/invoke/${modelRef(entry)}`),
      ...converseModels.map((entry) => `bedrock/converse/${modelRef(entry)}`),
    ];
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.oneof({ weight: 3, arbitrary: plainConversation }, { weight: 1, arbitrary: messages }),
        fc.oneof({ weight: 3, arbitrary: plainParams }, { weight: 1, arbitrary: params }),
        fc.boolean(),
        async (model, input, request, stream) => {
          try {
            await bedrock.chat.completions.create({ ...request, model, messages: input, stream } as never);
            throw new Error("the refusing handler cannot answer");
          } catch (error) {
            if (!BedrockForgeError.isInstance(error)) throw error;
            if (BedrockCallError.isInstance(error)) {
              // The only Bedrock call error possible here is the handler's refusal: the SDK serialized the request.
              expect(error.cause).toBe(RefusingHandler.refusal);
              sent++;
            }
          }
        },
      ),
      { numRuns: 500 },
    );
    expect(handler.requests).toBe(sent);
    // The generator is not so hostile that nothing is ever sent.
    expect(sent).toBeGreaterThan(10);
    client.destroy();
  });
});
