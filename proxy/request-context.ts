import type { Usage } from "../runtime/index.js";
import type { RouteTrace } from "./router.js";

/** Per-request facts for the log line. */
export interface RequestContext {
  readonly id: string;
  readonly started: number;
  model?: string;
  /** The config's name for the model asked for (a model name, alias or wildcard pattern): the metrics label. */
  modelLabel?: string;
  trace?: RouteTrace;
  stream?: boolean;
  usage?: Partial<Usage> & { cost?: number | null };
  errorType?: string;
  errorCode?: string;
  warnings?: string[];
  /** The client's bookkeeping (`metadata`, `user`, `tags`, `service_tier`), bounded, for the log line. */
  notes?: Record<string, unknown>;
  /** The route writes the answer itself (a stream): no log line from the onResponse hook. */
  hijacked?: boolean;
  logged?: boolean;
}

declare module "fastify" {
  interface FastifyRequest {
    forge: RequestContext;
  }
}
