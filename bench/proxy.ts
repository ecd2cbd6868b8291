/**
 * `npm run bench:proxy`: the cost of a proxy hop, side by side, against one emulator in one run.
 *
 * - direct HTTP: the same HTTP client every proxy path uses, sending the equivalent signed Converse request
 *   straight to the emulator: the baseline, so "added" is the hop's own cost as a user feels it;
 * - direct AWS SDK: ConverseCommand in-process (HTTP/1.1 keep-alive), for reference;
 * - bedrock-forge: an OpenAI chat request to this proxy (its own process), which calls the emulator;
 * - Portkey: the same request to the Portkey gateway (its own process, loopback only), pointed at the
 *   emulator with `x-portkey-custom-host`;
 * - bedrock-forge's `/v1/responses` and `/v1/messages` (Anthropic's API; Claude natively through
 *   InvokeModel) with the same prompt, against its own `/v1/chat/completions`.
 *
 * Reports per-request p50/p99 (sequential, keep-alive) and the time each proxy adds over direct HTTP, the
 * same for a streamed answer, and throughput at concurrency 16 (autocannon); ratios against Portkey.
 * Goals: our added per-request time at most 0.5× Portkey's, our throughput at least 2× Portkey's; the
 * Responses and Messages routes within 10% of Chat Completions (unary p50 and throughput).
 * Writes the run to BENCHMARKS.md under `## Proxy` (the run it replaces moves to bench/history/proxy.md).
 * Not a timed test: numbers depend on the machine.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import http from "node:http";
import { createRequire } from "node:module";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import {
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
} from "@aws-sdk/client-bedrock-runtime";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import {
  type GoalRow,
  goalsTable,
  latestRunLine,
  type PresignedRequest,
  presign,
  repositoryRoot,
  startEmulatorProcess,
  stopProcess,
  writeBenchmarksSection,
} from "./support.js";

const root = repositoryRoot;
const model = "anthropic.claude-3-haiku-20240307-v1:0";
const keys = {
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
};
const region = "us-east-1";

const settings = {
  /** Unary requests per path before measuring (JIT warm-up of every process involved). */
  warmup: Number(process.env.BENCH_WARMUP ?? 2000),
  requests: Number(process.env.BENCH_REQUESTS ?? 3000),
  streams: Number(process.env.BENCH_STREAMS ?? 300),
  streamChunks: 50,
  concurrency: 16,
  /** Seconds per throughput trial; trials alternate between paths and the median counts. */
  seconds: Number(process.env.BENCH_SECONDS ?? 5),
  trials: Number(process.env.BENCH_TRIALS ?? 3),
};

// ---------------------------------------------------------------------------------------------
// Process management
// ---------------------------------------------------------------------------------------------

const children: ChildProcess[] = [];
let stopEmulator: (() => Promise<void>) | undefined;

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Node's `--import` hook for the Portkey process: every server listens on 127.0.0.1 (Portkey binds all
 * interfaces otherwise), and the process exits when its stdin (this process) goes away.
 */
const portkeyHooks = `data:text/javascript,${encodeURIComponent(
  'import net from "node:net";const listen=net.Server.prototype.listen;' +
    'net.Server.prototype.listen=function(...args){if(typeof args[0]==="number"&&(args[1]===undefined||typeof args[1]==="function"))args.splice(1,typeof args[1]==="function"?0:1,"127.0.0.1");return listen.apply(this,args)};' +
    'process.stdin.on("end",()=>process.exit(0));process.stdin.resume();',
)}`;

/**
 * Our proxy as users deploy it: the built package's `bedrock-forge serve --config`, in its own process,
 * its JSON log lines written to /dev/null (as a log shipper would take them off its stdout).
 */
