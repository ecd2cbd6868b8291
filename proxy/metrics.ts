/**
 * The proxy's Prometheus metrics (text exposition format 0.0.4), kept as plain sums so that the
 * workers of `serve --workers` can add theirs together: a snapshot is JSON, `mergeSnapshots` adds
 * snapshots, `renderMetrics` writes one. Label values are bounded by the config (model names,
 * deployment ids, route patterns), never taken from what a client sends.
 */

/** Upper bounds of the request duration histogram, in seconds. */
const durationBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300] as const;

/** Sums by label set (the key is the label values joined by \u0000), per metric. */
export interface MetricsSnapshot {
  readonly requests: Record<string, number>;
  /** Per label set: bucket counts (one per bound, then +Inf), the sum of seconds and the count. */
  readonly durations: Record<string, { buckets: number[]; sum: number; count: number }>;
  readonly tokens: Record<string, number>;
  readonly cost: Record<string, number>;
  readonly failedAttempts: Record<string, number>;
  readonly fallbacks: Record<string, number>;
  inFlight: number;
}

export function emptySnapshot(): MetricsSnapshot {
  return {
    requests: {},
    durations: {},
    tokens: {},
    cost: {},
    failedAttempts: {},
    fallbacks: {},
    inFlight: 0,
  };
}

/** One finished request, as the proxy's log line sees it. */
export interface RequestRecord {
  /** The route pattern (`/v1/chat/completions`), or `unmatched`. */
  readonly path: string;
  /** A model name of the config, or `none` (no model, or one the proxy does not serve). */
  readonly model: string;
  readonly status: number;
  readonly seconds: number;
  readonly promptTokens?: number;
  readonly completionTokens?: number;
  readonly cost?: number | null;
  readonly failedAttempts?: readonly { readonly deployment: string; readonly status: number }[];
  readonly fallback?: string;
}

const key = (...values: readonly (string | number)[]) => values.join("\u0000");

function add(record: Record<string, number>, name: string, amount: number): void {
  record[name] = (record[name] ?? 0) + amount;
}

/** The histogram state of a label set, created empty on first use. */
function durationOf(snapshot: MetricsSnapshot, labels: string): MetricsSnapshot["durations"][string] {
  let duration = snapshot.durations[labels];
  if (!duration) {
    duration = { buckets: new Array<number>(durationBuckets.length + 1).fill(0), sum: 0, count: 0 };
    snapshot.durations[labels] = duration;
  }
  return duration;
}

export function recordRequest(snapshot: MetricsSnapshot, request: RequestRecord): void {
  add(snapshot.requests, key(request.path, request.model, request.status), 1);
  const duration = durationOf(snapshot, key(request.path, request.model));
  let bucket = durationBuckets.findIndex((bound) => request.seconds <= bound);
  if (bucket === -1) bucket = durationBuckets.length;
  duration.buckets[bucket]!++;
  duration.sum += request.seconds;
  duration.count++;
  if (request.promptTokens) add(snapshot.tokens, key(request.model, "prompt"), request.promptTokens);
  if (request.completionTokens)
    add(snapshot.tokens, key(request.model, "completion"), request.completionTokens);
  if (typeof request.cost === "number" && request.cost > 0)
    add(snapshot.cost, key(request.model), request.cost);
  for (const failure of request.failedAttempts ?? [])
    add(snapshot.failedAttempts, key(failure.deployment, failure.status), 1);
  if (request.fallback !== undefined) add(snapshot.fallbacks, key(request.model, request.fallback), 1);
}

/** The sum of several snapshots (the workers of one server). */
export function mergeSnapshots(snapshots: readonly MetricsSnapshot[]): MetricsSnapshot {
  const merged = emptySnapshot();
  for (const snapshot of snapshots) {
    for (const name of ["requests", "tokens", "cost", "failedAttempts", "fallbacks"] as const) {
      for (const [labels, value] of Object.entries(snapshot[name])) add(merged[name], labels, value);
    }
    for (const [labels, duration] of Object.entries(snapshot.durations)) {
      const into = durationOf(merged, labels);
      duration.buckets.forEach((count, index) => {
        into.buckets[index]! += count;
      });
      into.sum += duration.sum;
      into.count += duration.count;
    }
    merged.inFlight += snapshot.inFlight;
  }
  return merged;
}

