/**
 * What extended thinking changes in a Converse request, as LiteLLM applies it
 * (litellm/llms/bedrock/chat/converse_transformation.py): Claude refuses a forced tool while it thinks, and
 * refuses a thinking request whose last assistant tool call carries no thinking block ("Expected thinking or
 * redacted_thinking, but found tool_use").
 * https://docs.aws.amazon.com/bedrock/latest/userguide/claude-messages-extended-thinking.html
 */
import type { ToolChoice as ConverseToolChoice } from "@aws-sdk/client-bedrock-runtime";
import type { NormalizedChat } from "./model.js";

/** True when a `thinking` value turns thinking on (budgeted or adaptive). */
export function isThinkingOn(thinking: unknown): boolean {
  const type = (thinking as { type?: unknown } | null | undefined)?.type;
  return type === "enabled" || type === "adaptive";
}

/** A forced tool choice (any tool, or a named one): Claude takes neither while thinking. */
export function isForcedToolChoice(choice: ConverseToolChoice | undefined): boolean {
  return choice !== undefined && ("any" in choice || "tool" in choice);
}

/**
 * True when an earlier turn would make Claude refuse thinking: the last assistant turn that calls tools has
 * no thinking block, and no assistant turn has one (a conversation begun without thinking).
 */
export function lacksThinkingBlocks(chat: NormalizedChat): boolean {
  let lastToolTurn: NormalizedChat["turns"][number] | undefined;
  for (const turn of chat.turns) {
    if (turn.role !== "assistant") continue;
    if (turn.content.some((block) => block.kind === "reasoning")) return false;
    if (turn.content.some((block) => block.kind === "tool_call")) lastToolTurn = turn;
  }
  return lastToolTurn !== undefined;
}
