/**
 * Mistral AI chat completion bodies on Bedrock (Mistral Large 24.02/24.07, Pixtral Large).
 * https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-mistral-chat-completion.html
 *
 * Messages keep their system turns in the list; tool calls are `{id, function: {name, arguments}}`;
 * `tool_choice` is only `auto`, `any` or `none`, so a named choice is sent as `any` over that one tool.
 */
import type { DecodedMessage, Turn } from "../../chat/model.js";
import { RequestValidationError, ResponseParseError } from "../../errors.js";
import { writePointer } from "../../pointer.js";
import type { FunctionTool, ToolChoice } from "../../types.js";
import {
  decodeToolCalls,
  encodeFunctionTools,
  encodeUserContent,
  readMessageText,
  textOf,
} from "../shared/openai-chat.js";
import type { CodecUnit, MessagesCodec } from "../types.js";

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

const mistralChatMessages: MessagesCodec = {
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
    const text = readMessageText(message.content);
    const toolCalls = decodeToolCalls(message.tool_calls);
    return { text, toolCalls, reasoning: [] } satisfies DecodedMessage;
  },
};

/** Mistral chat streams are flat (`chat.stream.codec: flat`), so the unit has no stream part. */
export const mistralChat: CodecUnit<"mistral-chat"> = { messages: mistralChatMessages };
