import type { FinishReasonMap, PriceFields } from "../../generated/spec-types.js";
import { computeChatCost } from "../cost.js";
import type {
  ChatCompletion,
  ChatCompletionChunk,
  FinishReason,
  ProviderFields,
  ThinkingBlock,
  ToolCall,
  ToolCallDelta,
  Usage,
} from "../types.js";
import type { DecodedMessage, StreamEvent } from "./model.js";
import { restoreToolName } from "./tool-names.js";

/** The OpenAI finish_reason for a native stop reason, through the spec's table. */
export function mapFinishReason(
  native: unknown,
  map: FinishReasonMap | undefined,
  hasToolCalls: boolean,
): FinishReason {
  const key = native === null || native === undefined ? "null" : String(native);
  const mapped = map?.map[key];
  if (mapped) return mapped;
  if (hasToolCalls) return "tool_calls";
  return map?.default ?? "stop";
}

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
}

/** OpenAI usage (prompt tokens include cached tokens, as OpenAI counts them) with the cost from the catalog price. */
export function buildUsage(tokens: TokenUsage, price: PriceFields | undefined): Usage {
  const cacheRead = tokens.cacheReadTokens ?? 0;
  const cacheWrite = tokens.cacheWriteTokens ?? 0;
  const prompt = tokens.promptTokens + cacheRead + cacheWrite;
  const usage: Usage = {
    prompt_tokens: prompt,
    completion_tokens: tokens.completionTokens,
    total_tokens: prompt + tokens.completionTokens,
    cost: computeChatCost(price, {
      inputTokens: tokens.promptTokens,
      outputTokens: tokens.completionTokens,
      cacheReadTokens: cacheRead,
      cacheWriteTokens: cacheWrite,
    }),
  };
  if (cacheRead > 0 || cacheWrite > 0) {
    usage.prompt_tokens_details = {
      cached_tokens: cacheRead,
      ...(cacheWrite > 0 ? { cache_write_tokens: cacheWrite } : {}),
    };
  }
  return usage;
}

/** The name of the tool that carries JSON output for models without a native JSON mode. */
export const jsonToolName = "json_tool_call";

export interface CompletionMeta {
  readonly id: string;
  readonly model: string;
  readonly created: number;
  /** JSON output was requested through a forced tool: its arguments become the content. */
  readonly jsonTool: boolean;
  /** Tool names rewritten for the wire → the caller's names. */
  readonly toolNames?: ReadonlyMap<string, string>;
}

export function completionId(): string {
  return `chatcmpl-${crypto.randomUUID().replaceAll("-", "")}`;
}

/** Turns a decoded native response into an OpenAI chat completion. */
export function buildCompletion(
  decoded: DecodedMessage,
  finishReason: FinishReason,
  usage: Usage,
  meta: CompletionMeta,
  providerFields: ProviderFields,
): ChatCompletion {
  let text = decoded.text;
  let toolCalls: ToolCall[] = decoded.toolCalls.map((call) => ({
    id: call.id,
    type: "function",
    function: { name: restoreToolName(call.name, meta.toolNames), arguments: call.arguments },
  }));
  let finish = finishReason;
  if (meta.jsonTool) {
    const json = toolCalls.find((call) => call.function.name === jsonToolName);
    if (json) {
      text = json.function.arguments;
      toolCalls = toolCalls.filter((call) => call !== json);
      if (finish === "tool_calls" && toolCalls.length === 0) finish = "stop";
    }
  }
  const reasoningText = decoded.reasoning
    .map((block) => block.thinking ?? "")
    .filter(Boolean)
    .join("");
  return {
    id: meta.id,
    object: "chat.completion",
    created: meta.created,
    model: meta.model,
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: text === "" && toolCalls.length > 0 ? null : text,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
          ...(reasoningText ? { reasoning_content: reasoningText } : {}),
          ...(decoded.reasoning.length > 0 ? { thinking_blocks: [...decoded.reasoning] } : {}),
          refusal: null,
        },
        finish_reason: finish,
        logprobs: null,
      },
    ],
    usage,
    provider_specific_fields: providerFields,
  };
}