async function startServedProxy(emulatorUrl: string): Promise<{ url: string; pid: number }> {
  const port = await freePort();
  const config = path.join(os.tmpdir(), `bedrock-forge-bench-${process.pid}.yaml`);
  await writeFile(
    config,
    [
      "model_list:",
      "  - model_name: claude",
      "    litellm_params:",
      `      model: bedrock/${model}`,
      `      aws_access_key_id: ${keys.accessKeyId}`,
      `      aws_secret_access_key: ${keys.secretAccessKey}`,
      `      aws_region_name: ${region}`,
      `      aws_bedrock_runtime_endpoint: ${emulatorUrl}`,
      "general_settings:",
      "  master_key: sk-bench",
      "",
    ].join("\n"),
  );
  const child = spawn(
    process.execPath,
    [`--import=${lifelineHook}`, "dist/cli/main.js", "serve", "--config", config, "--port", String(port)],
    {
      cwd: root,
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
      stdio: ["pipe", "ignore", "inherit"],
    },
  );
  children.push(child);
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 200; attempt++) {
    const ready = await fetch(`${url}/health/liveliness`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return { url, pid: child.pid! };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("bedrock-forge serve did not start");
}

/** Node's `--import` hook that ends a child when its stdin (this process) goes away. */
const lifelineHook = `data:text/javascript,${encodeURIComponent(
  'process.stdin.on("end",()=>process.exit(0));process.stdin.resume();',
)}`;

async function startPortkey(): Promise<{ url: string; pid: number }> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      `--import=${portkeyHooks}`,
      // Installed with the benchmarks' own dependencies (bench/package.json).
      "bench/node_modules/@portkey-ai/gateway/build/start-server.js",
      `--port=${port}`,
      "--headless",
    ],
    // Portkey prints a stack trace for every streamed answer (its logger parses SSE as JSON): stderr is dropped.
    { cwd: root, env: { ...process.env, NODE_ENV: "production" }, stdio: ["pipe", "ignore", "ignore"] },
  );
  children.push(child);
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 200; attempt++) {
    const ready = await fetch(`${url}/`).then(
      () => true,
      () => false,
    );
    if (ready) return { url, pid: child.pid! };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("the Portkey gateway did not start");
}

// ---------------------------------------------------------------------------------------------
// Clients
// ---------------------------------------------------------------------------------------------

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** One POST over a keep-alive socket; resolves with the status and the whole body. */
function post(
  url: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      { method: "POST", agent, headers: { "content-type": "application/json", ...headers } },
      (response) => {
        const pieces: Buffer[] = [];
        response.on("data", (piece: Buffer) => pieces.push(piece));
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, text: Buffer.concat(pieces).toString("utf8") }),
        );
        response.on("error", reject);
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

interface Target {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

interface Path {
  readonly name: string;
  /** One unary chat request; throws when the answer is not a completion. */
  unary(): Promise<void>;
  /** One streamed chat request, read to the end. */
  stream(): Promise<void>;
  /** autocannon target for the throughput run (none for the in-process direct path). */
  readonly target?: Target;
  /** A target whose signature is fresh, for paths whose requests are presigned. */
  readonly refreshTarget?: () => Promise<Target>;
  /** The proxy's process, for its CPU time per request. */
  readonly pid?: number;
}

const messages = [{ role: "user", content: "Write a short poem about the sea" }];

function directPath(emulatorUrl: string): Path {
  const client = new BedrockRuntimeClient({
    region,
    endpoint: emulatorUrl,
    credentials: keys,
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ httpAgent: new http.Agent({ keepAlive: true, maxSockets: 64 }) }),
  });
  const input = {
    modelId: model,
    messages: [{ role: "user" as const, content: [{ text: messages[0]!.content }] }],
    inferenceConfig: { maxTokens: 256 },
  };
  return {
    name: "direct AWS SDK (in-process)",
    async unary() {
      const output = await client.send(new ConverseCommand(input));
      if (!output.output?.message) throw new Error("no message");
    },
    async stream() {
      const output = await client.send(new ConverseStreamCommand(input));
      let events = 0;
      for await (const _event of output.stream!) events++;
      if (events === 0) throw new Error("empty stream");
    },
  };
}

/** Seconds a presigned request is reused before it is signed again (the emulator accepts 5 minutes). */
const resignAfterMs = 60_000;

/** A presigned request that signs itself again before its signature could expire. */
function freshlySigned(sign: () => Promise<PresignedRequest>): () => Promise<PresignedRequest> {
  let current: Promise<PresignedRequest> | undefined;
  let signedAt = 0;
  return () => {
    if (!current || performance.now() - signedAt > resignAfterMs) {
      signedAt = performance.now();
      current = sign();
    }
    return current;
  };
}

