/**
 * Reasoning of OpenAI-chat-like models, where the spec says it travels (`chat.response.reasoning`): in a
 * field of the message or delta (`reasoning_content`, as DeepSeek's API sends it:
 * https://api-docs.deepseek.com/guides/reasoning_model), or at the start of the text between tags
 * (gpt-oss on InvokeModel writes `<reasoning>…</reasoning>`, docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-openai.html;
 * Kimi K2 Thinking the same, per LiteLLM's bedrock/chat/invoke_transformations/amazon_moonshot_transformation.py;
 * DeepSeek R1 style models `<think>…</think>`). With `implicit_open` the prompt has opened the block
 * (DeepSeek-R1's template ends with `<think>`), so the text starts inside it: everything before the first
 * closing tag is reasoning, as LiteLLM splits it (bedrock/chat/invoke_transformations/
 * amazon_deepseek_transformation.py); flat text answers and streams read these tags too.
 */
import type { ReasoningCarriage } from "../../../generated/spec-types.js";
import type { StreamEvent } from "../../chat/model.js";

export type ReasoningTags = NonNullable<ReasoningCarriage["tags"]>;

/**
 * Splits a leading `open…close` block (after any whitespace) from the answer text. With `implicit_open` the
 * block needs no opening tag: the text up to the first closing tag is reasoning (all of it when the block
 * never closes), and a leading opening tag is skipped.
 */
export function splitReasoning(text: string, tags: ReasoningTags): { reasoning: string; text: string } {
  const trimmed = text.trimStart();
  const opened = trimmed.startsWith(tags.open);
  if (!opened && !tags.implicit_open) return { reasoning: "", text };
  const inside = opened ? trimmed.slice(tags.open.length) : text;
  const end = inside.indexOf(tags.close);
  if (end === -1) return { reasoning: inside, text: "" };
  return { reasoning: inside.slice(0, end), text: inside.slice(end + tags.close.length) };
}

/**
 * Splits the tagged reasoning of a whole answer text (flat answers); an answer whose prompt opened the block
 * (`opened_by_prompt`) starts inside it, as LiteLLM reads DeepSeek-R1 answers: "<think>" + text, then split.
 */
export function splitReasoningText(
  text: string,
  carriage: ReasoningCarriage | undefined,
): { reasoning: string; text: string } {
  const tags = carriage?.tags;
  if (!tags) return { reasoning: "", text };
  return splitReasoning(carriage.opened_by_prompt ? tags.open + text : text, tags);
}

/** The reasoning text in the carriage's field of a message or delta ("" when absent). */
export function readReasoningField(
  source: Record<string, unknown>,
  carriage: ReasoningCarriage | undefined,
): string {
  if (!carriage?.field) return "";
  const value = source[carriage.field];
  return typeof value === "string" ? value : "";
}

/** Reads the reasoning and the answer of a whole message text (and its fields). */
export function separateReasoning(
  message: Record<string, unknown>,
  text: string,
  carriage: ReasoningCarriage | undefined,
): { reasoning: string; text: string } {
  const split = carriage?.tags ? splitReasoning(text, carriage.tags) : { reasoning: "", text };
  return { reasoning: readReasoningField(message, carriage) || split.reasoning, text: split.text };
}

/** Length of the longest suffix of `text` that is a prefix of `tag` (a tag possibly split across chunks). */
function partialTagLength(text: string, tag: string): number {
  for (let length = Math.min(tag.length - 1, text.length); length > 0; length--) {
    if (text.endsWith(tag.slice(0, length))) return length;
  }
  return 0;
}

/**
 * Separates a tagged reasoning block at the start of streamed content from the answer, whatever the chunk
 * boundaries: text that may still turn into a tag is held back until the next delta decides it. Without
 * tags every delta is answer text.
 */
export class ReasoningSplitter {
  private state: "start" | "reasoning" | "answer";
  private held = "";

  /** `openedByPrompt`: the prompt ended with the open tag, so the text starts inside the reasoning. */
  constructor(
    private readonly tags: ReasoningTags | undefined,
    openedByPrompt = false,
  ) {
    this.state = tags ? (openedByPrompt ? "reasoning" : "start") : "answer";
  }

  push(delta: string): StreamEvent[] {
    this.held += delta;
    const events: StreamEvent[] = [];
    if (this.state === "start" && !this.leaveStart()) return events;
    if (this.state === "reasoning") {
      const close = this.tags!.close;
      const end = this.held.indexOf(close);
      if (end === -1) {
        const keep = partialTagLength(this.held, close);
        const ready = this.held.slice(0, this.held.length - keep);
        if (ready !== "") events.push({ kind: "reasoning", text: ready });
        this.held = this.held.slice(this.held.length - keep);
        return events;
      }
      if (end > 0) events.push({ kind: "reasoning", text: this.held.slice(0, end) });
      this.held = this.held.slice(end + close.length);
      this.state = "answer";
    }
    if (this.held !== "") events.push({ kind: "text", text: this.held });
    this.held = "";
    return events;
  }

  /**
   * Decides whether the content opens with the tag (or, with `implicit_open`, starts inside the block);
   * false while the text held so far cannot tell.
   */
  private leaveStart(): boolean {
    const { open, implicit_open } = this.tags!;
    const trimmed = this.held.trimStart();
    if (trimmed === "" || (open.startsWith(trimmed) && trimmed.length < open.length)) return false;
    if (trimmed.startsWith(open)) {
      this.state = "reasoning";
      this.held = trimmed.slice(open.length);
    } else {
      this.state = implicit_open ? "reasoning" : "answer";
    }
    return true;
  }

  /** Whatever is still held when the stream ends: an unterminated block is released as reasoning. */
  flush(): StreamEvent[] {
    const rest = this.held;
    this.held = "";
    if (rest === "") return [];
    const reasoning = this.state === "reasoning" || (this.state === "start" && this.tags?.implicit_open);
    return [reasoning ? { kind: "reasoning", text: rest } : { kind: "text", text: rest }];
  }
}
