import type { FastifyInstance } from "fastify";
import { runUnary } from "../dispatch.js";
import type { ProxyServices } from "../services.js";
import { unitUsageAccess } from "../usage.js";
import { postModelRoute } from "./paths.js";

/** `POST /v1/images/generations`: OpenAI's image generation (`b64_json`). */
export function registerImagesRoutes(app: FastifyInstance, services: ProxyServices): void {
  postModelRoute(app, "/images/generations", (request, reply) =>
    runUnary(
      "images",
      request,
      reply,
      services,
      (deployment, runtimeRequest, options) =>
        deployment.bedrock.images.generate(runtimeRequest as never, options),
      { usage: unitUsageAccess },
    ),
  );
}
