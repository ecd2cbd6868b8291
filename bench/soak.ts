/**
 * `npm run bench:soak [-- --seconds 60 --concurrency 32]`: the proxy under a long mixed load with
 * misbehaving clients, against one emulator (its own process). The proxy runs as users run it
 * (`bedrock-forge serve --config`, its own process, logs to /dev/null).
 *
 * Each of `concurrency` clients loops until the time is up, picking one of: a unary chat, a streamed chat
 * read to the end, an embeddings request, a slow reader (pauses between reads), a client that disconnects
 * mid-stream or mid-request, a stalled reader (never reads a long stream; the proxy must cut it off after
 * its client_read_timeout), or a bad body (malformed JSON, wrong types, nesting too deep, an unknown or
 * overlong model name, too many embedding inputs) that must get its 4xx.
 *
 * Reports every outcome that was not the expected one (zero is the goal), p50/p99 of the well-behaved
 * requests, throughput, and the proxy's resident memory after warm-up and after the soak (flat is the
 * goal). Exits 1 on any unexpected outcome. Not a timed test: numbers depend on the machine.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { machineLine, percentile, repositoryRoot, startEmulatorProcess, stopProcess } from "./support.js";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "60" },
    concurrency: { type: "string", default: "32" },
    "warmup-seconds": { type: "string", default: "5" },
  },
});
const settings = {
  seconds: positiveNumber(values.seconds!, "--seconds"),
  concurrency: positiveNumber(values.concurrency!, "--concurrency"),
  warmupSeconds: positiveNumber(values["warmup-seconds"]!, "--warmup-seconds"),
  /** The proxy's general_settings.client_read_timeout in seconds: stalled readers are cut after it. */
  clientReadTimeout: 2,
};
const masterKey = "sk-soak";

function positiveNumber(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`${flag} must be a positive number, not "${text}"`);
  return value;
}

// ---------------------------------------------------------------------------------------------
// The proxy under test
// ---------------------------------------------------------------------------------------------

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function proxyConfig(emulatorUrl: string): string {
  const deployment = (name: string, model: string, extra: string[] = []) => [
    `  - model_name: ${name}`,
    "    litellm_params:",
    `      model: bedrock/${model}`,
    "      aws_access_key_id: AKIAIOSFODNN7EXAMPLE",
    "      aws_secret_access_key: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "      aws_region_name: us-east-1",
    `      aws_bedrock_runtime_endpoint: ${emulatorUrl}`,
    ...extra,
  ];
  return [
    "model_list:",
    ...deployment("claude", "anthropic.claude-3-haiku-20240307-v1:0"),
    // Answered from the long-stream fixture (see writeLongStreamFixture), 10 ms between events: a 10-second,
    // 16 MB stream, arriving slowly enough that a client's socket buffers fill instead of growing.
    ...deployment("claude-long", "invoke/anthropic.claude-3-haiku-20240307-v1:0", [
      '      extra_headers: { "x-bedrock-forge-chunk-interval-ms": "10" }',
    ]),
    ...deployment("embed", "amazon.titan-embed-text-v2:0"),
    "general_settings:",
    `  master_key: ${masterKey}`,
    `  client_read_timeout: ${settings.clientReadTimeout}`,
    "  max_embedding_inputs: 16",
    "",
  ].join("\n");
}

interface RunningProxy {
  readonly url: string;
  readonly child: ChildProcess;
  readonly configFile: string;
}

