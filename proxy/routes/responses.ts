import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import {
  buildResponseErrorEvent,
  type ModelRef,
  type Response,
  type ResponseCreateRequest,
  type ResponseStreamEvent,
} from "../../runtime/index.js";
import { openStream, type PreparedRequest, prepareRequest, runUnary } from "../dispatch.js";
import type { ProxyServices } from "../services.js";
import { relayStream, type StreamEncoding } from "../stream-relay.js";
import {
  applyPrices,
  describeUsage,
  readResponsesUsage,
  type TokenPrices,
  type UsageAccess,
} from "../usage.js";
import { postModelRoute } from "./paths.js";

/** A Responses object's usage, read and repriced. */
const responseUsageAccess: UsageAccess<Response> = {
  read: (response) => readResponsesUsage(response.usage),
  writeCost(response, cost) {
    if (response.usage) response.usage.cost = cost;
  },
};

/**
 * `POST /v1/responses`: OpenAI's Responses API over any chat model of the config (the runtime's
 * `bedrock.responses.create`); `stream: true` answers its named events
 * (https://platform.openai.com/docs/api-reference/responses-streaming). Stateless: the runtime refuses
 * `previous_response_id` (and the proxy `store: true`) with a 400 naming the field.
 */
export function registerResponsesRoutes(app: FastifyInstance, services: ProxyServices): void {
  postModelRoute(app, "/responses", async (request, reply) => {
    const body = request.body as { stream?: unknown } | null;
    if (body && typeof body === "object" && body.stream === true)
      return streamResponse(request, reply, services);
    const response = await runUnary(
      "responses",
      request,
      reply,
      services,
      (deployment, runtimeRequest, options) =>
        deployment.bedrock.responses.create(
          runtimeRequest as unknown as ResponseCreateRequest<ModelRef, false>,
          options,
        ),
      { usage: responseUsageAccess },
    );
    echoRequestFields(response, request.body as Readonly<Record<string, unknown>>);
    return response;
  });
}

/**
 * What a response echoes of its request that the proxy kept from Bedrock: `metadata` and `user` (the
 * proxy strips them from what reaches the runtime, so it puts them back).
 */
function echoRequestFields(response: Response, body: Readonly<Record<string, unknown>>): void {
  const { metadata, user } = body;
  response.metadata =
    metadata !== null && typeof metadata === "object" ? (metadata as Record<string, string>) : null;
  if (typeof user === "string") response.user = user;
}

async function streamResponse(
  request: FastifyRequest,
  reply: FastifyReply,
  services: ProxyServices,
): Promise<void> {
  const prepared = prepareRequest("responses", request, reply, services);
  request.forge.stream = true;
  const opened = await openStream<ResponseStreamEvent>(
    prepared,
    request,
    services,
    async (deployment, runtimeRequest, options) => {
      const stream = await deployment.bedrock.responses.create(
        runtimeRequest as unknown as ResponseCreateRequest<ModelRef, true>,
        options,
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
    responseEncoding(request, prepared, opened.deployment.config.prices),
  );
}

/**
 * Responses events as `event: <type>` / `data: <json>`, each response snapshot naming the model the
 * client asked for (and its metadata and user), the final usage at the deployment's own prices if it has
 * them; the stream ends with its last event (no `[DONE]`), or with an `error` event numbered after the
 * last one sent.
 */
function responseEncoding(
  request: FastifyRequest,
  prepared: PreparedRequest,
  prices: TokenPrices | undefined,
): StreamEncoding<ResponseStreamEvent> {
  const context = request.forge;
  let lastSequenceNumber = -1;
  return {
    send(event, writer) {
      lastSequenceNumber = event.sequence_number;
      if ("response" in event) {
        const response = event.response;
        response.model = prepared.modelName;
        echoRequestFields(response, prepared.body);
        if (response.usage) {
          const counts = applyPrices(response, responseUsageAccess, prices);
          if (counts) context.usage = describeUsage(counts);
        }
      }
      return writer.sendEvent(event.type, event);
    },
    async finish(writer) {
      writer.end(context.usage?.cost);
    },
    fail(writer, _error, cause) {
      writer.failEvent("error", buildResponseErrorEvent(cause, lastSequenceNumber + 1));
    },
  };
}
