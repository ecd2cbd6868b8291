/**
 * `bedrock.responses.create`: the OpenAI Responses API over every chat model of the catalog, run as a
 * chat completion (so every family, route, param policy and guardrail works the same way).
 */
import { type ChatCall, createChatCompletion, createChatCompletionStream } from "../chat/create.js";
import { mapBedrockError } from "../errors.js";
import { AbortableEventStream } from "../event-stream.js";
import { resolveModel } from "../models.js";
import type { ChatCompletionChunk } from "../types.js";
import { convertResponsesRequest } from "./request.js";
import { buildResponse, createResponseContext, type ResponseContext } from "./response.js";
import { ResponseEventAssembler } from "./stream.js";
import type { Response, ResponseEventStream, ResponseStreamEvent } from "./types.js";

/** The chat call that runs a Responses request, and what the response echoes. */
function prepareResponseCall(call: ChatCall): { chatCall: ChatCall; context: ResponseContext } {
  const request = call.request;
  const chat = convertResponsesRequest(request, { dropParams: call.dropParams, warn: call.warn });
  const model = resolveModel(String(request.model), request.model_id as string | undefined).displayName;
  return { chatCall: { ...call, request: chat }, context: createResponseContext(request, model) };
}

/** A unary Responses call. */
export async function createResponse(call: ChatCall): Promise<Response> {
  const { chatCall, context } = prepareResponseCall(call);
  const completion = await createChatCompletion({
    ...chatCall,
    request: { ...chatCall.request, stream: false },
  });
  return buildResponse(completion, context);
}

async function* streamResponseEvents(
  chunks: AsyncIterable<ChatCompletionChunk>,
  context: ResponseContext,
  aborted: () => boolean,
  model: string,
): AsyncGenerator<ResponseStreamEvent> {
  const assembler = new ResponseEventAssembler(context);
  yield* assembler.start();
  try {
    for await (const chunk of chunks) yield* assembler.push(chunk);
  } catch (error) {
    if (aborted()) return;
    yield* assembler.fail(error);
    throw mapBedrockError(error, { model });
  }
  if (aborted()) return;
  yield* assembler.end();
}

/** A streamed Responses call; the HTTP call is made before this resolves, so request errors throw here. */
export async function createResponseStream(call: ChatCall): Promise<ResponseEventStream> {
  const { chatCall, context } = prepareResponseCall(call);
  const chunks = await createChatCompletionStream({
    ...chatCall,
    request: { ...chatCall.request, stream: true, stream_options: { include_usage: true } },
  });
  const outer = call.options.signal;
  // A stream cancelled by its controller or the caller's signal ends without a final event.
  const aborted = () => chunks.controller.signal.aborted || outer?.aborted === true;
  const events = streamResponseEvents(chunks, context, aborted, context.model);
  return new AbortableEventStream(events, chunks.controller, "a response stream");
}
