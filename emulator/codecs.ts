/**
 * The emulator halves of the codec units (runtime/codecs/<name>/emulator.ts), one entry per codec name of
 * the spec schema: how the emulator reads a native request body and writes native answers and streams.
 * Only the emulator imports this registry, so the runtime never loads emulator code; like the runtime's
 * registry (runtime/codecs/registry.ts) it is complete by type, so a missing line or part fails to compile.
 */
import { anthropicEmulator } from "../runtime/codecs/anthropic/emulator.js";
import { cohereChatEmulator } from "../runtime/codecs/cohere-chat/emulator.js";
import { flatEmulator } from "../runtime/codecs/flat/emulator.js";
import { mistralChatEmulator } from "../runtime/codecs/mistral-chat/emulator.js";
import { novaEmulator } from "../runtime/codecs/nova/emulator.js";
import { openaiEmulator } from "../runtime/codecs/openai/emulator.js";
import { templateEmulator } from "../runtime/codecs/template/emulator.js";
import type { CodecRegistry } from "../runtime/codecs/types.js";
import type { NativeChatPart, NativeStreamPart } from "./synthesize/native-kit.js";

export const emulatorCodecs: CodecRegistry<NativeChatPart, NativeStreamPart> = {
  anthropic: anthropicEmulator,
  "cohere-chat": cohereChatEmulator,
  flat: flatEmulator,
  "mistral-chat": mistralChatEmulator,
  nova: novaEmulator,
  openai: openaiEmulator,
  template: templateEmulator,
};
