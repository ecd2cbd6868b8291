/**
 * The template codec's prompt renderer: a conversation becomes one prompt string through the spec's
 * `chat.request.template` (BOS, turn templates split at `{content}`, system handling, generation prompt).
 */
import type { PromptTemplate } from "../../../generated/spec-types.js";
import type { NormalizedChat, Turn } from "../../chat/model.js";
import { RequestValidationError } from "../../errors.js";

/** A turn template split at `{content}`: what comes before the content and what after. */
function splitTurn(template: string, role: string): { prefix: string; suffix: string } {
  const filled = template.replaceAll("{role}", role);
  const at = filled.indexOf("{content}");
  return { prefix: filled.slice(0, at), suffix: filled.slice(at + "{content}".length) };
}

function fill(template: string, role: string, content: string): string {
  const { prefix, suffix } = splitTurn(template, role);
  return prefix + content + suffix;
}

/** Text of a turn for a text-completion prompt; images, documents and tool calls cannot be written into one. */
function renderTurnText(turn: Turn, model: string): string {
  const pieces: string[] = [];
  for (const block of turn.content) {
    switch (block.kind) {
      case "text":
        pieces.push(block.text);
        break;
      case "tool_result":
        for (const part of block.content) {
          if (part.kind !== "text") {
            throw new RequestValidationError(
              `${model} takes a text prompt: a tool result with ${part.kind} content cannot be sent on the invoke route`,
              {
                param: "messages",
                model,
              },
            );
          }
          pieces.push(part.text);
        }
        break;
      case "reasoning":
        break;
      default:
        throw new RequestValidationError(
          `${model} takes a text prompt on the invoke route: ${block.kind.replace("_", " ")} content needs the converse route (bedrock/converse/${model})`,
          { param: "messages", model },
        );
    }
  }
  return pieces.join("\n");
}

/** Renders a conversation into one prompt with the family's template (BOS, turns, system handling, generation prompt). */
export function renderPrompt(chat: NormalizedChat, template: PromptTemplate, model: string): string {
  let prompt = template.begin ?? "";
  const systemText = chat.system.join("\n\n");
  const handling = template.system_handling ?? "turn";
  if (systemText !== "") {
    if (handling === "unsupported") {
      throw new RequestValidationError(`${model} does not accept system messages`, {
        param: "messages",
        model,
      });
    }
    if (handling === "turn" || handling === "top") prompt += fill(template.system!, "system", systemText);
  }
  const separator = template.separator ?? "";
  chat.turns.forEach((turn, index) => {
    const role =
      turn.role === "tool" && template.tool ? "tool" : turn.role === "assistant" ? "assistant" : "user";
    const turnTemplate =
      role === "tool" ? template.tool! : role === "assistant" ? template.assistant : template.user;
    let content = renderTurnText(turn, model);
    if (index === 0 && handling === "first-user" && systemText !== "" && role === "user") {
      content = fill(template.system_wrap!, "system", systemText) + content;
    }
    if (index > 0) prompt += separator;
    const isPrefill = chat.prefill && index === chat.turns.length - 1;
    if (isPrefill) {
      prompt += splitTurn(turnTemplate, role).prefix + content;
    } else {
      prompt += fill(turnTemplate, role, content);
    }
  });
  if (!chat.prefill) prompt += template.generation ?? "";
  return prompt + (template.end ?? "");
}
