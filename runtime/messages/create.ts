/**
 * `bedrock.messages`: Anthropic's Messages API. Claude models of the `anthropic-claude-messages` family
 * take the body natively (InvokeModel / InvokeModelWithResponseStream); every other model runs it as a
 * chat completion and answers in Anthropic's shapes. `countTokens` uses Bedrock's CountTokens.
 */
import type {
  CountTokensCommandOutput,
  InvokeModelWithResponseStreamCommandOutput,
} from "@aws-sdk/client-bedrock-runtime";
import type { PriceFields } from "../../generated/spec-types.js";
import { CountTokensCommand, InvokeModelWithResponseStreamCommand } from "../aws-sdk.js";
import {
  type ChatCall,
  countChatTokens,
  createChatCompletion,
  createChatCompletionStream,
} from "../chat/create.js";
import { resolvePrice } from "../cost.js";
import { mapBedrockError } from "../errors.js";
import { AbortableEventStream, linkAbortSignal } from "../event-stream.js";
import { loadFamily } from "../families.js";
import { onDemandModel, type ResolvedModel, requireOperation, resolveModel } from "../models.js";
import { invokeJson, sendCommand } from "../send.js";
import type { ChatCompletionChunk } from "../types.js";
import {
  buildNativeBody,
  createNativeEventReader,
  invokeGuardrailFields,
  readNativeMessage,
} from "./native.js";
import { readBetas, validateMessagesRequest, withoutAnthropicHeaders } from "./request.js";
import { AnthropicEventAssembler } from "./stream.js";
import { buildMessage, convertMessagesRequest } from "./translate.js";
import type {
  AnthropicMessage,
  AnthropicMessageStream,
  AnthropicStreamEvent,
  AnthropicTokenCount,
} from "./types.js";

/** The family whose models take Anthropic's Messages body natively. */
const nativeFamily = "anthropic-claude-messages";

interface MessagePlan {
  /** The call without Anthropic's own headers (they are read here, never sent to Bedrock). */
  readonly call: ChatCall;
  readonly resolved: ResolvedModel;
  readonly native: boolean;
  readonly betas: readonly string[];
  readonly price: PriceFields | undefined;
  /** The model as the request named it. */
  readonly model: string;
}

/**
 * Decides how a Messages request runs: natively for a Claude Messages model (unless the caller forced
 * `bedrock/converse/`), else as a chat completion. Validates the request before any call.
 */
function planMessageCall(call: ChatCall, purpose: "create" | "count"): MessagePlan {
  const request = call.request;
  validateMessagesRequest(request, { requireMaxTokens: purpose === "create" });
  const named = resolveModel(String(request.model), request.model_id as string | undefined);
  // CountTokens counts for a model named by its own id, also one served on demand only through profiles.
  const resolved = purpose === "count" ? named : onDemandModel(named, call.region, call);
  const entry = resolved.entry;
  const native = entry?.family === nativeFamily && resolved.forcedRoute !== "converse";
  const headers = call.options.headers;
  return {
    call: { ...call, options: { ...call.options, headers: withoutAnthropicHeaders(headers) } },
    resolved,
    native,
    betas: readBetas(request, headers),
    price: entry ? resolvePrice(entry, resolved.profile, resolved.arnRegion ?? call.region) : undefined,
    model: resolved.displayName,
  };
}

async function chatCallOf(plan: MessagePlan): Promise<ChatCall> {
  const { call, resolved } = plan;
  const descriptor = resolved.entry ? (await loadFamily(resolved.entry.family)).descriptor : undefined;
  const request = convertMessagesRequest(call.request, {
    providerParams: new Set(Object.keys(descriptor?.params ?? {})),
    betas: plan.betas,
    dropParams: call.dropParams,
    warn: call.warn,
    model: plan.model,
  });
  return { ...call, request };
}

function nativeBodyOf(plan: MessagePlan): Record<string, unknown> {
  return buildNativeBody(plan.call.request, plan.betas, {
    dropParams: plan.call.dropParams,
    warn: plan.call.warn,
    model: plan.model,
  });
}

/** A unary Messages call. */
export async function createMessage(call: ChatCall): Promise<AnthropicMessage> {
  const plan = planMessageCall(call, "create");
  if (!plan.native) {
    const chatCall = await chatCallOf(plan);
    const completion = await createChatCompletion({
      ...chatCall,
      request: { ...chatCall.request, stream: false },
    });
    return buildMessage(completion, plan.model);
  }
  const entry = requireOperation(plan.resolved, "chat");
  const answer = await invokeJson(plan.call.client, plan.call.options, {
    modelId: plan.resolved.wireModelId,
    body: nativeBodyOf(plan),
    model: entry.id,
    what: `the ${entry.id} response`,
    ...invokeGuardrailFields(plan.call.guardrail),
  });
  return readNativeMessage(answer.body, plan.model, plan.price);
}

