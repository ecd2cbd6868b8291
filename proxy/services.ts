/** What a route module is given: config, router, limits, the server's lifecycle, logging and metrics. */
import type { ProxyConfig } from "./config-types.js";
import type { ServerLifecycle } from "./lifecycle.js";
import type { LogSink } from "./log.js";
import type { MetricsSnapshot } from "./metrics.js";
import type { RequestLogger } from "./request-log.js";
import type { Router } from "./router.js";

/** Limits the server applies to every request, resolved from the options and the config. */
export interface ServerLimits {
  /** Request deadline in milliseconds (for a stream: to the first chunk, then the longest silence). */
  readonly requestTimeoutMs: number;
  /** How long a stream waits for a client that takes no data before it cuts it off. */
  readonly clientReadTimeoutMs: number;
  /** Inputs one embeddings request may carry. */
  readonly maxEmbeddingInputs: number;
  /** Silence after which a stream whose API has a keep-alive event (Anthropic's `ping`) gets one; 0: never. */
  readonly streamKeepAliveMs: number;
}

/** What a route module is given to serve its routes. */
export interface ProxyServices {
  readonly config: ProxyConfig;
  readonly router: Router;
  readonly limits: ServerLimits;
  readonly lifecycle: ServerLifecycle;
  readonly requestLog: RequestLogger;
  readonly log: LogSink;
  /** This process's metrics, with the in-flight count up to date. */
  readonly ownMetrics: () => MetricsSnapshot;
  /** What `GET /metrics` reports, given this process's own metrics (the workers of `serve --workers` add theirs up). */
  readonly aggregateMetrics: ((own: MetricsSnapshot) => Promise<MetricsSnapshot>) | undefined;
  /** When the server started, in Unix seconds (the `created` of the model objects). */
  readonly startedAt: number;
}
