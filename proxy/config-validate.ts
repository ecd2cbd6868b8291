/**
 * Checks a config's values: the JSON Schema (`proxyConfigSchema`) first, then what a schema cannot say
 * (a provider other than Bedrock, an endpoint that is not an http(s) URL, half a key pair, fallbacks
 * naming model names that do not exist). Every problem is located by file, line and field.
 */
import { Ajv2020, type ErrorObject } from "ajv/dist/2020.js";
import { connectionParams, fallbackSections, type SettingsSections } from "./config-litellm.js";
import { type ConfigSource, pointerToSegments, problemAt, type Segment } from "./config-location.js";
import { proxyConfigSchema } from "./config-schema.js";
import { type ConfigProblem, formatConfigProblem } from "./config-types.js";
import {
  defaultRoutingSettings,
  type RoutingSettings,
  type RoutingStrategyName,
  routingStrategyNames,
} from "./routing-strategy.js";

let compiledSchema: ReturnType<Ajv2020["compile"]> | undefined;

/** The schema's problems, one per field (coercing `os.environ/` strings to the numbers and booleans fields need). */
export function validateConfigSchema(root: unknown, source: ConfigSource): ConfigProblem[] {
  if (!compiledSchema) {
    // Types are coerced so that `os.environ/` values (always strings) can fill numeric and boolean fields.
    const ajv = new Ajv2020({ allErrors: true, strict: false, coerceTypes: true, allowUnionTypes: true });
    compiledSchema = ajv.compile(proxyConfigSchema);
  }
  if (compiledSchema(root)) return [];
  return dedupe((compiledSchema.errors ?? []).map((error) => describeSchemaError(error, source)));
}

