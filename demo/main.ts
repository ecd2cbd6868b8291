// The five-minute tour: a chat, a streamed chat, a tool call, an embedding and an image, each with its
// tokens and cost, through the real AWS SDK. Offline against the built-in emulator by default;
// `--live` sends the same calls to Amazon Bedrock with your AWS credentials.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

import { exampleCredentials, type RunningEmulator, startBuiltInEmulator } from "../cli/connect.js";
import { formatCost } from "../cli/format.js";
import {
  type Bedrock,
  type ChatMessage,
  createBedrock,
  type FunctionTool,
  type ToolCall,
  type Usage,
  uncheckedModel,
} from "../runtime/index.js";
import { chatNeed, type DemoModel, type DemoNeed, embeddingNeed, imageNeed, pickModel } from "./models.js";

const help = `Usage: npm run demo [-- options]

Runs a chat, a streamed chat, a tool call, an embedding and an image generation through the real
AWS SDK, printing each result with its tokens and cost. Without --live everything runs against the
built-in Bedrock emulator on a loopback port: no AWS account, no network.

Options:
  --live                 Call Amazon Bedrock instead (needs AWS credentials and a region; costs money).
  --region REGION        Region for --live (default: AWS_REGION or AWS_DEFAULT_REGION).
  --profile NAME         AWS profile for --live.
  --chat-model ID        Override the chat model (default: picked from the catalog by capability).
  --embedding-model ID   Override the embedding model.
  --image-model ID       Override the image model.
  --out-dir DIR          Where the image is written (default: .demo-output).
  -h, --help             Show this help.
`;

const repositoryRoot = fileURLToPath(new URL("..", import.meta.url));

interface DemoOptions {
  readonly live: boolean;
  readonly region?: string;
  readonly profile?: string;
  readonly chatModel?: string;
  readonly embeddingModel?: string;
  readonly imageModel?: string;
  readonly outDir: string;
}

const write = (text: string) => process.stdout.write(text);
const line = (text = "") => write(`${text}\n`);

function section(number: number, title: string, model: DemoModel | undefined): void {
  line();
  line(`── ${number}. ${title}${model ? ` · ${model.callId}` : ""}`);
}

function usageLine(usage: Usage | null | undefined): string {
  if (!usage) return "   tokens: n/a";
  return `   tokens: ${usage.prompt_tokens} in / ${usage.completion_tokens} out · cost: ${formatCost(usage.cost)}`;
}

let totalCost = 0;
function addCost(cost: number | null | undefined): void {
  if (typeof cost === "number") totalCost += cost;
}

function missing(need: DemoNeed, live: boolean, region: string | undefined): void {
  line(
    `   skipped: the catalog has no ${need.label}${live ? ` callable in ${region}` : ""} (npm run cli -- models lists them)`,
  );
}

async function runChat(bedrock: Bedrock, model: DemoModel): Promise<void> {
  const messages: ChatMessage[] = [
    { role: "system", content: "You are a concise assistant." },
    { role: "user", content: "In one sentence: what is Amazon Bedrock?" },
  ];
  const completion = await bedrock.chat.completions.create({
    model: uncheckedModel(model.callId),
    messages,
    max_tokens: 200,
  });
  line(`   ${completion.choices[0]?.message.content ?? ""}`);
  line(usageLine(completion.usage));
  addCost(completion.usage.cost);
}

async function runStream(bedrock: Bedrock, model: DemoModel): Promise<void> {
  const stream = await bedrock.chat.completions.create({
    model: uncheckedModel(model.callId),
    messages: [{ role: "user", content: "Write a four-line poem about rivers." }],
    max_tokens: 200,
    stream: true,
    stream_options: { include_usage: true },
  });
  let usage: Usage | null | undefined;
  let chunks = 0;
  write("   ");
  for await (const chunk of stream) {
    const text = chunk.choices[0]?.delta.content;
    if (text) {
      chunks += 1;
      write(text.replaceAll("\n", "\n   "));
    }
    if (chunk.usage) usage = chunk.usage;
  }
  line();
  line(`   (${chunks} chunks)`);
  line(usageLine(usage));
  addCost(usage?.cost);
}

const weatherTool: FunctionTool = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Current weather for a city.",
    parameters: {
      type: "object",
      properties: {
        city: { type: "string", description: "City name, e.g. Paris" },
        unit: { type: "string", enum: ["celsius", "fahrenheit"] },
      },
      required: ["city"],
    },
  },
};

/** The demo's stand-in for a real weather service. */
function getWeather(args: { city?: string; unit?: string }): {
  city: string;
  temperature: number;
  unit: string;
  sky: string;
} {
  return { city: args.city ?? "Paris", temperature: 18, unit: args.unit ?? "celsius", sky: "sunny" };
}

/** Runs one tool call locally, as the demo's application would. */
function answerToolCall(call: ToolCall): ChatMessage {
  let args: { city?: string; unit?: string } = {};
  try {
    args = JSON.parse(call.function.arguments || "{}");
  } catch {
    // A model may send arguments that are not JSON; the stand-in copes.
  }
  const result = JSON.stringify(getWeather(args));
  line(`   ← tool result ${result}`);
  return { role: "tool", tool_call_id: call.id, content: result };
}