/**
 * The baseline: the proxies' own HTTP client (`post`, keep-alive) sending the Bedrock request a proxy would
 * send — a SigV4-signed Converse body — straight to the emulator. A proxy's added time is its total minus this.
 */
async function directHttpPath(emulatorUrl: string): Promise<Path> {
  const body = JSON.stringify({
    messages: [{ role: "user", content: [{ text: messages[0]!.content }] }],
    inferenceConfig: { maxTokens: 256 },
  });
  const modelPath = `/model/${encodeURIComponent(model)}`;
  const unarySigned = freshlySigned(() => presign(emulatorUrl, `${modelPath}/converse`, body));
  const streamSigned = freshlySigned(() =>
    presign(emulatorUrl, `${modelPath}/converse-stream`, body, {
      accept: "application/vnd.amazon.eventstream",
    }),
  );
  const send = async (signed: () => Promise<PresignedRequest>) => {
    const request = await signed();
    return post(`${emulatorUrl}${request.path}`, request.body, request.headers);
  };
  const initial = await unarySigned();
  return {
    name: "direct HTTP",
    async unary() {
      const { status, text } = await send(unarySigned);
      if (status !== 200 || !text.includes('"output"')) throw new Error(`direct HTTP: ${status} ${text}`);
    },
    async stream() {
      const { status, text } = await send(streamSigned);
      if (status !== 200 || !text.includes("messageStop"))
        throw new Error(`direct HTTP stream: ${status} ${text.slice(-300)}`);
    },
    target: { url: `${emulatorUrl}${initial.path}`, headers: initial.headers, body: initial.body },
    refreshTarget: async () => {
      const request = await unarySigned();
      return { url: `${emulatorUrl}${request.path}`, headers: request.headers, body: request.body };
    },
  };
}

function openAIPath(
  name: string,
  url: string,
  headers: Record<string, string>,
  modelName: string,
  pid: number | undefined,
): Path {
  const unaryBody = JSON.stringify({ model: modelName, messages, max_tokens: 256 });
  const streamBody = JSON.stringify({ model: modelName, messages, max_tokens: 256, stream: true });
  const endpoint = `${url}/v1/chat/completions`;
  return {
    name,
    async unary() {
      const { status, text } = await post(endpoint, unaryBody, headers);
      if (status !== 200 || !text.includes('"chat.completion"'))
        throw new Error(`${name}: ${status} ${text}`);
    },
    async stream() {
      const { status, text } = await post(endpoint, streamBody, headers);
      if (status !== 200 || !text.includes("[DONE]"))
        throw new Error(`${name}: ${status} ${text.slice(-300)}`);
    },
    target: { url: endpoint, headers: { "content-type": "application/json", ...headers }, body: unaryBody },
    pid,
  };
}

/** The same prompt through one of the proxy's other APIs; `done` is what the end of a whole answer contains. */
function proxyApiPath(
  name: string,
  endpoint: string,
  headers: Record<string, string>,
  body: Record<string, unknown>,
  done: { readonly unary: string; readonly stream: string },
  pid: number,
): Path {
  const unaryBody = JSON.stringify(body);
  const streamBody = JSON.stringify({ ...body, stream: true });
  return {
    name,
    async unary() {
      const { status, text } = await post(endpoint, unaryBody, headers);
      if (status !== 200 || !text.includes(done.unary)) throw new Error(`${name}: ${status} ${text}`);
    },
    async stream() {
      const { status, text } = await post(endpoint, streamBody, headers);
      if (status !== 200 || !text.includes(done.stream))
        throw new Error(`${name}: ${status} ${text.slice(-300)}`);
    },
    target: { url: endpoint, headers: { "content-type": "application/json", ...headers }, body: unaryBody },
    pid,
  };
}

// ---------------------------------------------------------------------------------------------
// Measurement
// ---------------------------------------------------------------------------------------------

function percentile(sorted: readonly number[], fraction: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[index]!;
}

