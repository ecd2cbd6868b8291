/**
 * Emulator throughput: unary responses per second and streamed chunks per second, with SigV4 checked on
 * every request, the emulator running as its own process (one Node event loop, i.e. one core) started
 * through the CLI exactly as users start it. The load comes from autocannon over HTTP/1.1 keep-alive
 * with requests signed once up front (the signature stays valid for the 5-minute window), so the client
 * side costs as little as possible; the AWS SDK rows show what a real client adds per call.
 *
 *   npm run bench:emulator [-- --duration 5 --warmup 3 --connections 16]
 *
 * Numbers are only meaningful on an otherwise idle machine (check the load average).
 */
import http from "node:http";
import { cpus, loadavg } from "node:os";
import { parseArgs } from "node:util";
import {
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
  InvokeModelCommand,
} from "@aws-sdk/client-bedrock-runtime";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import autocannon from "autocannon";
import { exampleCredentials } from "../emulator/auth.js";
import {
  latestRunLine,
  markdownTable,
  presign,
  startEmulatorProcess,
  stopProcess as stop,
  writeBenchmarksSection,
} from "./support.js";

const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "5" },
    warmup: { type: "string", default: "3" },
    connections: { type: "string", default: "16" },
    "sdk-calls": { type: "string", default: "2000" },
  },
});
const duration = Number(values.duration);
const warmup = Number(values.warmup);
const connections = Number(values.connections);
const sdkCalls = Number(values["sdk-calls"]);

const CLAUDE = "anthropic.claude-3-haiku-20240307-v1:0";
const LLAMA = "meta.llama3-8b-instruct-v1:0";
const STREAM_CHUNKS = 200;

interface Row {
  scenario: string;
  perSecond: string;
  unit: string;
  p50: string;
  p99: string;
  errors: number;
}

async function load(
  url: string,
  scenario: string,
  request: Awaited<ReturnType<typeof presign>>,
  framesPerResponse?: number,
): Promise<Row> {
  // A short unmeasured run first, so the JIT has compiled the emulator's request path.
  await autocannon({ url, connections, duration: warmup, requests: [request] });
  const result = await autocannon({
    url,
    connections,
    duration,
    requests: [request],
  });
  const perSecond = result.requests.average * (framesPerResponse ?? 1);
  return {
    scenario,
    perSecond: Math.round(perSecond).toLocaleString("en-US"),
    unit: framesPerResponse ? "chunks/s" : "responses/s",
    p50: `${result.latency.p50} ms`,
    p99: `${result.latency.p99} ms`,
    errors: result.errors + result.non2xx + result.timeouts,
  };
}

/** Median per-call time of the real AWS SDK over HTTP/1.1 keep-alive, one call at a time. */
async function sdkMedian(
  url: string,
  scenario: string,
  call: (client: BedrockRuntimeClient) => Promise<unknown>,
) {
  const client = new BedrockRuntimeClient({
    region: "us-east-1",
    endpoint: url,
    credentials: exampleCredentials,
    requestHandler: new NodeHttpHandler({ httpAgent: new http.Agent({ keepAlive: true }) }),
  });
  for (let index = 0; index < 100; index++) await call(client);
  const times: number[] = [];
  for (let index = 0; index < sdkCalls; index++) {
    const started = performance.now();
    await call(client);
    times.push(performance.now() - started);
  }
  client.destroy();
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  return {
    scenario,
    perSecond: Math.round(1000 / median).toLocaleString("en-US"),
    unit: "calls/s (1 at a time)",
    p50: `${median.toFixed(2)} ms`,
    p99: `${times[Math.floor(times.length * 0.99)]!.toFixed(2)} ms`,
    errors: 0,
  };
}

function tableOf(rows: Row[]): string {
  return markdownTable(
    ["scenario", "per second", "unit", "p50", "p99", "errors"],
    rows.map((row) => [row.scenario, row.perSecond, row.unit, row.p50, row.p99, String(row.errors)]),
  );
}

