import type { FastifyInstance } from "fastify";
import { runUnary } from "../dispatch.js";
import type { ProxyServices } from "../services.js";
import { unitUsageAccess } from "../usage.js";
import { postModelRoute } from "./paths.js";

/** `POST /v1/rerank`: Cohere's rerank API, as LiteLLM's proxy serves it at /rerank and /v1/rerank. */
export function registerRerankRoutes(app: FastifyInstance, services: ProxyServices): void {
  postModelRoute(app, "/rerank", (request, reply) =>
    runUnary(
      "rerank",
      request,
      reply,
      services,
      (deployment, runtimeRequest, options) =>
        deployment.bedrock.rerank.create(runtimeRequest as never, options),
      { usage: unitUsageAccess },
    ),
  );
}
