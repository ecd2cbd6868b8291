import type { FastifyInstance, RouteHandlerMethod } from "fastify";
import type { ErrorShape } from "../errors.js";

/** What a route says about itself: the shape of its error answers (OpenAI's unless said). */
export interface RouteSettings {
  readonly errorShape?: ErrorShape;
}

/** Registers a POST route at `/v1<path>` and at `<path>`, as OpenAI's and LiteLLM's clients use both. */
export function postModelRoute(
  app: FastifyInstance,
  path: string,
  handler: RouteHandlerMethod,
  settings: RouteSettings = {},
): void {
  for (const prefix of ["/v1", ""]) app.post(`${prefix}${path}`, { config: settings }, handler);
}

/** Registers a GET route at `/v1<path>` and at `<path>`. */
export function getModelRoute(app: FastifyInstance, path: string, handler: RouteHandlerMethod): void {
  for (const prefix of ["/v1", ""]) app.get(`${prefix}${path}`, handler);
}
