/**
 * Who may call the proxy: the master key (in any header the common clients send it in), the `Host`
 * names a keyless proxy answers (DNS rebinding), and the browser origins it lets read its answers (CORS).
 */
import { hash, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { ProxyError } from "./errors.js";

function digest(value: string): Buffer {
  return hash("sha256", value, "buffer");
}

/**
 * The headers a key is read from, in order: the config's own (LiteLLM's
 * `general_settings.litellm_key_header_name`), then `Authorization: Bearer` (OpenAI's clients),
 * `x-api-key` (Anthropic's) and `api-key` (Azure OpenAI's). LiteLLM accepts the same three
 * (its `SpecialHeaders`: openai_authorization, anthropic_authorization, azure_authorization).
 */
export function keyHeaderNames(customHeader: string | undefined): readonly string[] {
  const standard = ["authorization", "x-api-key", "api-key"];
  if (customHeader === undefined) return standard;
  const custom = customHeader.toLowerCase();
  return [custom, ...standard.filter((name) => name !== custom)];
}

/** The key a request presents, and the header it came in; `Bearer ` is optional except in `Authorization`. */
export function readPresentedKey(
  headers: IncomingHttpHeaders,
  names: readonly string[],
): { readonly key: string; readonly header: string } | undefined {
  for (const header of names) {
    const raw = headers[header];
    const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
    if (value === undefined || value === "") continue;
    const bearer = /^Bearer\s+(.+)$/i.exec(value);
    if (header === "authorization") return { key: bearer ? bearer[1]!.trim() : "", header };
    return { key: bearer ? bearer[1]!.trim() : value, header };
  }
  return undefined;
}

/**
 * Checks the key a request presents against the master key. The first header that carries one
 * decides (a wrong key there is refused, not looked for elsewhere). Both sides are hashed first so
 * the comparison runs on equal-length digests in constant time, whatever the length of what was sent.
 */
export function createKeyCheck(
  masterKey: string,
  customHeader?: string,
): (headers: IncomingHttpHeaders) => void {
  const expected = digest(masterKey);
  const names = keyHeaderNames(customHeader);
  const where = [
    ...(customHeader !== undefined ? [`\`${customHeader}: <key>\``] : []),
    "`Authorization: Bearer <key>`",
    "`x-api-key: <key>`",
    "`api-key: <key>`",
  ].join(", ");
  return (headers) => {
    const presented = readPresentedKey(headers, names);
    if (presented === undefined) {
      throw new ProxyError(
        `Missing API key: send the proxy's key as ${where} (api_key in OpenAI and Anthropic clients)`,
        { status: 401, type: "authentication_error", code: "missing_api_key" },
      );
    }
    if (presented.key === "" || !timingSafeEqual(digest(presented.key), expected)) {
      throw new ProxyError("Invalid API key for this proxy", {
        status: 401,
        type: "authentication_error",
        code: "invalid_api_key",
      });
    }
  };
}

/** A `Host` header's name: lower case, without its port, brackets or trailing dot. */
export function readHostName(host: string | undefined): string | undefined {
  if (host === undefined) return undefined;
  let name = host.trim().toLowerCase();
  if (name.startsWith("[")) {
    const end = name.indexOf("]");
    if (end === -1) return undefined;
    name = name.slice(1, end);
  } else {
    const colon = name.lastIndexOf(":");
    if (colon !== -1 && name.indexOf(":") === colon) name = name.slice(0, colon);
  }
  if (name.endsWith(".")) name = name.slice(0, -1);
  return name === "" ? undefined : name;
}

/**
 * Names that always mean this machine: `localhost` and names under it (RFC 6761 §6.3; browsers resolve
 * them to loopback themselves, so no DNS answer can move them), 127.0.0.0/8 and ::1.
 */
export function isLoopbackName(name: string): boolean {
  if (name === "localhost" || name.endsWith(".localhost")) return true;
  if (name === "::1" || name === "0:0:0:0:0:0:0:1") return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}

/** Whether a host name matches a configured name: exact, or `*.example.com` for any subdomain. */
export function matchesHostPattern(name: string, pattern: string): boolean {
  const lower = pattern.toLowerCase();
  if (lower.startsWith("*.")) return name.endsWith(lower.slice(1)) && name.length > lower.length - 1;
  return name === lower;
}

/**
 * The DNS rebinding guard of a proxy without a master key: a web page can make a browser send requests
 * to 127.0.0.1 under its own host name (a DNS answer that changes), and only the `Host` header tells.
 * Such requests are refused unless they name a loopback host or one of `general_settings.allowed_hosts`.
 */
export function createHostCheck(allowedHosts: readonly string[]): (host: string | undefined) => void {
  return (host) => {
    const name = readHostName(host);
    if (name !== undefined && isLoopbackName(name)) return;
    if (name !== undefined && allowedHosts.some((pattern) => matchesHostPattern(name, pattern))) return;
    const shown = (host ?? "").slice(0, 256);
    throw new ProxyError(
      `Host '${shown}' is not allowed: without a master key this proxy answers only requests addressed to a loopback name (localhost, 127.0.0.1, [::1]) or to a name in general_settings.allowed_hosts (a guard against DNS rebinding)`,
      { status: 403, type: "permission_error", code: "host_not_allowed" },
    );
  };
}

/** Response headers browsers may read: the request id, the cost and the deployment, and Retry-After. */
const exposedHeaders = [
  "x-request-id",
  "request-id",
  "x-bedrock-forge-cost-usd",
  "x-bedrock-forge-deployment",
  "retry-after",
].join(", ");

/** Request headers a preflight may ask for: HTTP tokens only (they are echoed back). */
const headerList = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+(\s*,\s*[!#$%&'*+\-.^_`|~0-9A-Za-z]+)*$/;

/** What the proxy lets browsers do: which origins may read its answers. */
export interface CorsPolicy {
  /** The `Access-Control-Allow-Origin` value for an origin, or undefined when it is not allowed. */
  allowOrigin(origin: string | undefined): string | undefined;
  /** The headers of an answer to an allowed origin. */
  responseHeaders(allowed: string): Record<string, string>;
  /** The headers of a preflight answer to an allowed origin. */
  preflightHeaders(allowed: string, requestedHeaders: string | undefined): Record<string, string>;
}

/**
 * CORS for the configured origins (`https://app.example.com`, or `*` for any). Keys travel in headers,
 * never cookies, so credentials are never allowed. The request headers a preflight asks for are allowed
 * as asked (the OpenAI and Anthropic SDKs send their own `x-stainless-*` and `anthropic-*` headers).
 */
export function createCorsPolicy(origins: readonly string[]): CorsPolicy {
  const any = origins.includes("*");
  const allowed = new Set(origins.map((origin) => origin.toLowerCase().replace(/\/$/, "")));
  return {
    allowOrigin(origin) {
      if (origin === undefined || origin === "") return undefined;
      if (any) return "*";
      return allowed.has(origin.toLowerCase()) ? origin : undefined;
    },
    responseHeaders(allowedOrigin) {
      return {
        "access-control-allow-origin": allowedOrigin,
        "access-control-expose-headers": exposedHeaders,
        ...(allowedOrigin === "*" ? {} : { vary: "Origin" }),
      };
    },
    preflightHeaders(allowedOrigin, requestedHeaders) {
      const headers: Record<string, string> = {
        "access-control-allow-origin": allowedOrigin,
        "access-control-allow-methods": "GET, POST, OPTIONS",
        "access-control-max-age": "600",
        vary: "Origin, Access-Control-Request-Headers",
      };
      const asked = requestedHeaders?.trim();
      if (asked && asked.length <= 2048 && headerList.test(asked))
        headers["access-control-allow-headers"] = asked;
      return headers;
    },
  };
}
