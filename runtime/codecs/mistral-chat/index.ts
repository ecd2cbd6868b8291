/**
 * Mistral AI chat completion bodies on Bedrock (Mistral Large 24.02/24.07, Pixtral Large).
 * https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-mistral-chat-completion.html
 *
 * Messages keep their system turns in the list; tool calls are `{id, function: {name, arguments}}`;
 * `tool_choice` is only `auto`, `any` or `none`, so a named choice is sent as `any` over that one tool.
 */
import type { DecodedMessage } from "../../chat/model.js";
import { RequestValidationError, ResponseParseError } from "../../errors.js";
import { writePointer } from "../../pointer.js";
import type { FunctionTool, ToolChoice } from "../../types.js";
import {
  decodeToolCalls,
  encodeFunctionTools,
  type MessageStyle,
  readMessageText,
  writeMessages,
} from "../shared/openai-chat.js";
import type { CodecUnit, MessagesCodec } from "../types.js";

/** Mistral's messages: system turns in the list, untyped tool calls, `""` content beside tool calls. */
const mistralStyle: MessageStyle = { form: "string", typedToolCalls: false, nullContentWithCalls: false };

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
  encode(chat, body, context) {
    const { mapping, model } = context;
    writeMessages(chat, body, context, mistralStyle);
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
