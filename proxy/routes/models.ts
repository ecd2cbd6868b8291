import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ProxyServices } from "../services.js";
import { getModelRoute } from "./paths.js";

/** `GET /v1/models` and `/v1/models/{name}`: the model names, in OpenAI's list shape. */
export function registerModelsRoutes(app: FastifyInstance, services: ProxyServices): void {
  const { config, router, startedAt } = services;
  const modelObject = (id: string) => ({ id, object: "model", created: startedAt, owned_by: "bedrock" });
  getModelRoute(app, "/models", async () => ({ object: "list", data: config.modelNames.map(modelObject) }));
  getModelRoute(app, "/models/:model", async (request) => {
    const { model } = (request as FastifyRequest<{ Params: { model: string } }>).params;
    // A 404 listing the names that exist.
    router.deploymentsOf(model);
    return modelObject(model);
  });
}
