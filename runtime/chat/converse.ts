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
import type { ContentBlock, DecodedMessage, DocumentBlock, ImageBlock, NormalizedChat } from "./model.js";

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

function toConverseBlock(block: ContentBlock): ConverseBlock {
  switch (block.kind) {
    case "text":
      return { text: block.text };
    case "image":
    case "document":
      return mediaBlock(block);
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
      return block.redacted !== undefined
        ? { reasoningContent: { redactedContent: Buffer.from(block.redacted, "base64") } }
        : { reasoningContent: { reasoningText: { text: block.text ?? "", signature: block.signature } } };
  }
}

interface ConverseBuildOptions {
  readonly model: string;
  readonly supportsSystem: boolean;
  readonly guardrail: GuardrailConfig | undefined;
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
    const content = turn.content.map(toConverseBlock);
    const last = messages[messages.length - 1];
    if (last && last.role === role) last.content!.push(...content);
    else messages.push({ role, content });
  }
  if (chat.prefill) {
    const lastMessage = messages[messages.length - 1]!;
    const lastBlock = lastMessage.content![lastMessage.content!.length - 1];
    if (lastBlock && "text" in lastBlock && typeof lastBlock.text === "string") {
      lastMessage.content![lastMessage.content!.length - 1] = { text: lastBlock.text.trimEnd() };
    }
  }
  input.messages = messages;
  if (chat.system.length > 0) {
    if (!options.supportsSystem) {
      throw new RequestValidationError(
        `${options.model} does not accept system messages through Converse; put the instructions in the first user message`,
        { param: "messages", model: options.model },
      );
    }
    input.system = chat.system.map((text): SystemContentBlock => ({ text }));
  }
  const usesTools = chat.turns.some((turn) =>
    turn.content.some((block) => block.kind === "tool_call" || block.kind === "tool_result"),
  );
  if (chat.tools.length > 0 && (chat.toolChoice !== "none" || usesTools)) {
    const tools: Tool[] = chat.tools.map((tool) => ({
      toolSpec: {
        name: tool.function.name,
        ...(tool.function.description ? { description: tool.function.description } : {}),
        inputSchema: { json: (tool.function.parameters ?? { type: "object", properties: {} }) as never },
      },
    }));
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
