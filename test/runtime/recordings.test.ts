/**
 * Every real Bedrock exchange in test/recordings replays through the runtime, the real AWS SDK and the
 * emulator (the recording pinned by name), and must give the OpenAI-shaped result its native response
 * implies. The expectations come from an oracle written here, field by field from the wire shapes and
 * without the specs, cross-checked with Bedrock's token-count headers where the recording has them.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator } from "../../emulator/index.js";
import type { Emulator } from "../../emulator/types.js";
import {
  BedrockCallError,
  createBedrock,
  type FinishReason,
  type UncheckedModelId,
  uncheckedModel,
} from "../../runtime/index.js";
import { resolveModel } from "../../runtime/models.js";

const root = path.join(import.meta.dirname, "../recordings");

interface Recording {
  name: string;
  operation: "invoke" | "invoke-stream" | "converse" | "converse-stream" | "count-tokens" | "error";
  failedOperation?: Recording["operation"];
  modelId: string | null;
  http: { status: number; responseHeaders?: Record<string, string> };
  request: Record<string, unknown> | null;
  response?: Record<string, unknown>;
  events?: {
    messageType: string;
    eventType?: string;
    exceptionType?: string;
    chunk?: Record<string, unknown>;
    payload?: Record<string, unknown>;
  }[];
}

function loadRecordings(): Recording[] {
  const recordings: Recording[] = [];
  for (const dir of readdirSync(root).sort()) {
    const full = path.join(root, dir);
    if (!statSync(full).isDirectory()) continue;
    for (const file of readdirSync(full)
      .filter((name) => name.endsWith(".json"))
      .sort()) {
      recordings.push({ ...JSON.parse(readFileSync(path.join(full, file), "utf8")), name: `${dir}/${file}` });
    }
  }
  return recordings;
}

// ---------------------------------------------------------------------------------------------
// The oracle: what OpenAI-shaped result a native response implies
// ---------------------------------------------------------------------------------------------

const nativeFinish: Record<string, FinishReason> = {
  end_turn: "stop",
  stop_sequence: "stop",
  stop: "stop",
  FINISH: "stop",
  COMPLETE: "stop",
  endoftext: "stop",
  pause_turn: "stop",
  max_tokens: "length",
  length: "length",
  LENGTH: "length",
  MAX_TOKENS: "length",
  model_context_window_exceeded: "length",
  tool_use: "tool_calls",
  tool_calls: "tool_calls",
  CONTENT_FILTERED: "content_filter",
  content_filtered: "content_filter",
  guardrail_intervened: "content_filter",
  refusal: "content_filter",
};

interface Expectation {
  text: string;
  toolNames: string[];
  finish: FinishReason | undefined;
  promptTokens: number | undefined;
  completionTokens: number | undefined;
}

// The oracle walks native bodies of every family by field name; a loose type keeps it readable.
// biome-ignore lint/suspicious/noExplicitAny: native bodies of many shapes
type Json = Record<string, any>;

/** Text, tool calls, stop reason and usage of a unary native chat response, by the field names each family uses. */
function expectFromBody(body: Json, headers: Record<string, string>): Expectation {
  let text = "";
  const toolNames: string[] = [];
  let stop: unknown;
  if (Array.isArray(body.content)) {
    for (const block of body.content) {
      if (block.type === "text") text += block.text;
      if (block.type === "tool_use") toolNames.push(block.name);
    }
    stop = body.stop_reason;
  } else if (body.output?.message) {
    for (const block of body.output.message.content) {
      if (typeof block.text === "string") text += block.text;
      if (block.toolUse) toolNames.push(block.toolUse.name);
    }
    stop = body.stopReason;
  } else if (typeof body.completion === "string") {
    text = body.completion;
    stop = body.stop_reason;
  } else if (Array.isArray(body.results)) {
    text = body.results[0].outputText;
    stop = body.results[0].completionReason;
  } else if (typeof body.generation === "string") {
    text = body.generation;
    stop = body.stop_reason;
  } else if (Array.isArray(body.outputs)) {
    text = body.outputs[0].text;
    stop = body.outputs[0].stop_reason;
  } else if (Array.isArray(body.generations)) {
    text = body.generations[0].text;
    stop = body.generations[0].finish_reason;
  } else if (Array.isArray(body.completions)) {
    text = body.completions[0].data.text;
    stop = body.completions[0].finishReason?.reason;
  } else if (Array.isArray(body.choices)) {
    const choice = body.choices[0];
    text = choice.message?.content ?? choice.text ?? "";
    for (const call of choice.message?.tool_calls ?? []) toolNames.push(call.function.name);
    stop = choice.finish_reason ?? choice.stop_reason;
  } else if (typeof body.text === "string") {
    text = body.text;
    for (const call of body.tool_calls ?? []) toolNames.push(call.name);
    stop = body.finish_reason;
  }
  const usage = body.usage ?? {};
  const header = (name: string) => (headers[name] === undefined ? undefined : Number(headers[name]));
  // OpenAI's prompt_tokens include cached tokens; Anthropic and Converse count them apart.
  const cache = (usage.cache_read_input_tokens ?? 0) + (usage.cache_creation_input_tokens ?? 0);
  const converseCache = (usage.cacheReadInputTokens ?? 0) + (usage.cacheWriteInputTokens ?? 0);
  let finish = stop === undefined || stop === null ? undefined : nativeFinish[String(stop)];
  if (body["amazon-bedrock-guardrailAction"] === "INTERVENED") finish = "content_filter";
  return {
    text,
    toolNames,
    finish,
    promptTokens:
      usage.input_tokens !== undefined
        ? usage.input_tokens + cache
        : usage.inputTokens !== undefined
          ? usage.inputTokens + converseCache
          : (body.inputTextTokenCount ??
            body.prompt_token_count ??
            usage.prompt_tokens ??
            header("x-amzn-bedrock-input-token-count")),
    completionTokens:
      usage.output_tokens ??
      usage.outputTokens ??
      body.results?.[0]?.tokenCount ??
      body.generation_token_count ??
      usage.completion_tokens ??
      header("x-amzn-bedrock-output-token-count"),
  };
}

