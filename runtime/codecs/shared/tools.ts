import type { ChatRequestMapping } from "../../../generated/spec-types.js";
import type { NormalizedChat } from "../../chat/model.js";

/**
 * Whether tool definitions go into the body: the family takes them on invoke and some are offered, and
 * either tool_choice is not `none` or the conversation already holds tool calls or results (which Claude,
 * Nova and Command R refuse without the definitions beside them).
 */
export function sendsTools(
  chat: NormalizedChat,
  mapping: ChatRequestMapping,
): mapping is ChatRequestMapping & {
  tools: string;
} {
  if (chat.tools.length === 0 || !mapping.tools) return false;
  if (chat.toolChoice !== "none") return true;
  return chat.turns.some((turn) =>
    turn.content.some((block) => block.kind === "tool_call" || block.kind === "tool_result"),
  );
}
