import OpenAI from "openai";
import { type Emulator, type EmulatorOptions, startEmulator } from "../../emulator/index.js";
import type { LogLine } from "../../proxy/log.js";
import { type ProxyOptions, type RunningProxy, startProxy } from "../../proxy/server.js";

/** AWS's documented example keys: the emulator's default credentials. */
export const exampleKeys = {
  aws_access_key_id: "AKIAIOSFODNN7EXAMPLE",
  aws_secret_access_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  aws_region_name: "us-east-1",
} as const;

export const claude = "anthropic.claude-3-haiku-20240307-v1:0";
export const llama = "meta.llama3-8b-instruct-v1:0";
export const titanEmbed = "amazon.titan-embed-text-v2:0";

/** `litellm_params` for a Bedrock model served by an emulator. */
export function paramsFor(
  emulator: { url: string },
  model: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { model: `bedrock/${model}`, ...exampleKeys, aws_bedrock_runtime_endpoint: emulator.url, ...extra };
}

export interface Harness {
  readonly emulator: Emulator;
  readonly proxy: RunningProxy;
  readonly logs: LogLine[];
  /** An official OpenAI client pointed at the proxy (no retries, so errors surface as they are). */
  client(apiKey?: string): OpenAI;
  /** Request log lines (one per request). */
  requestLogs(): LogLine[];
  close(): Promise<void>;
}

/** Starts an emulator and a proxy in front of it on loopback, random ports. */
export async function startHarness(
  config: (emulator: Emulator) => Record<string, unknown>,
  options: { emulator?: EmulatorOptions; proxy?: Partial<ProxyOptions> } = {},
): Promise<Harness> {
  const emulator = await startEmulator({ port: 0, host: "127.0.0.1", ...options.emulator });
  const logs: LogLine[] = [];
  let proxy: RunningProxy;
  try {
    proxy = await startProxy({
      port: 0,
      host: "127.0.0.1",
      config: config(emulator),
      log: (line) => logs.push(line),
      env: {},
      ...options.proxy,
    });
  } catch (error) {
    await emulator.close();
    throw error;
  }
  return {
    emulator,
    proxy,
    logs,
    client: (apiKey = "sk-anything") => new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey, maxRetries: 0 }),
    requestLogs: () => logs.filter((line) => line.msg === "request"),
    async close() {
      await proxy.close({ drainMs: 1000 });
      await emulator.close();
    },
  };
}

/** Posts raw bytes and returns status, headers and the parsed body. */
export async function postRaw(
  url: string,
  body: string | Uint8Array,
  headers: Record<string, string> = { "content-type": "application/json" },
): Promise<{ status: number; headers: Headers; json: unknown; text: string }> {
  const response = await fetch(url, { method: "POST", body, headers });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, json, text };
}

/** Polls until `check` is true (emulator request logs settle a moment after the proxy answers). */
export async function waitFor(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