/** The same for a stream: text deltas joined, tool names in order, the last stop reason, the final counts. */
function expectFromChunks(chunks: Json[]): Expectation {
  let text = "";
  const toolNames: string[] = [];
  let stop: unknown;
  let promptTokens: number | undefined;
  let completionTokens: number | undefined;
  let blocked = false;
  for (const chunk of chunks) {
    if (chunk.type === "content_block_delta" && chunk.delta?.type === "text_delta") text += chunk.delta.text;
    else if (chunk.type === "content_block_start" && chunk.content_block?.type === "tool_use")
      toolNames.push(chunk.content_block.name);
    else if (chunk.type === "content_block_start" && chunk.content_block?.type === "text")
      text += chunk.content_block.text ?? "";
    else if (chunk.type === "message_delta") stop = chunk.delta?.stop_reason ?? stop;
    else if (chunk.contentBlockDelta?.delta?.text !== undefined) text += chunk.contentBlockDelta.delta.text;
    else if (chunk.contentBlockStart?.start?.toolUse)
      toolNames.push(chunk.contentBlockStart.start.toolUse.name);
    else if (chunk.messageStop) stop = chunk.messageStop.stopReason;
    else if (typeof chunk.completion === "string") {
      text += chunk.completion;
      stop = chunk.stop_reason ?? stop;
    } else if (typeof chunk.outputText === "string") {
      text += chunk.outputText;
      stop = chunk.completionReason ?? stop;
    } else if (typeof chunk.generation === "string") {
      text += chunk.generation;
      stop = chunk.stop_reason ?? stop;
    } else if (Array.isArray(chunk.outputs)) {
      text += chunk.outputs[0].text ?? "";
      stop = chunk.outputs[0].stop_reason ?? stop;
    } else if (Array.isArray(chunk.generations)) {
      const first = chunk.generations.find((generation: Json) => (generation.index ?? 0) === 0);
      if (first) {
        text += first.text ?? "";
        stop = first.finish_reason ?? stop;
      }
    } else if (chunk.event_type === "text-generation") text += chunk.text;
    else if (typeof chunk.is_finished === "boolean") {
      if ((chunk.index ?? 0) === 0 && typeof chunk.text === "string") text += chunk.text;
      if (chunk.is_finished) stop = chunk.finish_reason;
    } else if (chunk.event_type === "stream-end") stop = chunk.finish_reason;
    if (chunk.metadata?.usage) {
      const usage = chunk.metadata.usage;
      promptTokens =
        usage.inputTokens + (usage.cacheReadInputTokens ?? 0) + (usage.cacheWriteInputTokens ?? 0);
      completionTokens = chunk.metadata.usage.outputTokens;
    }
    if (chunk["amazon-bedrock-guardrailAction"] === "INTERVENED") blocked = true;
    const metrics = chunk["amazon-bedrock-invocationMetrics"];
    if (metrics) {
      promptTokens = metrics.inputTokenCount;
      completionTokens = metrics.outputTokenCount;
    }
  }
  const finish = blocked
    ? "content_filter"
    : stop === undefined || stop === null
      ? undefined
      : nativeFinish[String(stop)];
  return { text, toolNames, finish, promptTokens, completionTokens };
}