interface Timing {
  p50: number;
  p99: number;
  /** CPU milliseconds the proxy process spent per request (Linux), when the path has one. */
  cpu?: number;
}

/** User + system CPU time of a process in milliseconds, from /proc (undefined elsewhere). */
function cpuMilliseconds(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    const ticksPerSecond = 100;
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
  } catch {
    return undefined;
  }
}

/**
 * Sequential calls of each path in interleaved rounds (so drift in the machine's speed hits every
 * path alike); per-request milliseconds, and the proxy's CPU time per request.
 */
async function measureSequential(
  paths: readonly Path[],
  call: (path: Path) => Promise<void>,
  total: number,
): Promise<Map<string, Timing>> {
  const samples = new Map<string, number[]>(paths.map((path) => [path.name, []]));
  const cpu = new Map<string, number>(paths.map((path) => [path.name, 0]));
  const round = 50;
  for (let done = 0; done < total; done += round) {
    for (const path of paths) {
      const list = samples.get(path.name)!;
      const cpuBefore = path.pid ? cpuMilliseconds(path.pid) : undefined;
      for (let index = 0; index < Math.min(round, total - done); index++) {
        const started = performance.now();
        await call(path);
        list.push(performance.now() - started);
      }
      const cpuAfter = path.pid ? cpuMilliseconds(path.pid) : undefined;
      if (cpuBefore !== undefined && cpuAfter !== undefined)
        cpu.set(path.name, cpu.get(path.name)! + cpuAfter - cpuBefore);
    }
  }
  const timings = new Map<string, Timing>();
  for (const path of paths) {
    const sorted = [...samples.get(path.name)!].sort((a, b) => a - b);
    timings.set(path.name, {
      p50: percentile(sorted, 0.5),
      p99: percentile(sorted, 0.99),
      ...(path.pid && cpuMilliseconds(path.pid) !== undefined
        ? { cpu: cpu.get(path.name)! / sorted.length }
        : {}),
    });
  }
  return timings;
}

interface AutocannonResult {
  requests: { average: number };
  non2xx: number;
  errors: number;
  latency: { p50: number; p99: number };
}
type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

async function measureThroughputOnce(path: Path): Promise<number> {
  const target = path.refreshTarget ? await path.refreshTarget() : path.target;
  if (target) {
    const result = await autocannon({
      url: target.url,
      method: "POST",
      headers: target.headers,
      body: target.body,
      connections: settings.concurrency,
      pipelining: 1,
      duration: settings.seconds,
    });
    if (result.non2xx > 0 || result.errors > 0) {
      throw new Error(
        `${path.name}: ${result.non2xx} non-2xx answers and ${result.errors} errors under load`,
      );
    }
    return result.requests.average;
  }
  // The in-process SDK: 16 callers in a loop for the same time.
  let completed = 0;
  const until = performance.now() + settings.seconds * 1000;
  await Promise.all(
    Array.from({ length: settings.concurrency }, async () => {
      while (performance.now() < until) {
        await path.unary();
        completed++;
      }
    }),
  );
  return completed / settings.seconds;
}