/**
 * The usual tool loop: the first call forces get_weather (tools + tool_choice), then tool results go
 * back until the model answers in text (at most three rounds).
 */
async function runTools(bedrock: Bedrock, model: DemoModel, live: boolean): Promise<void> {
  const messages: ChatMessage[] = [{ role: "user", content: "What's the weather in Paris right now?" }];
  let completion = await bedrock.chat.completions.create({
    model: uncheckedModel(model.callId),
    messages,
    tools: [weatherTool],
    tool_choice: { type: "function", function: { name: "get_weather" } },
    max_tokens: 300,
  });
  if (!completion.choices[0]?.message.tool_calls?.length)
    throw new Error(`${model.callId} answered without calling get_weather`);
  for (let round = 0; round < 3; round++) {
    const message = completion.choices[0]!.message;
    const calls = message.tool_calls ?? [];
    if (calls.length === 0) break;
    for (const call of calls)
      line(`   → tool call ${call.function.name}(${call.function.arguments})  [${call.id}]`);
    if (!live && round === 0)
      line("   (the emulator's tool arguments are synthetic, made to fit the tool's schema; try --live)");
    line(usageLine(completion.usage));
    addCost(completion.usage.cost);
    messages.push(
      { role: "assistant", content: message.content, tool_calls: calls },
      ...calls.map(answerToolCall),
    );
    completion = await bedrock.chat.completions.create({
      model: uncheckedModel(model.callId),
      messages,
      tools: [weatherTool],
      tool_choice: "auto",
      max_tokens: 300,
    });
  }
  line(`   ${completion.choices[0]?.message.content ?? "(no text answer after three rounds of tool calls)"}`);
  line(usageLine(completion.usage));
  addCost(completion.usage.cost);
}

async function runEmbedding(bedrock: Bedrock, model: DemoModel, live: boolean): Promise<void> {
  const input = ["The cat sat on the mat.", "A kitten rested on the rug."];
  const dimensions = model.entry.embedding?.dimensions.includes(256) ? 256 : undefined;
  const response = await bedrock.embeddings.create({
    model: uncheckedModel(model.callId),
    input,
    ...(dimensions !== undefined ? { dimensions } : {}),
  });
  const vectors = response.data.map((item) => item.embedding as number[]);
  for (const [index, vector] of vectors.entries()) {
    const head = vector
      .slice(0, 4)
      .map((value) => value.toFixed(4))
      .join(", ");
    line(`   ${JSON.stringify(input[index])} → ${vector.length} dims [${head}, …]`);
  }
  if (vectors.length === 2)
    line(
      `   cosine similarity: ${cosine(vectors[0]!, vectors[1]!).toFixed(4)}${live ? "" : " (the emulator's vectors are synthetic; try --live)"}`,
    );
  line(`   tokens: ${response.usage.prompt_tokens} · cost: ${formatCost(response.usage.cost)}`);
  addCost(response.usage.cost);
}

function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let index = 0; index < a.length; index++) {
    dot += a[index]! * (b[index] ?? 0);
    normA += a[index]! ** 2;
    normB += (b[index] ?? 0) ** 2;
  }
  return dot / (Math.sqrt(normA) * Math.sqrt(normB) || 1);
}

async function runImage(bedrock: Bedrock, model: DemoModel, outDir: string, live: boolean): Promise<void> {
  const sizes = model.entry.image?.sizes ?? [];
  const size =
    model.entry.image?.default_size ?? sizes.find((candidate) => candidate === "1024x1024") ?? sizes[0];
  const response = await bedrock.images.generate({
    model: uncheckedModel(model.callId),
    prompt: "A lighthouse on a cliff at dawn, watercolor",
    seed: 42,
    ...(size !== undefined ? { size } : {}),
  });
  const image = response.data[0];
  if (!image) throw new Error(`${model.callId} returned no image`);
  const bytes = Buffer.from(image.b64_json, "base64");
  await mkdir(outDir, { recursive: true });
  const file = path.join(outDir, "demo.png");
  await writeFile(file, bytes);
  const isPng = bytes.subarray(1, 4).toString("latin1") === "PNG";
  const dimensions =
    isPng && bytes.length >= 24 ? `${bytes.readUInt32BE(16)}x${bytes.readUInt32BE(20)}` : "?";
  line(
    `   wrote ${path.relative(process.cwd(), file) || file} (${isPng ? "PNG" : "image"} ${dimensions}, ${bytes.length} bytes)`,
  );
  if (!live)
    line("   (the emulator's image is a synthetic pattern, not a picture of the prompt; try --live)");
  line(`   images: ${response.usage.images} · cost: ${formatCost(response.usage.cost)}`);
  addCost(response.usage.cost);
}

