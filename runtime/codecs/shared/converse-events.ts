/**
 * Converse stream events: messageStart, contentBlockStart, contentBlockDelta, contentBlockStop, messageStop,
 * metadata. The Converse route's ConverseStream reads them, and so does the `nova` stream codec: Nova's
 * InvokeModelWithResponseStream chunks carry the same events (with Nova's own cache count names).
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStream.html
 */
import type { StreamEvent } from "../../chat/model.js";
import { addInvocationMetrics } from "./invocation-metrics.js";

interface ConverseChunk {
  messageStart?: { role?: string };
  contentBlockStart?: {
    contentBlockIndex?: number;
    start?: { toolUse?: { toolUseId?: string; name?: string } };
  };
  contentBlockDelta?: {
    contentBlockIndex?: number;
    delta?: {
      text?: string;
      toolUse?: { input?: string };
      reasoningContent?: { text?: string; signature?: string; redactedContent?: Uint8Array | string };
    };
  };
  messageStop?: { stopReason?: string };
  metadata?: {
    usage?: {
      inputTokens?: number;
      outputTokens?: number;
      cacheReadInputTokens?: number;
      cacheWriteInputTokens?: number;
      /** Nova's invoke streams name the cache counts this way. */
      cacheReadInputTokenCount?: number;
      cacheWriteInputTokenCount?: number;
    };
    trace?: { guardrail?: unknown };
  };
}

function redactedToString(value: Uint8Array | string): string {
  return typeof value === "string" ? value : Buffer.from(value).toString("base64");
}

/** A decoder of Converse stream events (one per stream). */
export function createConverseEventDecoder(): (raw: Record<string, unknown>) => StreamEvent[] {
  return (raw) => {
    const chunk = raw as ConverseChunk;
    const events: StreamEvent[] = [];
    if (chunk.messageStart) events.push({ kind: "start" });
    const start = chunk.contentBlockStart;
    if (start?.start?.toolUse) {
      events.push({
        kind: "tool_start",
        block: start.contentBlockIndex ?? 0,
        id: start.start.toolUse.toolUseId ?? "",
        name: start.start.toolUse.name ?? "",
      });
    }
    const delta = chunk.contentBlockDelta;
    if (delta?.delta) {
      const { text, toolUse, reasoningContent } = delta.delta;
      if (typeof text === "string" && text !== "") events.push({ kind: "text", text });
      if (toolUse)
        events.push({
          kind: "tool_delta",
          block: delta.contentBlockIndex ?? 0,
          arguments: toolUse.input ?? "",
        });
      if (reasoningContent) {
        events.push({
          kind: "reasoning",
          text: reasoningContent.text,
          signature: reasoningContent.signature,
          redacted:
            reasoningContent.redactedContent === undefined
              ? undefined
              : redactedToString(reasoningContent.redactedContent),
        });
      }
    }
    if (chunk.messageStop?.stopReason) events.push({ kind: "finish", reason: chunk.messageStop.stopReason });
    const usage = chunk.metadata?.usage;
    if (usage) {
      events.push({
        kind: "usage",
        promptTokens: usage.inputTokens,
        completionTokens: usage.outputTokens,
        cacheReadTokens: usage.cacheReadInputTokens ?? usage.cacheReadInputTokenCount,
        cacheWriteTokens: usage.cacheWriteInputTokens ?? usage.cacheWriteInputTokenCount,
      });
    }
    if (chunk.metadata?.trace?.guardrail) events.push({ kind: "guardrail", trace: chunk.metadata.trace });
    addInvocationMetrics(raw, events);
    return events;
  };
}
