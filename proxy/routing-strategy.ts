/**
 * LiteLLM's `router_settings.routing_strategy`: the order in which a model name's deployments are tried.
 * The rules follow LiteLLM's router strategies (litellm/router_strategy/):
 *
 * - `simple-shuffle` (the default): each deployment in proportion to its `weight` (else `rpm`, else
 *   `tpm`), here as a smooth weighted round robin instead of a random draw; `rpm`/`tpm` are shares, not limits;
 * - `least-busy`: the deployment with the fewest calls in flight;
 * - `usage-based-routing` (and `-v2`): the deployment that used the fewest tokens this minute, leaving out
 *   any at its `rpm` (requests started this minute) or `tpm` (tokens used this minute) limit
 *   (lowest_tpm_rpm_v2.py: per-minute counters, a request counted when it starts, tokens when it succeeds);
 * - `latency-based-routing`: the deployment with the lowest average seconds per output token over its
 *   last calls (time to the first token for streams, when known), a deployment not yet used first, a
 *   timeout counted as 1000 s, deployments within `lowest_latency_buffer` of the lowest treated alike;
 *   `rpm`/`tpm` limits apply as in usage-based routing (lowest_latency.py).
 *
 * Where LiteLLM picks at random among equals, deployments are taken in turn, so ties spread evenly and
 * tests are deterministic. The counts are per process (LiteLLM keeps them in Redis when it has one).
 */

/** The strategies bedrock-forge implements, by LiteLLM's names. */
export const routingStrategyNames = [
  "simple-shuffle",
  "least-busy",
  "latency-based-routing",
  "usage-based-routing",
  "usage-based-routing-v2",
] as const;

export type RoutingStrategyName = (typeof routingStrategyNames)[number];

export interface RoutingSettings {
  readonly strategy: RoutingStrategyName;
  /** `routing_strategy_args.lowest_latency_buffer`: deployments within this share of the lowest latency count as equal. */
  readonly latencyBuffer: number;
  /** `routing_strategy_args.max_latency_list_size`: the latest calls a deployment's average latency is taken over. */
  readonly maxLatencySamples: number;
}

export const defaultRoutingSettings: RoutingSettings = {
  strategy: "simple-shuffle",
  latencyBuffer: 0,
  maxLatencySamples: 10,
};

/** What LiteLLM counts a timed-out call as, in seconds (lowest_latency.py's failure penalty). */
export const timeoutLatencySeconds = 1000;

/** The current minute's requests and tokens of one deployment. */
export interface MinuteUsage {
  minute: number;
  requests: number;
  tokens: number;
}

/** A deployment's recent latencies, in seconds per output token. */
export interface LatencySamples {
  readonly total: number[];
  readonly firstToken: number[];
}

/** What a strategy reads of a deployment. */
export interface DeploymentLoad {
  readonly inFlight: number;
  readonly usage: MinuteUsage;
  readonly latency: LatencySamples;
  /** Requests and tokens per minute the deployment may take (LiteLLM's `rpm`, `tpm`). */
  readonly limits: { readonly rpm?: number; readonly tpm?: number };
}

/** The minute a time falls in (usage counters start again each minute, as LiteLLM's keys do). */
export function minuteOf(time: number): number {
  return Math.floor(time / 60_000);
}

/** Requests or tokens used in the minute of `now` (0 when the counter is from an earlier minute). */
function currentUsage(usage: MinuteUsage, now: number): { requests: number; tokens: number } {
  return usage.minute === minuteOf(now) ? usage : { requests: 0, tokens: 0 };
}

/**
 * Whether a deployment may take one more request this minute: fewer than `rpm` started, fewer than
 * `tpm` tokens used (LiteLLM's pre-call check refuses the request that would exceed `rpm`).
 */
export function isWithinLimits(load: DeploymentLoad, now: number): boolean {
  const { rpm, tpm } = load.limits;
  if (rpm === undefined && tpm === undefined) return true;
  const used = currentUsage(load.usage, now);
  if (rpm !== undefined && used.requests + 1 > rpm) return false;
  if (tpm !== undefined && used.tokens >= tpm) return false;
  return true;
}

/** Whether a strategy treats `rpm`/`tpm` as limits (the others read them as shares). */
export function enforcesLimits(strategy: RoutingStrategyName): boolean {
  return (
    strategy === "usage-based-routing" ||
    strategy === "usage-based-routing-v2" ||
    strategy === "latency-based-routing"
  );
}

function average(values: readonly number[]): number {
  if (values.length === 0) return 0;
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}

/** Sorts by a key, keeping the given order among equal keys (the turn order). */
function sortStable<T>(items: readonly T[], key: (item: T) => number): T[] {
  return items
    .map((item, index) => ({ item, index, key: key(item) }))
    .sort((a, b) => a.key - b.key || a.index - b.index)
    .map((entry) => entry.item);
}

/**
 * The deployments in the order a request tries them, from candidates already in turn order (cooling
 * and busy ones left out); those at their limits are dropped under the strategies that enforce them.
 */
export function orderDeployments<T extends { readonly health: DeploymentLoad }>(
  candidates: readonly T[],
  settings: RoutingSettings,
  context: { readonly now: number; readonly stream: boolean },
): T[] {
  const { strategy } = settings;
  if (strategy === "simple-shuffle") return [...candidates];
  if (strategy === "least-busy") return sortStable(candidates, (candidate) => candidate.health.inFlight);
  const open = candidates.filter((candidate) => isWithinLimits(candidate.health, context.now));
  if (strategy === "usage-based-routing" || strategy === "usage-based-routing-v2")
    return sortStable(open, (candidate) => currentUsage(candidate.health.usage, context.now).tokens);
  const latencies = open.map((candidate) => {
    const { total, firstToken } = candidate.health.latency;
    return average(context.stream && firstToken.length > 0 ? firstToken : total);
  });
  const lowest = Math.min(...latencies);
  const ceiling = lowest + lowest * settings.latencyBuffer;
  const keyed = open.map((candidate, index) => ({
    candidate,
    latency: latencies[index]! <= ceiling ? lowest : latencies[index]!,
  }));
  return sortStable(keyed, (entry) => entry.latency).map((entry) => entry.candidate);
}

/** Adds a sample to a bounded list of the latest ones. */
export function addSample(samples: number[], value: number, limit: number): void {
  samples.push(value);
  if (samples.length > limit) samples.splice(0, samples.length - limit);
}

/** Counts a request started now (LiteLLM counts it before the call). */
export function countRequest(usage: MinuteUsage, now: number): void {
  const minute = minuteOf(now);
  if (usage.minute !== minute) {
    usage.minute = minute;
    usage.requests = 0;
    usage.tokens = 0;
  }
  usage.requests++;
}

/** Counts the tokens of a call that succeeded, in the minute it ended. */
export function countTokens(usage: MinuteUsage, tokens: number, now: number): void {
  const minute = minuteOf(now);
  if (usage.minute !== minute) {
    usage.minute = minute;
    usage.requests = 0;
    usage.tokens = 0;
  }
  usage.tokens += tokens;
}
