import type { FastifyInstance, RouteHandlerMethod } from "fastify";

/** Registers a POST route at `/v1<path>` and at `<path>`, as OpenAI's and LiteLLM's clients use both. */
export function postModelRoute(app: FastifyInstance, path: string, handler: RouteHandlerMethod): void {
  for (const prefix of ["/v1", ""]) app.post(`${prefix}${path}`, handler);
}

/** Registers a GET route at `/v1<path>` and at `<path>`. */
export function getModelRoute(app: FastifyInstance, path: string, handler: RouteHandlerMethod): void {
  for (const prefix of ["/v1", ""]) app.get(`${prefix}${path}`, handler);
}
