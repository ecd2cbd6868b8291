/**
 * The `flat` stream codec: families whose stream chunks repeat the response's fields (Llama, Titan Text,
 * Mistral, Cohere Command, DeepSeek R1, Claude text completions). The spec's `stream` pointers are read
 * from every chunk.
 */
import type { FinishReasonMap, UsageMap } from "../../../generated/spec-types.js";
import type { StreamEvent } from "../../chat/model.js";
import { readPointer } from "../../pointer.js";
import { ReasoningSplitter } from "../openai/reasoning.js";
import type { CodecUnit, StreamCodec } from "../types.js";

function readNumber(chunk: unknown, source: UsageMap[keyof UsageMap]): number | undefined {
  if (typeof source !== "string") return undefined;
  const value = readPointer(chunk, source);
  return typeof value === "number" ? value : undefined;
}

const flatStream: StreamCodec = {
  createDecoder(mapping, response) {
    const textPointer = mapping.text!;
    const choicePointer = mapping.choice;
    const usage = mapping.usage;
    // Reasoning between tags in the text (DeepSeek-R1's `</think>`), split however the chunks cut the tags.
    const tags = response?.reasoning?.tags;
    const splitter = tags ? new ReasoningSplitter(tags, response.reasoning?.opened_by_prompt) : undefined;
    return (chunk) => {
      const events: StreamEvent[] = [];
      // Chunks of a further generation (n > 1) carry its choice; the first one's stay untagged.
      const index = choicePointer ? readPointer(chunk, choicePointer) : undefined;
      const choice = typeof index === "number" && index > 0 ? index : undefined;
      let text = readPointer(chunk, textPointer);
      let finish: FinishReasonMap | undefined = mapping.finish_reason;
      // Without the streaming flag some families send the whole unary response as a single chunk.
      if (text === undefined && response?.text !== undefined) {
        const whole = readPointer(chunk, response.text);
        if (typeof whole === "string") {
          text = whole;
          finish = response.finish_reason;
        }
      }
      if (text === undefined && response?.text_fallback !== undefined)
        text = readPointer(chunk, response.text_fallback);
      if (typeof text === "string" && text !== "") {
        if (splitter) events.push(...splitter.push(text));
        else events.push(choice === undefined ? { kind: "text", text } : { kind: "text", text, choice });
      }
      if (usage) {
        const promptTokens = readNumber(chunk, usage.prompt_tokens);
        const completionTokens = readNumber(chunk, usage.completion_tokens);
        if (promptTokens !== undefined || completionTokens !== undefined)
          events.push({ kind: "usage", promptTokens, completionTokens });
      }
      if (finish && typeof finish.from === "string") {
        const reason = readPointer(chunk, finish.from);
        if (reason !== undefined && reason !== null && reason !== "") {
          if (splitter) events.push(...splitter.flush());
          events.push(
            choice === undefined
              ? { kind: "finish", reason: String(reason) }
              : { kind: "finish", reason: String(reason), choice },
          );
        }
      }
      return events;
    };
  },
};

export const flat: CodecUnit<"flat"> = { stream: flatStream };
