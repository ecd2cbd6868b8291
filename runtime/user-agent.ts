import type {
  BedrockRuntimeClient,
  ServiceInputTypes,
  ServiceOutputTypes,
} from "@aws-sdk/client-bedrock-runtime";
import type { BuildMiddleware, UserAgentPair } from "@smithy/types";
import { middlewaresOfClient } from "./instrument.js";

/**
 * The SDK's `user-agent` and `x-amz-user-agent` headers, with their fixed part computed once per client
 * instead of on every call (the SDK's middleware rebuilds and re-escapes every section per call, about a
 * tenth of a Converse call's CPU in the SDK). Same format and values as the SDK's middleware: the
 * escaped default sections, then `m/<features of this call>`, then the app id; tested against it.
 */

const NAME_ESCAPE = /[^!$%&'*+\-.^_`|~\w]/g;
const VALUE_ESCAPE = /[^!$%&'*+\-.^_`|~\w#]/g;

/** One `[name, version]` pair as the SDK writes it into the header (`api/` names lower-cased). */
function formatUserAgentPair([rawName, rawVersion]: UserAgentPair): string {
  const name = rawName
    .split("/")
    .map((part) => part.replace(NAME_ESCAPE, "-"))
    .join("/");
  const version = rawVersion?.replace(VALUE_ESCAPE, "-");
  const slash = name.indexOf("/");
  const prefix = name.substring(0, slash);
  let rest = name.substring(slash + 1);
  if (prefix === "api") rest = rest.toLowerCase();
  const parts = [prefix, rest, version].filter((part): part is string => !!part && part.length > 0);
  return parts.reduce(
    (text, part, index) => (index === 0 ? part : `${text}${index === 1 ? "/" : "#"}${part}`),
    "",
  );
}

/** Feature codes of a call, as the SDK encodes them after `m/` (at most 1024 bytes). */
function encodeFeatures(features: Record<string, string>): string {
  let text = "";
  for (const key in features) {
    const value = features[key]!;
    if (text.length + value.length + 1 > 1024) break;
    text = text.length > 0 ? `${text},${value}` : value;
  }
  return text;
}

interface FeatureContext {
  readonly __smithy_context?: {
    readonly features?: Record<string, string>;
    readonly selectedHttpAuthScheme?: {
      readonly identity?: { readonly $source?: Record<string, string>; readonly accountId?: string };
    };
  };
  readonly __aws_sdk_context?: { readonly features?: Record<string, string> };
  readonly userAgent?: readonly UserAgentPair[];
}

interface UserAgentConfig {
  defaultUserAgentProvider(): Promise<UserAgentPair[]>;
  retryStrategy?(): Promise<{ readonly mode?: string }>;
  readonly customUserAgent?: readonly UserAgentPair[];
  userAgentAppId?(): Promise<string | undefined>;
}

interface Parts {
  /** Escaped default sections (before `m/`). */
  readonly defaults: readonly string[];
  /** The `app/` section, when an app id is configured. */
  readonly app: string | undefined;
  readonly custom: readonly string[];
  readonly amz: string;
  /** The feature code of the client's retry mode. */
  readonly retry: Record<string, string>;
}

async function partsOf(config: UserAgentConfig): Promise<Parts> {
  const defaults = (await config.defaultUserAgentProvider()).map(formatUserAgentPair);
  const custom = (config.customUserAgent ?? []).map(formatUserAgentPair);
  const appId = await config.userAgentAppId?.();
  const mode = (await config.retryStrategy?.())?.mode;
  return {
    retry:
      mode === "standard"
        ? { RETRY_MODE_STANDARD: "E" }
        : mode === "adaptive"
          ? { RETRY_MODE_ADAPTIVE: "F" }
          : {},
    defaults,
    app: appId ? formatUserAgentPair(["app", appId]) : undefined,
    custom,
    amz: [...defaults.filter((section) => section.startsWith("aws-sdk-")), ...custom].join(" "),
  };
}

/**
 * Replaces the SDK's user-agent middleware of a client bedrock-forge created with one that computes
 * the fixed sections once. The SDK's own feature checks run in earlier middlewares or on the context;
 * what a call adds (its feature codes, extra pairs) is still read per call.
 */
export function useCachedUserAgent(client: BedrockRuntimeClient): void {
  const config = client.config as unknown as UserAgentConfig;
  let parts: Promise<Parts> | undefined;
  const byFeatures = new Map<string, string>();
  // An SDK whose middleware has another name keeps its own (and its own cost).
  if (!client.middlewareStack.remove("getUserAgentMiddleware")) return;
  const middleware: BuildMiddleware<ServiceInputTypes, ServiceOutputTypes> =
    (next, context) => async (args) => {
      const request = args.request as { headers?: Record<string, string> } | undefined;
      if (!request?.headers) return next(args);
      parts ??= partsOf(config);
      const fixed = await parts;
      const { __smithy_context, __aws_sdk_context, userAgent } = context as FeatureContext;
      // The feature codes the SDK's middleware adds itself: retry mode, and where the credentials came from.
      const identity = __smithy_context?.selectedHttpAuthScheme?.identity;
      const features = encodeFeatures({
        ...__smithy_context?.features,
        ...fixed.retry,
        ...(identity?.accountId ? { RESOLVED_ACCOUNT_ID: "T" } : {}),
        ...identity?.$source,
        ...__aws_sdk_context?.features,
      });
      let value = byFeatures.get(features);
      if (value === undefined) {
        const sections = [...fixed.defaults, `m/${features}`];
        if (fixed.app) sections.push(fixed.app);
        value = sections.join(" ");
        if (byFeatures.size > 32) byFeatures.clear();
        byFeatures.set(features, value);
      }
      const extra = userAgent?.map(formatUserAgentPair) ?? [];
      const tail = [...extra, ...fixed.custom];
      request.headers["user-agent"] = tail.length > 0 ? `${value} ${tail.join(" ")}` : value;
      if (fixed.amz) request.headers["x-amz-user-agent"] = fixed.amz;
      return next(args);
    };
  client.middlewareStack.add(middleware, {
    step: "build",
    priority: "low",
    name: "bedrockForgeUserAgent",
    tags: ["SET_USER_AGENT", "USER_AGENT"],
  });
  const middlewares = middlewaresOfClient(client);
  if (middlewares) middlewares.userAgent = middleware as never;
}
