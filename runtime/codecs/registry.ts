import type {
  MessagesCodec as MessagesCodecName,
  StreamCodec as StreamCodecName,
} from "../../generated/spec-types.js";
import { RequestValidationError } from "../errors.js";
import { anthropicCodec, anthropicStreamCodec } from "./anthropic.js";
import { cohereChatCodec, cohereChatStreamCodec } from "./cohere-chat.js";
import { converseStreamCodec } from "./converse-stream.js";
import { flatStreamCodec } from "./flat-stream.js";
import { mistralChatCodec } from "./mistral-chat.js";
import { novaCodec } from "./nova.js";
import { openaiCodec, openaiStreamCodec } from "./openai.js";
import { templateCodec } from "./template.js";
import type { MessagesCodec, StreamCodec } from "./types.js";

/** The message codecs a spec may name. A codec missing here is a bug the contract tests catch. */
const messagesCodecs: Partial<Record<MessagesCodecName, MessagesCodec>> = {
  template: templateCodec,
  anthropic: anthropicCodec,
  nova: novaCodec,
  "cohere-chat": cohereChatCodec,
  "mistral-chat": mistralChatCodec,
  openai: openaiCodec,
};

const streamCodecs: Partial<Record<StreamCodecName, StreamCodec>> = {
  flat: flatStreamCodec,
  anthropic: anthropicStreamCodec,
  converse: converseStreamCodec,
  "cohere-chat": cohereChatStreamCodec,
  openai: openaiStreamCodec,
};

export function messagesCodecFor(name: MessagesCodecName, model: string): MessagesCodec {
  const codec = messagesCodecs[name];
  if (!codec) {
    throw new RequestValidationError(
      `the ${name} message codec is not available in this build, so ${model} cannot be called through invoke`,
      {
        model,
        code: "codec_unavailable",
      },
    );
  }
  return codec;
}

export function streamCodecFor(name: StreamCodecName, model: string): StreamCodec {
  const codec = streamCodecs[name];
  if (!codec) {
    throw new RequestValidationError(
      `the ${name} stream codec is not available in this build, so ${model} cannot stream through invoke`,
      {
        model,
        code: "codec_unavailable",
      },
    );
  }
  return codec;
}
