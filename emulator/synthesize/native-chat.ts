/**
 * Family-native InvokeModel / InvokeModelWithResponseStream chat answers.
 *
 * Flat families (text pointers in the spec) are written through the spec's pointers: `chat.response.text`,
 * `finish_reason.from` with the reversed `map`, `usage`, `id`. Codec families get the documented shape of
 * their codec (field names from AWS docs and ../shared/recordings), then the spec's usage/finish/id
 * pointers are applied on top so the answer always reads back through the spec:
 * - anthropic: Messages API (`content` blocks, `stop_reason`, `usage.input_tokens`); stream message_start …
 *   message_delta, message_stop with `amazon-bedrock-invocationMetrics` (recordings/anthropic-claude-messages);
 * - nova: `{output: {message: {role, content}}, stopReason, usage}`; streams as Converse-like chunks
 *   (recordings/amazon-nova);
 * - openai: OpenAI chat completion (`choices[].message`, `finish_reason`), chunks with `choices[].delta`;
 * - mistral-chat: `{choices: [{index, message: {role, content, tool_calls}, stop_reason}]}`;
 * - cohere-chat: Command R `{response_id, text, generation_id, chat_history, finish_reason, tool_calls?}`;
 *   stream `text-generation` events and a `stream-end` (recordings/cohere-command-r).
 */
import type {
  ChatResponseMapping,
  ChatStreamMapping,
  FinishReasonMap,
  UsageMap,
} from "../../generated/spec-types.js";
import type { FamilyDescriptor } from "../../runtime/descriptor.js";
import { writePointer } from "../../runtime/pointer.js";
import type { ChatPlan, OpenAIFinish } from "./plan.js";
import { deterministicId, deterministicUuid } from "./text.js";

type Json = Record<string, unknown>;

/** Native stop values to prefer when several map to the same OpenAI finish reason. */
const PREFERRED_NATIVE = [
  "end_turn",
  "stop",
  "FINISH",
  "COMPLETE",
  "complete",
  "endoftext",
  "eos_token",
  "tool_use",
  "tool_calls",
  "max_tokens",
  "length",
  "LENGTH",
  "MAX_TOKENS",
  "guardrail_intervened",
  "CONTENT_FILTERED",
  "content_filtered",
];

/** The native value that maps to `finish` in a spec's map (falling back to the one that maps to stop). */
export function nativeFinish(
  map: FinishReasonMap | undefined,
  finish: OpenAIFinish,
  fallback: string,
): string | null {
  const entries = Object.entries(map?.map ?? {});
  const pick = (wanted: OpenAIFinish) => {
    const keys = entries.filter(([, value]) => value === wanted).map(([key]) => key);
    if (keys.length === 0) return undefined;
    keys.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
    return keys[0]!;
  };
  const key = pick(finish) ?? pick("stop");
  if (key === undefined) return fallback;
  return key === "null" ? null : key;
}

function rank(key: string): number {
  const index = PREFERRED_NATIVE.indexOf(key);
  return index < 0 ? PREFERRED_NATIVE.length : index;
}

function isPointer(source: unknown): source is string {
  return typeof source === "string" && source.startsWith("/");
}

/** Writes usage at the spec's pointers (cache counts as 0). */
function applyUsage(body: Json, usage: UsageMap | undefined, plan: ChatPlan): void {
  if (!usage) return;
  const values: [unknown, number][] = [
    [usage.prompt_tokens, plan.inputTokens],
    [usage.completion_tokens, plan.outputTokens],
    [usage.cache_read_tokens, 0],
    [usage.cache_write_tokens, 0],
  ];
  for (const [source, value] of values) if (isPointer(source)) writePointer(body, source, value);
}

export interface NativeChatContext {
  readonly descriptor: FamilyDescriptor;
  readonly modelId: string;
  /** Seconds since the epoch for `created` fields. */
  readonly created: number;
  /** `amazon-bedrock-invocationMetrics` of the last stream chunk. */
  readonly metrics: { invocationLatency: number; firstByteLatency: number };
  /** Guardrail intervention fields written into the body (action and, with trace, the trace). */
  readonly guardrail?: Json;
  /** The family's stream chunk schema (flat streams write `null` finish reasons only where it allows). */
  readonly streamChunkSchema?: unknown;
}

