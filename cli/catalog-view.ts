import { catalog, modelIds } from "../generated/catalog.js";
import type { CatalogEntry } from "../runtime/index.js";
import { formatCount, formatPrice } from "./format.js";

/** Every catalog entry, sorted by id. */
export function catalogEntries(): CatalogEntry[] {
  return modelIds.map((id) => catalog[id]);
}

/** A model's on-demand price in one cell: tokens in/out, embedding tokens, or per image. */
export function describePrice(entry: CatalogEntry): string {
  const price = entry.price;
  const images = price.images ?? [];
  if (images.length > 0) {
    const amounts = images.map((image) => image.usd);
    const low = Math.min(...amounts);
    const high = Math.max(...amounts);
    return low === high ? `${formatPrice(low)}/image` : `${formatPrice(low)}–${formatPrice(high)}/image`;
  }
  if (price.per_query !== undefined) return `${formatPrice(price.per_query)}/query`;
  if (price.per_request !== undefined) {
    const perRequest = `${formatPrice(price.per_request)}/request`;
    return price.per_image !== undefined
      ? `${perRequest}, ${formatPrice(price.per_image)}/image`
      : perRequest;
  }
  if (price.embedding_per_mtok !== undefined) {
    return price.per_image !== undefined
      ? `${formatPrice(price.embedding_per_mtok)} + ${formatPrice(price.per_image)}/image`
      : formatPrice(price.embedding_per_mtok);
  }
  if (price.input_per_mtok === undefined && price.output_per_mtok === undefined) return "—";
  return `${formatPrice(price.input_per_mtok)} / ${formatPrice(price.output_per_mtok)}`;
}

/** Cross-region profile prefixes; `(required)` when on-demand calls must go through one. */
export function describeProfiles(entry: CatalogEntry): string {
  if (entry.profiles.length === 0) return "—";
  return `${entry.profiles.join(",")}${entry.profileOnly ? " (required)" : ""}`;
}

export const modelColumns = [
  "id",
  "provider",
  "operations",
  "context",
  "max output",
  "$ per 1M in / out",
  "routes",
  "profiles",
] as const;

/** The cells of one model's row, in `modelColumns` order. */
export function modelRow(entry: CatalogEntry): string[] {
  return [
    entry.id,
    entry.provider,
    entry.operations.join(","),
    formatCount(entry.contextWindow),
    formatCount(entry.maxOutputTokens),
    describePrice(entry),
    entry.routes.join(","),
    describeProfiles(entry),
  ];
}

export interface ModelFilter {
  readonly providers?: readonly string[];
  readonly capabilities?: readonly string[];
  readonly operations?: readonly string[];
  readonly families?: readonly string[];
}

/** Models matching every filter given (any of the listed providers/operations/families, all capabilities). */
export function filterModels(entries: readonly CatalogEntry[], filter: ModelFilter): CatalogEntry[] {
  return entries.filter(
    (entry) =>
      (!filter.providers?.length || filter.providers.includes(entry.provider)) &&
      (!filter.families?.length || filter.families.includes(entry.family)) &&
      (!filter.operations?.length ||
        filter.operations.some((operation) => (entry.operations as readonly string[]).includes(operation))) &&
      (!filter.capabilities?.length ||
        filter.capabilities.every((capability) =>
          (entry.capabilities as readonly string[]).includes(capability),
        )),
  );
}

/** The models table as Markdown, for README.md (kept in sync by `npm run docs`). */
export function modelsMarkdown(entries: readonly CatalogEntry[] = catalogEntries()): string {
  const header = [
    "Model id",
    "Name",
    "Provider",
    "Operations",
    "Context",
    "Max output",
    "$ per 1M in / out",
    "Routes",
    "Profiles",
  ];
  const escapeCell = (cell: string) => cell.replaceAll("|", "\\|");
  const rows = entries.map((entry) => {
    const [id, provider, operations, context, maxOutput, price, routes, profiles] = modelRow(entry);
    return [
      `\`${id}\``,
      entry.name,
      provider!,
      operations!,
      context!,
      maxOutput!,
      price!,
      routes!,
      profiles!,
    ];
  });
  return [
    `| ${header.join(" | ")} |`,
    `|${header.map(() => "---").join("|")}|`,
    ...rows.map((row) => `| ${row.map((cell) => escapeCell(cell)).join(" | ")} |`),
  ].join("\n");
}
