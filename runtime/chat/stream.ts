/**
 * Streamed chat: ConverseStream or InvokeModelWithResponseStream, decoded event by event into
 * OpenAI chunks by one assembler, as one AsyncIterable that cancels its request when left early.
 */
import type {
  ConverseStreamCommandOutput,
  InvokeModelWithResponseStreamCommandOutput,
} from "@aws-sdk/client-bedrock-runtime";
import type { ChatMapping, FinishReasonMap } from "../../generated/spec-types.js";
import { checkAnswer } from "../answer-check.js";
import { ConverseStreamCommand, InvokeModelWithResponseStreamCommand } from "../aws-sdk.js";
import { streamCodecFor } from "../codecs/registry.js";
import { createConverseEventDecoder } from "../codecs/shared/converse-events.js";
import type { AnswerCheck } from "../descriptor.js";
import { mapBedrockError, RequestValidationError } from "../errors.js";
import { readPointer, writeConstants } from "../pointer.js";
import { parseJsonBody, sendCommand, TimeoutAbort } from "../send.js";
import type { ChatCompletionChunk, ChatCompletionStream, ProviderFields } from "../types.js";
import { ChunkAssembler } from "./assemble.js";
import { converseFinishReasons } from "./converse.js";
import { buildConverseInput } from "./converse-call.js";
import { buildInvokeChatBody, invokeCallMembers } from "./invoke.js";
import type { StreamEvent } from "./model.js";
import type { ChatCall, PreparedChat } from "./prepare.js";

class BedrockChatStream implements ChatCompletionStream {
  private consumed = false;

  constructor(
    private readonly chunks: AsyncGenerator<ChatCompletionChunk>,
    readonly controller: AbortController,
  ) {}

  abort(): void {
    this.controller.abort();
  }

  [Symbol.asyncIterator](): AsyncIterator<ChatCompletionChunk> {
    if (this.consumed) throw new RequestValidationError("a chat completion stream can be iterated only once");
    this.consumed = true;
    const chunks = this.chunks;
    const controller = this.controller;
    return {
      next: () => chunks.next(),
      return: async (value?: unknown) => {
        // Breaking out of `for await` cancels the HTTP request.
        controller.abort();
        await chunks.return(undefined).catch(() => undefined);
        return { done: true, value: value as ChatCompletionChunk };
      },
      throw: (error?: unknown) => {
        controller.abort();
        return chunks.throw(error);
      },
    };
  }
}

/** What turns one route's native events into chunks. */
export interface StreamSource {
  readonly events: AsyncIterable<unknown> | undefined;
  readonly decode: (event: unknown) => StreamEvent[];
  readonly assembler: ChunkAssembler;
  readonly fields: ProviderFields;
  readonly requestId: string | undefined;
}

async function* emptyStream(): AsyncGenerator<never> {}

/**
 * Aborts a stream that has waited `milliseconds` for its next event. Only waiting counts: while the
 * caller holds a chunk (the generator is suspended at `yield`), the clock stands still.
 */
class StreamIdleTimer {
  private waitingSince: number | undefined = Date.now();
  private timer: NodeJS.Timeout;

  constructor(
    private readonly milliseconds: number,
    private readonly controller: AbortController,
  ) {
    this.timer = this.schedule(milliseconds);
  }

  private schedule(delay: number): NodeJS.Timeout {
    const timer = setTimeout(() => this.check(), delay);
    // A stream its caller abandoned must not keep the process alive.
    timer.unref();
    return timer;
  }

  private check(): void {
    if (this.waitingSince === undefined) {
      this.timer = this.schedule(this.milliseconds);
      return;
    }
    const remaining = this.waitingSince + this.milliseconds - Date.now();
    if (remaining > 0) {
      this.timer = this.schedule(remaining);
      return;
    }
    this.controller.abort(new TimeoutAbort(this.milliseconds, "the stream sent no event"));
  }

  /** An event arrived: the caller has it now. */
  received(): void {
    this.waitingSince = undefined;
  }

