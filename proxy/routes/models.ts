import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ProxyServices } from "../services.js";
import { getModelRoute } from "./paths.js";

/** `GET /v1/models` and `/v1/models/{name}`: the model names and aliases, in OpenAI's list shape. */
export function registerModelsRoutes(app: FastifyInstance, services: ProxyServices): void {
  const { config, router, startedAt } = services;
  const modelObject = (id: string) => ({ id, object: "model", created: startedAt, owned_by: "bedrock" });
  // The model names, then the aliases that are not hidden (LiteLLM lists both); wildcard patterns as configured.
  const listed = [
    ...config.modelNames,
    ...[...config.aliases].filter(([, alias]) => !alias.hidden).map(([name]) => name),
  ];
  getModelRoute(app, "/models", async () => ({ object: "list", data: listed.map(modelObject) }));
  getModelRoute(app, "/models/:model", async (request) => {
    const { model } = (request as FastifyRequest<{ Params: { model: string } }>).params;
    // A 404 listing the names that exist (an alias or a name a wildcard pattern matches is served).
    router.resolve(model);
    return modelObject(model);
  });
}
