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

/** Converse's stop reason for each planned finish (Nova's invoke answers use the same values). */
export const converseStopReasons: Readonly<Record<OpenAIFinish, string>> = {
  stop: "end_turn",
  length: "max_tokens",
  tool_calls: "tool_use",
  content_filter: "guardrail_intervened",
};

export function converseToolUseId(seed: string): string {
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

/** The content blocks of an answer message: one text block, or one toolUse block. */
export function converseContent(plan: ChatPlan): Json[] {
  if (!plan.toolCall) return [{ text: plan.text }];
  return [
    {
      toolUse: {
        toolUseId: converseToolUseId(plan.toolCall.seed),
        name: plan.toolCall.name,
        input: plan.toolCall.arguments,
      },
    },
  ];
}

/** A Converse answer. */
export function buildConverseResponse(plan: ChatPlan, context: ConverseContext): Json {
  const body: Json = {
    metrics: { latencyMs: context.latencyMs },
    output: { message: { content: converseContent(plan), role: "assistant" } },
    stopReason: converseStopReasons[plan.finish],
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

/** The events of an answer message, in the order Converse sends them. */
export type ConverseMessageEvent =
  | "messageStart"
  | "contentBlockStart"
  | "contentBlockDelta"
  | "contentBlockStop"
  | "messageStop";

/**
 * The events from messageStart to messageStop (text blocks have no start event; a tool-use block starts
 * with its name and id, then streams its input JSON), with the stop reason given, each made by `event`
 * (ConverseStream frames them by name; Nova's invoke streams send them as chunk objects).
 */
export function converseMessageEvents<Event>(
  plan: ChatPlan,
  stopReason: string | null,
  event: (type: ConverseMessageEvent, payload: Json) => Event,
): Event[] {
  const events: Event[] = [event("messageStart", { role: "assistant" })];
  if (plan.toolCall) {
    const toolUse = { name: plan.toolCall.name, toolUseId: converseToolUseId(plan.toolCall.seed) };
    events.push(event("contentBlockStart", { contentBlockIndex: 0, start: { toolUse } }));
  }
  for (const piece of plan.pieces) {
    const delta = plan.toolCall ? { toolUse: { input: piece } } : { text: piece };
    events.push(event("contentBlockDelta", { contentBlockIndex: 0, delta }));
  }
  events.push(event("contentBlockStop", { contentBlockIndex: 0 }));
  events.push(event("messageStop", { stopReason }));
  return events;
}

/** The events of a ConverseStream answer. */
export function buildConverseStream(plan: ChatPlan, context: ConverseContext): NamedEvent[] {
  const events = converseMessageEvents<NamedEvent>(
    plan,
    converseStopReasons[plan.finish],
    (eventType, payload) => ({ eventType, payload }),
  );
  const metadata: Json = { metrics: { latencyMs: context.latencyMs }, usage: usageOf(plan) };
  if (context.trace) metadata.trace = context.trace;
  events.push({ eventType: "metadata", payload: metadata });
  return events;
}
