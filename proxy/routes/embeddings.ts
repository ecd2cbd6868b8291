import type { FastifyInstance } from "fastify";
import { runUnary } from "../dispatch.js";
import type { ProxyServices } from "../services.js";
import { postModelRoute } from "./paths.js";

/** `POST /v1/embeddings`: OpenAI's Embeddings. */
export function registerEmbeddingsRoutes(app: FastifyInstance, services: ProxyServices): void {
  postModelRoute(app, "/embeddings", (request, reply) =>
    runUnary("embeddings", request, reply, services, (deployment, runtimeRequest, options) =>
      deployment.bedrock.embeddings.create(runtimeRequest as never, options),
    ),
  );
}