/** True when the schema allows `null` at the pointer (or says nothing about it). */
function allowsNull(schema: unknown, pointer: string): boolean {
  let current = schema as Json | undefined;
  for (const segment of pointer.slice(1).split("/")) {
    if (!current || typeof current !== "object") return true;
    const next = /^\d+$/.test(segment)
      ? (current.items as Json | undefined)
      : ((current.properties as Json | undefined)?.[segment] as Json | undefined);
    if (next === undefined) return true;
    current = next;
  }
  const type = current?.type;
  if (type === undefined) return true;
  return Array.isArray(type) ? type.includes("null") : type === "null";
}

/** The model name Anthropic writes in `model` (the id without provider prefix and version suffix). */
function anthropicModelName(modelId: string): string {
  return modelId.replace(/^[a-z-]+\./, "").replace(/-v\d+(:\d+)?$/, "");
}

function responseMapping(descriptor: FamilyDescriptor): ChatResponseMapping {
  return descriptor.chat!.response;
}

function finishFor(descriptor: FamilyDescriptor, plan: ChatPlan, fallback: string): string | null {
  return nativeFinish(responseMapping(descriptor).finish_reason, plan.finish, fallback);
}

/** Writes the spec's id, finish and usage pointers (the answer must read back through them). */
function applyResponseMapping(
  body: Json,
  context: NativeChatContext,
  plan: ChatPlan,
  fallbackFinish: string,
) {
  const mapping = responseMapping(context.descriptor);
  if (mapping.id && readTop(body, mapping.id) === undefined) {
    writePointer(body, mapping.id, deterministicUuid([context.modelId, plan.text, plan.toolCall?.name]));
  }
  if (isPointer(mapping.finish_reason.from)) {
    writePointer(body, mapping.finish_reason.from, finishFor(context.descriptor, plan, fallbackFinish));
  }
  applyUsage(body, mapping.usage, plan);
  if (context.guardrail) Object.assign(body, context.guardrail);
}

function readTop(body: Json, pointer: string): unknown {
  let current: unknown = body;
  for (const segment of pointer.slice(1).split("/")) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Json)[segment];
  }
  return current;
}

function toolUseId(seed: string): string {
  return `tooluse_${seed.slice(0, 22)}`;
}

// ----------------------------------------------------------------------------------------------------------
// Unary answers

function anthropicBody(plan: ChatPlan, context: NativeChatContext): Json {
  const content: Json[] = [];
  if (plan.toolCall) {
    content.push({
      type: "tool_use",
      id: `toolu_bdrk_${plan.toolCall.seed}`,
      name: plan.toolCall.name,
      input: plan.toolCall.arguments,
    });
  } else content.push({ type: "text", text: plan.text });
  return {
    id: deterministicId("msg_bdrk_", [context.modelId, plan.text, plan.toolCall?.seed]),
    type: "message",
    role: "assistant",
    model: anthropicModelName(context.modelId),
    content,
    stop_reason: finishFor(context.descriptor, plan, "end_turn"),
    stop_sequence: null,
    usage: { input_tokens: plan.inputTokens, output_tokens: plan.outputTokens },
  };
}

function converseContent(plan: ChatPlan): Json[] {
  if (plan.toolCall) {
    return [
      {
        toolUse: {
          toolUseId: toolUseId(plan.toolCall.seed),
          name: plan.toolCall.name,
          input: plan.toolCall.arguments,
        },
      },
    ];
  }
  return [{ text: plan.text }];
}

const CONVERSE_STOP: Record<OpenAIFinish, string> = {
  stop: "end_turn",
  length: "max_tokens",
  tool_calls: "tool_use",
  content_filter: "guardrail_intervened",
};

