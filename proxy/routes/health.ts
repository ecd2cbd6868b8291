import type { FastifyInstance } from "fastify";
import { renderMetrics } from "../metrics.js";
import type { ProxyServices } from "../services.js";

/** Paths that answer without the master key (probes carry no credentials). */
export const healthPathPrefix = "/health/";

/**
 * `GET /health/liveliness` (and `/health/liveness`), `/health/readiness` (503 while draining), and
 * `GET /metrics` in Prometheus' text format.
 */
export function registerHealthRoutes(app: FastifyInstance, services: ProxyServices): void {
  const { config, lifecycle } = services;
  const liveness = async () => "I'm alive!";
  app.get(`${healthPathPrefix}liveliness`, liveness);
  app.get(`${healthPathPrefix}liveness`, liveness);
  app.get(`${healthPathPrefix}readiness`, async (_request, reply) => {
    if (lifecycle.draining) return reply.code(503).send({ status: "draining" });
    return { status: "healthy", models: config.modelNames.length, deployments: config.deployments.length };
  });
  app.get("/metrics", async (_request, reply) => {
    const own = services.ownMetrics();
    const snapshot = services.aggregateMetrics ? await services.aggregateMetrics(own) : own;
    return reply.type("text/plain; version=0.0.4; charset=utf-8").send(renderMetrics(snapshot));
  });
}
