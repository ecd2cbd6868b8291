/**
 * Chat completion chunks as the Responses streaming events, in the order OpenAI sends them
 * (https://platform.openai.com/docs/api-reference/responses-streaming): `response.created`,
 * `response.in_progress`, then per output item `output_item.added`, its content part and deltas, their
 * `.done` events and `output_item.done`, and last `response.completed` (or `response.incomplete`).
 * The event shapes are the `openai` package's `ResponseStreamEvent` members.
 */
import type { ChatCompletionChunk, FinishReason, ThinkingBlock, Usage } from "../types.js";
import {
  buildEmptyResponse,
  buildMessageItem,
  buildReasoningItem,
  convertUsage,
  createItemId,
  outputTextOf,
  type ResponseContext,
  responseErrorCode,
  statusOf,
} from "./response.js";
import type {
  Response,
  ResponseFunctionCall,
  ResponseOutputItem,
  ResponseOutputMessage,
  ResponseReasoningItem,
  ResponseStreamEvent,
} from "./types.js";

type Unsequenced<T> = T extends unknown ? Omit<T, "sequence_number"> : never;

interface OpenText {
  readonly outputIndex: number;
  readonly item: ResponseOutputMessage;
  text: string;
}

interface OpenReasoning {
  readonly outputIndex: number;
  readonly item: ResponseReasoningItem;
  text: string;
}

interface OpenCall {
  readonly outputIndex: number;
  readonly item: ResponseFunctionCall;
}

/**
 * Turns one chat stream into Responses events. At most one message or reasoning item is open at a
 * time; function calls stay open until text or reasoning starts or the stream ends, so parallel calls
 * whose argument deltas interleave keep their own items.
 */
export class ResponseEventAssembler {
  private sequence = 0;
  private readonly output: ResponseOutputItem[] = [];
  private text: OpenText | undefined;
  private reasoning: OpenReasoning | undefined;
  private readonly calls = new Map<number, OpenCall>();
  private finish: FinishReason = "stop";
  private usage: Usage | undefined;

  constructor(private readonly context: ResponseContext) {}

  /** The sequence number the next event will carry. */
  get nextSequenceNumber(): number {
    return this.sequence;
  }

  private emit(events: ResponseStreamEvent[], event: Unsequenced<ResponseStreamEvent>): void {
    events.push({ ...event, sequence_number: this.sequence++ } as ResponseStreamEvent);
  }

  private snapshot(status: Response["status"]): Response {
    const response = buildEmptyResponse(this.context, status);
    response.output = this.output.map((item) => structuredClone(item));
    response.output_text = outputTextOf(this.output);
    return response;
  }

  /** `response.created` and `response.in_progress`. */
  start(): ResponseStreamEvent[] {
    const events: ResponseStreamEvent[] = [];
    this.emit(events, { type: "response.created", response: this.snapshot("in_progress") });
    this.emit(events, { type: "response.in_progress", response: this.snapshot("in_progress") });
    return events;
  }

  private addItem(events: ResponseStreamEvent[], item: ResponseOutputItem): number {
    const outputIndex = this.output.length;
    this.output.push(item);
    this.emit(events, {
      type: "response.output_item.added",
      output_index: outputIndex,
      item: structuredClone(item),
    });
    return outputIndex;
  }

  private openReasoning(events: ResponseStreamEvent[]): OpenReasoning {
    if (this.reasoning) return this.reasoning;
    this.closeText(events);
    this.closeCalls(events);
    const item = buildReasoningItem({ type: "thinking", thinking: "" }, "in_progress");
    item.content = [];
    const outputIndex = this.addItem(events, item);
    item.content.push({ type: "reasoning_text", text: "" });
    this.emit(events, {
      type: "response.content_part.added",
      item_id: item.id,
      output_index: outputIndex,
      content_index: 0,
      part: { type: "reasoning_text", text: "" },
    });
    this.reasoning = { outputIndex, item, text: "" };
    return this.reasoning;
  }

  private closeReasoning(events: ResponseStreamEvent[], signature?: string): void {
    const open = this.reasoning;
    if (!open) return;
    this.reasoning = undefined;
    const { item, outputIndex, text } = open;
    const common = { item_id: item.id, output_index: outputIndex, content_index: 0 };
    this.emit(events, { type: "response.reasoning_text.done", ...common, text });
    this.emit(events, {
      type: "response.content_part.done",
      ...common,
      part: { type: "reasoning_text", text },
    });
    item.content = [{ type: "reasoning_text", text }];
    if (signature) item.encrypted_content = signature;
    item.status = "completed";
    this.emit(events, {
      type: "response.output_item.done",
      output_index: outputIndex,
      item: structuredClone(item),
    });
  }

  private openText(events: ResponseStreamEvent[]): OpenText {
    if (this.text) return this.text;
    this.closeReasoning(events);
    this.closeCalls(events);
    const item = buildMessageItem("", "in_progress");
    item.content = [];
    const outputIndex = this.addItem(events, item);
    const part = { type: "output_text" as const, text: "", annotations: [], logprobs: [] };
    item.content.push(part);
    this.emit(events, {
      type: "response.content_part.added",
      item_id: item.id,
      output_index: outputIndex,
      content_index: 0,
      part: { ...part },
    });
    this.text = { outputIndex, item, text: "" };
    return this.text;
  }