async function* translateChunks(
  chunks: AsyncIterable<ChatCompletionChunk>,
  model: string,
  aborted: () => boolean,
): AsyncGenerator<AnthropicStreamEvent> {
  const assembler = new AnthropicEventAssembler(model);
  yield* assembler.start();
  for await (const chunk of chunks) yield* assembler.push(chunk);
  if (aborted()) return;
  yield* assembler.end();
}

async function* readNativeEvents(
  events: AsyncIterable<unknown>,
  read: (bytes: Uint8Array | undefined) => AnthropicStreamEvent,
  signal: AbortSignal,
  model: string,
  requestId: string | undefined,
): AsyncGenerator<AnthropicStreamEvent> {
  try {
    for await (const event of events) {
      const chunk = (event as { chunk?: { bytes?: Uint8Array } }).chunk;
      if (chunk) yield read(chunk.bytes);
    }
  } catch (error) {
    if (signal.aborted) return;
    throw mapBedrockError(error, { model, requestId });
  }
}

async function* emptyStream(): AsyncGenerator<never> {}

/** A streamed Messages call; the HTTP call is made before this resolves, so request errors throw here. */
export async function createMessageStream(call: ChatCall): Promise<AnthropicMessageStream> {
  const plan = planMessageCall(call, "create");
  const outer = plan.call.options.signal;
  if (!plan.native) {
    const chatCall = await chatCallOf(plan);
    const chunks = await createChatCompletionStream({
      ...chatCall,
      request: { ...chatCall.request, stream: true, stream_options: { include_usage: true } },
    });
    // A stream cancelled by its controller or the caller's signal ends without message_stop.
    const aborted = () => chunks.controller.signal.aborted || outer?.aborted === true;
    return new AbortableEventStream(
      translateChunks(chunks, plan.model, aborted),
      chunks.controller,
      "a message stream",
    );
  }
  const entry = requireOperation(plan.resolved, "chat-stream");
  const { controller, signal } = linkAbortSignal(outer);
  const command = new InvokeModelWithResponseStreamCommand({
    modelId: plan.resolved.wireModelId,
    body: JSON.stringify(nativeBodyOf(plan)),
    contentType: "application/json",
    accept: "application/json",
    ...invokeGuardrailFields(plan.call.guardrail),
  });
  const output = (await sendCommand(
    plan.call.client,
    command,
    { ...plan.call.options, signal, streaming: true },
    entry.id,
  )) as InvokeModelWithResponseStreamCommandOutput;
  const requestId = output.$metadata.requestId;
  const events = readNativeEvents(
    output.body ?? emptyStream(),
    createNativeEventReader(plan.model, plan.price),
    signal,
    entry.id,
    requestId,
  );
  return new AbortableEventStream(events, controller, "a message stream");
}

/**
 * Input tokens of a Messages request as Bedrock's CountTokens counts them. Bedrock counts for a model
 * named by its own id: a cross-region profile id is counted against its base model (the same tokenizer;
 * Bedrock refuses profile ids, test/recordings/errors/pydantic-ai_test_anthropic_bedrock_count_tokens_error.json,
 * and counts a profile-only Claude by its bare id, test/recordings/count-tokens/pydantic-ai_test_anthropic_bedrock_count_tokens_real_api.json).
 * A model Bedrock cannot count for is Bedrock's clear ValidationException.
 */
export async function countMessageTokens(call: ChatCall): Promise<AnthropicTokenCount> {
  const request = call.request;
  const given = resolveModel(String(request.model), request.model_id as string | undefined);
  const entry = given.entry;
  const counted =
    entry && given.profile && request.model_id === undefined
      ? {
          ...call,
          request: {
            ...request,
            model: given.forcedRoute ? `bedrock/${given.forcedRoute}/${entry.id}` : entry.id,
          },
        }
      : call;
  const plan = planMessageCall(counted, "count");
  if (!plan.native) {
    const chatCall = await chatCallOf(plan);
    const counts = await countChatTokens(chatCall);
    return { input_tokens: counts.input_tokens };
  }
  const modelEntry = requireOperation(plan.resolved, "chat");
  const body = nativeBodyOf(plan);
  // CountTokens reads a whole InvokeModel body, which needs max_tokens; it does not change the count.
  body.max_tokens ??= modelEntry.maxOutputTokens ?? 4096;
  const command = new CountTokensCommand({
    modelId: plan.resolved.wireModelId,
    input: { invokeModel: { body: new TextEncoder().encode(JSON.stringify(body)) } },
  });
  const output = (await sendCommand(
    plan.call.client,
    command,
    plan.call.options,
    modelEntry.id,
  )) as CountTokensCommandOutput;
  return { input_tokens: output.inputTokens ?? 0 };
}
