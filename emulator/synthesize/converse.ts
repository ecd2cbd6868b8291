/**
 * Converse and ConverseStream answers (field names from the service model and ../shared/recordings):
 * `{output: {message: {role, content}}, stopReason, usage: {inputTokens, outputTokens, totalTokens},
 * metrics: {latencyMs}}`; streams send messageStart, contentBlockDelta (text blocks have no start event;
 * tool-use blocks start with `contentBlockStart.start.toolUse` and stream their input JSON in pieces),
 * contentBlockStop, messageStop and metadata. Guardrail interventions stop with `guardrail_intervened`
 * and, when tracing is enabled, carry `trace.guardrail` (recordings/converse/openllmetry_test_guardrail_converse.json).
 */
import type { ChatPlan, OpenAIFinish } from "./plan.js";

type Json = Record<string, unknown>;

const STOP_REASONS: Record<OpenAIFinish, string> = {
  stop: "end_turn",
  length: "max_tokens",
  tool_calls: "tool_use",
  content_filter: "guardrail_intervened",
};

function toolUseId(seed: string): string {
  return `tooluse_${seed.slice(0, 22)}`;
}

function usageOf(plan: ChatPlan): Json {
  return {
    inputTokens: plan.inputTokens,
    outputTokens: plan.outputTokens,
    totalTokens: plan.inputTokens + plan.outputTokens,
  };
}

export interface ConverseContext {
  readonly latencyMs: number;
  /** `trace` member (with `guardrail`) when the request enabled guardrail tracing and the guardrail acted. */
  readonly trace?: Json;
}

/** A Converse answer. */
export function buildConverseResponse(plan: ChatPlan, context: ConverseContext): Json {
  const content = plan.toolCall
    ? [
        {
          toolUse: {
            toolUseId: toolUseId(plan.toolCall.seed),
            name: plan.toolCall.name,
            input: plan.toolCall.arguments,
          },
        },
      ]
    : [{ text: plan.text }];
  const body: Json = {
    metrics: { latencyMs: context.latencyMs },
    output: { message: { content, role: "assistant" } },
    stopReason: STOP_REASONS[plan.finish],
    usage: usageOf(plan),
  };
  if (context.trace) body.trace = context.trace;
  return body;
}

/** One ConverseStream event before framing. */
export interface NamedEvent {
  readonly eventType: string;
  readonly payload: Json;
}

/** The events of a ConverseStream answer. */
export function buildConverseStream(plan: ChatPlan, context: ConverseContext): NamedEvent[] {
  const events: NamedEvent[] = [{ eventType: "messageStart", payload: { role: "assistant" } }];
  if (plan.toolCall) {
    events.push({
      eventType: "contentBlockStart",
      payload: {
        contentBlockIndex: 0,
        start: { toolUse: { name: plan.toolCall.name, toolUseId: toolUseId(plan.toolCall.seed) } },
      },
    });
    for (const piece of plan.pieces) {
      events.push({
        eventType: "contentBlockDelta",
        payload: { contentBlockIndex: 0, delta: { toolUse: { input: piece } } },
      });
    }
  } else {
    for (const piece of plan.pieces) {
      events.push({
        eventType: "contentBlockDelta",
        payload: { contentBlockIndex: 0, delta: { text: piece } },
      });
    }
  }
  events.push({ eventType: "contentBlockStop", payload: { contentBlockIndex: 0 } });
  events.push({ eventType: "messageStop", payload: { stopReason: STOP_REASONS[plan.finish] } });
  const metadata: Json = { metrics: { latencyMs: context.latencyMs }, usage: usageOf(plan) };
  if (context.trace) metadata.trace = context.trace;
  events.push({ eventType: "metadata", payload: metadata });
  return events;
}