function novaBody(plan: ChatPlan, context: NativeChatContext): Json {
  return {
    output: { message: { content: converseContent(plan), role: "assistant" } },
    stopReason: finishFor(context.descriptor, plan, CONVERSE_STOP[plan.finish]),
    usage: {
      inputTokens: plan.inputTokens,
      outputTokens: plan.outputTokens,
      totalTokens: plan.inputTokens + plan.outputTokens,
      cacheReadInputTokenCount: 0,
      cacheWriteInputTokenCount: 0,
    },
  };
}

function openAIToolCalls(plan: ChatPlan): Json[] | undefined {
  if (!plan.toolCall) return undefined;
  return [
    {
      id: `call_${plan.toolCall.seed.slice(0, 24)}`,
      type: "function",
      function: { name: plan.toolCall.name, arguments: JSON.stringify(plan.toolCall.arguments) },
    },
  ];
}

function openAIBody(plan: ChatPlan, context: NativeChatContext): Json {
  const toolCalls = openAIToolCalls(plan);
  return {
    id: `chatcmpl-${deterministicUuid([context.modelId, plan.text, plan.toolCall?.seed])}`,
    object: "chat.completion",
    created: context.created,
    model: context.modelId,
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: toolCalls ? null : plan.text,
          ...(toolCalls ? { tool_calls: toolCalls } : {}),
        },
        finish_reason: finishFor(context.descriptor, plan, plan.finish),
      },
    ],
    usage: {
      prompt_tokens: plan.inputTokens,
      completion_tokens: plan.outputTokens,
      total_tokens: plan.inputTokens + plan.outputTokens,
    },
  };
}

function mistralBody(plan: ChatPlan, context: NativeChatContext): Json {
  const toolCalls = plan.toolCall
    ? [
        {
          id: plan.toolCall.seed.slice(0, 9),
          function: { name: plan.toolCall.name, arguments: JSON.stringify(plan.toolCall.arguments) },
        },
      ]
    : undefined;
  return {
    id: deterministicUuid([context.modelId, plan.text, plan.toolCall?.seed]),
    object: "chat.completion",
    created: context.created,
    model: context.modelId,
    choices: [
      {
        index: 0,
        message: { role: "assistant", content: plan.text, ...(toolCalls ? { tool_calls: toolCalls } : {}) },
        stop_reason: finishFor(context.descriptor, plan, plan.finish),
      },
    ],
  };
}

function cohereChatBody(plan: ChatPlan, context: NativeChatContext, userText: string): Json {
  const body: Json = {
    response_id: deterministicUuid(["response", context.modelId, plan.text]),
    text: plan.text,
    generation_id: deterministicUuid(["generation", context.modelId, plan.text]),
    chat_history: [
      { role: "USER", message: userText },
      { role: "CHATBOT", message: plan.text },
    ],
    finish_reason: finishFor(context.descriptor, plan, plan.finish === "length" ? "MAX_TOKENS" : "COMPLETE"),
  };
  if (plan.toolCall) body.tool_calls = [{ name: plan.toolCall.name, parameters: plan.toolCall.arguments }];
  return body;
}

function flatBody(plan: ChatPlan, context: NativeChatContext): Json {
  const body: Json = {};
  const mapping = responseMapping(context.descriptor);
  writePointer(body, mapping.text ?? "/generation", plan.text);
  return body;
}

/** The unary InvokeModel answer in the family's shape. */
export function buildNativeChatResponse(plan: ChatPlan, context: NativeChatContext, userText: string): Json {
  const codec = context.descriptor.chat!.request.codec;
  let body: Json;
  let fallback = plan.finish as string;
  switch (codec) {
    case "anthropic":
      body = anthropicBody(plan, context);
      fallback = "end_turn";
      break;
    case "nova":
      body = novaBody(plan, context);
      fallback = CONVERSE_STOP[plan.finish];
      break;
    case "openai":
      body = openAIBody(plan, context);
      break;
    case "mistral-chat":
      body = mistralBody(plan, context);
      break;
    case "cohere-chat":
      body = cohereChatBody(plan, context, userText);
      fallback = plan.finish === "length" ? "MAX_TOKENS" : "COMPLETE";
      break;
    default:
      body = flatBody(plan, context);
  }
  applyResponseMapping(body, context, plan, fallback);
  return body;
}

