import { exampleCredentials } from "../emulator/auth.js";
import { startEmulator } from "../emulator/server.js";
import type { Emulator } from "../emulator/types.js";
import {
  createProxyConfig,
  type Deployment,
  loadProxyConfig,
  type ProxyConfig,
  ProxyConfigError,
} from "../proxy/config.js";
import type { ProxyOptions } from "../proxy/server.js";

/** Loads and checks a proxy config as `serve` does (a file, or an inline config object). */
async function loadConfig(options: ProxyOptions): Promise<ProxyConfig> {
  const { config } = options;
  if (typeof config === "string") return loadProxyConfig(config, { env: options.env, cwd: options.cwd });
  if ("deployments" in config) return config as ProxyConfig;
  return createProxyConfig(config, { env: options.env });
}

/** `model_id` values (provisioned-throughput ARNs, application profiles) → the model their deployment names. */
export function listEmulatedModelIds(config: ProxyConfig): Record<string, string> {
  const models: Record<string, string> = {};
  for (const deployment of config.deployments)
    if (deployment.modelId !== undefined)
      models[deployment.modelId] = deployment.model
        .replace(/^bedrock\//, "")
        .replace(/^(converse|invoke)\//, "");
  return models;
}

/**
 * The config with every deployment pointed at `endpoint` and signed with AWS's documented example keys:
 * the deployment's own credentials, profile, role and endpoint are set aside (its region stays), and
 * clients may not send other connection fields.
 */
export function pointDeploymentsAt(config: ProxyConfig, endpoint: string): ProxyConfig {
  const offline = (deployment: Deployment): Deployment => ({
    ...deployment,
    connection: {
      aws_access_key_id: exampleCredentials.accessKeyId,
      aws_secret_access_key: exampleCredentials.secretAccessKey,
      aws_region_name: deployment.connection.aws_region_name ?? "us-east-1",
      aws_bedrock_runtime_endpoint: endpoint,
      num_retries: deployment.connection.num_retries,
    },
    clientSideAuthParams: new Set<string>(),
  });
  return { ...config, allowClientSideCredentials: false, deployments: config.deployments.map(offline) };
}

/**
 * What `serve --offline` runs on: the config, loaded and checked as usual, pointed at a built-in
 * emulator that synthesizes answers for every catalog model. A bad config is returned, not thrown.
 */
export async function startOfflineBackend(
  options: ProxyOptions,
): Promise<{ config: ProxyConfig; emulator: Emulator } | ProxyConfigError> {
  let config: ProxyConfig;
  try {
    config = await loadConfig(options);
  } catch (error) {
    if (error instanceof ProxyConfigError) return error;
    throw error;
  }
  const emulator = await startEmulator({
    port: 0,
    host: "127.0.0.1",
    mode: "synthesize",
    models: listEmulatedModelIds(config),
  });
  return { config: pointDeploymentsAt(config, emulator.url), emulator };
}