/** OpenAI status of each Bedrock exception (the same table the error mapping must follow). */
const errorStatus: Record<string, number> = {
  ValidationException: 400,
  AccessDeniedException: 403,
  ResourceNotFoundException: 404,
  ThrottlingException: 429,
  ModelTimeoutException: 408,
  ModelStreamErrorException: 424,
  ModelErrorException: 424,
  ServiceUnavailableException: 503,
  InternalServerException: 500,
  ExpiredTokenException: 401,
  InvalidSignatureException: 401,
  UnrecognizedClientException: 401,
};

function errorNameOf(recording: Recording): string {
  const header = Object.entries(recording.http.responseHeaders ?? {}).find(
    ([name]) => name.toLowerCase() === "x-amzn-errortype",
  )?.[1];
  if (header) return header.split(":")[0]!;
  const exception = recording.events?.find((event) => event.messageType === "exception");
  if (exception?.exceptionType)
    return exception.exceptionType[0]!.toUpperCase() + exception.exceptionType.slice(1);
  // Some cassettes dropped the error-type header; the modelled exception for the status stands in.
  const byStatus: Record<number, string> = {
    400: "ValidationException",
    403: "AccessDeniedException",
    404: "ResourceNotFoundException",
    429: "ThrottlingException",
    500: "InternalServerException",
    503: "ServiceUnavailableException",
  };
  return byStatus[recording.http.status]!;
}

// ---------------------------------------------------------------------------------------------
// Calling the runtime for a recording
// ---------------------------------------------------------------------------------------------

/** The base model whose mapping reads a recording: its own, or the Messages family when a Claude 2 id was called with a Messages body. */
function modelFor(
  recording: Recording,
  route: "invoke" | "converse" | "count-tokens",
): { model: UncheckedModelId; model_id?: string } {
  const id = recording.modelId ?? "anthropic.claude-3-sonnet-20240229-v1:0";
  // The recordings name their models at run time: the compiler cannot check them.
  if (route === "converse" || route === "count-tokens")
    return { model: uncheckedModel(`bedrock/converse/${id}`) };
  const entry = resolveModel(id).entry;
  const claudeMessagesBody =
    recording.request?.anthropic_version !== undefined && Array.isArray(recording.request?.messages);
  if (entry?.family === "anthropic-claude-text" && claudeMessagesBody) {
    return { model: uncheckedModel("bedrock/invoke/anthropic.claude-3-haiku-20240307-v1:0"), model_id: id };
  }
  if (!entry) return { model: uncheckedModel("bedrock/invoke/meta.llama3-8b-instruct-v1:0"), model_id: id };
  return { model: uncheckedModel(`bedrock/invoke/${id}`) };
}

