import {
  type Bedrock,
  BedrockCallError,
  BedrockForgeError,
  createBedrock,
  resolveModel,
} from "../runtime/index.js";
import type { Deployment, ProxyConfig } from "./config-types.js";
import { ProxyError, shouldFailover } from "./errors.js";

/** A deployment with the runtime client built from its connection settings (created once, at start). */
export interface LiveDeployment {
  readonly config: Deployment;
  readonly bedrock: Bedrock;
  /**
   * Recent failures and cooldown (only with `allowed_fails` / `cooldown_time`), and the calls in flight
   * (a stream's until it ends), bounded by the deployment's `max_parallel_requests`.
   */
  readonly health: { failures: number[]; coolUntil: number; inFlight: number };
}

/** What routing answered: the value, the deployment that gave it, and what ends its hold on that deployment. */
export interface Routed<T> {
  readonly value: T;
  readonly deployment: LiveDeployment;
  /** Call once the answer is fully sent (a stream: when it ends); later calls do nothing. */
  readonly release: () => void;
}

/** Failures older than this no longer count toward a cooldown. */
const failureWindowMs = 60_000;

/** The deployments sharing one `model_name`, taken in turn (in proportion to their weights, if any). */
interface ModelGroup {
  readonly deployments: readonly LiveDeployment[];
  next: number;
  /** Weights of the deployments, or undefined for plain round robin. */
  weights?: readonly number[];
  /** Smooth weighted round robin state: each deployment's current score. */
  scores?: number[];
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
function nextIndex(group: ModelGroup): number {
  const { weights, scores } = group;
  if (!weights || !scores) {
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

/**
 * Load balancing over the deployments of a model name (round robin, or weighted), failover to the next
 * one on throttling (429), timeouts (408) and 5xx, optional cooldowns of deployments that keep failing,
 * and fallbacks to other model names. The turn counters and the cooldowns are the only state, and they
 * are per process: several proxy instances need no coordination.
 */
export class Router {
  private readonly groups = new Map<string, ModelGroup>();
  readonly modelNames: readonly string[];

  constructor(
    private readonly config: ProxyConfig,
    private readonly warn: (message: string) => void,
    env: Readonly<Record<string, string | undefined>> = process.env,
  ) {
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
        group = { deployments: [], next: 0 };
        this.groups.set(deployment.modelName, group);
      }
      (group.deployments as LiveDeployment[]).push({
        config: deployment,
        bedrock,
        health: { failures: [], coolUntil: 0, inFlight: 0 },
      });
    }
    for (const group of this.groups.values()) {
      const weights = weightsOf(group.deployments);
      if (weights) {
        group.weights = weights;
        group.scores = weights.map(() => 0);
      }
    }
    this.modelNames = config.modelNames;
  }

  /** The deployments of a model name, or a 404 listing the names that exist. */
  deploymentsOf(modelName: string): readonly LiveDeployment[] {
    const group = this.groups.get(modelName);
    if (!group) throw unknownModel(modelName, this.modelNames, "model");
    return group.deployments;
  }

  /**
   * Every deployment a request to `modelName` may be sent to: its own, and those of every model name it
   * may fall back to (context-window fallbacks, and the client's or the config's fallbacks). What a
   * client may set (credentials, endpoints, guardrails) is checked against all of them.
   */
  reachableDeployments(modelName: string, choice: FallbackChoice = {}): readonly LiveDeployment[] {
    const own = this.deploymentsOf(modelName);
    const contextWindow = choice.disabled ? undefined : this.config.contextWindowFallbacks.get(modelName);
    const general = choice.disabled ? undefined : (choice.fallbacks ?? this.config.fallbacks.get(modelName));
    // The common case, no fallbacks at all: the model name's own deployments, nothing built per request.
    if (!contextWindow?.length && !general?.length) return own;
    const names = new Set([modelName, ...(contextWindow ?? []), ...(general ?? [])]);
    return [...names].flatMap((name) => this.deploymentsOf(name));
  }

  /**
   * Runs `attempt` on the model name's deployments (see `routeGroup`); when they all failed, on the
   * model names it falls back to, in order: `context_window_fallbacks` for a prompt too long for the
   * model, else `fallbacks` (or the client's own list) for errors another model could avoid. One level:
   * a fallback's own fallbacks are not followed. The last error is thrown when none answers.
   */
  async route<T>(
    modelName: string,
    attempt: (deployment: LiveDeployment) => Promise<T>,
    options: { canRetry: () => boolean; trace: RouteTrace; fallback?: FallbackChoice },
  ): Promise<Routed<T>> {
    try {
      return await this.routeGroup(modelName, attempt, options);
    } catch (error) {
      const choice = options.fallback ?? {};
      const chain = choice.disabled
        ? []
        : isContextWindowError(error)
          ? (this.config.contextWindowFallbacks.get(modelName) ?? [])
          : shouldFallBack(error)
            ? (choice.fallbacks ?? this.config.fallbacks.get(modelName) ?? [])
            : [];
      let last = error;
      for (const fallback of chain) {
        if (!options.canRetry()) break;
        try {
          const result = await this.routeGroup(fallback, attempt, options);
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
   * Runs `attempt` on the group's next deployment, failing over to the following ones while the error
   * allows it. At most `1 + num_retries` attempts (default: each deployment once). `canRetry` lets the
   * caller stop failover (the client left, the deadline passed).
   */
  private async routeGroup<T>(
    modelName: string,
    attempt: (deployment: LiveDeployment) => Promise<T>,
    options: { canRetry: () => boolean; trace: RouteTrace },
  ): Promise<Routed<T>> {
    const { trace } = options;
    const deployments = this.deploymentsOf(modelName);
    const group = this.groups.get(modelName)!;
    const start = nextIndex(group);
    // The group's deployments from the chosen one on, without those cooling down or at their limit.
    const now = Date.now();
    const available: LiveDeployment[] = [];
    for (let offset = 0; offset < deployments.length; offset++) {
      const deployment = deployments[(start + offset) % deployments.length]!;
      const { health, config } = deployment;
      if (health.coolUntil <= now && health.inFlight < config.maxParallelRequests) available.push(deployment);
    }
    if (available.length === 0) throw noDeploymentAvailable(modelName, deployments, now);
    const maxAttempts = this.config.numRetries === undefined ? available.length : 1 + this.config.numRetries;
    for (let index = 0; ; index++) {
      const deployment = available[index % available.length]!;
      trace.deployment = deployment.config.id;
      trace.attempts++;
      deployment.health.inFlight++;
      try {
        return { value: await attempt(deployment), deployment, release: releaseOnce(deployment) };
      } catch (error) {
        deployment.health.inFlight--;
        const typed = error as { status?: number; code?: string };
        trace.failures.push({
          deployment: deployment.config.id,
          status: typed.status ?? 500,
          code: typed.code ?? "internal_error",
        });
        const failover = shouldFailover(error);
        if (failover) this.recordFailure(deployment);
        if (index + 1 >= maxAttempts || !failover || !options.canRetry()) throw error;
      }
    }
  }

  /** Counts a deployment's failure; past `allowed_fails` in a minute, it cools down for `cooldown_time`. */
  private recordFailure(deployment: LiveDeployment): void {
    const cooldown = this.config.cooldown;
    if (!cooldown) return;
    const now = Date.now();
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

/** Ends a successful call's hold on its deployment, once. */
function releaseOnce(deployment: LiveDeployment): () => void {
  let released = false;
  return () => {
    if (released) return;
    released = true;
    deployment.health.inFlight--;
  };
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
  if (!known) {
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
