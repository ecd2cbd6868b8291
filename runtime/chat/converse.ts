/**
 * The Converse route: one request and response shape for every model that supports it.
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html
 */
import type {
  ContentBlock as ConverseBlock,
  ConverseCommandInput,
  ConverseCommandOutput,
  ToolChoice as ConverseToolChoice,
  Message,
  SystemContentBlock,
  Tool,
  ToolResultContentBlock,
} from "@aws-sdk/client-bedrock-runtime";
import type { FinishReasonMap, ParamTable } from "../../generated/spec-types.js";
import { RequestValidationError } from "../errors.js";
import type { GuardrailConfig, ThinkingBlock } from "../types.js";
import type {
  CacheMark,
  ContentBlock,
  DecodedMessage,
  DocumentBlock,
  ImageBlock,
  NormalizedChat,
  SystemBlock,
  Turn,
} from "./model.js";

/**
 * The Converse API's own inference fields, used for models the catalog does not know
 * (catalog models use their spec's `converse.params`).
 */
export const genericConverseParams: ParamTable = {
  max_tokens: { to: "/inferenceConfig/maxTokens", min: 1 },
  max_completion_tokens: { to: "/inferenceConfig/maxTokens", min: 1 },
  temperature: { to: "/inferenceConfig/temperature" },
  top_p: { to: "/inferenceConfig/topP" },
  stop: { to: "/inferenceConfig/stopSequences", as: "array" },
  // Converse's own tool members (toolConfig), for models the catalog does not know.
  tools: { policy: "map" },
  tool_choice: { policy: "map" },
  response_format: { policy: "map" },
};

/** Converse's stop reasons (the same for every model). */
export const converseFinishReasons: FinishReasonMap = {
  from: "/stopReason",
  map: {
    end_turn: "stop",
    stop_sequence: "stop",
    max_tokens: "length",
    model_context_window_exceeded: "length",
    tool_use: "tool_calls",
    guardrail_intervened: "content_filter",
    content_filtered: "content_filter",
  },
};

function mediaBlock(block: ImageBlock | DocumentBlock): ConverseBlock {
  const source = block.s3Uri === undefined ? { bytes: block.bytes } : { s3Location: { uri: block.s3Uri } };
  if (block.kind === "image") {
    return { image: { format: block.format as "png", source } };
  }
  return { document: { format: block.format as "pdf", name: block.name, source } };
}

/** Converse's cache checkpoint, placed after the cached block (system, message content or tools). */
function cachePointOf(cache: CacheMark): { type: "default"; ttl?: "5m" | "1h" } {
  return cache.ttl ? { type: "default", ttl: cache.ttl } : { type: "default" };
}

function toConverseBlock(block: ContentBlock): ConverseBlock {
  switch (block.kind) {
    case "text":
      // https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-use-converse-api.html
      return block.guard ? { guardContent: { text: { text: block.text } } } : { text: block.text };
    case "image":
    case "document":
      return mediaBlock(block);
    case "audio":
      return { audio: { format: block.format as "wav", source: { bytes: block.bytes } } };
    case "tool_call":
      return { toolUse: { toolUseId: block.id, name: block.name, input: block.input as never } };
    case "tool_result":
      return {
        toolResult: {
          toolUseId: block.toolCallId,
          content: block.content.map(
            (part): ToolResultContentBlock =>
              part.kind === "text" ? { text: part.text } : (mediaBlock(part) as ToolResultContentBlock),
          ),
        },
      };
    case "reasoning":
      if (block.redacted !== undefined)
        return { reasoningContent: { redactedContent: Buffer.from(block.redacted, "base64") } };
      // Unsigned reasoning (Nova 2's answers, or text a caller wrote) goes back as text, as LiteLLM sends it:
      // Bedrock verifies a reasoningText's signature.
      if (block.signature === undefined || block.signature === "") return { text: block.text ?? "" };
      return { reasoningContent: { reasoningText: { text: block.text ?? "", signature: block.signature } } };
  }
}

/** An unsigned reasoning block without text would be a blank text block, which Bedrock refuses. */
function isSendable(block: ContentBlock): boolean {
  return !(block.kind === "reasoning" && block.redacted === undefined && !block.signature && !block.text);
}

interface ConverseBuildOptions {
  readonly model: string;
  readonly supportsSystem: boolean;
  readonly guardrail: GuardrailConfig | undefined;
}

/** A turn's blocks in Converse form, each cached block followed by its cachePoint. */
function appendConverseBlocks(content: ConverseBlock[], turn: Turn): void {
  for (const block of turn.content) {
    if (!isSendable(block)) continue;
    content.push(toConverseBlock(block));
    if ("cache" in block && block.cache) content.push({ cachePoint: cachePointOf(block.cache) });
  }
}

