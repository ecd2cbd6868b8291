/**
 * The `template` codec of text-completion families: the conversation becomes one prompt string rendered
 * with the spec's prompt template; the answer is the text at the spec's `response.text`.
 */
import { RequestValidationError, ResponseParseError } from "../../errors.js";
import { writePointer } from "../../pointer.js";
import type { CodecUnit, MessagesCodec } from "../types.js";
import { renderPrompt } from "./render-prompt.js";

const templateMessages: MessagesCodec = {
  encode(chat, body, { mapping, model }) {
    if (chat.tools.length > 0) {
      throw new RequestValidationError(
        `${model.id} takes a text prompt on the invoke route and cannot use tools there; call it through Converse (bedrock/converse/${model.id}) where the model supports tools`,
        { param: "tools", model: model.id, code: "unsupported_param" },
      );
    }
    writePointer(body, mapping.prompt!, renderPrompt(chat, mapping.template!, model.id));
  },
  decode(content) {
    if (typeof content !== "string") throw new ResponseParseError("the response has no generated text");
    return { text: content, toolCalls: [], reasoning: [] };
  },
};

export const template: CodecUnit<"template"> = { messages: templateMessages };
