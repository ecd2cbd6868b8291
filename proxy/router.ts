import {
  type Bedrock,
  BedrockCallError,
  BedrockForgeError,
  createBedrock,
  resolveModel,
} from "../runtime/index.js";
import type { Deployment, ProxyConfig } from "./config-types.js";
import { ProxyError, shouldFailover } from "./errors.js";
import {
  compileWildcard,
  isWildcardName,
  matchWildcard,
  sortBySpecificity,
  substituteWildcard,
  type WildcardPattern,
} from "./model-names.js";
import {
  addSample,
  countRequest,
  countTokens,
  type DeploymentLoad,
  enforcesLimits,
  isWithinLimits,
  type LatencySamples,
  type MinuteUsage,
  orderDeployments,
  type RoutingSettings,
  timeoutLatencySeconds,
} from "./routing-strategy.js";

/** A deployment with the runtime client built from its connection settings (created once, at start). */
export interface LiveDeployment {
  readonly config: Deployment;
  readonly bedrock: Bedrock;
  /**
   * Recent failures and cooldown (only with `allowed_fails` / `cooldown_time`), the calls in flight
   * (a stream's until it ends, bounded by `max_parallel_requests`), and what the routing strategy reads.
   */
  readonly health: DeploymentHealth;
}

/** A deployment's state, which is also what the routing strategy reads of it. */
interface DeploymentHealth extends DeploymentLoad {
  failures: number[];
  coolUntil: number;
  inFlight: number;
  /** Requests and tokens of the current minute (usage- and latency-based routing). */
  readonly usage: MinuteUsage;
  /** Latest latencies (latency-based routing). */
  readonly latency: LatencySamples;
}

/** What a finished call tells the router: its tokens (for `tpm`) and output tokens (for latency per token). */
export interface CallOutcome {
  readonly totalTokens?: number;
  readonly completionTokens?: number;
}

/** What routing answered: the value, the deployment that gave it, and what ends its hold on that deployment. */
export interface Routed<T> {
  readonly value: T;
  readonly deployment: LiveDeployment;
  /**
   * Call once the answer is fully sent (a stream: when it ends), with its usage when it succeeded; later
   * calls do nothing.
   */
  readonly release: (outcome?: CallOutcome) => void;
}

/** Failures older than this no longer count toward a cooldown. */
const failureWindowMs = 60_000;

/** The deployments sharing one `model_name`, taken in turn (in proportion to their weights, if any). */
interface ModelGroup {
  /** The model_name as configured (a wildcard pattern for a wildcard group). */
  readonly name: string;
  readonly deployments: readonly LiveDeployment[];
  next: number;
  /** Weights of the deployments, or undefined for plain round robin. */
  weights?: readonly number[];
  /** Smooth weighted round robin state: each deployment's current score. */
  scores?: number[];
}

/**
 * A requested model name resolved: its group, the name metrics count it under (a model name, alias or
 * wildcard pattern of the config), and for a wildcard, what the pattern matched.
 */
export interface ModelTarget {
  readonly group: ModelGroup;
  readonly label: string;
  readonly match?: RegExpExecArray;
}

/**
 * The weights of a group as LiteLLM's simple-shuffle reads them: `weight` when the group's first
 * deployment has one, else `rpm`, else `tpm` (a deployment without the field weighs 0). Undefined when
 * no such field is set or they add up to 0: plain round robin.
 */
function weightsOf(deployments: readonly LiveDeployment[]): number[] | undefined {
  for (const key of ["weight", "rpm", "tpm"] as const) {
    if (deployments[0]?.config.shares[key] === undefined) continue;
    const weights = deployments.map((deployment) => deployment.config.shares[key] ?? 0);
    return weights.some((weight) => weight > 0) ? weights : undefined;
  }
  return undefined;
}

/**
 * The index of the group's next deployment: round robin, or smooth weighted round robin (each turn
 * every score grows by its weight and the highest is taken and lowered by the total), which gives each
 * deployment its share of requests, evenly interleaved and without randomness.
 */
