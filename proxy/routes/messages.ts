import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type {
  AnthropicCountTokensRequest,
  AnthropicMessage,
  AnthropicMessageCreateRequest,
  AnthropicStreamEvent,
  ModelRef,
  RequestOptions,
} from "../../runtime/index.js";
import { openStream, type PreparedRequest, prepareRequest, runUnary } from "../dispatch.js";
import { describeAnthropicError } from "../errors.js";
import type { ProxyServices } from "../services.js";
import { relayStream, type StreamEncoding } from "../stream-relay.js";
import {
  applyPrices,
  describeUsage,
  readMessagesUsage,
  type TokenPrices,
  type UsageAccess,
} from "../usage.js";
import { postModelRoute, type RouteSettings } from "./paths.js";

/** The Messages routes answer errors as Anthropic's API does: `{type: "error", error: {type, message}}`. */
const anthropicRoute: RouteSettings = { errorShape: "anthropic" };

/** An Anthropic message's usage (its cost too), read and repriced. */
const messageUsageAccess: UsageAccess<{ usage?: unknown }> = {
  read: (message) => readMessagesUsage(message.usage),
  writeCost(message, cost) {
    (message.usage as { cost: number }).cost = cost;
  },
};

/**
 * The request options of a Messages call: the client's `anthropic-beta` header alone (the runtime
 * sends it to Claude as `anthropic_beta`; any other option header would be sent to Bedrock, signed).
 * `anthropic-version` is accepted and not passed on: Bedrock's Claude body has its own version.
 */
function withBetaHeader(
  request: FastifyRequest,
  options: { readonly signal: AbortSignal; readonly timeout: number | undefined },
): RequestOptions {
  const beta = request.headers["anthropic-beta"];
  const value = Array.isArray(beta) ? beta.join(",") : beta;
  return value ? { ...options, headers: { "anthropic-beta": value } } : options;
}

/**
 * `POST /v1/messages` and `POST /v1/messages/count_tokens`: Anthropic's Messages API over any chat model
 * of the config (the runtime's `bedrock.messages`: Claude natively through InvokeModel, other models
 * through Converse), for Anthropic's SDKs and the coding agents that point `ANTHROPIC_BASE_URL` here.
 * `stream: true` answers Anthropic's named events (https://docs.anthropic.com/en/docs/build-with-claude/streaming).
 */
export function registerMessagesRoutes(app: FastifyInstance, services: ProxyServices): void {
  postModelRoute(
    app,
    "/messages",
    async (request, reply) => {
      // Anthropic's SDKs read the request id from this header (`_request_id`).
      reply.header("request-id", request.id);
      const body = request.body as { stream?: unknown } | null;
      if (body && typeof body === "object" && body.stream === true)
        return streamMessage(request, reply, services);
      return runUnary(
        "messages",
        request,
        reply,
        services,
        (deployment, runtimeRequest, options) =>
          deployment.bedrock.messages.create(
            runtimeRequest as unknown as AnthropicMessageCreateRequest<ModelRef, false>,
            withBetaHeader(request, options),
          ),
        { usage: messageUsageAccess as UsageAccess<AnthropicMessage> },
      );
    },
    anthropicRoute,
  );
  postModelRoute(
    app,
    "/messages/count_tokens",
    (request, reply) => {
      reply.header("request-id", request.id);
      return runUnary(
        "count_tokens",
        request,
        reply,
        services,
        (deployment, runtimeRequest, options) =>
          deployment.bedrock.messages.countTokens(
            runtimeRequest as unknown as AnthropicCountTokensRequest<ModelRef>,
            withBetaHeader(request, options),
          ),
        // A count has no usage of its own (and costs nothing).
        { usage: { read: () => undefined } },
      );
    },
    anthropicRoute,
  );
}

async function streamMessage(
  request: FastifyRequest,
  reply: FastifyReply,
  services: ProxyServices,
): Promise<void> {
  const prepared = prepareRequest("messages", request, reply, services);
  request.forge.stream = true;
  const opened = await openStream<AnthropicStreamEvent>(
    prepared,
    request,
    services,
    async (deployment, runtimeRequest, options) => {
      const stream = await deployment.bedrock.messages.create(
        runtimeRequest as unknown as AnthropicMessageCreateRequest<ModelRef, true>,
        withBetaHeader(request, options),
      );
      return { stream, abort: () => stream.abort() };
    },
    {},
  );
  await relayStream(
    request,
    reply,
    services,
    prepared,
    opened,
    messageEncoding(request, prepared, opened.deployment.config.prices),
  );
}

/**
 * Anthropic's events as `event: <type>` / `data: <json>`: `message_start` naming the model the client
 * asked for, `message_delta`'s usage (the whole call's, with its cost) at the deployment's own prices if
 * it has them; the stream ends after `message_stop`, or with an `error` event in Anthropic's shape.
 */
function messageEncoding(
  request: FastifyRequest,
  prepared: PreparedRequest,
  prices: TokenPrices | undefined,
): StreamEncoding<AnthropicStreamEvent> {
  const context = request.forge;
  return {
    send(event, writer) {
      if (event.type === "message_start") event.message.model = prepared.modelName;
      else if (event.type === "message_delta") {
        const counts = applyPrices(event, messageUsageAccess, prices);
        if (counts) context.usage = describeUsage(counts);
      }
      return writer.sendEvent(event.type, event);
    },
    async finish(writer) {
      writer.end(context.usage?.cost);
    },
    // "Event streams may also include any number of ping events"
    // (https://docs.anthropic.com/en/docs/build-with-claude/streaming#ping-events).
    keepAlive(writer) {
      void writer.sendEvent("ping", { type: "ping" });
    },
    fail(writer, _error, cause) {
      // As Anthropic streams it: `{"type": "error", "error": {"type", "message"}}`.
      const { body } = describeAnthropicError(cause);
      writer.failEvent("error", { type: body.type, error: body.error });
    },
  };
}
