/**
 * The runtime halves of the codec units, one entry per codec name of the spec schema. Adding a codec is
 * one folder (`runtime/codecs/<name>/index.ts` and its `emulator.ts`) plus one line here and one in
 * `emulator/codecs.ts`; a missing line or part fails to compile.
 */

import { anthropic } from "./anthropic/index.js";
import { cohereChat } from "./cohere-chat/index.js";
import { flat } from "./flat/index.js";
import { mistralChat } from "./mistral-chat/index.js";
import { nova } from "./nova/index.js";
import { openai } from "./openai/index.js";
import { template } from "./template/index.js";
import type {
  CodecRegistry,
  MessagesCodec,
  MessagesCodecName,
  StreamCodec,
  StreamCodecName,
} from "./types.js";

export const codecs: CodecRegistry<MessagesCodec, StreamCodec> = {
  anthropic,
  "cohere-chat": cohereChat,
  flat,
  "mistral-chat": mistralChat,
  nova,
  openai,
  template,
};

/** The message codec a spec names (`chat.request.codec`). */
export function messagesCodecFor(name: MessagesCodecName): MessagesCodec {
  return codecs[name].messages;
}

/** The stream codec a spec names (`chat.stream.codec`). */
export function streamCodecFor(name: StreamCodecName): StreamCodec {
  return codecs[name].stream;
}
