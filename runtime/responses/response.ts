/**
 * Chat completions answered as Responses objects. Shapes: the `openai` package's `Response`,
 * `ResponseOutputMessage`, `ResponseFunctionToolCall`, `ResponseReasoningItem` and `ResponseUsage`.
 */
import { BedrockForgeError } from "../errors.js";
import type { ChatCompletion, FinishReason, ThinkingBlock, Usage } from "../types.js";
import type {
  Response,
  ResponseErrorCode,
  ResponseErrorEvent,
  ResponseFunctionCall,
  ResponseOutputItem,
  ResponseOutputMessage,
  ResponseReasoningItem,
  ResponseStatus,
  ResponseUsage,
} from "./types.js";

type Loose = Readonly<Record<string, unknown>>;

/** An id in OpenAI's style: a type prefix (`resp`, `msg`, `fc`, `rs`) and 48 hex digits. */
export function createItemId(prefix: "resp" | "msg" | "fc" | "rs"): string {
  return `${prefix}_${crypto.randomUUID().replaceAll("-", "")}${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
}

/** What a response echoes of its request, fixed when the call starts. */
export interface ResponseContext {
  readonly id: string;
  readonly createdAt: number;
  readonly model: string;
  readonly request: Loose;
}

export function createResponseContext(request: Loose, model: string): ResponseContext {
  return { id: createItemId("resp"), createdAt: Math.floor(Date.now() / 1000), model, request };
}

function echoTools(tools: unknown): Response["tools"] {
  if (!Array.isArray(tools)) return [];
  return tools.map((tool: Loose) => ({
    type: "function",
    name: String(tool.name),
    description: typeof tool.description === "string" ? tool.description : null,
    parameters: (tool.parameters as Record<string, unknown> | null | undefined) ?? null,
    strict: typeof tool.strict === "boolean" ? tool.strict : null,
  }));
}

function echoReasoning(reasoning: unknown): Response["reasoning"] {
  if (typeof reasoning !== "object" || reasoning === null) return null;
  const given = reasoning as Loose;
  return {
    effort: (given.effort as NonNullable<Response["reasoning"]>["effort"]) ?? null,
    summary: (given.summary as NonNullable<Response["reasoning"]>["summary"]) ?? null,
  };
}

/** The response object before any output: what `response.created` carries. */
export function buildEmptyResponse(context: ResponseContext, status: ResponseStatus): Response {
  const request = context.request;
  const text = request.text as { format?: Response["text"]["format"] } | undefined;
  const response: Response = {
    id: context.id,
    object: "response",
    created_at: context.createdAt,
    status,
    completed_at: null,
    error: null,
    incomplete_details: null,
    instructions: typeof request.instructions === "string" ? request.instructions : null,
    metadata: (request.metadata as Record<string, string> | null | undefined) ?? null,
    model: context.model,
    output: [],
    output_text: "",
    parallel_tool_calls: request.parallel_tool_calls !== false,
    temperature: typeof request.temperature === "number" ? request.temperature : null,
    top_p: typeof request.top_p === "number" ? request.top_p : null,
    max_output_tokens: typeof request.max_output_tokens === "number" ? request.max_output_tokens : null,
    tool_choice: (request.tool_choice as Response["tool_choice"] | undefined) ?? "auto",
    tools: echoTools(request.tools),
    text: { format: text?.format ?? { type: "text" } },
    reasoning: echoReasoning(request.reasoning),
    previous_response_id: null,
    store: false,
    background: false,
    truncation: request.truncation === "auto" ? "auto" : "disabled",
  };
  if (typeof request.user === "string") response.user = request.user;
  return response;
}

/** Chat usage as Responses usage: input tokens include cached ones in both APIs. */
export function convertUsage(usage: Usage): ResponseUsage {
  return {
    input_tokens: usage.prompt_tokens,
    input_tokens_details: {
      cached_tokens: usage.prompt_tokens_details?.cached_tokens ?? 0,
      cache_write_tokens: usage.prompt_tokens_details?.cache_write_tokens ?? 0,
    },
    output_tokens: usage.completion_tokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: usage.total_tokens,
    cost: usage.cost,
  };
}

/** A finish reason as the response's status: `length` and `content_filter` leave it incomplete, with the reason. */
export function statusOf(finish: FinishReason): Pick<Response, "status" | "incomplete_details"> {
  if (finish === "length")
    return { status: "incomplete", incomplete_details: { reason: "max_output_tokens" } };
  if (finish === "content_filter")
    return { status: "incomplete", incomplete_details: { reason: "content_filter" } };
  return { status: "completed", incomplete_details: null };
}

/** A thinking block as a reasoning item: its text as reasoning_text, Claude's signature as encrypted_content. */
export function buildReasoningItem(
  block: ThinkingBlock,
  status: ResponseReasoningItem["status"],
): ResponseReasoningItem {
  if (block.type === "redacted_thinking")
    return {
      id: createItemId("rs"),
      type: "reasoning",
      summary: [],
      encrypted_content: block.data ?? "",
      status,
    };
  return {
    id: createItemId("rs"),
    type: "reasoning",
    summary: [],
    content: [{ type: "reasoning_text", text: block.thinking ?? "" }],
    ...(block.signature ? { encrypted_content: block.signature } : {}),
    status,
  };
}

export function buildMessageItem(
  text: string,
  status: ResponseOutputMessage["status"],
): ResponseOutputMessage {
  return {
    id: createItemId("msg"),
    type: "message",
    role: "assistant",
    status,
    content: [{ type: "output_text", text, annotations: [], logprobs: [] }],
  };
}

/** The joined text of the output's messages. */
export function outputTextOf(output: readonly ResponseOutputItem[]): string {
  let text = "";
  for (const item of output) if (item.type === "message") for (const part of item.content) text += part.text;
  return text;
}

/** A unary chat completion as a Response: reasoning first, then the message, then the function calls. */
export function buildResponse(completion: ChatCompletion, context: ResponseContext): Response {
  const choice = completion.choices[0];
  const message = choice?.message;
  const output: ResponseOutputItem[] = [];
  const itemStatus = choice?.finish_reason === "length" ? "incomplete" : "completed";
  const thinking = message?.thinking_blocks ?? [];
  if (thinking.length > 0) for (const block of thinking) output.push(buildReasoningItem(block, "completed"));
  else if (message?.reasoning_content)
    output.push(buildReasoningItem({ type: "thinking", thinking: message.reasoning_content }, "completed"));
  const text = message?.content ?? "";
  const toolCalls = message?.tool_calls ?? [];
  if (text !== "" || toolCalls.length === 0) output.push(buildMessageItem(text, itemStatus));
  for (const call of toolCalls) {
    output.push({
      id: createItemId("fc"),
      type: "function_call",
      call_id: call.id,
      name: call.function.name,
      arguments: call.function.arguments,
      status: "completed",
    } satisfies ResponseFunctionCall);
  }
  const response = buildEmptyResponse(context, "completed");
  Object.assign(response, statusOf(choice?.finish_reason ?? "stop"));
  response.completed_at = Math.floor(Date.now() / 1000);
  response.output = output;
  response.output_text = outputTextOf(output);
  response.usage = convertUsage(completion.usage);
  return response;
}

/** OpenAI's `ResponseError.code` for one of our errors. */
export function responseErrorCode(error: unknown): ResponseErrorCode {
  if (!BedrockForgeError.isInstance(error)) return "server_error";
  if (error.type === "rate_limit_error") return "rate_limit_exceeded";
  if (error.type === "invalid_request_error") return "invalid_prompt";
  return "server_error";
}

/**
 * The `error` event a proxy writes when a response stream throws (after its `response.failed`):
 * our error's code, message and param. `sequenceNumber` is the one after the last event sent.
 */
export function buildResponseErrorEvent(error: unknown, sequenceNumber: number): ResponseErrorEvent {
  const known = BedrockForgeError.isInstance(error);
  return {
    type: "error",
    code: known ? error.code : "server_error",
    message: error instanceof Error ? error.message : String(error),
    param: known ? (error.param ?? null) : null,
    sequence_number: sequenceNumber,
  };
}
