/** The chat entry points: unary, streamed, and CountTokens, over the route the catalog (or the caller) picks. */
import type { CountTokensCommandOutput } from "@aws-sdk/client-bedrock-runtime";
import { CountTokensCommand } from "../aws-sdk.js";
import { explainInvalidModel } from "../catalog-suggest.js";
import { lazily } from "../engine.js";
import { ModelNotSupportedError } from "../errors.js";
import type { CallOptions } from "../send.js";
import { sendCommand } from "../send.js";
import type { ChatCompletion, ChatCompletionStream } from "../types.js";
import { buildConverseInput, converseChat } from "./converse-call.js";
import { readMockResponse } from "./mock-response.js";
import { type ChatCall, type PreparedChat, prepareChat } from "./prepare.js";

export type { ChatCall, PreparedChat };

/**
 * The other routes' modules, each imported on its first use: a unary Converse call, the common first call,
 * loads neither InvokeModel's nor bedrock-mantle's code, the stream decoders, nor the message codecs they use
 * (a third of the chat engine's modules; see the cold start in BENCHMARKS.md).
 */
const loadInvoke = lazily(() => import("./invoke.js"));
const loadMantle = lazily(() => import("./mantle.js"));
const loadStream = lazily(() => import("./stream.js"));
const loadMock = lazily(() => import("./mock.js"));

/**
 * Runs the opening of a call (everything up to the response's start); Bedrock's "model identifier is
 * invalid" for an id the catalog does not list comes back with the nearest catalog ids.
 */
async function explainingUnknownModel<T>(prepared: PreparedChat, open: () => Promise<T>): Promise<T> {
  try {
    return await open();
  } catch (error) {
    throw prepared.entry ? error : explainInvalidModel(error, prepared.resolved.displayName);
  }
}

/** A unary chat completion over the route the catalog (or the caller) picks. */
export async function createChatCompletion(call: ChatCall): Promise<ChatCompletion> {
  const prepared = await prepareChat(call, "chat");
  const mock = readMockResponse(call.request);
  if (mock !== undefined) return (await loadMock()).mockChatCompletion(call, prepared, mock);
  return explainingUnknownModel(prepared, async () =>
    prepared.route === "mantle"
      ? (await loadMantle()).mantleChat(call, prepared)
      : prepared.route === "converse"
        ? converseChat(call, prepared)
        : (await loadInvoke()).invokeChat(call, prepared),
  );
}

/** A streamed chat completion; the HTTP call is made before this resolves, so request errors throw here. */
export async function createChatCompletionStream(call: ChatCall): Promise<ChatCompletionStream> {
  const prepared = await prepareChat(call, "chat-stream");
  const controller = new AbortController();
  const outer = call.options.signal;
  const signal = outer ? AbortSignal.any([controller.signal, outer]) : controller.signal;
  const options: CallOptions = { ...call.options, signal, streaming: true };
  const mock = readMockResponse(call.request);
  if (mock !== undefined) {
    return (await loadMock()).mockChatStream({ ...call, options }, prepared, controller, mock);
  }
  return explainingUnknownModel(prepared, async () =>
    prepared.route === "mantle"
      ? (await loadMantle()).mantleChatStream({ ...call, options }, prepared, controller)
      : (await loadStream()).streamChat({ ...call, options }, prepared, controller),
  );
}

type CountTokensInput = ConstructorParameters<typeof CountTokensCommand>[0]["input"];

/** What CountTokens counts: the Converse request's conversation, or the native InvokeModel body. */
async function buildCountTokensInput(call: ChatCall, prepared: PreparedChat): Promise<CountTokensInput> {
  if (prepared.route !== "converse") {
    const { body } = await (await loadInvoke()).buildInvokeChatBody(call, prepared);
    return { invokeModel: { body: new TextEncoder().encode(JSON.stringify(body)) } };
  }
  const converse = await buildConverseInput(call, prepared);
  return {
    converse: {
      messages: converse.messages,
      ...(converse.system ? { system: converse.system } : {}),
      ...(converse.toolConfig ? { toolConfig: converse.toolConfig } : {}),
      ...(converse.additionalModelRequestFields
        ? { additionalModelRequestFields: converse.additionalModelRequestFields }
        : {}),
    },
  };
}

/** Input tokens of a chat request as Bedrock's CountTokens counts them, without running the model. */
export async function countChatTokens(call: ChatCall): Promise<{ input_tokens: number; model: string }> {
  const prepared = await prepareChat(call, "chat");
  const name = prepared.entry?.id ?? prepared.resolved.displayName;
  if (prepared.route === "mantle") {
    throw new ModelNotSupportedError(
      `${name}: CountTokens is a Bedrock Runtime API; the mantle route (bedrock-mantle's OpenAI API) has no token count, and nothing was sent`,
      { model: name },
    );
  }
  const input = await buildCountTokensInput(call, prepared);
  const command = new CountTokensCommand({ modelId: prepared.resolved.wireModelId, input });
  const output = (await explainingUnknownModel(prepared, () =>
    sendCommand(call.client, command, call.options, name),
  )) as CountTokensCommandOutput;
  return { input_tokens: output.inputTokens ?? 0, model: prepared.resolved.displayName };
}