function nextIndex(group: ModelGroup, weighted: boolean): number {
  const { weights, scores } = group;
  if (!weighted || !weights || !scores) {
    const index = group.next;
    group.next = (index + 1) % group.deployments.length;
    return index;
  }
  let best = 0;
  let total = 0;
  for (let index = 0; index < weights.length; index++) {
    scores[index]! += weights[index]!;
    total += weights[index]!;
    if (scores[index]! > scores[best]!) best = index;
  }
  scores[best]! -= total;
  return best;
}

/** Why one attempt failed, kept for the log line (no message text). */
export interface FailedAttempt {
  readonly deployment: string;
  readonly status: number;
  readonly code: string;
}

/** What routing did for one request, filled in as it goes (read by the log line, also after a failure). */
export interface RouteTrace {
  deployment: string | undefined;
  attempts: number;
  readonly failures: FailedAttempt[];
  /** The model name that answered instead of the one asked for (a fallback). */
  fallback?: string;
}

export function createRouteTrace(): RouteTrace {
  return { deployment: undefined, attempts: 0, failures: [] };
}

/** How one request may use fallbacks: the config's, the client's own list, or none. */
export interface FallbackChoice {
  /** Model names the client asked to fall back to (LiteLLM's request `fallbacks`), instead of the config's. */
  readonly fallbacks?: readonly string[];
  /** The client turned fallbacks off (LiteLLM's `disable_fallbacks`). */
  readonly disabled?: boolean;
}

/** Errors another model name could avoid: failover errors, and access or availability of the model. */
function shouldFallBack(error: unknown): boolean {
  if (shouldFailover(error)) return true;
  return BedrockCallError.isInstance(error) && [401, 403, 404].includes(error.status);
}

function isContextWindowError(error: unknown): boolean {
  return BedrockForgeError.isInstance(error) && error.code === "context_length_exceeded";
}

/** The deployment as one request to a wildcard name calls it: its model with the pattern's matches put in. */
function withModelFor(deployment: LiveDeployment, match: RegExpExecArray | undefined): LiveDeployment {
  if (!match || !deployment.config.model.includes("*")) return deployment;
  const model = substituteWildcard(deployment.config.model, match);
  return { ...deployment, config: { ...deployment.config, model } };
}

/** Options of one routed request. */
export interface RouteOptions {
  readonly canRetry: () => boolean;
  readonly trace: RouteTrace;
  readonly fallback?: FallbackChoice;
  /** A stream (latency-based routing reads the time to the first token for streams). */
  readonly stream?: boolean;
}

/**
 * Load balancing over the deployments of a model name (by the routing strategy), failover to the next
 * one on throttling (429), timeouts (408) and 5xx, optional cooldowns of deployments that keep failing,
 * and fallbacks to other model names. Requested names are resolved as LiteLLM does: a model name of the
 * config, an alias (`model_group_alias`), or a wildcard pattern (`bedrock/*`). The turn counters, the
 * cooldowns and the per-minute counts are the only state, and they are per process: several proxy
 * instances need no coordination.
 */
export class Router {
  private readonly groups = new Map<string, ModelGroup>();
  private readonly wildcards: WildcardPattern[] = [];
  readonly modelNames: readonly string[];
  private readonly strategy: RoutingSettings;
  private readonly countsUsage: boolean;

  /**
   * `now` is the clock of cooldowns and per-minute counts (milliseconds since the epoch, as `Date.now`);
   * tests pass their own.
   */
  constructor(
    private readonly config: ProxyConfig,
    private readonly warn: (message: string) => void,
    env: Readonly<Record<string, string | undefined>> = process.env,
    private readonly now: () => number = Date.now,
  ) {
    this.strategy = config.routing;
    this.countsUsage = enforcesLimits(config.routing.strategy);
    for (const deployment of config.deployments) {
      for (const problem of checkDeployment(deployment, env)) warn(problem);
      const bedrock = createBedrock({
        ...deployment.connection,
        drop_params: deployment.dropParams ?? config.dropParams,
        modify_params: deployment.modifyParams ?? config.modifyParams,
        user_continue_message: deployment.userContinueMessage,
        guardrailConfig: deployment.guardrailConfig,
        onWarning: warn,
      });
      let group = this.groups.get(deployment.modelName);
      if (!group) {
        group = { name: deployment.modelName, deployments: [], next: 0 };
        this.groups.set(deployment.modelName, group);
        if (isWildcardName(deployment.modelName)) this.wildcards.push(compileWildcard(deployment.modelName));
      }
      (group.deployments as LiveDeployment[]).push({
        config: deployment,
        bedrock,
        health: {
          failures: [],
          coolUntil: 0,
          inFlight: 0,
          usage: { minute: 0, requests: 0, tokens: 0 },
          latency: { total: [], firstToken: [] },
          limits: deployment.limits,
        },
      });
    }
    for (const group of this.groups.values()) {
      const weights = weightsOf(group.deployments);
      if (weights) {
        group.weights = weights;
        group.scores = weights.map(() => 0);
      }
    }
    this.wildcards = sortBySpecificity(this.wildcards);
    this.modelNames = config.modelNames;
  }

