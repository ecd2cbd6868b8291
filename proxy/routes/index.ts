/**
 * The proxy's route modules, one per route family. Each registers its routes on the fastify instance
 * with the services it needs (see services.ts). A new API is one module here plus its line in
 * `routeModules`, and, for a model endpoint, its body schema in request-schemas.ts.
 */
import type { FastifyInstance } from "fastify";
import type { ProxyServices } from "../services.js";
import { registerChatRoutes } from "./chat.js";
import { registerEmbeddingsRoutes } from "./embeddings.js";
import { registerHealthRoutes } from "./health.js";
import { registerImageEditRoutes } from "./image-edits.js";
import { registerImagesRoutes } from "./images.js";
import { registerMessagesRoutes } from "./messages.js";
import { registerModelsRoutes } from "./models.js";
import { registerRerankRoutes } from "./rerank.js";
import { registerResponsesRoutes } from "./responses.js";

export type RouteModule = (app: FastifyInstance, services: ProxyServices) => void;

export const routeModules: readonly RouteModule[] = [
  registerHealthRoutes,
  registerModelsRoutes,
  registerChatRoutes,
  registerEmbeddingsRoutes,
  registerImagesRoutes,
  registerImageEditRoutes,
  registerRerankRoutes,
  registerResponsesRoutes,
  registerMessagesRoutes,
];