/** Requests per second at concurrency 16: the median of trials that alternate between the paths. */
async function measureThroughput(paths: readonly Path[]): Promise<Map<string, number>> {
  const trials = new Map<string, number[]>(paths.map((path) => [path.name, []]));
  for (let trial = 0; trial < settings.trials; trial++) {
    for (const path of paths) trials.get(path.name)!.push(await measureThroughputOnce(path));
  }
  const medians = new Map<string, number>();
  for (const [name, values] of trials)
    medians.set(name, [...values].sort((a, b) => a - b)[values.length >> 1]!);
  return medians;
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

const format = (value: number, digits = 2) => value.toFixed(digits);

/** A Markdown table with padded columns, as the formatter (Biome) writes it. */
function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) =>
    Math.max(3, header.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(" | ")} |`;
  return [line(headers), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)].join("\n");
}

/** An added time with its sign: `+0.44`, `-0.12`. */
const signed = (value: number) => `${value < 0 ? "-" : "+"}${format(Math.abs(value))}`;

async function main(): Promise<void> {
  process.stdout.write("building the package, starting the emulator, the proxy and the Portkey gateway…\n");
  spawnSync("npm", ["run", "-s", "build"], { cwd: root, stdio: "inherit" });
  const emulator = await startEmulatorProcess(["--stream-chunks", String(settings.streamChunks)]);
  stopEmulator = () => stopProcess(emulator);
  const [proxy, portkey] = await Promise.all([startServedProxy(emulator.url), startPortkey()]);
  const paths: Path[] = [
    await directHttpPath(emulator.url),
    directPath(emulator.url),
    openAIPath("bedrock-forge proxy", proxy.url, { authorization: "Bearer sk-bench" }, "claude", proxy.pid),
    openAIPath(
      "Portkey gateway",
      portkey.url,
      {
        "x-portkey-provider": "bedrock",
        "x-portkey-aws-access-key-id": keys.accessKeyId,
        "x-portkey-aws-secret-access-key": keys.secretAccessKey,
        "x-portkey-aws-region": region,
        "x-portkey-custom-host": emulator.url,
      },
      model,
      portkey.pid,
    ),
    proxyApiPath(
      "bedrock-forge /v1/responses",
      `${proxy.url}/v1/responses`,
      { authorization: "Bearer sk-bench" },
      { model: "claude", input: messages[0]!.content, max_output_tokens: 256 },
      { unary: '"object":"response"', stream: "response.completed" },
      proxy.pid,
    ),
    proxyApiPath(
      "bedrock-forge /v1/messages",
      `${proxy.url}/v1/messages`,
      { "x-api-key": "sk-bench", "anthropic-version": "2023-06-01" },
      { model: "claude", messages, max_tokens: 256 },
      { unary: '"type":"message"', stream: "message_stop" },
      proxy.pid,
    ),
  ];
  const loadBefore = os.loadavg()[0]!;

  process.stdout.write(`warming up (${settings.warmup} requests per path)…\n`);
  await measureSequential(paths, (target) => target.unary(), settings.warmup);
  await measureSequential(paths, (target) => target.stream(), Math.ceil(settings.warmup / 10));

  process.stdout.write(`unary latency (${settings.requests} sequential requests per path)…\n`);
  const unary = await measureSequential(paths, (target) => target.unary(), settings.requests);
  process.stdout.write(`streamed latency (${settings.streams} sequential streams per path)…\n`);
  const streamed = await measureSequential(paths, (target) => target.stream(), settings.streams);
  process.stdout.write(
    `throughput at concurrency ${settings.concurrency} (${settings.trials} alternating trials of ${settings.seconds} s per path)…\n`,
  );
  const throughput = await measureThroughput(paths);
  const loadAfter = os.loadavg()[0]!;

  const direct = paths[0]!.name;
  const added = (timings: Map<string, Timing>, name: string, key: "p50" | "p99") =>
    timings.get(name)![key] - timings.get(direct)![key];
  const rows = paths.map((target) => {
    const isDirect = target.name === direct;
    const cell = (timings: Map<string, Timing>, key: "p50" | "p99") =>
      isDirect
        ? format(timings.get(target.name)![key])
        : `${format(timings.get(target.name)![key])} (${signed(added(timings, target.name, key))})`;
    const cpu = unary.get(target.name)!.cpu;
    return [
      target.name,
      cell(unary, "p50"),
      cell(unary, "p99"),
      cell(streamed, "p50"),
      cell(streamed, "p99"),
      cpu === undefined ? "—" : format(cpu),
      format(throughput.get(target.name)!, 0),
    ];
  });
  const oursName = paths[2]!.name;
  const peerName = paths[3]!.name;
  const ratio = (ours: number, peer: number) => (peer > 0 ? ours / peer : Number.NaN);
  const addedRatio = ratio(added(unary, oursName, "p50"), added(unary, peerName, "p50"));
  const addedRatioP99 = ratio(added(unary, oursName, "p99"), added(unary, peerName, "p99"));
  const totalRatio = ratio(unary.get(oursName)!.p50, unary.get(peerName)!.p50);
  const streamRatio = ratio(added(streamed, oursName, "p50"), added(streamed, peerName, "p50"));
  const cpuOurs = unary.get(oursName)!.cpu;
  const cpuPeer = unary.get(peerName)!.cpu;
  const cpuRatio = cpuOurs !== undefined && cpuPeer !== undefined ? ratio(cpuOurs, cpuPeer) : Number.NaN;
  const throughputRatio = ratio(throughput.get(oursName)!, throughput.get(peerName)!);
  const goals: GoalRow[] = [
    {
      measure: "added per-request time, unary p50",
      result: `${format(addedRatio)}×`,
      goal: "≤ 0.5×",
      met: addedRatio <= 0.5,
    },
    {
      measure: "throughput at concurrency 16",
      result: `${format(throughputRatio)}×`,
      goal: "≥ 2×",
      met: throughputRatio >= 2,
    },
    { measure: "added per-request time, unary p99", result: `${format(addedRatioP99)}×`, goal: "—" },
    { measure: "total per-request time, unary p50", result: `${format(totalRatio)}×`, goal: "—" },
    { measure: "added per-request time, stream p50", result: `${format(streamRatio)}×`, goal: "—" },
    { measure: "proxy CPU per unary request", result: `${format(cpuRatio)}×`, goal: "—" },
  ];
  // The other APIs of the proxy against its Chat Completions: total unary p50 and throughput.
  for (const other of paths.slice(4)) {
    const latencyRatio = ratio(unary.get(other.name)!.p50, unary.get(oursName)!.p50);
    const rateRatio = ratio(throughput.get(other.name)!, throughput.get(oursName)!);
    const api = other.name.replace("bedrock-forge ", "");
    goals.push(
      {
        measure: `${api} / chat completions, unary p50`,
        result: `${format(latencyRatio)}×`,
        goal: "≤ 1.1×",
        met: latencyRatio <= 1.1,
      },
      {
        measure: `${api} / chat completions, throughput at concurrency 16`,
        result: `${format(rateRatio)}×`,
        goal: "≥ 0.9×",
        met: rateRatio >= 0.9,
      },
    );
  }
  const section = [
    latestRunLine(),
    "",
    `bedrock-forge's proxy against the Portkey gateway (ratios: ours / Portkey's), and its Responses and Messages routes against its Chat Completions. Load average ${format(loadBefore, 1)} → ${format(loadAfter, 1)} during the run.`,
    "",
    goalsTable(goals),
    "",
    `One emulator (its own process, SigV4 checked) behind every path; the proxy (the built package's \`bedrock-forge serve --config\`, logs to /dev/null) and Portkey each in their own process on loopback. The baseline is **direct HTTP**: the same HTTP client the proxy paths use (node:http, keep-alive) sending the signed Converse request a proxy would send straight to the emulator, so the added time is the hop's own cost. The in-process AWS SDK row is for reference. Unary requests sequential over keep-alive (${settings.requests} per path after ${settings.warmup} of warm-up, rounds of 50 alternating between paths), streams of ${settings.streamChunks} chunks (${settings.streams} per path), throughput with autocannon at concurrency ${settings.concurrency}, median of ${settings.trials} alternating ${settings.seconds}-second trials (the in-process SDK: ${settings.concurrency} callers). Milliseconds per request; in parentheses the time added over direct HTTP. Proxy CPU: CPU time of the proxy's process per unary request.`,
    "",
    table(
      [
        "path",
        "unary p50",
        "unary p99",
        "stream p50",
        "stream p99",
        "proxy CPU ms/req",
        `req/s @${settings.concurrency}`,
      ],
      rows,
    ),
  ].join("\n");
  process.stdout.write(`\n${section}\n`);
  writeBenchmarksSection("Proxy", section);
  process.stdout.write("\nwritten to BENCHMARKS.md (the previous run is in bench/history/proxy.md)\n");
}

try {
  await main();
} finally {
  // SIGTERM, then the end of the lifeline (each child's stdin), which the child's hook exits on: a served
  // proxy otherwise stays up after its drain, holding stdin open, and this process waits on it.
  for (const child of children) {
    child.kill("SIGTERM");
    child.stdin?.end();
  }
  await stopEmulator?.();
  agent.destroy();
}