  /**
   * A requested model name's group: a model name of the config, else an alias of one, else the most
   * specific wildcard pattern it matches (also as `bedrock/<name>` for a Bedrock model id, as LiteLLM
   * tries the name with its provider); a 404 listing the names that exist when none.
   */
  resolve(modelName: string): ModelTarget {
    const group = this.groups.get(modelName);
    if (group) return { group, label: modelName };
    const alias = this.config.aliases.get(modelName);
    if (alias) return { group: this.groups.get(alias.modelName)!, label: modelName };
    if (this.wildcards.length > 0) {
      const found =
        matchWildcard(this.wildcards, modelName) ??
        (isCatalogModel(modelName) ? matchWildcard(this.wildcards, `bedrock/${modelName}`) : undefined);
      if (found) {
        return { group: this.groups.get(found.pattern.name)!, label: found.pattern.name, match: found.match };
      }
    }
    throw unknownModel(modelName, this.modelNames, "model");
  }

  /** Whether a requested model name resolves (a model name, an alias, or a wildcard match). */
  serves(modelName: string): boolean {
    try {
      this.resolve(modelName);
      return true;
    } catch {
      return false;
    }
  }

  /** The deployments of a model name, or a 404 listing the names that exist. */
  deploymentsOf(modelName: string): readonly LiveDeployment[] {
    return this.resolve(modelName).group.deployments;
  }

  /**
   * Every deployment a request to `target` may be sent to: its own, and those of every model name it
   * may fall back to (context-window fallbacks, and the client's or the config's fallbacks). What a
   * client may set (credentials, endpoints, guardrails) is checked against all of them.
   */
  reachableDeployments(target: ModelTarget, choice: FallbackChoice = {}): readonly LiveDeployment[] {
    const own = target.group.deployments;
    const name = target.group.name;
    const contextWindow = choice.disabled ? undefined : this.config.contextWindowFallbacks.get(name);
    const general = choice.disabled ? undefined : (choice.fallbacks ?? this.config.fallbacks.get(name));
    // The common case, no fallbacks at all: the model name's own deployments, nothing built per request.
    if (!contextWindow?.length && !general?.length) return own;
    const names = new Set([...(contextWindow ?? []), ...(general ?? [])]);
    names.delete(name);
    return [...own, ...[...names].flatMap((fallback) => this.deploymentsOf(fallback))];
  }

  /**
   * Runs `attempt` on the target's deployments (see `routeGroup`); when they all failed, on the model
   * names it falls back to, in order: `context_window_fallbacks` for a prompt too long for the model,
   * else `fallbacks` (or the client's own list) for errors another model could avoid. One level: a
   * fallback's own fallbacks are not followed. The last error is thrown when none answers.
   */
  async route<T>(
    target: ModelTarget,
    attempt: (deployment: LiveDeployment) => Promise<T>,
    options: RouteOptions,
  ): Promise<Routed<T>> {
    try {
      return await this.routeGroup(target, attempt, options);
    } catch (error) {
      const choice = options.fallback ?? {};
      const name = target.group.name;
      const chain = choice.disabled
        ? []
        : isContextWindowError(error)
          ? (this.config.contextWindowFallbacks.get(name) ?? [])
          : shouldFallBack(error)
            ? (choice.fallbacks ?? this.config.fallbacks.get(name) ?? [])
            : [];
      let last = error;
      for (const fallback of chain) {
        if (!options.canRetry()) break;
        try {
          const result = await this.routeGroup(this.resolve(fallback), attempt, options);
          options.trace.fallback = fallback;
          return result;
        } catch (fallbackError) {
          last = fallbackError;
        }
      }
      throw last;
    }
  }

