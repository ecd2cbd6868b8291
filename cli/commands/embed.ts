import type { CreateEmbeddingResponse } from "../../runtime/index.js";
import { uncheckedModel } from "../../runtime/model-ref.js";
import {
  connectionHelp,
  connectionOptions,
  parseCommandArgs,
  parseParams,
  parsePositiveInteger,
} from "../args.js";
import { type Command, UsageError } from "../command.js";
import { connect } from "../connect.js";
import { createProgress, formatCost } from "../format.js";
import { readLines } from "../input.js";

const help = `Usage: bedrock-forge embed "<text>" ["<text>" …] --model <id> [options]

Embeds texts and prints each vector's size and first values; tokens and cost go to stderr.
Batches (--file) are sent in groups, with progress on a terminal.

Options:
  -m, --model ID          Embedding model id (required); \`bedrock-forge models --operation embeddings\`.
      --dimensions N      Output dimensions, for models that offer a choice (Titan V2: 256, 512, 1024).
  -f, --file PATH         Also embed every non-empty line of a file ("-" reads stdin).
  -p, --param KEY=VALUE   A request param, repeatable: input_type=search_query, normalize=false.
      --json              Print the OpenAI-shaped result (with the full vectors) as JSON.
  -h, --help              Show this help.

${connectionHelp}

Exit codes: 0 embedded, 1 the call failed, 2 bad usage or a request the model cannot take.

Examples:
  bedrock-forge embed "good morning" --model amazon.titan-embed-text-v2:0 --dimensions 256 --offline
  bedrock-forge embed --file sentences.txt --model amazon.titan-embed-text-v2:0 --json > vectors.json
`;

/** Texts per `embeddings.create` call in a batch (the runtime splits further where a model needs it). */
const groupSize = 32;

export const embedCommand: Command = {
  name: "embed",
  summary: "Embed texts with a Bedrock embedding model (--file for batches)",
  help,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(
      argv,
      {
        model: { type: "string", short: "m" },
        dimensions: { type: "string" },
        file: { type: "string", short: "f" },
        param: { type: "string", short: "p", multiple: true },
        json: { type: "boolean" },
        ...connectionOptions,
      },
      { positionals: true },
    );
    if (values.help) {
      io.stdout.write(help);
      return 0;
    }
    if (!values.model) throw new UsageError("--model is required");
    const dimensions = parsePositiveInteger(values.dimensions, "dimensions");
    const params = parseParams(values.param);
    const texts = [...positionals];
    if (values.file !== undefined) texts.push(...(await readLines(values.file, io.cwd, io.stdin)));
    if (texts.length === 0) throw new UsageError("give at least one text (or --file)");
    const empty = texts.findIndex((text) => text.trim() === "");
    if (empty >= 0) throw new UsageError(`text ${empty + 1} is empty; Bedrock rejects empty texts`);

    const connection = await connect(values, io.env);
    const progress = createProgress(io.stderr, "embedding");
    try {
      const result: CreateEmbeddingResponse = {
        object: "list",
        data: [],
        model: values.model,
        usage: { prompt_tokens: 0, total_tokens: 0, cost: 0 },
      };
      let priced = true;
      for (let start = 0; start < texts.length; start += groupSize) {
        if (texts.length > groupSize) progress.update(start, texts.length);
        const group = texts.slice(start, start + groupSize);
        const response = await connection.bedrock.embeddings.create({
          ...params,
          model: uncheckedModel(values.model),
          input: group,
          ...(dimensions !== undefined ? { dimensions } : {}),
        });
        result.model = response.model;
        for (const item of response.data) result.data.push({ ...item, index: start + item.index });
        result.usage.prompt_tokens += response.usage.prompt_tokens;
        result.usage.total_tokens += response.usage.total_tokens;
        if (response.usage.cost === null) priced = false;
        else result.usage.cost = (result.usage.cost ?? 0) + response.usage.cost;
      }
      progress.done();
      if (!priced) result.usage.cost = null;
      else if (result.usage.cost !== null) result.usage.cost = Math.round(result.usage.cost * 1e10) / 1e10;

      if (values.json) {
        io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        return 0;
      }
      for (const item of result.data) {
        const vector = item.embedding;
        const text = texts[item.index] ?? "";
        const label = text.length > 40 ? `${text.slice(0, 39)}…` : text;
        if (typeof vector === "string") {
          io.stdout.write(`#${item.index}  base64 (${vector.length} chars)  ${JSON.stringify(label)}\n`);
          continue;
        }
        const head = vector
          .slice(0, 4)
          .map((value) => value.toFixed(4))
          .join(", ");
        io.stdout.write(
          `#${item.index}  ${vector.length} dims  [${head}${vector.length > 4 ? ", …" : ""}]  ${JSON.stringify(label)}\n`,
        );
      }
      io.stderr.write(
        `${result.data.length} embedding${result.data.length === 1 ? "" : "s"} · tokens: ${result.usage.prompt_tokens} · cost: ${formatCost(result.usage.cost)}\n`,
      );
      return 0;
    } finally {
      progress.done();
      await connection.close();
    }
  },
};
