import type { FastifyInstance } from "fastify";
import { type BodyCheck, runUnary } from "../dispatch.js";
import { invalidRequest } from "../errors.js";
import type { ProxyServices } from "../services.js";
import { postModelRoute } from "./paths.js";

/** `POST /v1/embeddings`: OpenAI's Embeddings. */
export function registerEmbeddingsRoutes(app: FastifyInstance, services: ProxyServices): void {
  postModelRoute(app, "/embeddings", (request, reply) =>
    runUnary(
      "embeddings",
      request,
      reply,
      services,
      (deployment, runtimeRequest, options) =>
        deployment.bedrock.embeddings.create(runtimeRequest as never, options),
      { checkBody: checkInputCount },
    ),
  );
}

/**
 * One request fans out into a call per input (or per batch the model takes): the number of inputs is
 * bounded (`general_settings.max_embedding_inputs`, default 2048 as OpenAI's own API).
 */
const checkInputCount: BodyCheck = (body, services) => {
  const { input } = body;
  const limit = services.limits.maxEmbeddingInputs;
  if (Array.isArray(input) && input.length > limit) {
    throw invalidRequest(
      `input has ${input.length} items; this proxy takes at most ${limit} per request`,
      "input",
      "too_many_inputs",
    );
  }
};
