import { type Bedrock, createBedrock, resolveModel } from "../runtime/index.js";
import type { Deployment, ProxyConfig } from "./config.js";
import { ProxyError, shouldFailover } from "./errors.js";

/** A deployment with the runtime client built from its connection settings (created once, at start). */
export interface LiveDeployment {
  readonly config: Deployment;
  readonly bedrock: Bedrock;
}

/** The deployments sharing one `model_name`, taken in turn. */
interface ModelGroup {
  readonly deployments: readonly LiveDeployment[];
  next: number;
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
}

export function createRouteTrace(): RouteTrace {
  return { deployment: undefined, attempts: 0, failures: [] };
}

/**
 * Round-robin load balancing over the deployments of a model name, with failover to the next one on
 * throttling (429), timeouts (408) and 5xx. The turn counter is the only state, and it is per process:
 * several proxy instances need no coordination.
 */
export class Router {
  private readonly groups = new Map<string, ModelGroup>();
  readonly modelNames: readonly string[];

  constructor(
    private readonly config: ProxyConfig,
    warn: (message: string) => void,
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
      (group.deployments as LiveDeployment[]).push({ config: deployment, bedrock });
    }
    this.modelNames = config.modelNames;
  }

  /** The deployments of a model name, or a 404 listing the names that exist. */
  deploymentsOf(modelName: string): readonly LiveDeployment[] {
    const group = this.groups.get(modelName);
    if (!group) {
      throw new ProxyError(
        `The model '${modelName}' does not exist on this proxy. Available models: ${this.modelNames.join(", ")}`,
        { status: 404, type: "invalid_request_error", code: "model_not_found", param: "model" },
      );
    }
    return group.deployments;
  }

  /**
   * Runs `attempt` on the group's next deployment, failing over to the following ones while the error
   * allows it. At most `1 + num_retries` attempts (default: each deployment once). `canRetry` lets the
   * caller stop failover (the client left, the deadline passed).
   */
  async route<T>(
    modelName: string,
    attempt: (deployment: LiveDeployment) => Promise<T>,
    options: { canRetry: () => boolean; trace: RouteTrace },
  ): Promise<{ value: T; deployment: LiveDeployment }> {
    const { trace } = options;
    const deployments = this.deploymentsOf(modelName);
    const group = this.groups.get(modelName)!;
    const start = group.next;
    group.next = (start + 1) % deployments.length;
    const maxAttempts =
      this.config.numRetries === undefined ? deployments.length : 1 + this.config.numRetries;
    for (let index = 0; ; index++) {
      const deployment = deployments[(start + index) % deployments.length]!;
      trace.deployment = deployment.config.id;
      trace.attempts = index + 1;
      try {
        return { value: await attempt(deployment), deployment };
      } catch (error) {
        const typed = error as { status?: number; code?: string };
        trace.failures.push({
          deployment: deployment.config.id,
          status: typed.status ?? 500,
          code: typed.code ?? "internal_error",
        });
        if (index + 1 >= maxAttempts || !shouldFailover(error) || !options.canRetry()) throw error;
      }
    }
  }
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