function dedupe(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((problem) => {
    const key = formatConfigProblem(problem);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function describeSchemaError(error: ErrorObject, source: ConfigSource): ConfigProblem {
  const segments = pointerToSegments(error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "required":
      return problemAt(
        source,
        [...segments, params.missingProperty as string],
        `${params.missingProperty as string} is required`,
      );
    case "additionalProperties":
      return problemAt(
        source,
        [...segments, params.additionalProperty as string],
        `unknown field ${params.additionalProperty as string}`,
        true,
      );
    case "enum":
      return problemAt(
        source,
        segments,
        `must be one of ${(params.allowedValues as unknown[]).map((value) => JSON.stringify(value)).join(", ")}`,
      );
    case "const":
      return problemAt(source, segments, `must be ${JSON.stringify(params.allowedValue)}`);
    default:
      return problemAt(source, segments, error.message ?? `fails ${error.keyword}`);
  }
}

/** The non-empty string at `name`, or undefined. */
export function textParam(params: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const value = params[name];
  return typeof value === "string" && value !== "" ? value : undefined;
}

/**
 * What is wrong with one `litellm_params` beyond its schema: a provider other than Bedrock, an unknown
 * `aws_*` name, an endpoint that is not an http(s) URL, half a key pair, a web identity token without a role.
 */
export function checkDeploymentParams(
  params: Readonly<Record<string, unknown>>,
  at: readonly Segment[],
  source: ConfigSource,
): ConfigProblem[] {
  const field = (name: string) => [...at, name];
  const model = params.model as string;
  const slash = model.indexOf("/");
  if (slash > 0 && !model.startsWith("bedrock/") && !model.startsWith("arn:")) {
    return [
      problemAt(
        source,
        field("model"),
        `provider ${model.slice(0, slash)} is not Bedrock; bedrock-forge serves bedrock/ models only`,
      ),
    ];
  }
  const problems: ConfigProblem[] = [];
  for (const name of Object.keys(params)) {
    if (name.startsWith("aws_") && !connectionParams.has(name)) {
      const known = [...connectionParams].filter((known) => known.startsWith("aws_")).join(", ");
      problems.push(
        problemAt(source, field(name), `unknown AWS setting ${name} (supported: ${known})`, true),
      );
    }
  }
  const endpointName = textParam(params, "aws_bedrock_runtime_endpoint")
    ? "aws_bedrock_runtime_endpoint"
    : "api_base";
  const endpoint = textParam(params, endpointName);
  if (endpoint !== undefined && !/^https?:\/\/[^/]/.test(endpoint)) {
    problems.push(problemAt(source, field(endpointName), "must be an http(s) URL"));
  }
  const keyId = textParam(params, "aws_access_key_id");
  if ((keyId === undefined) !== (textParam(params, "aws_secret_access_key") === undefined)) {
    const missing = keyId === undefined ? "aws_access_key_id" : "aws_secret_access_key";
    problems.push(
      problemAt(source, field(missing), "aws_access_key_id and aws_secret_access_key must be given together"),
    );
  }
  if (
    textParam(params, "aws_web_identity_token") !== undefined &&
    textParam(params, "aws_role_name") === undefined
  ) {
    problems.push(
      problemAt(
        source,
        field("aws_web_identity_token"),
        "aws_web_identity_token needs aws_role_name (the role to assume)",
      ),
    );
  }
  return problems;
}

/**
 * One kind of LiteLLM fallback list, from litellm_settings and router_settings together (in that order):
 * every name, on either side, must be a model name of the config; a model name never falls back to itself.
 */
export function readFallbacks(
  key: "fallbacks" | "context_window_fallbacks",
  sections: SettingsSections,
  modelNames: ReadonlySet<string>,
  source: ConfigSource,
  problems: ConfigProblem[],
): ReadonlyMap<string, readonly string[]> {
  const result = new Map<string, string[]>();
  for (const section of fallbackSections) {
    const settings = section === "litellm_settings" ? sections.litellm : sections.router;
    const list = settings[key] as Record<string, string[]>[] | null | undefined;
    list?.forEach((entry, index) => {
      for (const [from, targets] of Object.entries(entry)) {
        const at: Segment[] = [section, key, index, from];
        if (!modelNames.has(from)) {
          problems.push(problemAt(source, at, `unknown model_name ${from} (not in model_list)`, true));
          continue;
        }
        const chain = result.get(from) ?? [];
        targets.forEach((target, position) => {
          if (!modelNames.has(target)) {
            problems.push(
              problemAt(source, [...at, position], `unknown model_name ${target} (not in model_list)`),
            );
          } else if (target === from) {
            problems.push(problemAt(source, [...at, position], `${from} cannot fall back to itself`));
          } else if (!chain.includes(target)) {
            chain.push(target);
          }
        });
        result.set(from, chain);
      }
    });
  }
  return result;
}

/**
 * `router_settings.routing_strategy` and its args. A strategy bedrock-forge does not implement (LiteLLM's
 * `cost-based-routing`, a custom one) stops the server: serving it as another would silently route
 * otherwise than the config says.
 */
export function readRouting(
  sections: SettingsSections,
  source: ConfigSource,
  problems: ConfigProblem[],
  warnings: string[],
): RoutingSettings {
  const strategy = sections.router.routing_strategy as string | undefined;
  if (strategy !== undefined && !(routingStrategyNames as readonly string[]).includes(strategy)) {
    problems.push(
      problemAt(
        source,
        ["router_settings", "routing_strategy"],
        `routing strategy ${JSON.stringify(strategy)} is not implemented by bedrock-forge (it implements ${routingStrategyNames.join(", ")})`,
      ),
    );
  }
  const args = (sections.router.routing_strategy_args ?? {}) as Record<string, unknown>;
  for (const name of Object.keys(args)) {
    if (name !== "lowest_latency_buffer" && name !== "max_latency_list_size")
      warnings.push(
        `${source.file}: router_settings.routing_strategy_args.${name} is not supported and is ignored`,
      );
  }
  return {
    strategy: (strategy as RoutingStrategyName | undefined) ?? defaultRoutingSettings.strategy,
    latencyBuffer: (args.lowest_latency_buffer as number | undefined) ?? defaultRoutingSettings.latencyBuffer,
    maxLatencySamples:
      (args.max_latency_list_size as number | undefined) ?? defaultRoutingSettings.maxLatencySamples,
  };
}

/**
 * `router_settings.model_group_alias`: each alias names a model name of the config (not a wildcard
 * pattern, not another alias) and is not itself a model name of the config.
 */
export function readAliases(
  sections: SettingsSections,
  modelNames: ReadonlySet<string>,
  source: ConfigSource,
  problems: ConfigProblem[],
): ReadonlyMap<string, { readonly modelName: string; readonly hidden: boolean }> {
  const aliases = new Map<string, { modelName: string; hidden: boolean }>();
  const given = (sections.router.model_group_alias ?? {}) as Record<string, unknown>;
  for (const [alias, value] of Object.entries(given)) {
    const at: Segment[] = ["router_settings", "model_group_alias", alias];
    const target = typeof value === "string" ? value : (value as { model: string }).model;
    const hidden = typeof value === "object" && (value as { hidden?: boolean }).hidden === true;
    if (modelNames.has(alias)) {
      problems.push(problemAt(source, at, `alias ${alias} is already a model_name in model_list`, true));
    } else if (!modelNames.has(target) || target.includes("*")) {
      problems.push(
        problemAt(source, at, `alias ${alias} names ${target}, which is not a model_name in model_list`),
      );
    } else {
      aliases.set(alias, { modelName: target, hidden });
    }
  }
  return aliases;
}
