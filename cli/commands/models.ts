import type { CatalogEntry } from "../../runtime/index.js";
import { parseCommandArgs } from "../args.js";
import { catalogEntries, filterModels, modelColumns, modelRow } from "../catalog-view.js";
import { type Command, UsageError } from "../command.js";
import { formatTable } from "../format.js";

const help = `Usage: bedrock-forge models [--provider P] [--capability C] [--operation O] [--family F] [--json]

Lists the model catalog (generated from specs/): id, provider, operations, context window, max
output tokens, on-demand price, routes (InvokeModel, Converse) and cross-region inference profiles.
Filters may repeat or take comma-separated values: providers, operations and families match any
value given, capabilities must all be present.

Options:
      --provider P     anthropic, meta, amazon, …
      --capability C   tools, vision, streaming, reasoning, guardrails, …
      --operation O    chat, chat-stream, embeddings, images, images-edit, rerank
      --family F       A family spec's id (specs/<family>.yaml).
      --json           Print the catalog entries as JSON.
  -h, --help           Show this help.

Exit codes: 0 listed (even when nothing matches), 2 bad usage or a filter value the catalog never uses.

Examples:
  bedrock-forge models --operation chat --capability tools
  bedrock-forge models --provider amazon --operation embeddings --json
`;

function listOf(values: readonly string[] | undefined): string[] {
  return (values ?? [])
    .flatMap((value) => value.split(","))
    .map((value) => value.trim())
    .filter(Boolean);
}

/** Fails with the values the catalog does use, so a typo is obvious. */
function checkKnown(option: string, given: readonly string[], known: Iterable<string>): void {
  const knownSet = new Set(known);
  const unknown = given.filter((value) => !knownSet.has(value));
  if (unknown.length > 0)
    throw new UsageError(
      `--${option} ${unknown.join(",")}: no model in the catalog has it. Known: ${[...knownSet].sort().join(", ")}`,
    );
}

export const modelsCommand: Command = {
  name: "models",
  summary: "List the model catalog: limits, prices, routes and profiles (filterable, --json)",
  help,
  async run(argv, io) {
    const { values } = parseCommandArgs(argv, {
      provider: { type: "string", multiple: true },
      capability: { type: "string", multiple: true },
      operation: { type: "string", multiple: true },
      family: { type: "string", multiple: true },
      json: { type: "boolean" },
    });
    if (values.help) {
      io.stdout.write(help);
      return 0;
    }
    const all = catalogEntries();
    const filter = {
      providers: listOf(values.provider),
      capabilities: listOf(values.capability),
      operations: listOf(values.operation),
      families: listOf(values.family),
    };
    checkKnown(
      "provider",
      filter.providers,
      all.map((entry) => entry.provider),
    );
    checkKnown(
      "capability",
      filter.capabilities,
      all.flatMap((entry) => entry.capabilities),
    );
    checkKnown(
      "operation",
      filter.operations,
      all.flatMap((entry) => entry.operations),
    );
    checkKnown(
      "family",
      filter.families,
      all.map((entry) => entry.family),
    );
    const entries: CatalogEntry[] = filterModels(all, filter);
    if (values.json) {
      io.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
      return 0;
    }
    if (entries.length === 0) {
      io.stderr.write("No model matches these filters.\n");
      return 0;
    }
    io.stdout.write(formatTable(modelColumns, entries.map(modelRow)));
    if (io.stdout.isTTY)
      io.stdout.write(
        `\n${entries.length} of ${all.length} models. Prices are on-demand USD (see --json for the date read).\n`,
      );
    return 0;
  },
};
