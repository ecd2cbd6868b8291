import { renderPrompt } from "../chat/template.js";
import { RequestValidationError, ResponseParseError } from "../errors.js";
import { writePointer } from "../pointer.js";
import type { MessagesCodec } from "./types.js";

/** Text-completion families: the conversation becomes one prompt string rendered with the spec's template. */
export const templateCodec: MessagesCodec = {
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
