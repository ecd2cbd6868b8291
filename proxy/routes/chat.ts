import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ChatCompletionChunk, ChatCompletionStreamParams } from "../../runtime/index.js";
import { openStream, prepareRequest, runUnary } from "../dispatch.js";
import type { ProxyServices } from "../services.js";
import { relayStream, type StreamEncoding } from "../stream-relay.js";
import { applyPrices, chatUsageAccess, describeUsage, type TokenPrices } from "../usage.js";
import { postModelRoute } from "./paths.js";

/** `POST /v1/chat/completions`: OpenAI's Chat Completions; `stream: true` answers Server-Sent Events. */
export function registerChatRoutes(app: FastifyInstance, services: ProxyServices): void {
  postModelRoute(app, "/chat/completions", async (request, reply) => {
    const body = request.body as { stream?: unknown } | null;
    if (body && typeof body === "object" && body.stream === true) return streamChat(request, reply, services);
    return runUnary("chat", request, reply, services, (deployment, runtimeRequest, options) =>
      deployment.bedrock.chat.completions.create(runtimeRequest as never, options),
    );
  });
}

async function streamChat(
  request: FastifyRequest,
  reply: FastifyReply,
  services: ProxyServices,
): Promise<void> {
  const prepared = prepareRequest("chat", request, reply, services);
  request.forge.stream = true;
  const streamOptions = prepared.body.stream_options as { include_usage?: boolean } | null | undefined;
  const opened = await openStream<ChatCompletionChunk>(
    prepared,
    request,
    services,
    async (deployment, runtimeRequest, options) => {
      const stream = await deployment.bedrock.chat.completions.create(
        runtimeRequest as unknown as ChatCompletionStreamParams,
        options,
      );
      return { stream, abort: () => stream.abort() };
    },
    // Usage is always asked for (the log line and the cost need it) and passed on only when the client asked.
    { stream: true, stream_options: { include_usage: true } },
  );
  await relayStream(
    request,
    reply,
    services,
    prepared,
    opened,
    chatEncoding(request, {
      includeUsage: streamOptions?.include_usage === true,
      modelName: prepared.modelName,
      prices: opened.deployment.config.prices,
    }),
  );
}

/**
 * OpenAI's chunks as `data:` events with `model` echoing the name the client asked for, the usage chunk
 * (at the deployment's own prices, if it has them) only when asked for, `[DONE]` with the cost trailer.
 */
function chatEncoding(
  request: FastifyRequest,
  options: { includeUsage: boolean; modelName: string; prices: TokenPrices | undefined },
): StreamEncoding<ChatCompletionChunk> {
  const context = request.forge;
  const { includeUsage, modelName, prices } = options;
  return {
    send(chunk, writer) {
      chunk.model = modelName;
      if (chunk.choices.length === 0 && chunk.usage) {
        const counts = applyPrices(chunk, chatUsageAccess, prices);
        if (counts) context.usage = describeUsage(counts);
        return includeUsage ? writer.send(chunk) : undefined;
      }
      return writer.send(chunk);
    },
    finish: (writer) => writer.done(context.usage?.cost),
    fail: (writer, error) => writer.fail(error),
  };
}
