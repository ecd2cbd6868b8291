import type { AddressInfo } from "node:net";
import { createProxyServer } from "./app.js";
import { createProxyConfig, loadProxyConfig } from "./config.js";
import type { ProxyConfig } from "./config-types.js";
import { jsonLineSink, logLine } from "./log.js";
import type { ProxyOptions, RunningProxy } from "./options.js";

export type { ProxyOptions, RunningProxy } from "./options.js";

function isLoadedConfig(value: unknown): value is ProxyConfig {
  return (
    typeof value === "object" &&
    value !== null &&
    Array.isArray((value as ProxyConfig).deployments) &&
    Array.isArray((value as ProxyConfig).modelNames)
  );
}

/** Starts the OpenAI-compatible proxy. Resolves once it listens; rejects with ProxyConfigError for a bad config. */
export async function startProxy(options: ProxyOptions): Promise<RunningProxy> {
  const log = options.log ?? jsonLineSink();
  const config = isLoadedConfig(options.config)
    ? options.config
    : typeof options.config === "string"
      ? await loadProxyConfig(options.config, { env: options.env, cwd: options.cwd })
      : createProxyConfig(options.config, { env: options.env });
  for (const warning of config.warnings) log(logLine("warn", warning));
  const proxy = createProxyServer(config, options, log);
  const host = options.host ?? "127.0.0.1";
  await proxy.app.listen({ port: options.port ?? 4000, host });
  const address = proxy.app.server.address() as AddressInfo;
  const urlHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${urlHost}:${address.port}`;
  log(
    logLine("info", "listening", {
      url,
      models: config.modelNames,
      deployments: config.deployments.length,
      config: config.source,
    }),
  );
  return {
    url,
    port: address.port,
    modelNames: config.modelNames,
    close: proxy.close,
    metrics: proxy.metrics,
  };
}