async function startProxyProcess(emulatorUrl: string): Promise<RunningProxy> {
  const port = await freePort();
  const configFile = path.join(os.tmpdir(), `bedrock-forge-soak-${process.pid}.yaml`);
  await writeFile(configFile, proxyConfig(emulatorUrl));
  const bin = path.join(repositoryRoot, "bin/bedrock-forge.js");
  const child = spawn(process.execPath, [bin, "serve", "--config", configFile, "--port", String(port)], {
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 400; attempt++) {
    const ready = await fetch(`${url}/health/liveliness`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return { url, child, configFile };
    await sleep(50);
  }
  throw new Error("bedrock-forge serve did not start");
}

/** Resident memory of a process in MiB (Linux /proc; `ps` elsewhere). */
function residentMiB(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
    if (Number.isFinite(kib)) return kib / 1024;
  } catch {
    // Not Linux: ask ps below.
  }
  return Number(execFileSync("ps", ["-o", "rss=", "-p", String(pid)], { encoding: "utf8" }).trim()) / 1024;
}

/**
 * A fixture answering "stall …" prompts with a long Claude stream: the events of a real recorded
 * InvokeModelWithResponseStream exchange (test/fixtures/anthropic-claude-messages/chat-stream.json) with
 * 1000 text deltas of 16 KiB (16 MB) in the middle, more than the socket buffers of a client that never reads hold.
 */
async function writeLongStreamFixture(): Promise<string> {
  const recorded = JSON.parse(
    readFileSync(
      path.join(repositoryRoot, "test/fixtures/anthropic-claude-messages/chat-stream.json"),
      "utf8",
    ),
  ) as { source: string; events: { chunk?: { type?: string } }[] };
  const delta = recorded.events.find((event) => event.chunk?.type === "content_block_delta")!;
  const text = "lorem ipsum ".repeat(1400).slice(0, 16_384);
  const middle = Array.from({ length: 1000 }, () => ({
    ...delta,
    chunk: { ...delta.chunk, delta: { type: "text_delta", text } },
  }));
  const dir = await mkdtemp(path.join(os.tmpdir(), "bedrock-forge-soak-fixtures-"));
  const fixture = {
    source: `${recorded.source} (text deltas repeated to make a long answer)`,
    operation: "invoke-stream",
    modelId: "anthropic.claude-3-haiku-20240307-v1:0",
    request: null,
    requestPromptPrefix: "stall",
    events: [...recorded.events.slice(0, 2), ...middle, ...recorded.events.slice(-3)],
  };
  await writeFile(path.join(dir, "long-stream.json"), JSON.stringify(fixture));
  return dir;
}

// ---------------------------------------------------------------------------------------------
// Clients
// ---------------------------------------------------------------------------------------------

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What one client request did: `expected` unless it broke the promise its kind makes. */
interface Outcome {
  readonly kind: string;
  readonly expected: boolean;
  readonly detail?: string;
  /** Milliseconds, for the well-behaved kinds. */
  readonly latencyMs?: number;
  /** Which of its acceptable endings it had, counted in the report (a stalled reader: cut off or served). */
  readonly note?: string;
}

type ClientAction = (url: string) => Promise<Outcome>;

const headers = { authorization: `Bearer ${masterKey}`, "content-type": "application/json" };
const hello = [{ role: "user", content: "Tell me about soak tests" }];

function post(url: string, path: string, body: string, signal?: AbortSignal): Promise<Response> {
  return fetch(`${url}${path}`, { method: "POST", headers, body, signal });
}

/** Reads an SSE body to its end; true when it ended with [DONE]. */
async function readStream(response: Response, pauseMs = 0): Promise<boolean> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
    if (pauseMs > 0) await sleep(pauseMs);
  }
  return text.includes("data: [DONE]");
}

async function timed(kind: string, run: () => Promise<string | undefined>): Promise<Outcome> {
  const started = performance.now();
  try {
    const problem = await run();
    return problem === undefined
      ? { kind, expected: true, latencyMs: performance.now() - started }
      : { kind, expected: false, detail: problem };
  } catch (error) {
    return { kind, expected: false, detail: `${(error as Error).name}: ${(error as Error).message}` };
  }
}

const unaryChat: ClientAction = (url) =>
  timed("unary chat", async () => {
    const response = await post(
      url,
      "/v1/chat/completions",
      JSON.stringify({ model: "claude", messages: hello }),
    );
    const body = (await response.json()) as { choices?: unknown[] };
    return response.status === 200 && body.choices?.length === 1 ? undefined : `status ${response.status}`;
  });

const streamedChat: ClientAction = (url) =>
  timed("streamed chat", async () => {
    const body = JSON.stringify({ model: "claude", messages: hello, stream: true });
    const response = await post(url, "/v1/chat/completions", body);
    if (response.status !== 200) return `status ${response.status}`;
    return (await readStream(response)) ? undefined : "stream ended without [DONE]";
  });

const embeddings: ClientAction = (url) =>
  timed("embeddings", async () => {
    const body = JSON.stringify({ model: "embed", input: ["one", "two", "three", "four"] });
    const response = await post(url, "/v1/embeddings", body);
    const answer = (await response.json()) as { data?: unknown[] };
    return response.status === 200 && answer.data?.length === 4 ? undefined : `status ${response.status}`;
  });

const slowReader: ClientAction = (url) =>
  timed("slow reader", async () => {
    const body = JSON.stringify({ model: "claude", messages: hello, stream: true });
    const response = await post(url, "/v1/chat/completions", body);
    if (response.status !== 200) return `status ${response.status}`;
    return (await readStream(response, 20)) ? undefined : "stream ended without [DONE]";
  });

