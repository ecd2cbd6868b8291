import type { ProxyConfig } from "./config-types.js";
import type { LogSink } from "./log.js";
import type { MetricsSnapshot } from "./metrics.js";

export interface ProxyOptions {
  /**
   * A `config.yaml` path, a LiteLLM-shaped config object (`{ model_list: [...] }`), or a config
   * already loaded with `loadProxyConfig`.
   */
  readonly config: string | Readonly<Record<string, unknown>> | ProxyConfig;
  /** Default 4000; 0 picks a free port. */
  readonly port?: number;
  /** Default 127.0.0.1 (loopback). Use 0.0.0.0 behind a load balancer. */
  readonly host?: string;
  /** Overrides `general_settings.master_key`. */
  readonly masterKey?: string;
  /** Body size limit in bytes (overrides `general_settings.max_request_size_mb`). */
  readonly maxRequestBytes?: number;
  /** Request deadline in milliseconds (overrides `litellm_settings.request_timeout`). */
  readonly requestTimeoutMs?: number;
  /** Where log lines go; JSON lines on stdout by default. */
  readonly log?: LogSink;
  /** Environment for `os.environ/` references (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Where a relative config path is read from (default `process.cwd()`). */
  readonly cwd?: string;
  /**
   * What `GET /metrics` reports, given this process's own metrics: by default those alone; the workers
   * of `serve --workers` add up every worker's.
   */
  readonly aggregateMetrics?: (own: MetricsSnapshot) => Promise<MetricsSnapshot>;
  /** The router's clock (cooldowns, per-minute rpm/tpm counts), `Date.now` by default; for tests. */
  readonly clock?: () => number;
}

export interface RunningProxy {
  /** `http://host:port`, the base URL for OpenAI clients is this plus `/v1`. */
  readonly url: string;
  readonly port: number;
  readonly modelNames: readonly string[];
  /**
   * Stops accepting requests and waits for in-flight ones up to `drainMs` (default 10 s); what is still
   * running then is cancelled (streams get an error event) and connections are closed.
   */
  close(options?: { drainMs?: number }): Promise<void>;
  /** This process's metrics so far (what `GET /metrics` renders, before any aggregation). */
  metrics(): MetricsSnapshot;
}