  /** The generator asks for the next event again. */
  waiting(): void {
    this.waitingSince = Date.now();
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}

async function* streamChunks(
  source: StreamSource,
  call: ChatCall,
  prepared: PreparedChat,
  model: string,
  controller: AbortController,
): AsyncGenerator<ChatCompletionChunk> {
  const { assembler } = source;
  const signal = call.options.signal!;
  const idle = call.options.timeout ? new StreamIdleTimer(call.options.timeout, controller) : undefined;
  try {
    for await (const event of source.events ?? emptyStream()) {
      idle?.received();
      const chunks = assembler.push(source.decode(event));
      for (const chunk of chunks) yield chunk;
      idle?.waiting();
    }
  } catch (error) {
    // The caller's abort ends the stream quietly; a timeout is an error like any other.
    if (signal.aborted && !(signal.reason instanceof TimeoutAbort)) return;
    throw mapBedrockError(signal.aborted ? signal.reason : error, { model, requestId: source.requestId });
  } finally {
    idle?.stop();
  }
  const includeUsage =
    (call.request.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
  for (const chunk of assembler.finish({
    includeUsage,
    price: prepared.price,
    providerFields: source.fields,
  }))
    yield chunk;
}

async function openConverseStream(
  call: ChatCall,
  prepared: PreparedChat,
  model: string,
): Promise<StreamSource> {
  const input = await buildConverseInput(call, prepared);
  // Only ConverseStream's guardrail configuration has a processing mode.
  const mode = call.guardrail?.streamProcessingMode;
  if (mode && input.guardrailConfig) Object.assign(input.guardrailConfig, { streamProcessingMode: mode });
  const output = (await sendCommand(
    call.client,
    new ConverseStreamCommand(input),
    call.options,
    model,
  )) as ConverseStreamCommandOutput;
  const decoder = createConverseEventDecoder();
  const requestId = output.$metadata.requestId;
  return {
    events: output.stream,
    decode: (event) => decoder(event as Record<string, unknown>),
    assembler: new ChunkAssembler(prepared.meta, converseFinishReasons),
    fields: { route: "converse", request_id: requestId },
    requestId,
  };
}

const guardrailIntervened = "guardrail_intervened";

/** The stream's finish-reason map; a guardrail intervention (a body field, not a stop reason) is fed in as one. */
function invokeStreamFinishMap(mapping: ChatMapping): FinishReasonMap {
  const base: FinishReasonMap = mapping.stream?.finish_reason ?? mapping.response.finish_reason;
  if (!mapping.response.guardrail) return base;
  return { ...base, map: { ...base.map, [guardrailIntervened]: "content_filter" } };
}

/**
 * Decodes one InvokeModelWithResponseStream event (a JSON chunk) into stream events, after checking the
 * chunk holds what the spec reads from chunks (`check`, from the family's native chunk schema).
 */
function invokeEventDecoder(
  mapping: ChatMapping,
  check: AnswerCheck | undefined,
  model: string,
): (event: unknown) => StreamEvent[] {
  const decoder = streamCodecFor(mapping.stream!.codec).createDecoder(mapping.stream!, mapping.response);
  const guardrailPointer = mapping.response.guardrail;
  const subject = `a ${model} stream chunk`;
  return (event) => {
    const payload = (event as { chunk?: { bytes?: Uint8Array } }).chunk;
    if (!payload) return [];
    const chunk = parseJsonBody(payload.bytes, "an invoke stream chunk");
    checkAnswer(chunk, check, subject, model);
    const events = decoder(chunk);
    if (guardrailPointer && readPointer(chunk, guardrailPointer) === "INTERVENED") {
      events.push({ kind: "finish", reason: guardrailIntervened });
    }
    if (chunk["amazon-bedrock-trace"] !== undefined)
      events.push({ kind: "guardrail", trace: chunk["amazon-bedrock-trace"] });
    return events;
  };
}

async function openInvokeStream(
  call: ChatCall,
  prepared: PreparedChat,
  model: string,
): Promise<StreamSource> {
  const { body, mapping } = await buildInvokeChatBody(call, prepared);
  if (!mapping.stream) {
    throw new RequestValidationError(`${model} has no invoke stream mapping`, { model, param: "stream" });
  }
  // Fields some families need only when streaming (Cohere Command's `stream: true`).
  writeConstants(body, mapping.stream.constants);
  const command = new InvokeModelWithResponseStreamCommand({
    modelId: prepared.resolved.wireModelId,
    body: JSON.stringify(body),
    contentType: "application/json",
    accept: "application/json",
    ...invokeCallMembers(call, model),
  });
  const output = (await sendCommand(
    call.client,
    command,
    call.options,
    model,
  )) as InvokeModelWithResponseStreamCommandOutput;
  const requestId = output.$metadata.requestId;
  return {
    events: output.body,
    decode: invokeEventDecoder(mapping, prepared.descriptor?.response_reads?.chat_stream, model),
    assembler: new ChunkAssembler(prepared.meta, invokeStreamFinishMap(mapping)),
    fields: { route: "invoke", request_id: requestId },
    requestId,
  };
}

/** The stream of chunks a source's events make (the request, if any, is already sent). */
export function createChatStream(
  source: StreamSource,
  call: ChatCall,
  prepared: PreparedChat,
  controller: AbortController,
): ChatCompletionStream {
  const model = prepared.entry?.id ?? prepared.resolved.displayName;
  return new BedrockChatStream(streamChunks(source, call, prepared, model, controller), controller);
}

/** Sends a streamed chat call over the prepared route; resolves once the response has started. */
export async function streamChat(
  call: ChatCall,
  prepared: PreparedChat,
  controller: AbortController,
): Promise<ChatCompletionStream> {
  const model = prepared.entry?.id ?? prepared.resolved.displayName;
  const source =
    prepared.route === "converse"
      ? await openConverseStream(call, prepared, model)
      : await openInvokeStream(call, prepared, model);
  return createChatStream(source, call, prepared, controller);
}