  private closeText(events: ResponseStreamEvent[]): void {
    const open = this.text;
    if (!open) return;
    this.text = undefined;
    const { item, outputIndex, text } = open;
    const common = { item_id: item.id, output_index: outputIndex, content_index: 0 };
    this.emit(events, { type: "response.output_text.done", ...common, text, logprobs: [] });
    const part = { type: "output_text" as const, text, annotations: [], logprobs: [] };
    this.emit(events, { type: "response.content_part.done", ...common, part });
    item.content = [{ ...part }];
    item.status = this.finish === "length" ? "incomplete" : "completed";
    this.emit(events, {
      type: "response.output_item.done",
      output_index: outputIndex,
      item: structuredClone(item),
    });
  }

  private closeCalls(events: ResponseStreamEvent[]): void {
    for (const { item, outputIndex } of this.calls.values()) {
      this.emit(events, {
        type: "response.function_call_arguments.done",
        item_id: item.id,
        output_index: outputIndex,
        name: item.name,
        arguments: item.arguments,
      });
      item.status = "completed";
      this.emit(events, {
        type: "response.output_item.done",
        output_index: outputIndex,
        item: structuredClone(item),
      });
    }
    this.calls.clear();
  }

  private pushThinkingBlock(events: ResponseStreamEvent[], block: ThinkingBlock): void {
    if (block.type === "redacted_thinking") {
      this.closeReasoning(events);
      this.closeText(events);
      this.closeCalls(events);
      const item = buildReasoningItem(block, "completed");
      const outputIndex = this.addItem(events, item);
      this.emit(events, {
        type: "response.output_item.done",
        output_index: outputIndex,
        item: structuredClone(item),
      });
      return;
    }
    // A thinking block arrives whole once its signature is known: it closes the reasoning streamed so far.
    if (!this.reasoning && block.thinking) {
      const open = this.openReasoning(events);
      open.text = block.thinking;
    }
    this.closeReasoning(events, block.signature);
  }

  /** Events for one chat chunk. */
  push(chunk: ChatCompletionChunk): ResponseStreamEvent[] {
    const events: ResponseStreamEvent[] = [];
    if (chunk.usage) this.usage = chunk.usage;
    const choice = chunk.choices[0];
    if (!choice) return events;
    const delta = choice.delta;
    if (delta.reasoning_content) {
      const open = this.openReasoning(events);
      open.text += delta.reasoning_content;
      this.emit(events, {
        type: "response.reasoning_text.delta",
        item_id: open.item.id,
        output_index: open.outputIndex,
        content_index: 0,
        delta: delta.reasoning_content,
      });
    }
    for (const block of delta.thinking_blocks ?? []) this.pushThinkingBlock(events, block);
    if (delta.content) {
      const open = this.openText(events);
      open.text += delta.content;
      this.emit(events, {
        type: "response.output_text.delta",
        item_id: open.item.id,
        output_index: open.outputIndex,
        content_index: 0,
        delta: delta.content,
        logprobs: [],
      });
    }
    for (const call of delta.tool_calls ?? []) {
      let open = this.calls.get(call.index);
      if (!open && call.id !== undefined) {
        this.closeReasoning(events);
        this.closeText(events);
        const item: ResponseFunctionCall = {
          id: createItemId("fc"),
          type: "function_call",
          call_id: call.id,
          name: call.function?.name ?? "",
          arguments: "",
          status: "in_progress",
        };
        open = { outputIndex: this.addItem(events, item), item };
        this.calls.set(call.index, open);
      }
      const piece = call.function?.arguments;
      if (!open || !piece) continue;
      open.item.arguments += piece;
      this.emit(events, {
        type: "response.function_call_arguments.delta",
        item_id: open.item.id,
        output_index: open.outputIndex,
        delta: piece,
      });
    }
    if (choice.finish_reason) this.finish = choice.finish_reason;
    return events;
  }

  /** Closes every open item, then `response.completed` (or `response.incomplete` when cut short). */
  end(): ResponseStreamEvent[] {
    const events: ResponseStreamEvent[] = [];
    this.closeReasoning(events);
    this.closeCalls(events);
    // A stream with no output at all still answers one (empty) message, as the unary response does.
    if (this.output.length === 0) this.openText(events);
    this.closeText(events);
    const response = this.snapshot("completed");
    Object.assign(response, statusOf(this.finish));
    response.completed_at = Math.floor(Date.now() / 1000);
    if (this.usage) response.usage = convertUsage(this.usage);
    this.emit(events, {
      type: response.status === "incomplete" ? "response.incomplete" : "response.completed",
      response,
    });
    return events;
  }

  /** `response.failed`, carrying the error and the output finished so far. */
  fail(error: unknown): ResponseStreamEvent[] {
    const events: ResponseStreamEvent[] = [];
    const response = this.snapshot("failed");
    response.output = response.output.filter((item) => item.status !== "in_progress");
    response.output_text = outputTextOf(response.output);
    response.error = {
      code: responseErrorCode(error),
      message: error instanceof Error ? error.message : String(error),
    };
    this.emit(events, { type: "response.failed", response });
    return events;
  }
}
