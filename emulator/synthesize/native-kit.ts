/**
 * What the emulator halves of the codec units (runtime/codecs/<name>/emulator.ts) share: the parts they
 * implement, the context of a native answer, and the helpers that write the spec's pointers (id, finish,
 * usage) so every synthesized answer reads back through the spec.
 */
import type {
  ChatRequestMapping,
  ChatResponseMapping,
  FinishReasonMap,
  UsageMap,
} from "../../generated/spec-types.js";
import type { CodecName, CodecParts } from "../../runtime/codecs/types.js";
import type { FamilyDescriptor } from "../../runtime/descriptor.js";
import { writePointer } from "../../runtime/pointer.js";
import type { ChatPlan, OpenAIFinish } from "./plan.js";
import { deterministicUuid } from "./text.js";
import type { ChatView } from "./view.js";

export type Json = Record<string, unknown>;

/** A chat view as a codec reads it from a native body (the max tokens come from the param table). */
export type NativeChatView = Omit<ChatView, "maxTokens">;

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

/** A unary answer in a codec's shape, before the spec's id, finish and usage pointers are applied. */
export interface NativeAnswer {
  readonly body: Json;
  /** The native stop value written when the spec's finish map names none for the plan's finish. */
  readonly fallbackFinish: string;
}

/** The emulator's part for a message codec: reads request bodies, writes unary answers. */
export interface NativeChatPart {
  /** What the synthesizer needs from a native request body, read at the pointers of the spec's mapping. */
  readChatView(body: Json, mapping: ChatRequestMapping): NativeChatView;
  buildResponse(plan: ChatPlan, context: NativeChatContext, userText: string): NativeAnswer;
}

/** The emulator's part for a stream codec: the chunk JSONs of an InvokeModelWithResponseStream answer. */
export interface NativeStreamPart {
  buildStream(plan: ChatPlan, context: NativeChatContext, userText: string): Json[];
}

/** The emulator half of a codec unit: a reader and writer for a message codec, a writer for a stream codec. */
export type EmulatorCodecUnit<Name extends CodecName> = CodecParts<Name, NativeChatPart, NativeStreamPart>;

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

function rank(key: string): number {
  const index = PREFERRED_NATIVE.indexOf(key);
  return index < 0 ? PREFERRED_NATIVE.length : index;
}

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

export function isPointer(source: unknown): source is string {
  return typeof source === "string" && source.startsWith("/");
}

export function responseMappingOf(descriptor: FamilyDescriptor): ChatResponseMapping {
  return descriptor.chat!.response;
}

/** The native stop value of a unary answer. */
export function finishFor(descriptor: FamilyDescriptor, plan: ChatPlan, fallback: string): string | null {
  return nativeFinish(responseMappingOf(descriptor).finish_reason, plan.finish, fallback);
}

/** The native stop value of a stream (the stream's own map, else the response's). */
export function streamFinish(context: NativeChatContext, plan: ChatPlan, fallback: string): string | null {
  const stream = context.descriptor.chat!.stream;
  return nativeFinish(
    stream?.finish_reason ?? responseMappingOf(context.descriptor).finish_reason,
    plan.finish,
    fallback,
  );
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

function readTop(body: Json, pointer: string): unknown {
  let current: unknown = body;
  for (const segment of pointer.slice(1).split("/")) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Json)[segment];
  }
  return current;
}

/** Writes the spec's id, finish and usage pointers (the answer must read back through them). */
export function applyResponseMapping(
  body: Json,
  context: NativeChatContext,
  plan: ChatPlan,
  fallbackFinish: string,
): void {
  const mapping = responseMappingOf(context.descriptor);
  if (mapping.id && readTop(body, mapping.id) === undefined) {
    writePointer(body, mapping.id, deterministicUuid([context.modelId, plan.text, plan.toolCall?.name]));
  }
  if (isPointer(mapping.finish_reason.from)) {
    writePointer(body, mapping.finish_reason.from, finishFor(context.descriptor, plan, fallbackFinish));
  }
  applyUsage(body, mapping.usage, plan);
  if (context.guardrail) Object.assign(body, context.guardrail);
}

/** The `amazon-bedrock-invocationMetrics` object of a stream's last chunk. */
export function invocationMetrics(plan: ChatPlan, context: NativeChatContext, extra: Json = {}): Json {
  return {
    inputTokenCount: plan.inputTokens,
    outputTokenCount: plan.outputTokens,
    invocationLatency: context.metrics.invocationLatency,
    firstByteLatency: context.metrics.firstByteLatency,
    ...extra,
  };
}
