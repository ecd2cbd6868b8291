/**
 * Chat calls side by side, in one run, against the same emulator (its own process): a raw AWS SDK call
 * (HTTP/1.1 keep-alive, the handler bedrock-forge uses), bedrock-forge, the Vercel AI SDK
 * (`@ai-sdk/amazon-bedrock` + `ai`) and LangChain.js (`@langchain/aws` ChatBedrockConverse), sequentially
 * and at concurrency 16; unary calls and consuming a 200-chunk stream; then cold import times.
 * Results are ratios of median time per call.
 *
 *   npm run bench:chat [-- --calls 300 --warmup 50]
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { createAmazonBedrock } from "@ai-sdk/amazon-bedrock";
import {
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
} from "@aws-sdk/client-bedrock-runtime";
import { ChatBedrockConverse } from "@langchain/aws";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { generateText, streamText } from "ai";
import { createBedrock } from "../runtime/index.js";
import {
  type GoalRow,
  goalsTable,
  latestRunLine,
  machineLine,
  markdownTable,
  median,
  packageVersion,
  repositoryRoot,
  startEmulatorProcess,
  stopProcess,
  writeBenchmarksSection,
} from "./support.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const { values } = parseArgs({
  options: {
    calls: { type: "string", default: "300" },
    warmup: { type: "string", default: "50" },
    "import-runs": { type: "string", default: "7" },
    "dry-run": { type: "boolean", default: false },
    // Checking SigV4 and validating bodies cost the emulator 0.2–0.5 ms per request, the same for every
    // client; both are off by default so the ratios show the clients' own cost. --verify keeps them on.
    verify: { type: "boolean", default: false },
  },
});
const calls = Number(values.calls);
const warmup = Number(values.warmup);
const importRuns = Number(values["import-runs"]);
const model = "anthropic.claude-3-haiku-20240307-v1:0";
const invokeModel = "meta.llama3-8b-instruct-v1:0";
const credentials = {
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
};
const region = "us-east-1";
const prompt = "Say hello in one short sentence.";
const forgeVersion = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;

type Call = () => Promise<unknown>;

const rounds = 10;

/**
 * Median milliseconds per call of each path, sequentially and at concurrency 16 (wall time / calls).
 * The paths take turns, round after round, so a noisy stretch of the machine falls on all of them alike.
 */
async function measureAll(
  paths: readonly [string, Call][],
): Promise<Map<string, { sequential: number; concurrent: number }>> {
  for (const [, call] of paths) for (let index = 0; index < warmup; index++) await call();
  const sequential = new Map<string, number[]>(paths.map(([name]) => [name, []]));
  const concurrent = new Map<string, number[]>(paths.map(([name]) => [name, []]));
  const perRound = Math.max(1, Math.ceil(calls / rounds));
  const concurrentCalls = Math.max(32, Math.ceil(calls / rounds));
  for (let round = 0; round < rounds; round++) {
    for (const [name, call] of paths) {
      for (let index = 0; index < perRound; index++) {
        const started = performance.now();
        await call();
        sequential.get(name)!.push(performance.now() - started);
      }
      let next = 0;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (next++ < concurrentCalls) await call();
        }),
      );
      concurrent.get(name)!.push((performance.now() - started) / concurrentCalls);
    }
    process.stdout.write(`round ${round + 1}/${rounds}\n`);
  }
  return new Map(
    paths.map(([name]) => [
      name,
      { sequential: median(sequential.get(name)!), concurrent: median(concurrent.get(name)!) },
    ]),
  );
}

async function consume(stream: AsyncIterable<unknown>): Promise<number> {
  let count = 0;
  for await (const _ of stream) count++;
  return count;
}

