/**
 * Cohere Command R / R+ chat bodies on Bedrock (Cohere's v1 chat shape): the last user turn is
 * `message`, earlier turns are `chat_history` (USER / CHATBOT / TOOL), tool results of the last
 * assistant turn are `tool_results` (with an empty `message`), function tools are
 * `parameter_definitions` with Python type names.
 * https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-cohere-command-r-plus.html
 * https://docs.cohere.com/v1/docs/streaming
 */
import type {
  ContentBlock,
  DecodedMessage,
  NormalizedChat,
  StreamEvent,
  ToolCallBlock,
  Turn,
} from "../../chat/model.js";
import { RequestValidationError, ResponseParseError } from "../../errors.js";
import { writePointer } from "../../pointer.js";
import type { FunctionTool } from "../../types.js";
import { addInvocationMetrics } from "../shared/invocation-metrics.js";
import { sendsTools } from "../shared/tools.js";
import type { CodecUnit, MessagesCodec, StreamCodec } from "../types.js";

type NativeObject = Record<string, unknown>;

interface ToolResult {
  readonly call: { readonly name: string; readonly parameters: Record<string, unknown> };
  readonly outputs: readonly NativeObject[];
}

/** Cohere names parameter types the Python way. */
function pythonType(schema: NativeObject | undefined): string {
  switch (schema?.type) {
    case "string":
      return "str";
    case "integer":
      return "int";
    case "number":
      return "float";
    case "boolean":
      return "bool";
    case "object":
      return "dict";
    case "array": {
      const items = schema.items as NativeObject | undefined;
      return items?.type ? `List[${pythonType(items)}]` : "list";
    }
    default:
      return "str";
  }
}

function encodeTool(tool: FunctionTool): NativeObject {
  const parameters = (tool.function.parameters ?? {}) as NativeObject;
  const properties = (parameters.properties ?? {}) as Record<string, NativeObject>;
  const required = new Set((parameters.required as string[] | undefined) ?? []);
  const definitions: Record<string, NativeObject> = {};
  for (const [name, property] of Object.entries(properties)) {
    definitions[name] = {
      ...(typeof property.description === "string" ? { description: property.description } : {}),
      type: pythonType(property),
      required: required.has(name),
    };
  }
  return {
    name: tool.function.name,
    description: tool.function.description ?? "",
    ...(Object.keys(definitions).length > 0 ? { parameter_definitions: definitions } : {}),
  };
}

function unsupportedBlock(block: ContentBlock, model: string): RequestValidationError {
  return new RequestValidationError(
    `${model} reads text only; a ${block.kind} part cannot be sent (documents go in the documents param)`,
    { param: "messages", model },
  );
}

function textOf(turn: Turn, model: string): string {
  const parts: string[] = [];
  for (const block of turn.content) {
    if (block.kind === "text") parts.push(block.text);
    else if (block.kind !== "tool_call" && block.kind !== "reasoning") throw unsupportedBlock(block, model);
  }
  return parts.join("\n");
}

/** A tool's output as Cohere wants it: a JSON object (or list of objects) as is, anything else as `{text}`. */
function encodeOutputs(text: string): NativeObject[] {
  try {
    const value = JSON.parse(text) as unknown;
    if (value !== null && typeof value === "object") {
      if (!Array.isArray(value)) return [value as NativeObject];
      if (value.every((item) => item !== null && typeof item === "object" && !Array.isArray(item)))
        return value as NativeObject[];
    }
  } catch {
    // not JSON: sent as text
  }
  return [{ text }];
}

function encodeToolResults(
  turn: Turn,
  calls: ReadonlyMap<string, ToolCallBlock>,
  model: string,
): ToolResult[] {
  const results: ToolResult[] = [];
  for (const block of turn.content) {
    if (block.kind !== "tool_result") {
      if (block.kind === "text") continue;
      throw unsupportedBlock(block, model);
    }
    const call = calls.get(block.toolCallId);
    if (!call) {
      throw new RequestValidationError(
        `the tool result for ${block.toolCallId} answers no tool call of an earlier assistant message`,
        { param: "messages", model },
      );
    }
    const text = block.content
      .map((part) => {
        if (part.kind !== "text") throw unsupportedBlock(part, model);
        return part.text;
      })
      .join("\n");
    results.push({ call: { name: call.name, parameters: call.input }, outputs: encodeOutputs(text) });
  }
  return results;
}

