/**
 * Chat completion chunks as Anthropic's stream events, in the order Claude sends them
 * (https://docs.anthropic.com/en/docs/build-with-claude/streaming): `message_start`, per content block
 * `content_block_start`, its deltas (`text_delta`, `thinking_delta` and `signature_delta`,
 * `input_json_delta`) and `content_block_stop`, then `message_delta` with the stop reason and usage,
 * and `message_stop`.
 */
import type { ChatCompletionChunk, FinishReason, ThinkingBlock, Usage } from "../types.js";
import { convertStopReason, convertUsage, createMessageId } from "./translate.js";
import type { AnthropicStreamEvent } from "./types.js";

type OpenBlock = { readonly index: number; readonly kind: "text" | "thinking" };

/**
 * Turns one chat stream into Anthropic events. One text or thinking block is open at a time; tool_use
 * blocks stay open until text or thinking starts or the stream ends, so parallel calls whose argument
 * deltas interleave keep their own blocks.
 */
export class AnthropicEventAssembler {
  private blockCount = 0;
  private open: OpenBlock | undefined;
  private readonly toolBlocks = new Map<number, number>();
  private finish: FinishReason = "stop";
  private nativeStop: unknown;
  private usage: Usage | undefined;

  constructor(private readonly model: string) {}

  /** `message_start`, with an empty message (usage is known at the end). */
  start(): AnthropicStreamEvent[] {
    return [
      {
        type: "message_start",
        message: {
          id: createMessageId(),
          type: "message",
          role: "assistant",
          model: this.model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: {
            input_tokens: 0,
            output_tokens: 0,
            cache_creation_input_tokens: null,
            cache_read_input_tokens: null,
          },
        },
      },
    ];
  }

  private closeOpen(events: AnthropicStreamEvent[]): void {
    if (!this.open) return;
    events.push({ type: "content_block_stop", index: this.open.index });
    this.open = undefined;
  }

  private closeTools(events: AnthropicStreamEvent[]): void {
    for (const index of this.toolBlocks.values()) events.push({ type: "content_block_stop", index });
    this.toolBlocks.clear();
  }

  private openBlock(events: AnthropicStreamEvent[], kind: OpenBlock["kind"]): number {
    if (this.open?.kind === kind) return this.open.index;
    this.closeOpen(events);
    this.closeTools(events);
    const index = this.blockCount++;
    events.push({
      type: "content_block_start",
      index,
      content_block:
        kind === "text" ? { type: "text", text: "" } : { type: "thinking", thinking: "", signature: "" },
    });
    this.open = { index, kind };
    return index;
  }

  private pushThinkingBlock(events: AnthropicStreamEvent[], block: ThinkingBlock): void {
    if (block.type === "redacted_thinking") {
      this.closeOpen(events);
      this.closeTools(events);
      const index = this.blockCount++;
      events.push({
        type: "content_block_start",
        index,
        content_block: { type: "redacted_thinking", data: block.data ?? "" },
      });
      events.push({ type: "content_block_stop", index });
      return;
    }
    // The whole block arrives once its signature is known: the thinking streamed so far gets the signature.
    const streamed = this.open?.kind === "thinking";
    const index = this.openBlock(events, "thinking");
    if (!streamed && block.thinking)
      events.push({
        type: "content_block_delta",
        index,
        delta: { type: "thinking_delta", thinking: block.thinking },
      });
    if (block.signature)
      events.push({
        type: "content_block_delta",
        index,
        delta: { type: "signature_delta", signature: block.signature },
      });
    this.closeOpen(events);
  }

  /** Events for one chat chunk. */
  push(chunk: ChatCompletionChunk): AnthropicStreamEvent[] {
    const events: AnthropicStreamEvent[] = [];
    if (chunk.usage) this.usage = chunk.usage;
    if (chunk.provider_specific_fields?.stop_reason !== undefined)
      this.nativeStop = chunk.provider_specific_fields.stop_reason;
    const choice = chunk.choices[0];
    if (!choice) return events;
    const delta = choice.delta;
    if (delta.reasoning_content) {
      const index = this.openBlock(events, "thinking");
      events.push({
        type: "content_block_delta",
        index,
        delta: { type: "thinking_delta", thinking: delta.reasoning_content },
      });
    }
    for (const block of delta.thinking_blocks ?? []) this.pushThinkingBlock(events, block);
    if (delta.content) {
      const index = this.openBlock(events, "text");
      events.push({ type: "content_block_delta", index, delta: { type: "text_delta", text: delta.content } });
    }
    for (const call of delta.tool_calls ?? []) {
      let index = this.toolBlocks.get(call.index);
      if (index === undefined && call.id !== undefined) {
        this.closeOpen(events);
        index = this.blockCount++;
        this.toolBlocks.set(call.index, index);
        events.push({
          type: "content_block_start",
          index,
          content_block: { type: "tool_use", id: call.id, name: call.function?.name ?? "", input: {} },
        });
      }
      const piece = call.function?.arguments;
      if (index === undefined || !piece) continue;
      events.push({
        type: "content_block_delta",
        index,
        delta: { type: "input_json_delta", partial_json: piece },
      });
    }
    if (choice.finish_reason) this.finish = choice.finish_reason;
    return events;
  }

  /** Closes the open blocks, then `message_delta` (stop reason, usage with cost) and `message_stop`. */
  end(): AnthropicStreamEvent[] {
    const events: AnthropicStreamEvent[] = [];
    this.closeOpen(events);
    this.closeTools(events);
    const usage = this.usage ? convertUsage(this.usage) : undefined;
    events.push({
      type: "message_delta",
      delta: { stop_reason: convertStopReason(this.finish, this.nativeStop), stop_sequence: null },
      usage: usage ?? { output_tokens: 0 },
    });
    events.push({ type: "message_stop" });
    return events;
  }
}