async function main(): Promise<void> {
  const machine = machineLine();
  const emulator = await startEmulatorProcess([
    "--stream-chunks",
    "200",
    ...(values.verify ? [] : ["--no-verify", "--no-validate"]),
  ]);
  try {
    const handler = () =>
      new NodeHttpHandler({ httpAgent: new http.Agent({ keepAlive: true, maxSockets: 64 }) });
    const raw = new BedrockRuntimeClient({
      region,
      endpoint: emulator.url,
      credentials,
      requestHandler: handler(),
      maxAttempts: 1,
    });
    const forge = createBedrock({ region, endpoint: emulator.url, credentials, num_retries: 0 });
    const aiBedrock = createAmazonBedrock({ baseURL: emulator.url, region, ...credentials });
    const langchain = new ChatBedrockConverse({
      model,
      region,
      client: new BedrockRuntimeClient({
        region,
        endpoint: emulator.url,
        credentials,
        requestHandler: handler(),
        maxAttempts: 1,
      }),
    });
    const messages = [{ role: "user" as const, content: prompt }];
    const converseInput = {
      modelId: model,
      messages: [{ role: "user" as const, content: [{ text: prompt }] }],
    };
    const invokeBody = JSON.stringify({
      prompt: `<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n${prompt}<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n`,
      max_gen_len: 512,
    });

    const unary: [string, Call][] = [
      ["raw AWS SDK (Converse)", () => raw.send(new ConverseCommand(converseInput))],
      ["bedrock-forge (Converse)", () => forge.chat.completions.create({ model, messages })],
      [
        "raw AWS SDK (InvokeModel)",
        () =>
          raw.send(
            new InvokeModelCommand({
              modelId: invokeModel,
              body: invokeBody,
              contentType: "application/json",
              accept: "application/json",
            }),
          ),
      ],
      [
        "bedrock-forge (InvokeModel)",
        () => forge.chat.completions.create({ model: `bedrock/invoke/${invokeModel}`, messages }),
      ],
      ["AI SDK generateText", () => generateText({ model: aiBedrock(model), prompt, maxRetries: 0 })],
      ["LangChain ChatBedrockConverse", () => langchain.invoke(prompt)],
    ];
    const streams: [string, Call][] = [
      [
        "raw AWS SDK (ConverseStream)",
        async () => consume((await raw.send(new ConverseStreamCommand(converseInput))).stream!),
      ],
      [
        "bedrock-forge (ConverseStream)",
        async () => consume(await forge.chat.completions.create({ model, messages, stream: true })),
      ],
      [
        "raw AWS SDK (InvokeModelWithResponseStream)",
        async () =>
          consume(
            (
              await raw.send(
                new InvokeModelWithResponseStreamCommand({
                  modelId: invokeModel,
                  body: invokeBody,
                  contentType: "application/json",
                  accept: "application/json",
                }),
              )
            ).body!,
          ),
      ],
      [
        "bedrock-forge (InvokeModelWithResponseStream)",
        async () =>
          consume(
            await forge.chat.completions.create({
              model: `bedrock/invoke/${invokeModel}`,
              messages,
              stream: true,
            }),
          ),
      ],
      [
        "AI SDK streamText",
        async () => consume(streamText({ model: aiBedrock(model), prompt, maxRetries: 0 }).textStream),
      ],
      ["LangChain ChatBedrockConverse stream", async () => consume(await langchain.stream(prompt))],
    ];

    const results = new Map([...(await measureAll(unary)), ...(await measureAll(streams))]);
    const imports = measureImports();
    const coldStarts = measureColdStarts(emulator.url);

    const get = (name: string) => results.get(name)!;
    const ratio = (a: string, b: string, key: "sequential" | "concurrent") =>
      (get(a)[key] / get(b)[key]).toFixed(2);
    const row = (name: string, base: string, peer?: string) => [
      name,
      get(name).sequential.toFixed(3),
      get(name).concurrent.toFixed(3),
      `${ratio(name, base, "sequential")}× / ${ratio(name, base, "concurrent")}×`,
      peer ? `${ratio(name, peer, "sequential")}× / ${ratio(name, peer, "concurrent")}×` : "",
    ];
    const header = [
      "path",
      "median ms/call (sequential)",
      "ms/call at concurrency 16",
      "vs raw SDK (seq / c16)",
      "vs AI SDK (seq / c16)",
    ];
    const unaryTable = markdownTable(header, [
      row("raw AWS SDK (Converse)", "raw AWS SDK (Converse)"),
      row("bedrock-forge (Converse)", "raw AWS SDK (Converse)", "AI SDK generateText"),
      row("raw AWS SDK (InvokeModel)", "raw AWS SDK (InvokeModel)"),
      row("bedrock-forge (InvokeModel)", "raw AWS SDK (InvokeModel)", "AI SDK generateText"),
      row("AI SDK generateText", "raw AWS SDK (Converse)"),
      row("LangChain ChatBedrockConverse", "raw AWS SDK (Converse)", "AI SDK generateText"),
    ]);
    const streamTable = markdownTable(header, [
      row("raw AWS SDK (ConverseStream)", "raw AWS SDK (ConverseStream)"),
      row("bedrock-forge (ConverseStream)", "raw AWS SDK (ConverseStream)", "AI SDK streamText"),
      row("raw AWS SDK (InvokeModelWithResponseStream)", "raw AWS SDK (InvokeModelWithResponseStream)"),
      row(
        "bedrock-forge (InvokeModelWithResponseStream)",
        "raw AWS SDK (InvokeModelWithResponseStream)",
        "AI SDK streamText",
      ),
      row("AI SDK streamText", "raw AWS SDK (ConverseStream)"),
      row("LangChain ChatBedrockConverse stream", "raw AWS SDK (ConverseStream)", "AI SDK streamText"),
    ]);
    const sdkImport = imports.get("@aws-sdk/client-bedrock-runtime")!;
    const importTable = markdownTable(
      ["package", "median cold import ms", "vs @aws-sdk/client-bedrock-runtime"],
      [...imports].map(([name, ms]) => [name, ms.toFixed(1), `${(ms / sdkImport).toFixed(2)}×`]),
    );
    const sdkColdStart = coldStarts.get("raw AWS SDK")!;
    const aiColdStart = coldStarts.get("AI SDK")!;
    const coldStartTable = markdownTable(
      ["client", "median import + first call ms", "vs raw AWS SDK", "vs AI SDK"],
      [...coldStarts].map(([name, ms]) => [
        name,
        ms.toFixed(1),
        `${(ms / sdkColdStart).toFixed(2)}×`,
        `${(ms / aiColdStart).toFixed(2)}×`,
      ]),
    );
    const value = (a: string, b: string, key: "sequential" | "concurrent") => get(a)[key] / get(b)[key];
    const goal = (measure: string, result: number, limit: number): GoalRow => ({
      measure,
      result: `${result.toFixed(2)}×`,
      goal: `≤ ${limit}×`,
      met: result <= limit,
    });
    const forgeColdStart = coldStarts.get("bedrock-forge")!;
    const goals: GoalRow[] = [
      goal(
        "unary (Converse) vs raw SDK",
        value("bedrock-forge (Converse)", "raw AWS SDK (Converse)", "sequential"),
        1.2,
      ),
      goal(
        "unary (Converse) vs AI SDK",
        value("bedrock-forge (Converse)", "AI SDK generateText", "sequential"),
        0.55,
      ),
      goal(
        "200-chunk stream vs raw SDK",
        value("bedrock-forge (ConverseStream)", "raw AWS SDK (ConverseStream)", "sequential"),
        1.3,
      ),
      goal(
        "200-chunk stream vs AI SDK",
        value("bedrock-forge (ConverseStream)", "AI SDK streamText", "sequential"),
        0.5,
      ),
      goal("cold start (import + first call) vs raw SDK", forgeColdStart / sdkColdStart, 1.5),
      goal("cold start (import + first call) vs AI SDK", forgeColdStart / aiColdStart, 1),
      {
        measure: "cold import alone vs the AWS SDK's (the engine loads on the first call)",
        result: `${(imports.get("bedrock-forge")! / sdkImport).toFixed(2)}×`,
        goal: "—",
      },
    ];
    const body = [
      latestRunLine(),
      "",
      goalsTable(goals),
      "",
      `Machine: ${machine}. Emulator in its own process (synthesize mode, 200-chunk streams, signatures and bodies ${values.verify ? "checked" : "not checked, so it costs every client the same minimum"}). ${calls} sequential calls per path after ${warmup} warm-up calls, the paths taking turns over ${rounds} rounds; concurrency 16 as wall time / calls, median over the rounds.`,
      `Versions: bedrock-forge ${forgeVersion} (this checkout), @aws-sdk/client-bedrock-runtime ${packageVersion("@aws-sdk/client-bedrock-runtime")}, ai ${packageVersion("ai")}, @ai-sdk/amazon-bedrock ${packageVersion("@ai-sdk/amazon-bedrock")}, @langchain/aws ${packageVersion("@langchain/aws")}.`,
      "",
      "### Unary chat",
      unaryTable,
      "",
      "### Consuming a 200-chunk stream",
      streamTable,
      "",
      "### Cold start: import, client, one call (a fresh `node` process each run, against the same emulator)",
      coldStartTable,
      "",
      "### Cold import alone (a fresh `node` process each run)",
      importTable,
    ].join("\n");
    process.stdout.write(`\n${body}\n`);
    if (!values["dry-run"]) writeBenchmarksSection("Chat", body);
  } finally {
    await stopProcess(emulator);
  }
}