/** Leaves mid-stream or mid-request: nothing is expected of the answer, only that the proxy survives it. */
const disconnecting: ClientAction = async (url) => {
  const controller = new AbortController();
  const stream = Math.random() < 0.5;
  const body = JSON.stringify({ model: "claude", messages: hello, stream });
  try {
    if (!stream) setTimeout(() => controller.abort(), Math.random() * 5);
    const response = await post(url, "/v1/chat/completions", body, controller.signal);
    if (stream) {
      const reader = response.body!.getReader();
      await reader.read();
      controller.abort();
    } else {
      await response.text();
    }
  } catch {
    // The abort itself.
  }
  return { kind: "disconnect", expected: true };
};

/**
 * Stops reading a long stream (a raw socket paused after the response headers). Once the socket buffers
 * between it and the proxy are full, the proxy must cut it off after its client_read_timeout; loopback
 * buffers can grow to tens of megabytes, so a stream may also fit and finish. Either ending is fine; a
 * connection still open, without [DONE], long after the stream's end is not (nor any other answer).
 */
const stalledReader: ClientAction = async (url) => {
  const kind = "stalled reader";
  const { hostname, port } = new URL(url);
  const body = JSON.stringify({
    model: "claude-long",
    messages: [{ role: "user", content: "stall" }],
    stream: true,
  });
  const socket = net.connect(Number(port), hostname);
  socket.on("error", () => undefined);
  let text = "";
  let closed = false;
  socket.once("close", () => {
    closed = true;
  });
  const headersIn = new Promise<void>((resolve) => {
    const onData = (chunk: Buffer) => {
      text += chunk.toString("latin1");
      if (!text.includes("\r\n\r\n")) return;
      socket.pause();
      socket.off("data", onData);
      resolve();
    };
    socket.on("data", onData);
    socket.once("close", () => resolve());
  });
  socket.write(
    `POST /v1/chat/completions HTTP/1.1\r\nhost: ${hostname}\r\nauthorization: Bearer ${masterKey}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  try {
    await headersIn;
    if (!text.startsWith("HTTP/1.1 200")) return { kind, expected: false, detail: text.slice(0, 40) };
    // Paused past the time the whole stream takes (10 s), then read what is left.
    await sleep(12_000);
    socket.on("data", (chunk: Buffer) => {
      text += chunk.toString("latin1");
    });
    socket.resume();
    for (let waited = 0; waited < 30_000 && !closed && !text.includes("data: [DONE]"); waited += 100)
      await sleep(100);
    if (text.includes("data: [DONE]"))
      return { kind, expected: true, note: "served in full (fit in the buffers)" };
    if (closed) return { kind, expected: true, note: "cut off by the proxy" };
    return { kind, expected: false, detail: "neither cut off nor finished 30 s after the stream's end" };
  } finally {
    socket.destroy();
  }
};

/** Bad bodies and the status each must get. */
const badBodies: readonly (readonly [string, string, string, number])[] = [
  ["malformed JSON", "/v1/chat/completions", '{"model": "claude", "messages": [', 400],
  ["wrong type", "/v1/chat/completions", JSON.stringify({ model: "claude", messages: "hi" }), 400],
  [
    "nesting too deep",
    "/v1/chat/completions",
    `{"model":"claude","messages":[{"role":"user","content":"hi"}],"x":${"[".repeat(5000)}${"]".repeat(5000)}}`,
    400,
  ],
  ["unknown model", "/v1/chat/completions", JSON.stringify({ model: "nobody", messages: hello }), 404],
  [
    "overlong model",
    "/v1/chat/completions",
    JSON.stringify({ model: "m".repeat(5000), messages: hello }),
    400,
  ],
  ["too many inputs", "/v1/embeddings", JSON.stringify({ model: "embed", input: Array(100).fill("x") }), 400],
];

const badBody: ClientAction = async (url) => {
  const [name, path, body, status] = badBodies[Math.floor(Math.random() * badBodies.length)]!;
  try {
    const response = await post(url, path, body);
    const answer = (await response.json()) as { error?: { type?: string } };
    const expected = response.status === status && typeof answer.error?.type === "string";
    return {
      kind: "bad body",
      expected,
      detail: expected ? undefined : `${name}: status ${response.status}`,
    };
  } catch (error) {
    return { kind: "bad body", expected: false, detail: `${name}: ${(error as Error).message}` };
  }
};

/** The mix: weights of each kind of client request. */
const mix: readonly (readonly [ClientAction, number])[] = [
  [unaryChat, 35],
  [streamedChat, 20],
  [embeddings, 15],
  [slowReader, 8],
  [disconnecting, 8],
  [badBody, 13],
  [stalledReader, 1],
];
const totalWeight = mix.reduce((sum, [, weight]) => sum + weight, 0);

function pickAction(): ClientAction {
  let roll = Math.random() * totalWeight;
  for (const [action, weight] of mix) {
    roll -= weight;
    if (roll < 0) return action;
  }
  return mix[0]![0];
}

async function runClients(url: string, seconds: number, concurrency: number): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  const deadline = performance.now() + seconds * 1000;
  const client = async () => {
    while (performance.now() < deadline) outcomes.push(await pickAction()(url));
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  return outcomes;
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

function describeOutcomes(outcomes: readonly Outcome[], seconds: number): string[] {
  const lines: string[] = [];
  const kinds = [...new Set(outcomes.map((outcome) => outcome.kind))].sort();
  for (const kind of kinds) {
    const ofKind = outcomes.filter((outcome) => outcome.kind === kind);
    const latencies = ofKind.flatMap((outcome) =>
      outcome.latencyMs === undefined ? [] : [outcome.latencyMs],
    );
    const unexpected = ofKind.filter((outcome) => !outcome.expected).length;
    const timing =
      latencies.length > 0
        ? `, p50 ${percentile(latencies, 0.5).toFixed(1)} ms, p99 ${percentile(latencies, 0.99).toFixed(1)} ms`
        : "";
    const notes = [...new Set(ofKind.flatMap((outcome) => (outcome.note ? [outcome.note] : [])))]
      .map((note) => `${ofKind.filter((outcome) => outcome.note === note).length} ${note}`)
      .join(", ");
    lines.push(
      `  ${kind.padEnd(15)} ${String(ofKind.length).padStart(7)} requests, ${unexpected} unexpected${timing}${notes ? ` (${notes})` : ""}`,
    );
  }
  lines.push(
    `  ${"all".padEnd(15)} ${String(outcomes.length).padStart(7)} requests, ${(outcomes.length / seconds).toFixed(0)}/s`,
  );
  return lines;
}

async function main(): Promise<void> {
  process.stdout.write(
    `soak: ${settings.seconds} s at concurrency ${settings.concurrency} (after ${settings.warmupSeconds} s of warm-up)\n${machineLine()}\n`,
  );
  const fixtures = await writeLongStreamFixture();
  const emulator = await startEmulatorProcess([
    "--stream-chunks",
    "20",
    "--mode",
    "hybrid",
    "--fixtures",
    fixtures,
  ]);
  let proxy: RunningProxy | undefined;
  try {
    proxy = await startProxyProcess(emulator.url);
    await runClients(proxy.url, settings.warmupSeconds, settings.concurrency);
    await sleep(1000);
    const before = residentMiB(proxy.child.pid!);
    // Resident memory every tenth of the soak: a leak climbs steadily, a warm heap levels off.
    const samples: number[] = [];
    const pid = proxy.child.pid!;
    const sampler = setInterval(() => samples.push(residentMiB(pid)), (settings.seconds * 1000) / 10);
    const outcomes = await runClients(proxy.url, settings.seconds, settings.concurrency);
    clearInterval(sampler);
    await sleep(2000);
    const after = residentMiB(proxy.child.pid!);
    const unexpected = outcomes.filter((outcome) => !outcome.expected);
    const lines = [
      ...describeOutcomes(outcomes, settings.seconds),
      `  proxy RSS: ${before.toFixed(1)} MiB after warm-up, ${after.toFixed(1)} MiB after the soak (${(after - before >= 0 ? "+" : "") + (after - before).toFixed(1)} MiB)`,
      `  proxy RSS during the soak (MiB): ${samples.map((sample) => sample.toFixed(0)).join(", ")}`,
      `  unexpected outcomes: ${unexpected.length}`,
      ...unexpected.slice(0, 10).map((outcome) => `    ${outcome.kind}: ${outcome.detail}`),
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
    process.exitCode = unexpected.length === 0 ? 0 : 1;
  } finally {
    if (proxy) {
      await stopProcess(proxy);
      await rm(proxy.configFile, { force: true });
    }
    await stopProcess(emulator);
    await rm(fixtures, { recursive: true, force: true });
  }
}

await main();
