/**
 * LiteLLM's `mock_response`: the request is checked and built exactly as for Bedrock, then answered
 * with the given text instead of being sent (nothing is billed: usage and cost are 0). Results say
 * `provider_specific_fields.mock_response: true`.
 */
import type { ChatCompletion, ChatCompletionStream, ProviderFields } from "../types.js";
import { buildCompletion, buildUsage, ChunkAssembler } from "./assemble.js";
import { converseFinishReasons } from "./converse.js";
import { buildConverseInput } from "./converse-call.js";
import { buildInvokeChatBody } from "./invoke.js";
import { buildMantleBody } from "./mantle.js";
import type { StreamEvent } from "./model.js";
import type { ChatCall, PreparedChat } from "./prepare.js";
import { createChatStream, type StreamSource } from "./stream.js";

/** Builds (and so checks) the request for the prepared route, without sending it. */
async function checkRequest(call: ChatCall, prepared: PreparedChat): Promise<void> {
  if (prepared.route === "converse") await buildConverseInput(call, prepared);
  else if (prepared.route === "mantle")
    buildMantleBody(call.request, prepared.resolved.wireModelId, call.request.stream === true);
  else await buildInvokeChatBody(call, prepared);
}

function mockFields(prepared: PreparedChat): ProviderFields {
  return { route: prepared.route, stop_reason: null, mock_response: true };
}

/** A unary completion whose message is the mock text. */
export async function mockChatCompletion(
  call: ChatCall,
  prepared: PreparedChat,
  text: string,
): Promise<ChatCompletion> {
  await checkRequest(call, prepared);
  const usage = buildUsage({ promptTokens: 0, completionTokens: 0 }, prepared.price);
  return buildCompletion(
    { text, toolCalls: [], reasoning: [] },
    "stop",
    usage,
    { ...prepared.meta, jsonTool: false },
    mockFields(prepared),
  );
}

async function* mockEvents(text: string): AsyncGenerator<StreamEvent[]> {
  yield [{ kind: "start" }, { kind: "text", text }, { kind: "finish", reason: "end_turn" }];
}

/** A stream whose chunks carry the mock text, then the finish chunk (and usage when asked for). */
export async function mockChatStream(
  call: ChatCall,
  prepared: PreparedChat,
  controller: AbortController,
  text: string,
): Promise<ChatCompletionStream> {
  await checkRequest(call, prepared);
  const source: StreamSource = {
    events: mockEvents(text),
    decode: (events: unknown) => events as StreamEvent[],
    assembler: new ChunkAssembler({ ...prepared.meta, jsonTool: false }, converseFinishReasons),
    fields: mockFields(prepared),
    requestId: undefined,
  };
  return createChatStream(source, call, prepared, controller);
}