// ----------------------------------------------------------------------------------------------------------
// Streams: the list of chunk JSONs an InvokeModelWithResponseStream call returns.

function invocationMetrics(plan: ChatPlan, context: NativeChatContext, extra: Json = {}): Json {
  return {
    inputTokenCount: plan.inputTokens,
    outputTokenCount: plan.outputTokens,
    invocationLatency: context.metrics.invocationLatency,
    firstByteLatency: context.metrics.firstByteLatency,
    ...extra,
  };
}

function streamFinish(context: NativeChatContext, plan: ChatPlan, fallback: string): string | null {
  const stream = context.descriptor.chat!.stream;
  return nativeFinish(
    stream?.finish_reason ?? responseMapping(context.descriptor).finish_reason,
    plan.finish,
    fallback,
  );
}

function anthropicStream(plan: ChatPlan, context: NativeChatContext): Json[] {
  const message = anthropicBody(plan, context);
  const chunks: Json[] = [
    {
      type: "message_start",
      message: {
        ...message,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: plan.inputTokens, output_tokens: 1 },
      },
    },
  ];
  if (plan.toolCall) {
    chunks.push({
      type: "content_block_start",
      index: 0,
      content_block: {
        type: "tool_use",
        id: `toolu_bdrk_${plan.toolCall.seed}`,
        name: plan.toolCall.name,
        input: {},
      },
    });
    for (const piece of plan.pieces) {
      chunks.push({
        type: "content_block_delta",
        index: 0,
        delta: { type: "input_json_delta", partial_json: piece },
      });
    }
  } else {
    chunks.push({ type: "content_block_start", index: 0, content_block: { type: "text", text: "" } });
    for (const piece of plan.pieces) {
      chunks.push({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: piece } });
    }
  }
  chunks.push({ type: "content_block_stop", index: 0 });
  chunks.push({
    type: "message_delta",
    delta: { stop_reason: streamFinish(context, plan, "end_turn"), stop_sequence: null },
    usage: { output_tokens: plan.outputTokens },
  });
  chunks.push({ type: "message_stop", "amazon-bedrock-invocationMetrics": invocationMetrics(plan, context) });
  return chunks;
}

function converseLikeStream(plan: ChatPlan, context: NativeChatContext): Json[] {
  const chunks: Json[] = [{ messageStart: { role: "assistant" } }];
  if (plan.toolCall) {
    chunks.push({
      contentBlockStart: {
        start: { toolUse: { toolUseId: toolUseId(plan.toolCall.seed), name: plan.toolCall.name } },
        contentBlockIndex: 0,
      },
    });
    for (const piece of plan.pieces) {
      chunks.push({ contentBlockDelta: { delta: { toolUse: { input: piece } }, contentBlockIndex: 0 } });
    }
  } else {
    for (const piece of plan.pieces)
      chunks.push({ contentBlockDelta: { delta: { text: piece }, contentBlockIndex: 0 } });
  }
  chunks.push({ contentBlockStop: { contentBlockIndex: 0 } });
  chunks.push({ messageStop: { stopReason: streamFinish(context, plan, CONVERSE_STOP[plan.finish]) } });
  const cache = { cacheReadInputTokenCount: 0, cacheWriteInputTokenCount: 0 };
  chunks.push({
    metadata: {
      usage: { inputTokens: plan.inputTokens, outputTokens: plan.outputTokens, ...cache },
      metrics: {},
      trace: {},
    },
    "amazon-bedrock-invocationMetrics": invocationMetrics(plan, context, cache),
  });
  return chunks;
}

