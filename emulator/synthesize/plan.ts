/** The answer the emulator will give, decided once and written in any family's shape. */

import {
  composeAnswer,
  composeReasoning,
  countTokens,
  deterministicId,
  splitIntoChunks,
  splitTokens,
  truncateTokens,
} from "./text.js";
import { buildToolArguments } from "./tools.js";
import type { ChatView } from "./view.js";

export type OpenAIFinish = "stop" | "length" | "tool_calls" | "content_filter";

export interface PlannedToolCall {
  /** A seed for ids; each codec formats its own id from it. */
  readonly seed: string;
  readonly name: string;
  readonly arguments: Record<string, unknown>;
}

export interface ChatPlan {
  readonly kind: "text" | "tool" | "guardrail";
  /** The answer text (empty for a pure tool call). */
  readonly text: string;
  readonly finish: OpenAIFinish;
  readonly toolCall?: PlannedToolCall;
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Stream pieces of `text` (or of the tool arguments JSON for a tool call). */
  readonly pieces: readonly string[];
  /** Reasoning before the answer, for families whose spec says where reasoning travels. */
  readonly reasoning?: string;
  /** Stream pieces of `reasoning`. */
  readonly reasoningPieces?: readonly string[];
}

export interface PlanOptions {
  readonly modelId: string;
  /** Requested stream chunk count (x-bedrock-forge-stream-chunks); lengthens the answer to fit. */
  readonly chunkCount?: number;
  /** When set, the request hit the guardrail: the answer is this blocked message. */
  readonly blockedMessage?: string;
  /** The family sends reasoning before its answers (counted in the output tokens). */
  readonly reasoning?: boolean;
}

/** Default number of stream pieces when the caller did not ask for a count. */
const DEFAULT_PIECES = 6;

/** Adds reasoning to a planned answer when the family sends reasoning (never to a guardrail's block). */
function withReasoning(plan: ChatPlan, view: ChatView, options: PlanOptions): ChatPlan {
  if (!options.reasoning || plan.kind === "guardrail") return plan;
  const reasoning = composeReasoning(view.lastUserText);
  const tokens = countTokens(reasoning);
  return {
    ...plan,
    reasoning,
    reasoningPieces: splitIntoChunks(reasoning, Math.min(options.chunkCount ?? 3, tokens)),
    outputTokens: plan.outputTokens + tokens,
  };
}

/**
 * Decides the answer: a guardrail block, a tool call, or a quoting sentence (truncated to max tokens),
 * with reasoning before it when the family sends reasoning.
 */
export function planChat(view: ChatView, options: PlanOptions): ChatPlan {
  return withReasoning(planAnswer(view, options), view, options);
}

function planAnswer(view: ChatView, options: PlanOptions): ChatPlan {
  const inputTokens = Math.max(1, countTokens(view.inputText));
  if (options.blockedMessage !== undefined) {
    const text = options.blockedMessage;
    return {
      kind: "guardrail",
      text,
      finish: "content_filter",
      inputTokens,
      outputTokens: countTokens(text),
      pieces: [text],
    };
  }
  const useTool = view.tools.length > 0 && !view.afterToolResult && view.toolChoice.kind !== "none";
  if (useTool) {
    const tool =
      (view.toolChoice.kind === "tool" &&
        view.tools.find((candidate) => candidate.name === view.toolChoice.toolName)) ||
      view.tools[0]!;
    const args = buildToolArguments(tool.schema);
    const json = JSON.stringify(args);
    return {
      kind: "tool",
      text: "",
      finish: "tool_calls",
      toolCall: {
        seed: deterministicId("", [options.modelId, view.lastUserText, tool.name]),
        name: tool.name,
        arguments: args,
      },
      inputTokens,
      outputTokens: Math.max(1, countTokens(json)),
      pieces: splitIntoChunks(json, Math.min(options.chunkCount ?? 3, Math.max(1, json.length))),
    };
  }
  let text = composeAnswer(view.lastUserText, options.chunkCount ?? 0);
  let finish: OpenAIFinish = "stop";
  if (view.maxTokens !== undefined && countTokens(text) > view.maxTokens) {
    text = truncateTokens(text, view.maxTokens);
    finish = "length";
  }
  const tokens = splitTokens(text).length;
  const pieces = splitIntoChunks(text, options.chunkCount ?? Math.min(DEFAULT_PIECES, Math.max(1, tokens)));
  return { kind: "text", text, finish, inputTokens, outputTokens: countTokens(text), pieces };
}
