/**
 * Family-native InvokeModel / InvokeModelWithResponseStream chat: each family's codec reads the request
 * body and writes the answer in its documented shape (the emulator halves of the codec units, registered
 * in ../codecs.ts); the spec's usage, finish and id pointers are then applied on top, so the answer always
 * reads back through the spec.
 */
import type { FamilyDescriptor } from "../../runtime/descriptor.js";
import { emulatorCodecs } from "../codecs.js";
import { applyResponseMapping, type Json, type NativeChatContext } from "./native-kit.js";
import type { ChatPlan } from "./plan.js";
import { type ChatView, numberAt } from "./view.js";

/** Reads a native InvokeModel chat body with the family's codec. */
export function readNativeChatView(body: Json, descriptor: FamilyDescriptor): ChatView {
  const mapping = descriptor.chat!.request;
  const view = emulatorCodecs[mapping.codec].messages.readChatView(body, mapping);
  const maxTokens = numberAt(body, mapping.params.max_tokens?.to ?? mapping.params.max_completion_tokens?.to);
  return maxTokens !== undefined ? { ...view, maxTokens } : view;
}

/** The unary InvokeModel answer in the family's shape. */
export function buildNativeChatResponse(plan: ChatPlan, context: NativeChatContext, userText: string): Json {
  const codec = context.descriptor.chat!.request.codec;
  const { body, fallbackFinish } = emulatorCodecs[codec].messages.buildResponse(plan, context, userText);
  applyResponseMapping(body, context, plan, fallbackFinish);
  return body;
}

/** The chunk JSONs of an InvokeModelWithResponseStream answer, ending as the family ends its streams. */
export function buildNativeChatStream(plan: ChatPlan, context: NativeChatContext, userText: string): Json[] {
  const codec = context.descriptor.chat!.stream?.codec ?? "flat";
  const chunks = emulatorCodecs[codec].stream.buildStream(plan, context, userText);
  if (context.guardrail) Object.assign(chunks[chunks.length - 1]!, context.guardrail);
  return chunks;
}
