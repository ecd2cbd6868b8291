export {
  type ConfigProblem,
  createProxyConfig,
  type Deployment,
  formatConfigProblem,
  loadProxyConfig,
  type ProxyConfig,
  ProxyConfigError,
  parseProxyConfig,
  quickConfig,
} from "./config.js";
export { proxyConfigSchema } from "./config-schema.js";
export { type OpenAIErrorBody, ProxyError } from "./errors.js";
export { jsonLineSink, type LogLine, type LogSink } from "./log.js";
export { type ProxyOptions, type RunningProxy, startProxy } from "./server.js";
