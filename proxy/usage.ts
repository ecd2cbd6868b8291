/**
 * The tokens and cost of an answer in each API's usage shape (Chat Completions, Responses, Anthropic
 * Messages), the config's own prices (LiteLLM's `input_cost_per_token` …) applied to them, and the
 * common form the log line and the metrics read.
 */
/** A deployment's own prices in USD per token (LiteLLM's custom pricing), instead of the catalog's. */
export interface TokenPrices {
  readonly inputPerToken: number;
  readonly outputPerToken: number;
  /** Cache reads (`cache_read_input_token_cost`); the input price when not given. */
  readonly cacheReadPerToken?: number;
  /** Cache writes (`cache_creation_input_token_cost`); the input price when not given. */
  readonly cacheWritePerToken?: number;
}

/** Tokens of one answer: input not read from or written to a cache, output, cache reads and writes. */
export interface TokenCounts {
  readonly input: number;
  readonly output: number;
  readonly cacheRead: number;
  readonly cacheWrite: number;
  readonly cost: number | null;
  /** Priced per image or search unit, not per token: the counts are not tokens. */
  readonly perUnit?: true;
}

type Loose = Readonly<Record<string, unknown>>;

const count = (value: unknown) => (typeof value === "number" && Number.isFinite(value) ? value : 0);
const costOf = (value: unknown) => (typeof value === "number" ? value : null);

/** How a route reads an answer's usage and writes a cost back into it. */
export interface UsageAccess<T> {
  /** The answer's tokens and cost, or undefined when it has no usage. */
  read(value: T): TokenCounts | undefined;
  /** Replaces the answer's cost (a deployment with its own prices); absent for answers not priced per token. */
  writeCost?(value: T, cost: number): void;
}

/**
 * Chat Completions and Embeddings usage: `prompt_tokens` includes cached tokens
 * (`prompt_tokens_details.cached_tokens`, and bedrock-forge's `cache_write_tokens`).
 */
export function readChatUsage(usage: unknown): TokenCounts | undefined {
  if (typeof usage !== "object" || usage === null) return undefined;
  const fields = usage as Loose;
  const details = (fields.prompt_tokens_details ?? {}) as Loose;
  const cacheRead = count(details.cached_tokens);
  const cacheWrite = count(details.cache_write_tokens);
  return {
    input: Math.max(0, count(fields.prompt_tokens) - cacheRead - cacheWrite),
    output: count(fields.completion_tokens),
    cacheRead,
    cacheWrite,
    cost: costOf(fields.cost),
  };
}

/** Responses usage: `input_tokens` includes cached ones (`input_tokens_details`), as in Chat Completions. */
export function readResponsesUsage(usage: unknown): TokenCounts | undefined {
  if (typeof usage !== "object" || usage === null) return undefined;
  const fields = usage as Loose;
  const details = (fields.input_tokens_details ?? {}) as Loose;
  const cacheRead = count(details.cached_tokens);
  const cacheWrite = count(details.cache_write_tokens);
  return {
    input: Math.max(0, count(fields.input_tokens) - cacheRead - cacheWrite),
    output: count(fields.output_tokens),
    cacheRead,
    cacheWrite,
    cost: costOf(fields.cost),
  };
}

/**
 * Anthropic usage: `input_tokens` excludes cache reads and writes, which have their own counts
 * (https://docs.anthropic.com/en/api/messages, `usage`).
 */
export function readMessagesUsage(usage: unknown): TokenCounts | undefined {
  if (typeof usage !== "object" || usage === null) return undefined;
  const fields = usage as Loose;
  return {
    input: count(fields.input_tokens),
    output: count(fields.output_tokens),
    cacheRead: count(fields.cache_read_input_tokens),
    cacheWrite: count(fields.cache_creation_input_tokens),
    cost: costOf(fields.cost),
  };
}

/** The cost of the tokens at a deployment's own prices (cache tokens at the input price unless priced apart). */
export function priceTokens(counts: TokenCounts, prices: TokenPrices): number {
  const cost =
    counts.input * prices.inputPerToken +
    counts.output * prices.outputPerToken +
    counts.cacheRead * (prices.cacheReadPerToken ?? prices.inputPerToken) +
    counts.cacheWrite * (prices.cacheWritePerToken ?? prices.inputPerToken);
  // Sums of small binary fractions: rounded to 1e-12 USD, as the cost header is written.
  return Math.round(cost * 1e12) / 1e12;
}

/**
 * The answer's counts with the deployment's prices applied (and written back into the answer), or as
 * they are when the deployment has none.
 */
export function applyPrices<T>(
  value: T,
  access: UsageAccess<T>,
  prices: TokenPrices | undefined,
): TokenCounts | undefined {
  const counts = access.read(value);
  if (!counts || !prices || !access.writeCost) return counts;
  const cost = priceTokens(counts, prices);
  access.writeCost(value, cost);
  return { ...counts, cost };
}

/** Usage as the log line and the metrics read it: OpenAI's names, prompt tokens including cache tokens. */
export interface LoggedUsage {
  readonly prompt_tokens?: number;
  readonly completion_tokens?: number;
  readonly total_tokens?: number;
  readonly cost?: number | null;
}

/** The counts as the log line and the metrics read them. */
export function describeUsage(counts: TokenCounts): LoggedUsage {
  if (counts.perUnit) return { cost: counts.cost };
  const prompt = counts.input + counts.cacheRead + counts.cacheWrite;
  return {
    prompt_tokens: prompt,
    completion_tokens: counts.output,
    total_tokens: prompt + counts.output,
    cost: counts.cost,
  };
}

/** Reads and reprices the `usage` of an answer whose usage is in Chat Completions' shape. */
export const chatUsageAccess: UsageAccess<{ usage?: unknown }> = {
  read: (value) => readChatUsage(value.usage),
  writeCost(value, cost) {
    (value.usage as { cost: number }).cost = cost;
  },
};

/** An answer priced per image or per search unit: its cost is the catalog's; the config's token prices do not apply. */
export const unitUsageAccess: UsageAccess<{ usage?: unknown }> = {
  read(value) {
    const usage = value.usage as Loose | undefined;
    if (!usage) return undefined;
    return { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cost: costOf(usage.cost), perUnit: true };
  },
};
