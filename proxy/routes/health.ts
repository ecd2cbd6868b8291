import type { FastifyInstance } from "fastify";
import { renderMetrics } from "../metrics.js";
import type { ProxyServices } from "../services.js";

/** Paths that answer without the master key (probes carry no credentials): `/health` and `/health/…`. */
export function isHealthPath(url: string): boolean {
  if (!url.startsWith("/health")) return false;
  const next = url.charCodeAt(7);
  // the end, "/" or "?"
  return Number.isNaN(next) || next === 47 || next === 63;
}

/**
 * `GET /health/liveliness` (also `/health/liveness` and `/health`), `/health/readiness` (503 while
 * draining), and `GET /metrics` in Prometheus' text format.
 */
export function registerHealthRoutes(app: FastifyInstance, services: ProxyServices): void {
  const { config, lifecycle } = services;
  const liveness = async () => "I'm alive!";
  app.get("/health/liveliness", liveness);
  app.get("/health/liveness", liveness);
  app.get("/health", liveness);
  app.get("/health/readiness", async (_request, reply) => {
    if (lifecycle.draining) return reply.code(503).send({ status: "draining" });
    return { status: "healthy", models: config.modelNames.length, deployments: config.deployments.length };
  });
  app.get("/metrics", async (_request, reply) => {
    const own = services.ownMetrics();
    const snapshot = services.aggregateMetrics ? await services.aggregateMetrics(own) : own;
    return reply.type("text/plain; version=0.0.4; charset=utf-8").send(renderMetrics(snapshot));
  });
}
