/**
 * Mistral AI chat completion bodies on Bedrock (Mistral Large 24.02/24.07, Pixtral Large).
 * https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-mistral-chat-completion.html
 *
 * Messages keep their system turns in the list; tool calls are `{id, function: {name, arguments}}`;
 * `tool_choice` is only `auto`, `any` or `none`, so a named choice is sent as `any` over that one tool.
 */
import type { DecodedMessage, Turn } from "../chat/model.js";
import { RequestValidationError, ResponseParseError } from "../errors.js";
import { writePointer } from "../pointer.js";
import type { FunctionTool, ToolChoice } from "../types.js";
import { encodeFunctionTools, encodeUserContent, textOf } from "./openai-content.js";
import type { MessagesCodec } from "./types.js";

type NativeMessage = Record<string, unknown>;

function encodeTurn(turn: Turn, model: string): NativeMessage[] {
  if (turn.role === "tool") {
    return turn.content.flatMap((block) => {
      if (block.kind !== "tool_result") return [{ role: "user", content: encodeUserContent([block], model) }];
      return [{ role: "tool", tool_call_id: block.toolCallId, content: textOf(block.content, model) }];
    });
  }
  if (turn.role === "assistant") {
    const calls = turn.content.filter((block) => block.kind === "tool_call");
    const text = textOf(
      turn.content.filter((block) => block.kind !== "tool_call"),
      model,
    );
    const message: NativeMessage = { role: "assistant", content: text };
    if (calls.length > 0) {
      message.tool_calls = calls.map((call) => ({
        id: call.id,
        function: { name: call.name, arguments: call.arguments === "" ? "{}" : call.arguments },
      }));
    }
    return [message];
  }
  return [{ role: "user", content: encodeUserContent(turn.content, model) }];
}

/** Mistral's tool_choice: auto | any | none. A named function becomes `any` with only that tool offered. */
function encodeToolChoice(
  choice: ToolChoice | undefined,
  tools: readonly FunctionTool[],
  model: string,
): { tools: readonly FunctionTool[]; choice: string | undefined } {
  if (choice === undefined) return { tools, choice: undefined };
  if (choice === "auto" || choice === "none") return { tools, choice };
  if (choice === "required") return { tools, choice: "any" };
  const named = tools.filter((tool) => tool.function.name === choice.function.name);
  if (named.length === 0) {
    throw new RequestValidationError(
      `tool_choice names ${choice.function.name}, which is not among the tools`,
      {
        param: "tool_choice",
        model,
      },
    );
  }
  return { tools: named, choice: "any" };
}

export const mistralChatCodec: MessagesCodec = {
  encode(chat, body, { mapping, model }) {
    const messages: NativeMessage[] = [];
    if (chat.system.length > 0) {
      if (mapping.system) writePointer(body, mapping.system, chat.system.join("\n\n"));
      else messages.push({ role: "system", content: chat.system.join("\n\n") });
    }
    for (const turn of chat.turns) messages.push(...encodeTurn(turn, model.id));
    writePointer(body, mapping.messages!, messages);
    if (chat.tools.length > 0 && mapping.tools) {
      const { tools, choice } = encodeToolChoice(chat.toolChoice, chat.tools, model.id);
      writePointer(body, mapping.tools, encodeFunctionTools(tools, { keepStrict: false }));
      if (choice !== undefined && mapping.tool_choice) writePointer(body, mapping.tool_choice, choice);
    }
  },

  decode(content) {
    if (content === null || typeof content !== "object") {
      throw new ResponseParseError("the Mistral response has no choices[0].message");
    }
    const message = content as { content?: unknown; tool_calls?: unknown };
    let text = "";
    if (typeof message.content === "string") text = message.content;
    else if (Array.isArray(message.content)) {
      text = message.content
        .map((part) => (part && typeof part === "object" && "text" in part ? String(part.text ?? "") : ""))
        .join("");
    }
    const toolCalls = (Array.isArray(message.tool_calls) ? message.tool_calls : []).map((call, index) => {
      const native = call as { id?: unknown; function?: { name?: unknown; arguments?: unknown } };
      const args = native.function?.arguments;
      return {
        id: typeof native.id === "string" && native.id !== "" ? native.id : `call_${index}`,
        name: String(native.function?.name ?? ""),
        arguments: typeof args === "string" ? args : JSON.stringify(args ?? {}),
      };
    });
    return { text, toolCalls, reasoning: [] } satisfies DecodedMessage;
  },
};