const recordings = loadRecordings();
let emulator: Emulator;
let bedrock: ReturnType<typeof createBedrock>;

beforeAll(async () => {
  emulator = await startEmulator({ fixtures: [root], mode: "replay", enforceProfileOnly: false });
  bedrock = createBedrock({
    endpoint: emulator.url,
    region: "us-east-1",
    credentials: {
      accessKeyId: "AKIAIOSFODNN7EXAMPLE",
      secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    },
    num_retries: 0,
    onWarning: () => {},
  });
});

afterAll(async () => {
  await emulator?.close();
});

const messages = [{ role: "user" as const, content: "Hello" }];

async function run(recording: Recording): Promise<unknown> {
  const operation = recording.operation === "error" ? recording.failedOperation! : recording.operation;
  const pin = { extra_headers: { "x-bedrock-forge-fixture": recording.name } };
  if (operation === "count-tokens") {
    const route =
      recording.request && "input" in recording.request && (recording.request.input as Json).invokeModel
        ? "invoke"
        : "converse";
    const target =
      route === "invoke"
        ? { model: uncheckedModel(`bedrock/invoke/${recording.modelId}`) }
        : modelFor(recording, "count-tokens");
    return bedrock.countTokens({ ...target, messages, ...pin });
  }
  const route = operation.startsWith("converse") ? "converse" : "invoke";
  const target = modelFor(recording, route);
  const entry = resolveModel(target.model).entry;
  if (entry?.operations.includes("rerank")) {
    // The recorded query, documents and top_n: the runtime must send the recorded body.
    const { query, documents, top_n } = recording.request as {
      query: string;
      documents: string[];
      top_n?: number;
    };
    return bedrock.rerank.create({ ...target, query, documents, top_n, ...pin });
  }
  if (entry?.operations.includes("embeddings")) {
    return bedrock.embeddings.create({ ...target, input: "Hello", ...pin });
  }
  if (operation.endsWith("stream")) {
    const stream = await bedrock.chat.completions.create({
      ...target,
      messages,
      stream: true,
      stream_options: { include_usage: true },
      ...pin,
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    return chunks;
  }
  return bedrock.chat.completions.create({ ...target, messages, ...pin });
}

describe("every recorded Bedrock exchange replays to the expected OpenAI-shaped result", () => {
  it("finds the recordings", () => {
    expect(recordings.length).toBeGreaterThan(200);
  });

  it.each(recordings.map((recording) => [recording.name, recording] as const))(
    "%s",
    async (_name, recording) => {
      const inStreamError = recording.events?.some((event) => event.messageType === "exception") ?? false;
      if (recording.operation === "error" || inStreamError) {
        const error = await run(recording).then(
          () => undefined,
          (caught: unknown) => caught,
        );
        const name = errorNameOf(recording);
        expect(BedrockCallError.isInstance(error), `expected a BedrockCallError, got ${String(error)}`).toBe(
          true,
        );
        const mapped = error as BedrockCallError;
        expect(mapped.awsErrorName).toBe(name);
        expect(mapped.status).toBe(errorStatus[name]);
        return;
      }
      const result = await run(recording);
      const headers = Object.fromEntries(
        Object.entries(recording.http.responseHeaders ?? {}).map(([name, value]) => [
          name.toLowerCase(),
          value,
        ]),
      );

      if (recording.operation === "count-tokens") {
        expect(result).toMatchObject({ input_tokens: recording.response!.inputTokens });
        return;
      }
      if (
        Array.isArray(recording.response?.results) &&
        recording.response.results[0]?.relevance_score !== undefined
      ) {
        // A rerank answer: every recorded result, in the recorded order, with its index and score, and the
        // text of the document it points at (back-filled, as LiteLLM does).
        const sent = recording.request!.documents as unknown[];
        const recorded = (recording.response.results as Json[]).map((item) => ({
          index: item.index,
          relevance_score: item.relevance_score,
          document: { text: sent[item.index as number] },
        }));
        const actual = result as Json;
        expect(actual.results).toEqual(recorded);
        const scores = recorded.map((item) => item.relevance_score as number);
        expect(scores).toEqual([...scores].sort((a, b) => b - a));
        // The runtime sent the recorded body, and Bedrock bills one query per started 100 documents.
        expect(emulator.requests.at(-1)?.body).toEqual(recording.request);
        const documents = (recording.request!.documents as unknown[]).length;
        expect(actual.meta.billed_units.search_units).toBe(Math.ceil(documents / 100));
        expect(actual.usage.search_units).toBe(Math.ceil(documents / 100));
        return;
      }
      if ((result as Json).object === "list") {
        const data = (result as Json).data;
        expect(data[0].embedding).toEqual(recording.response!.embedding);
        expect((result as Json).usage.prompt_tokens).toBe(recording.response!.inputTextTokenCount);
        return;
      }
      let expected: Expectation;
      let actual: {
        text: string;
        toolNames: string[];
        finish: FinishReason;
        prompt: number;
        completion: number;
      };
      if (Array.isArray(result)) {
        const chunks = result as Json[];
        // Invoke streams carry the family's chunk JSON; Converse streams name each event by its type.
        expected = expectFromChunks(
          (recording.events ?? []).map(
            (event) => (event.chunk ?? { [event.eventType!]: event.payload }) as Json,
          ),
        );
        const usage = chunks.find((chunk) => chunk.usage)?.usage;
        // The first choice's deltas (a recording with several generations streams the others as choices 1, 2, …).
        const first = (chunk: Json) => chunk.choices.find((choice: Json) => choice.index === 0);
        actual = {
          text: chunks.map((chunk) => first(chunk)?.delta.content ?? "").join(""),
          toolNames: chunks.flatMap((chunk) =>
            (first(chunk)?.delta.tool_calls ?? []).map((call: Json) => call.function?.name).filter(Boolean),
          ),
          finish: chunks
            .map((chunk) => first(chunk)?.finish_reason)
            .filter(Boolean)
            .at(-1),
          prompt: usage?.prompt_tokens,
          completion: usage?.completion_tokens,
        };
      } else {
        const completion = result as Json;
        expected = expectFromBody(recording.response!, headers);
        actual = {
          text: completion.choices[0].message.content ?? "",
          toolNames: (completion.choices[0].message.tool_calls ?? []).map((call: Json) => call.function.name),
          finish: completion.choices[0].finish_reason,
          prompt: completion.usage.prompt_tokens,
          completion: completion.usage.completion_tokens,
        };
        // Bedrock's header counts the uncached input tokens.
        const headerPrompt = headers["x-amzn-bedrock-input-token-count"];
        const cached = completion.usage.prompt_tokens_details;
        const uncached =
          actual.prompt - (cached ? cached.cached_tokens + (cached.cache_write_tokens ?? 0) : 0);
        if (headerPrompt !== undefined && recording.operation === "invoke")
          expect(uncached).toBe(Number(headerPrompt));
      }
      expect(actual.text).toBe(expected.text);
      expect(actual.toolNames).toEqual(expected.toolNames);
      if (expected.finish) expect(actual.finish).toBe(expected.finish);
      else expect(["stop", "length", "tool_calls", "content_filter"]).toContain(actual.finish);
      if (expected.promptTokens !== undefined) expect(actual.prompt).toBe(expected.promptTokens);
      if (expected.completionTokens !== undefined) expect(actual.completion).toBe(expected.completionTokens);
    },
  );
});
