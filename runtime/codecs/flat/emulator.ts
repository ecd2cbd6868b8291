/**
 * The emulator half of the flat stream codec: each stream piece becomes a chunk with the text at the spec's
 * stream pointer; the last chunk carries the finish reason, usage and invocation metrics. Chunks before it
 * carry a `null` finish reason where the family's chunk schema allows one (as Llama and Mistral send).
 */
import {
  type EmulatorCodecUnit,
  invocationMetrics,
  isPointer,
  type Json,
  type NativeChatContext,
  responseMappingOf,
  streamFinish,
} from "../../../emulator/synthesize/native-kit.js";
import type { ChatPlan } from "../../../emulator/synthesize/plan.js";
import type { UsageMap } from "../../../generated/spec-types.js";
import { writePointer } from "../../pointer.js";

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

/** Writes the token counts a chunk carries in the body (those in the invocation metrics come with them). */
function writeChunkUsage(chunk: Json, usage: UsageMap | undefined, plan: ChatPlan): void {
  if (!usage) return;
  for (const [source, value] of [
    [usage.prompt_tokens, plan.inputTokens],
    [usage.completion_tokens, plan.outputTokens],
  ] as const) {
    if (isPointer(source) && !source.startsWith("/amazon-bedrock-invocationMetrics/")) {
      writePointer(chunk, source, value);
    }
  }
}

function buildStream(plan: ChatPlan, context: NativeChatContext): Json[] {
  const stream = context.descriptor.chat!.stream;
  const response = responseMappingOf(context.descriptor);
  const textPointer = stream?.text ?? response.text ?? "/generation";
  const finishSource = stream?.finish_reason?.from ?? response.finish_reason.from;
  return plan.pieces.map((piece, index) => {
    const chunk: Json = {};
    const last = index === plan.pieces.length - 1;
    writePointer(chunk, textPointer, piece);
    if (isPointer(finishSource)) {
      if (last) writePointer(chunk, finishSource, streamFinish(context, plan, plan.finish));
      else if (allowsNull(context.streamChunkSchema, finishSource)) writePointer(chunk, finishSource, null);
    }
    if (last) {
      writeChunkUsage(chunk, stream?.usage, plan);
      chunk["amazon-bedrock-invocationMetrics"] = invocationMetrics(plan, context);
    }
    return chunk;
  });
}

export const flatEmulator: EmulatorCodecUnit<"flat"> = { stream: { buildStream } };