  /**
   * Runs `attempt` on the group's deployments in the strategy's order, failing over to the following
   * ones while the error allows it. At most `1 + num_retries` attempts (default: each deployment once).
   * `canRetry` lets the caller stop failover (the client left, the deadline passed).
   */
  private async routeGroup<T>(
    target: ModelTarget,
    attempt: (deployment: LiveDeployment) => Promise<T>,
    options: RouteOptions,
  ): Promise<Routed<T>> {
    const { trace } = options;
    const { group, match } = target;
    const deployments = group.deployments;
    const start = nextIndex(group, this.strategy.strategy === "simple-shuffle");
    // The group's deployments from the chosen one on, without those cooling down or at their limit.
    const now = this.now();
    const available: LiveDeployment[] = [];
    for (let offset = 0; offset < deployments.length; offset++) {
      const deployment = deployments[(start + offset) % deployments.length]!;
      const { health, config } = deployment;
      if (health.coolUntil <= now && health.inFlight < config.maxParallelRequests) available.push(deployment);
    }
    if (available.length === 0) throw noDeploymentAvailable(group.name, deployments, now);
    const ordered =
      deployments.length === 1 && !this.countsUsage
        ? available
        : orderDeployments(available, this.strategy, { now, stream: options.stream === true });
    if (ordered.length === 0) throw limitsReached(group.name, now);
    const maxAttempts = this.config.numRetries === undefined ? ordered.length : 1 + this.config.numRetries;
    for (let index = 0; ; index++) {
      const deployment = ordered[index % ordered.length]!;
      trace.deployment = deployment.config.id;
      trace.attempts++;
      deployment.health.inFlight++;
      const started = performance.now();
      if (this.countsUsage) countRequest(deployment.health.usage, this.now());
      try {
        const value = await attempt(withModelFor(deployment, match));
        const release = this.releaseOnce(deployment, started, options.stream === true);
        return { value, deployment, release };
      } catch (error) {
        deployment.health.inFlight--;
        const typed = error as { status?: number; code?: string };
        trace.failures.push({
          deployment: deployment.config.id,
          status: typed.status ?? 500,
          code: typed.code ?? "internal_error",
        });
        const failover = shouldFailover(error);
        if (failover) this.recordFailure(deployment, typed.status === 408);
        if (index + 1 >= maxAttempts || !failover || !options.canRetry()) throw error;
        // The next deployment may have reached its limits since the order was made.
        const next = ordered[(index + 1) % ordered.length]!;
        if (this.countsUsage && !isWithinLimits(next.health, this.now())) throw error;
      }
    }
  }

  /**
   * Ends a successful call's hold on its deployment, once; with the call's usage, counts its tokens
   * (usage- and latency-based routing) and its latency per output token (latency-based routing): the
   * whole call for unary answers, and for streams also the time to the first token (when `attempt`
   * resolved with the first item in hand).
   */
  private releaseOnce(
    deployment: LiveDeployment,
    started: number,
    stream: boolean,
  ): (outcome?: CallOutcome) => void {
    const resolvedAt = performance.now();
    let released = false;
    return (outcome) => {
      if (released) return;
      released = true;
      deployment.health.inFlight--;
      if (!outcome || !this.countsUsage) return;
      const { health } = deployment;
      if (outcome.totalTokens) countTokens(health.usage, outcome.totalTokens, this.now());
      if (this.strategy.strategy !== "latency-based-routing") return;
      const perToken = Math.max(1, outcome.completionTokens ?? 1);
      const limit = this.strategy.maxLatencySamples;
      if (stream) {
        addSample(health.latency.firstToken, (resolvedAt - started) / 1000 / perToken, limit);
        addSample(health.latency.total, (performance.now() - started) / 1000 / perToken, limit);
      } else {
        addSample(health.latency.total, (resolvedAt - started) / 1000 / perToken, limit);
      }
    };
  }