/**
 * What a user waits for when a process starts: import the client, build it, make one unary chat call against
 * the emulator. Each client in a fresh Node process, median of the runs.
 */
function measureColdStarts(emulatorUrl: string): Map<string, number> {
  const setup = `const endpoint = ${JSON.stringify(emulatorUrl)}; const region = ${JSON.stringify(region)}; const credentials = ${JSON.stringify(credentials)}; const model = ${JSON.stringify(model)}; const prompt = ${JSON.stringify(prompt)};`;
  const programs: [string, string][] = [
    [
      "raw AWS SDK",
      `const { BedrockRuntimeClient, ConverseCommand } = await import("@aws-sdk/client-bedrock-runtime");
       const client = new BedrockRuntimeClient({ region, endpoint, credentials, maxAttempts: 1 });
       await client.send(new ConverseCommand({ modelId: model, messages: [{ role: "user", content: [{ text: prompt }] }] }));`,
    ],
    [
      "bedrock-forge",
      `const { createBedrock } = await import(${JSON.stringify(pathToFileURL(path.join(repositoryRoot, "dist/runtime/index.js")).href)});
       const bedrock = createBedrock({ region, endpoint, credentials, num_retries: 0 });
       await bedrock.chat.completions.create({ model, messages: [{ role: "user", content: prompt }] });`,
    ],
    [
      "AI SDK",
      `const { generateText } = await import("ai");
       const { createAmazonBedrock } = await import("@ai-sdk/amazon-bedrock");
       const provider = createAmazonBedrock({ baseURL: endpoint, region, ...credentials });
       await generateText({ model: provider(model), prompt, maxRetries: 0 });`,
    ],
    [
      "LangChain",
      `const { ChatBedrockConverse } = await import("@langchain/aws");
       const { BedrockRuntimeClient } = await import("@aws-sdk/client-bedrock-runtime");
       const client = new BedrockRuntimeClient({ region, endpoint, credentials, maxAttempts: 1 });
       await new ChatBedrockConverse({ model, region, client }).invoke(prompt);`,
    ],
  ];
  const result = new Map<string, number>();
  for (const [name, program] of programs) {
    const script = `${setup} const started = performance.now(); ${program} process.stdout.write(String(performance.now() - started));`;
    const times: number[] = [];
    for (let run = 0; run < importRuns; run++) {
      // From bench/: the peers are the benchmarks' own dependencies (bench/package.json).
      const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
        cwd: path.join(repositoryRoot, "bench"),
        env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
      });
      times.push(Number(out.toString("utf8")));
    }
    result.set(name, median(times));
  }
  return result;
}