/** A pre-fill ends without trailing whitespace (Claude rejects it); cache points after it stay. */
function trimPrefill(messages: Message[]): void {
  const content = messages[messages.length - 1]!.content!;
  for (let index = content.length - 1; index >= 0; index--) {
    const block = content[index]!;
    if ("cachePoint" in block && block.cachePoint) continue;
    if ("text" in block && typeof block.text === "string") content[index] = { text: block.text.trimEnd() };
    return;
  }
}

/** Converse's system blocks: each system message (or part of one), each cached one followed by its cachePoint. */
function buildSystemBlocks(chat: NormalizedChat): SystemContentBlock[] {
  const blocks: readonly SystemBlock[] = chat.systemBlocks ?? chat.system.map((text) => ({ text }));
  const system: SystemContentBlock[] = [];
  for (const block of blocks) {
    system.push({ text: block.text });
    if (block.cache) system.push({ cachePoint: cachePointOf(block.cache) });
  }
  return system;
}

/** Writes messages, system, tools and guardrails of a normalized chat into a Converse request. */
export function buildConverseMessages(
  chat: NormalizedChat,
  input: Partial<ConverseCommandInput>,
  options: ConverseBuildOptions,
): void {
  const messages: Message[] = [];
  for (const turn of chat.turns) {
    const role = turn.role === "assistant" ? "assistant" : "user";
    const last = messages[messages.length - 1];
    const content = last && last.role === role ? last.content! : [];
    appendConverseBlocks(content, turn);
    if (content !== last?.content) messages.push({ role, content });
  }
  if (chat.prefill) trimPrefill(messages);
  input.messages = messages;
  if (chat.system.length > 0) {
    if (!options.supportsSystem) {
      throw new RequestValidationError(
        `${options.model} does not accept system messages through Converse; put the instructions in the first user message`,
        { param: "messages", model: options.model },
      );
    }
    input.system = buildSystemBlocks(chat);
  }
  const usesTools = chat.turns.some((turn) =>
    turn.content.some((block) => block.kind === "tool_call" || block.kind === "tool_result"),
  );
  if (chat.tools.length > 0 && (chat.toolChoice !== "none" || usesTools)) {
    const tools: Tool[] = [];
    chat.tools.forEach((tool, index) => {
      tools.push({
        toolSpec: {
          name: tool.function.name,
          ...(tool.function.description ? { description: tool.function.description } : {}),
          inputSchema: { json: (tool.function.parameters ?? { type: "object", properties: {} }) as never },
        },
      });
      const cache = chat.toolCache?.get(index);
      if (cache) tools.push({ cachePoint: cachePointOf(cache) });
    });
    const choice = chat.toolChoice;
    let toolChoice: ConverseToolChoice | undefined;
    if (choice === "auto") toolChoice = { auto: {} };
    else if (choice === "required") toolChoice = { any: {} };
    else if (typeof choice === "object") toolChoice = { tool: { name: choice.function.name } };
    input.toolConfig = { tools, ...(toolChoice ? { toolChoice } : {}) };
  }
  if (options.guardrail) {
    input.guardrailConfig = {
      guardrailIdentifier: options.guardrail.guardrailIdentifier,
      guardrailVersion: options.guardrail.guardrailVersion,
      ...(options.guardrail.trace ? { trace: options.guardrail.trace } : {}),
    };
  }
}

/** Reads the assistant message of a Converse response. */
export function decodeConverseOutput(output: ConverseCommandOutput): DecodedMessage {
  let text = "";
  const toolCalls: { id: string; name: string; arguments: string }[] = [];
  const reasoning: ThinkingBlock[] = [];
  for (const block of output.output?.message?.content ?? []) {
    if (typeof block.text === "string") text += block.text;
    else if (block.toolUse) {
      toolCalls.push({
        id: block.toolUse.toolUseId ?? "",
        name: block.toolUse.name ?? "",
        arguments: JSON.stringify(block.toolUse.input ?? {}),
      });
    } else if (block.reasoningContent) {
      const content = block.reasoningContent;
      if (content.reasoningText) {
        reasoning.push({
          type: "thinking",
          thinking: content.reasoningText.text ?? "",
          signature: content.reasoningText.signature,
        });
      } else if (content.redactedContent) {
        reasoning.push({
          type: "redacted_thinking",
          data: Buffer.from(content.redactedContent).toString("base64"),
        });
      }
    }
  }
  return { text, toolCalls, reasoning };
}