/** Fails early, with what to do, when --live has no region or no credentials. */
async function checkLiveSetup(options: DemoOptions): Promise<string> {
  const region = options.region ?? (process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || undefined);
  if (!region)
    throw new SetupError(
      "--live needs a region: set AWS_REGION (e.g. us-east-1) or pass --region us-east-1.",
    );
  if (process.env.AWS_BEARER_TOKEN_BEDROCK) return region;
  const { fromNodeProviderChain } = await import("@aws-sdk/credential-providers");
  try {
    await fromNodeProviderChain({
      ...(options.profile ? { profile: options.profile } : {}),
      clientConfig: { region },
    })();
  } catch (error) {
    throw new SetupError(
      `--live needs AWS credentials and none were found (${(error as Error).message}).\n` +
        "Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE (or --profile, `aws sso login` first), " +
        "or a Bedrock API key in AWS_BEARER_TOKEN_BEDROCK. Without --live the demo runs offline.",
    );
  }
  return region;
}

class SetupError extends Error {}

function parseOptions(argv: readonly string[]): DemoOptions | undefined {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      live: { type: "boolean" },
      region: { type: "string" },
      profile: { type: "string" },
      "chat-model": { type: "string" },
      "embedding-model": { type: "string" },
      "image-model": { type: "string" },
      "out-dir": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return undefined;
  if (!values.live && (values.region !== undefined || values.profile !== undefined))
    throw new SetupError("--region and --profile apply to --live runs; offline the demo uses the emulator.");
  return {
    live: values.live ?? false,
    region: values.region,
    profile: values.profile,
    chatModel: values["chat-model"],
    embeddingModel: values["embedding-model"],
    imageModel: values["image-model"],
    outDir: path.resolve(values["out-dir"] ?? path.join(repositoryRoot, ".demo-output")),
  };
}

/** Runs the demo; returns the exit code (0 done, 1 a call failed, 2 bad options or live setup). */
export async function runDemo(argv: readonly string[]): Promise<number> {
  const started = performance.now();
  let options: DemoOptions | undefined;
  try {
    options = parseOptions(argv);
  } catch (error) {
    process.stderr.write(`demo: ${(error as Error).message}\n\n${help}`);
    return 2;
  }
  if (!options) {
    write(help);
    return 0;
  }
  let emulator: RunningEmulator | undefined;
  let bedrock: Bedrock;
  let region: string | undefined;
  try {
    if (options.live) {
      region = await checkLiveSetup(options);
      bedrock = createBedrock({ region, ...(options.profile ? { profile: options.profile } : {}) });
      line(`bedrock-forge demo · live: Amazon Bedrock in ${region} (these calls are billed to your account)`);
    } else {
      emulator = await startBuiltInEmulator();
      bedrock = createBedrock({
        endpoint: emulator.url,
        region: "us-east-1",
        credentials: exampleCredentials,
      });
      line(`bedrock-forge demo · offline: built-in Bedrock emulator at ${emulator.url}`);
      line("   (the real AWS SDK, SigV4-signed with AWS's documented example keys; no network)");
    }
  } catch (error) {
    process.stderr.write(`demo: ${(error as Error).message}\n`);
    return error instanceof SetupError ? 2 : 1;
  }

  let failures = 0;
  const attempt = async (work: () => Promise<void>) => {
    try {
      await work();
    } catch (error) {
      failures += 1;
      line(`   failed: ${(error as Error).message}`);
    }
  };
  try {
    const pick = (need: DemoNeed, override: string | undefined) => pickModel(need, { region, override });
    const chat = pick(chatNeed, options.chatModel);
    const embedding = pick(embeddingNeed, options.embeddingModel);
    const image = pick(imageNeed, options.imageModel);

    section(1, "Chat", chat);
    if (chat) await attempt(() => runChat(bedrock, chat));
    else missing(chatNeed, options.live, region);

    section(2, "Streamed chat", chat);
    if (chat) await attempt(() => runStream(bedrock, chat));
    else missing(chatNeed, options.live, region);

    section(3, "Tool call", chat);
    if (chat) await attempt(() => runTools(bedrock, chat, options.live));
    else missing(chatNeed, options.live, region);

    section(4, "Embedding", embedding);
    if (embedding) await attempt(() => runEmbedding(bedrock, embedding, options.live));
    else missing(embeddingNeed, options.live, region);

    section(5, "Image", image);
    if (image) await attempt(() => runImage(bedrock, image, options.outDir, options.live));
    else missing(imageNeed, options.live, region);
  } catch (error) {
    failures += 1;
    line(`   failed: ${(error as Error).message}`);
  } finally {
    await emulator?.close();
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  line();
  line(
    `Total cost: ${formatCost(Math.round(totalCost * 1e10) / 1e10)} · ${seconds} s${failures ? ` · ${failures} section(s) failed` : ""}`,
  );
  if (!options.live)
    line(
      'Next: npm run cli -- chat "Hello" --model <id> --offline · npm run cli -- models · README.md for the guide',
    );
  return failures > 0 ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await runDemo(process.argv.slice(2));
}