/** Median time of `await import(x)` in a fresh Node process, for the package and its peers. */
function measureImports(): Map<string, number> {
  execFileSync("npm", ["run", "-s", "build"], { cwd: repositoryRoot, stdio: "inherit" });
  // The peers are the benchmarks' own dependencies (bench/package.json): imported from bench/.
  const benchDir = path.join(repositoryRoot, "bench");
  const targets: [string, string, string][] = [
    ["@aws-sdk/client-bedrock-runtime", "@aws-sdk/client-bedrock-runtime", repositoryRoot],
    ["bedrock-forge", "./dist/runtime/index.js", repositoryRoot],
    // The client loads its SDK-backed half on the first call; this is what a first chat call adds.
    [
      "bedrock-forge + its chat engine (first call)",
      "./dist/runtime/index.js|./dist/runtime/chat/create.js|./dist/runtime/transport.js",
      repositoryRoot,
    ],
    ["ai + @ai-sdk/amazon-bedrock", "ai|@ai-sdk/amazon-bedrock", benchDir],
    ["@langchain/aws", "@langchain/aws", benchDir],
  ];
  const result = new Map<string, number>();
  for (const [name, specifiers, cwd] of targets) {
    const imports = specifiers
      .split("|")
      .map((specifier) => `await import(${JSON.stringify(specifier)});`)
      .join(" ");
    const script = `const t = performance.now(); ${imports} process.stdout.write(String(performance.now() - t));`;
    const times: number[] = [];
    for (let run = 0; run < importRuns; run++) {
      const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
        cwd,
        env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
      });
      times.push(Number(out.toString("utf8")));
    }
    result.set(name, median(times));
  }
  return result;
}

await main();