/**
 * Turns stream events into OpenAI chunks. Tool calls get OpenAI's indices (their order among tool
 * calls), whatever content-block index the native stream uses, so parallel calls stay apart.
 */
export class ChunkAssembler {
  private readonly toolIndexByBlock = new Map<number, number>();
  private readonly jsonBlocks = new Set<number>();
  private toolCount = 0;
  private started = false;
  private nativeFinish: string | null | undefined;
  private readonly tokens: TokenUsage = { promptTokens: 0, completionTokens: 0 };
  private guardrailTrace: unknown;
  private reasoningBlock: { thinking: string; signature?: string } | undefined;
  readonly reasoning: ThinkingBlock[] = [];
  /** Native finish reasons of the further choices (n > 1), by choice; they stream without role or tools. */
  private readonly furtherFinishes = new Map<number, string | null>();
  private readonly furtherStarted = new Set<number>();

  constructor(
    private readonly meta: CompletionMeta,
    private readonly finishMap: FinishReasonMap | undefined,
  ) {}

  private chunk(
    delta: ChatCompletionChunk["choices"][number]["delta"],
    finish: FinishReason | null = null,
  ): ChatCompletionChunk {
    if (!this.started) {
      this.started = true;
      delta = { role: "assistant", ...delta };
    }
    return {
      id: this.meta.id,
      object: "chat.completion.chunk",
      created: this.meta.created,
      model: this.meta.model,
      choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
    };
  }

  /** A chunk of a further choice (n > 1): its first delta names the role, as OpenAI streams several choices. */
  private furtherChunk(
    choice: number,
    delta: ChatCompletionChunk["choices"][number]["delta"],
    finish: FinishReason | null = null,
  ): ChatCompletionChunk {
    if (!this.furtherStarted.has(choice)) {
      this.furtherStarted.add(choice);
      if (!this.furtherFinishes.has(choice)) this.furtherFinishes.set(choice, null);
      delta = { role: "assistant", ...delta };
    }
    return {
      id: this.meta.id,
      object: "chat.completion.chunk",
      created: this.meta.created,
      model: this.meta.model,
      choices: [{ index: choice, delta, finish_reason: finish, logprobs: null }],
    };
  }

  /** Chunks for one batch of events (often none: usage and stop events are held for the end). */
  push(events: readonly StreamEvent[]): ChatCompletionChunk[] {
    const chunks: ChatCompletionChunk[] = [];
    for (const event of events) {
      switch (event.kind) {
        case "start":
          if (!this.started) chunks.push(this.chunk({ content: "" }));
          break;
        case "text":
          if (event.choice) chunks.push(this.furtherChunk(event.choice, { content: event.text }));
          else chunks.push(this.chunk({ content: event.text }));
          break;
        case "reasoning":
          this.pushReasoning(event, chunks);
          break;
        case "tool_start":
          this.pushToolStart(event, chunks);
          break;
        case "tool_delta":
          this.pushToolDelta(event, chunks);
          break;
        case "finish":
          if (event.choice) this.furtherFinishes.set(event.choice, event.reason);
          else this.nativeFinish = event.reason;
          break;
        case "usage":
          this.recordUsage(event);
          break;
        case "guardrail":
          this.guardrailTrace = event.trace;
          break;
      }
    }
    return chunks;
  }