  /**
   * Counts a deployment's failure; past `allowed_fails` in a minute, it cools down for `cooldown_time`.
   * Under latency-based routing a timeout counts as a very slow call.
   */
  private recordFailure(deployment: LiveDeployment, timedOut: boolean): void {
    if (timedOut && this.strategy.strategy === "latency-based-routing")
      addSample(deployment.health.latency.total, timeoutLatencySeconds, this.strategy.maxLatencySamples);
    const cooldown = this.config.cooldown;
    if (!cooldown) return;
    const now = this.now();
    const { health } = deployment;
    health.failures = health.failures.filter((time) => now - time < failureWindowMs);
    health.failures.push(now);
    if (health.failures.length <= cooldown.allowedFails) return;
    health.coolUntil = now + cooldown.cooldownMs;
    health.failures = [];
    this.warn(
      `${deployment.config.id}: cooling down for ${cooldown.cooldownMs / 1000} s after more than ${cooldown.allowedFails} failure(s) in a minute`,
    );
  }
}

/** A 404 for a model name the proxy does not serve, listing those it does. */
export function unknownModel(modelName: string, modelNames: readonly string[], param: string): ProxyError {
  return new ProxyError(
    `The model '${modelName}' does not exist on this proxy. Available models: ${modelNames.join(", ")}`,
    { status: 404, type: "invalid_request_error", code: "model_not_found", param },
  );
}

/** Whether a name is a Bedrock model id the catalog knows (tried as `bedrock/<name>` against wildcards). */
function isCatalogModel(name: string): boolean {
  try {
    return resolveModel(name).entry !== undefined;
  } catch {
    return false;
  }
}

/**
 * Every deployment of a model name is at its `rpm` or `tpm` limit for this minute: a 429 (which
 * fallbacks take) until the minute turns, as LiteLLM answers ("No deployments available for selected
 * model", Retry-After until the counters reset).
 */
function limitsReached(modelName: string, now: number): ProxyError {
  const seconds = Math.max(1, Math.ceil((60_000 - (now % 60_000)) / 1000));
  return new ProxyError(
    `No deployments available for ${modelName}: every deployment reached its rpm or tpm limit for this minute; retry in ${seconds} s`,
    { status: 429, type: "rate_limit_error", code: "deployment_limits_reached", retryAfterSeconds: seconds },
  );
}

/**
 * No deployment of a model name can take a call: every one is cooling down, or at its
 * `max_parallel_requests`. A 429 (which fallbacks take) without calling Bedrock.
 */
function noDeploymentAvailable(
  modelName: string,
  deployments: readonly LiveDeployment[],
  now: number,
): ProxyError {
  const busy = deployments.some(
    (deployment) =>
      deployment.health.coolUntil <= now &&
      deployment.health.inFlight >= deployment.config.maxParallelRequests,
  );
  if (busy) {
    return new ProxyError(
      `Every deployment of ${modelName} is busy (at its max_parallel_requests); retry shortly`,
      { status: 429, type: "rate_limit_error", code: "deployments_busy" },
    );
  }
  const soonest = Math.min(...deployments.map((deployment) => deployment.health.coolUntil));
  return new ProxyError(
    `Every deployment of ${modelName} is cooling down after repeated failures; retry in ${Math.max(1, Math.ceil((soonest - now) / 1000))} s`,
    { status: 429, type: "rate_limit_error", code: "no_deployments_available" },
  );
}

/** What an operator should hear about at start: a model the catalog does not know, no region at all. */
function checkDeployment(
  deployment: LiveDeployment["config"],
  env: Readonly<Record<string, string | undefined>>,
): string[] {
  const problems: string[] = [];
  let known = false;
  try {
    known = resolveModel(deployment.model, deployment.modelId).entry !== undefined;
  } catch {
    known = false;
  }
  // A wildcard deployment's model is known only per request.
  if (!known && !deployment.model.includes("*")) {
    problems.push(
      `${deployment.id}: ${deployment.model} is not in the catalog; it is called through Converse and its cost is unknown`,
    );
  }
  const { connection } = deployment;
  const region =
    connection.aws_region_name ??
    env.AWS_REGION ??
    env.AWS_DEFAULT_REGION ??
    env.AWS_REGION_NAME ??
    connection.aws_profile_name ??
    env.AWS_PROFILE;
  if (region === undefined) {
    problems.push(
      `${deployment.id}: no AWS region (set aws_region_name, or AWS_REGION in the environment); calls will fail`,
    );
  }
  return problems;
}