const claudeBody = JSON.stringify({
  anthropic_version: "bedrock-2023-05-31",
  max_tokens: 1000,
  messages: [{ role: "user", content: "Benchmark me" }],
});
const converseBody = JSON.stringify({ messages: [{ role: "user", content: [{ text: "Benchmark me" }] }] });
const path = (model: string, operation: string) => `/model/${encodeURIComponent(model)}/${operation}`;
const streamHeaders = { "x-bedrock-forge-stream-chunks": String(STREAM_CHUNKS) };

const rows: Row[] = [];
const checked = await startEmulatorProcess();
try {
  const { url } = checked;
  rows.push(
    await load(url, "InvokeModel (Claude), SigV4 on", await presign(url, path(CLAUDE, "invoke"), claudeBody)),
  );
  rows.push(
    await load(
      url,
      "Converse (Llama 3), SigV4 on",
      await presign(url, path(LLAMA, "converse"), converseBody),
    ),
  );
  // 200 text deltas + message_start, content_block_start/stop, message_delta, message_stop.
  rows.push(
    await load(
      url,
      `InvokeModelWithResponseStream, ${STREAM_CHUNKS} deltas`,
      await presign(url, path(CLAUDE, "invoke-with-response-stream"), claudeBody, streamHeaders),
      STREAM_CHUNKS + 5,
    ),
  );
  // 200 contentBlockDelta + messageStart, contentBlockStop, messageStop, metadata.
  rows.push(
    await load(
      url,
      `ConverseStream, ${STREAM_CHUNKS} deltas`,
      await presign(url, path(LLAMA, "converse-stream"), converseBody, streamHeaders),
      STREAM_CHUNKS + 4,
    ),
  );
  rows.push(
    await sdkMedian(url, "AWS SDK InvokeModel, HTTP/1.1 keep-alive", (client) =>
      client.send(
        new InvokeModelCommand({ modelId: CLAUDE, contentType: "application/json", body: claudeBody }),
      ),
    ),
  );
  rows.push(
    await sdkMedian(url, "AWS SDK Converse, HTTP/1.1 keep-alive", (client) =>
      client.send(
        new ConverseCommand({ modelId: LLAMA, messages: [{ role: "user", content: [{ text: "Hi" }] }] }),
      ),
    ),
  );
  rows.push(
    await sdkMedian(url, `AWS SDK ConverseStream, ${STREAM_CHUNKS} deltas`, async (client) => {
      client.middlewareStack.remove("benchStreamChunks");
      client.middlewareStack.add(
        (next) => (args) => {
          Object.assign((args.request as { headers: Record<string, string> }).headers, streamHeaders);
          return next(args);
        },
        { step: "build", name: "benchStreamChunks" },
      );
      const result = await client.send(
        new ConverseStreamCommand({
          modelId: LLAMA,
          messages: [{ role: "user", content: [{ text: "Hi" }] }],
        }),
      );
      for await (const _event of result.stream!) {
        // drain
      }
    }),
  );
} finally {
  await stop(checked);
}

const unchecked = await startEmulatorProcess(["--no-verify"]);
try {
  const { url } = unchecked;
  rows.push(
    await load(
      url,
      "InvokeModel (Claude), SigV4 off",
      await presign(url, path(CLAUDE, "invoke"), claudeBody),
    ),
  );
} finally {
  await stop(unchecked);
}

const summary =
  `bedrock-forge emulator, Node ${process.version}, ${cpus().length} CPUs (load average ${loadavg()[0]!.toFixed(1)}), ` +
  `${connections} keep-alive connections, ${duration} s per load row after ${warmup} s of warm-up`;
process.stdout.write(`\n${summary}\n\n${tableOf(rows)}\n`);
writeBenchmarksSection("Emulator", `${latestRunLine()}\n\n${summary}.\n\n${tableOf(rows)}`);