  /** Reasoning text as it comes; a block is complete (and kept for the next turn) when its signature arrives. */
  private pushReasoning(event: Extract<StreamEvent, { kind: "reasoning" }>, chunks: ChatCompletionChunk[]) {
    if (event.redacted !== undefined) {
      // Sent as a whole block, as LiteLLM streams it, so the caller can hand it back on the next turn.
      const block: ThinkingBlock = { type: "redacted_thinking", data: event.redacted };
      this.reasoning.push(block);
      chunks.push(this.chunk({ thinking_blocks: [{ ...block }] }));
      return;
    }
    this.reasoningBlock ??= { thinking: "" };
    if (event.text) {
      this.reasoningBlock.thinking += event.text;
      chunks.push(this.chunk({ reasoning_content: event.text }));
    }
    if (!event.signature) return;
    this.reasoningBlock.signature = (this.reasoningBlock.signature ?? "") + event.signature;
    const block: ThinkingBlock = {
      type: "thinking",
      thinking: this.reasoningBlock.thinking,
      signature: this.reasoningBlock.signature,
    };
    this.reasoning.push(block);
    chunks.push(this.chunk({ thinking_blocks: [{ ...block }] }));
    this.reasoningBlock = undefined;
  }

  /** A tool call opens with OpenAI's index for it; the forced JSON tool's block becomes content instead. */
  private pushToolStart(event: Extract<StreamEvent, { kind: "tool_start" }>, chunks: ChatCompletionChunk[]) {
    if (this.meta.jsonTool && event.name === jsonToolName) {
      this.jsonBlocks.add(event.block);
      return;
    }
    const index = this.toolCount++;
    this.toolIndexByBlock.set(event.block, index);
    const delta: ToolCallDelta = {
      index,
      id: event.id,
      type: "function",
      function: { name: restoreToolName(event.name, this.meta.toolNames), arguments: "" },
    };
    chunks.push(this.chunk({ tool_calls: [delta] }));
  }

  private pushToolDelta(event: Extract<StreamEvent, { kind: "tool_delta" }>, chunks: ChatCompletionChunk[]) {
    if (event.arguments === "") return;
    if (this.jsonBlocks.has(event.block)) {
      chunks.push(this.chunk({ content: event.arguments }));
      return;
    }
    const index = this.toolIndexByBlock.get(event.block);
    if (index === undefined) return;
    chunks.push(this.chunk({ tool_calls: [{ index, function: { arguments: event.arguments } }] }));
  }

  private recordUsage(event: Extract<StreamEvent, { kind: "usage" }>): void {
    if (event.promptTokens !== undefined) this.tokens.promptTokens = event.promptTokens;
    if (event.completionTokens !== undefined) this.tokens.completionTokens = event.completionTokens;
    if (event.cacheReadTokens !== undefined) this.tokens.cacheReadTokens = event.cacheReadTokens;
    if (event.cacheWriteTokens !== undefined) this.tokens.cacheWriteTokens = event.cacheWriteTokens;
  }

  get usageTokens(): TokenUsage {
    return this.tokens;
  }

  get finishReason(): FinishReason {
    let finish = mapFinishReason(this.nativeFinish, this.finishMap, this.toolCount > 0);
    if (finish === "tool_calls" && this.toolCount === 0 && this.jsonBlocks.size > 0) finish = "stop";
    return finish;
  }

  /** The closing chunks: the finish reason, then (when asked) a usage chunk with empty choices. */
  finish(options: {
    includeUsage: boolean;
    price: PriceFields | undefined;
    providerFields: ProviderFields;
  }): ChatCompletionChunk[] {
    const last = this.chunk({}, this.finishReason);
    const fields: ProviderFields = { ...options.providerFields, stop_reason: this.nativeFinish ?? null };
    if (this.guardrailTrace !== undefined) fields.guardrail_trace = this.guardrailTrace;
    last.provider_specific_fields = fields;
    const chunks = [last];
    for (const [choice, reason] of [...this.furtherFinishes].sort(([a], [b]) => a - b)) {
      // A stream may close every generation with one final chunk (Cohere's is_finished chunk has no index).
      chunks.push(
        this.furtherChunk(choice, {}, mapFinishReason(reason ?? this.nativeFinish, this.finishMap, false)),
      );
    }
    if (options.includeUsage) {
      chunks.push({
        id: this.meta.id,
        object: "chat.completion.chunk",
        created: this.meta.created,
        model: this.meta.model,
        choices: [],
        usage: buildUsage(this.tokens, options.price),
      });
    }
    return chunks;
  }
}