function encodeHistoryTurn(
  turn: Turn,
  calls: ReadonlyMap<string, ToolCallBlock>,
  model: string,
): NativeObject | undefined {
  if (turn.role === "user") return { role: "USER", message: textOf(turn, model) };
  if (turn.role === "tool") return { role: "TOOL", tool_results: encodeToolResults(turn, calls, model) };
  const toolCalls = turn.content
    .filter((block): block is ToolCallBlock => block.kind === "tool_call")
    .map((block) => ({ name: block.name, parameters: block.input }));
  return {
    role: "CHATBOT",
    message: textOf(turn, model),
    ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
  };
}

function splitConversation(chat: NormalizedChat, model: string) {
  const turns = chat.turns;
  let end = turns.length;
  while (end > 0 && turns[end - 1]!.role === "tool") end--;
  const last = turns[end - 1];
  if (end === turns.length) {
    if (last?.role !== "user") {
      throw new RequestValidationError(
        `${model} answers a user message or tool results; it cannot continue an assistant message`,
        { param: "messages", model },
      );
    }
    return { history: turns.slice(0, end - 1), message: textOf(last, model), trailingTools: [] as Turn[] };
  }
  return { history: turns.slice(0, end), message: "", trailingTools: turns.slice(end) };
}

const cohereChatMessages: MessagesCodec = {
  encode(chat, body, { mapping, model }) {
    if (chat.system.length > 0 && mapping.system)
      writePointer(body, mapping.system, chat.system.join("\n\n"));
    const calls = new Map<string, ToolCallBlock>();
    for (const turn of chat.turns)
      for (const block of turn.content) if (block.kind === "tool_call") calls.set(block.id, block);

    const { history, message, trailingTools } = splitConversation(chat, model.id);
    body.message = message;
    const chatHistory = history
      .map((turn) => encodeHistoryTurn(turn, calls, model.id))
      .filter((turn): turn is NativeObject => turn !== undefined);
    if (chatHistory.length > 0) writePointer(body, mapping.messages!, chatHistory);
    const toolResults = trailingTools.flatMap((turn) => encodeToolResults(turn, calls, model.id));
    if (toolResults.length > 0) body.tool_results = toolResults;

    if (sendsTools(chat, mapping)) {
      writePointer(body, mapping.tools, chat.tools.map(encodeTool));
    }
  },

  decode(content, body) {
    if (typeof content !== "string") throw new ResponseParseError("the Command R response has no text");
    const generation = typeof body.generation_id === "string" ? body.generation_id : "cohere";
    const toolCalls = ((body.tool_calls as NativeObject[] | undefined) ?? []).map((call, index) => ({
      id: `call_${generation}_${index}`,
      name: String(call.name ?? ""),
      arguments: JSON.stringify(call.parameters ?? {}),
    }));
    return { text: content, toolCalls, reasoning: [] } satisfies DecodedMessage;
  },
};

/**
 * Cohere's v1 stream events, one per chunk: stream-start, text-generation, tool-calls-generation
 * (the complete calls; the partial tool-calls-chunk events are skipped), stream-end (finish reason).
 */
const cohereChatStream: StreamCodec = {
  createDecoder() {
    let generation = "cohere";
    let toolCount = 0;
    return (chunk) => {
      const events: StreamEvent[] = [];
      switch (chunk.event_type) {
        case "stream-start":
          if (typeof chunk.generation_id === "string") generation = chunk.generation_id;
          events.push({ kind: "start", id: generation });
          break;
        case "text-generation":
          if (typeof chunk.text === "string" && chunk.text !== "")
            events.push({ kind: "text", text: chunk.text });
          break;
        case "tool-calls-generation":
          for (const call of (chunk.tool_calls as NativeObject[] | undefined) ?? []) {
            const block = toolCount++;
            events.push({
              kind: "tool_start",
              block,
              id: `call_${generation}_${block}`,
              name: String(call.name ?? ""),
            });
            events.push({ kind: "tool_delta", block, arguments: JSON.stringify(call.parameters ?? {}) });
          }
          break;
        case "stream-end":
          events.push({
            kind: "finish",
            reason: typeof chunk.finish_reason === "string" ? chunk.finish_reason : null,
          });
          break;
      }
      addInvocationMetrics(chunk, events);
      return events;
    };
  },
};

export const cohereChat: CodecUnit<"cohere-chat"> = {
  messages: cohereChatMessages,
  stream: cohereChatStream,
};
