/**
 * The emulator half of the nova codec: reads Nova's messages-v1 bodies and writes
 * `{output: {message: {role, content}}, stopReason, usage}` answers; streams are Converse stream events
 * as chunks, ending with `metadata` and the invocation metrics (test/recordings/amazon-nova).
 * https://docs.aws.amazon.com/nova/latest/userguide/complete-request-schema.html
 */
import {
  type ConverseMessageEvent,
  converseContent,
  converseMessageEvents,
  converseStopReasons,
} from "../../../emulator/synthesize/converse.js";
import {
  type EmulatorCodecUnit,
  finishFor,
  invocationMetrics,
  type Json,
  type NativeChatContext,
  type NativeChatView,
  streamFinish,
} from "../../../emulator/synthesize/native-kit.js";
import type { ChatPlan } from "../../../emulator/synthesize/plan.js";
import { readConverseMessages, readConverseTools } from "../../../emulator/synthesize/view.js";
import type { ChatRequestMapping } from "../../../generated/spec-types.js";
import { readPointer } from "../../pointer.js";

function readChatView(body: Json, mapping: ChatRequestMapping): NativeChatView {
  return {
    ...readConverseMessages(
      readPointer(body, mapping.messages ?? "/messages"),
      readPointer(body, mapping.system ?? "/system"),
    ),
    ...readConverseTools(
      readPointer(body, mapping.tools ?? "/toolConfig/tools"),
      readPointer(body, mapping.tool_choice ?? "/toolConfig/toolChoice"),
    ),
  };
}

/** Nova's invoke answers name the cache counts `cache…InputTokenCount` (recordings/amazon-nova). */
const cacheCounts = { cacheReadInputTokenCount: 0, cacheWriteInputTokenCount: 0 };

function buildResponse(plan: ChatPlan, context: NativeChatContext) {
  const fallbackFinish = converseStopReasons[plan.finish];
  const body: Json = {
    output: { message: { content: converseContent(plan), role: "assistant" } },
    stopReason: finishFor(context.descriptor, plan, fallbackFinish),
    usage: {
      inputTokens: plan.inputTokens,
      outputTokens: plan.outputTokens,
      totalTokens: plan.inputTokens + plan.outputTokens,
      ...cacheCounts,
    },
  };
  return { body, fallbackFinish };
}

/** A Converse event as one of Nova's stream chunks: `{<event name>: payload}` (literal keys build fastest). */
function chunkOf(type: ConverseMessageEvent, payload: Json): Json {
  switch (type) {
    case "messageStart":
      return { messageStart: payload };
    case "contentBlockStart":
      return { contentBlockStart: payload };
    case "contentBlockDelta":
      return { contentBlockDelta: payload };
    case "contentBlockStop":
      return { contentBlockStop: payload };
    case "messageStop":
      return { messageStop: payload };
    default: {
      const unknown: never = type;
      throw new Error(`no Nova chunk for ${unknown}`);
    }
  }
}

function buildStream(plan: ChatPlan, context: NativeChatContext): Json[] {
  const stopReason = streamFinish(context, plan, converseStopReasons[plan.finish]);
  const chunks = converseMessageEvents(plan, stopReason, chunkOf);
  chunks.push({
    metadata: {
      usage: { inputTokens: plan.inputTokens, outputTokens: plan.outputTokens, ...cacheCounts },
      metrics: {},
      trace: {},
    },
    "amazon-bedrock-invocationMetrics": invocationMetrics(plan, context, cacheCounts),
  });
  return chunks;
}

export const novaEmulator: EmulatorCodecUnit<"nova"> = {
  messages: { readChatView, buildResponse },
  stream: { buildStream },
};