function openAIStream(plan: ChatPlan, context: NativeChatContext): Json[] {
  const base = {
    id: `chatcmpl-${deterministicUuid([context.modelId, plan.text, plan.toolCall?.seed])}`,
    object: "chat.completion.chunk",
    created: context.created,
    model: context.modelId,
  };
  const chunks: Json[] = plan.pieces.map((piece, index) => {
    let delta: Json;
    if (plan.toolCall) {
      const call: Json =
        index === 0
          ? {
              index: 0,
              id: `call_${plan.toolCall.seed.slice(0, 24)}`,
              type: "function",
              function: { name: plan.toolCall.name, arguments: piece },
            }
          : { index: 0, function: { arguments: piece } };
      delta = { ...(index === 0 ? { role: "assistant" } : {}), tool_calls: [call] };
    } else delta = { ...(index === 0 ? { role: "assistant" } : {}), content: piece };
    return { ...base, choices: [{ index: 0, delta, finish_reason: null }] };
  });
  chunks.push({
    ...base,
    choices: [{ index: 0, delta: {}, finish_reason: streamFinish(context, plan, plan.finish) }],
    "amazon-bedrock-invocationMetrics": invocationMetrics(plan, context),
  });
  return chunks;
}

function cohereChatStream(plan: ChatPlan, context: NativeChatContext, userText: string): Json[] {
  const chunks: Json[] = [];
  if (!plan.toolCall) {
    for (const piece of plan.pieces)
      chunks.push({ is_finished: false, event_type: "text-generation", text: piece });
  } else {
    chunks.push({
      is_finished: false,
      event_type: "tool-calls-generation",
      tool_calls: [{ name: plan.toolCall.name, parameters: plan.toolCall.arguments }],
    });
  }
  const response = cohereChatBody(plan, context, userText);
  applyResponseMapping(response, { ...context, guardrail: undefined }, plan, String(response.finish_reason));
  chunks.push({
    is_finished: true,
    event_type: "stream-end",
    response,
    finish_reason: response.finish_reason,
    "amazon-bedrock-invocationMetrics": invocationMetrics(plan, context),
  });
  return chunks;
}

function flatStream(
  plan: ChatPlan,
  context: NativeChatContext,
  stream: ChatStreamMapping | undefined,
): Json[] {
  const response = responseMapping(context.descriptor);
  const textPointer = stream?.text ?? response.text ?? "/generation";
  const finishSource = stream?.finish_reason?.from ?? response.finish_reason.from;
  const usage = stream?.usage;
  return plan.pieces.map((piece, index) => {
    const chunk: Json = {};
    const last = index === plan.pieces.length - 1;
    writePointer(chunk, textPointer, piece);
    if (isPointer(finishSource)) {
      if (last) writePointer(chunk, finishSource, streamFinish(context, plan, plan.finish));
      else if (allowsNull(context.streamChunkSchema, finishSource)) writePointer(chunk, finishSource, null);
    }
    if (last) {
      if (usage) {
        for (const [source, value] of [
          [usage.prompt_tokens, plan.inputTokens],
          [usage.completion_tokens, plan.outputTokens],
        ] as const) {
          if (isPointer(source) && !source.startsWith("/amazon-bedrock-invocationMetrics/")) {
            writePointer(chunk, source, value);
          }
        }
      }
      chunk["amazon-bedrock-invocationMetrics"] = invocationMetrics(plan, context);
    }
    return chunk;
  });
}

/** The chunk JSONs of an InvokeModelWithResponseStream answer, ending as the family ends its streams. */
export function buildNativeChatStream(plan: ChatPlan, context: NativeChatContext, userText: string): Json[] {
  const stream = context.descriptor.chat!.stream;
  let chunks: Json[];
  switch (stream?.codec ?? "flat") {
    case "anthropic":
      chunks = anthropicStream(plan, context);
      break;
    case "nova":
      chunks = converseLikeStream(plan, context);
      break;
    case "openai":
      chunks = openAIStream(plan, context);
      break;
    case "cohere-chat":
      chunks = cohereChatStream(plan, context, userText);
      break;
    default:
      chunks = flatStream(plan, context, stream);
  }
  if (context.guardrail) Object.assign(chunks[chunks.length - 1]!, context.guardrail);
  return chunks;
}