/** A label value as Prometheus reads it: backslash, double quote and newline escaped. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function labelsOf(names: readonly string[], joined: string, extra?: readonly [string, string]): string {
  const values = joined.split("\u0000");
  const pairs = names.map((name, index) => `${name}="${escapeLabelValue(values[index] ?? "")}"`);
  if (extra) pairs.push(`${extra[0]}="${escapeLabelValue(extra[1])}"`);
  return `{${pairs.join(",")}}`;
}

function family(lines: string[], name: string, type: string, help: string): void {
  lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
}

function sorted<T>(record: Record<string, T>): [string, T][] {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export function renderMetrics(snapshot: MetricsSnapshot): string {
  const lines: string[] = [];
  family(
    lines,
    "bedrock_forge_requests_total",
    "counter",
    "Requests answered, by route, model name and status.",
  );
  for (const [labels, value] of sorted(snapshot.requests))
    lines.push(`bedrock_forge_requests_total${labelsOf(["path", "model", "status"], labels)} ${value}`);

  family(lines, "bedrock_forge_request_duration_seconds", "histogram", "Time to answer a request.");
  for (const [labels, duration] of sorted(snapshot.durations)) {
    let cumulative = 0;
    durationBuckets.forEach((bound, index) => {
      cumulative += duration.buckets[index]!;
      lines.push(
        `bedrock_forge_request_duration_seconds_bucket${labelsOf(["path", "model"], labels, ["le", String(bound)])} ${cumulative}`,
      );
    });
    cumulative += duration.buckets[durationBuckets.length]!;
    lines.push(
      `bedrock_forge_request_duration_seconds_bucket${labelsOf(["path", "model"], labels, ["le", "+Inf"])} ${cumulative}`,
      `bedrock_forge_request_duration_seconds_sum${labelsOf(["path", "model"], labels)} ${duration.sum}`,
      `bedrock_forge_request_duration_seconds_count${labelsOf(["path", "model"], labels)} ${duration.count}`,
    );
  }

  family(lines, "bedrock_forge_tokens_total", "counter", "Tokens Bedrock counted, by model name and kind.");
  for (const [labels, value] of sorted(snapshot.tokens))
    lines.push(`bedrock_forge_tokens_total${labelsOf(["model", "kind"], labels)} ${value}`);

  family(
    lines,
    "bedrock_forge_cost_usd_total",
    "counter",
    "Cost of the answers in USD, from the catalog's prices.",
  );
  for (const [labels, value] of sorted(snapshot.cost))
    lines.push(`bedrock_forge_cost_usd_total${labelsOf(["model"], labels)} ${value}`);

  family(
    lines,
    "bedrock_forge_failed_attempts_total",
    "counter",
    "Bedrock calls that failed (and were failed over, or answered as errors), by deployment and status.",
  );
  for (const [labels, value] of sorted(snapshot.failedAttempts))
    lines.push(`bedrock_forge_failed_attempts_total${labelsOf(["deployment", "status"], labels)} ${value}`);

  family(lines, "bedrock_forge_fallbacks_total", "counter", "Requests answered by a fallback model name.");
  for (const [labels, value] of sorted(snapshot.fallbacks))
    lines.push(`bedrock_forge_fallbacks_total${labelsOf(["model", "fallback"], labels)} ${value}`);

  family(lines, "bedrock_forge_requests_in_flight", "gauge", "Model requests being answered now.");
  lines.push(`bedrock_forge_requests_in_flight ${snapshot.inFlight}`);
  return `${lines.join("\n")}\n`;
}
