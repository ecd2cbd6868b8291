import {
  type AnthropicErrorBody,
  BedrockForgeError,
  type ErrorType,
  toAnthropicError,
} from "../runtime/index.js";

/** OpenAI's error body, as every OpenAI client parses it. */
export interface OpenAIErrorBody {
  error: {
    message: string;
    type: string;
    param: string | null;
    code: string | null;
  };
}

/** An error the proxy itself raises (auth, routing, request validation, limits) with its HTTP status. */
export class ProxyError extends BedrockForgeError {
  /** Seconds the client should wait before retrying (the `Retry-After` of a 429); 1 when not given. */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    message: string,
    options: {
      status: number;
      type: ErrorType;
      code: string;
      param?: string;
      retryable?: boolean;
      retryAfterSeconds?: number;
    },
  ) {
    super(message, options);
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** The error body shapes the proxy answers in: OpenAI's (most routes) and Anthropic's (`/v1/messages`). */
export type ErrorShape = "openai" | "anthropic";

/**
 * An error as Anthropic's API answers it (https://docs.anthropic.com/en/api/errors): the runtime's
 * mapping, except that a model or URL that does not exist stays a 404 `not_found_error`.
 */
export function describeAnthropicError(error: unknown): { status: number; body: AnthropicErrorBody } {
  const described = toAnthropicError(error);
  if (BedrockForgeError.isInstance(error) && error.status === 404) {
    return {
      status: 404,
      body: { ...described.body, error: { type: "not_found_error", message: error.message } },
    };
  }
  return described;
}

/** Status, body and (for throttling) headers of the answer to an error; untyped errors become a 500 without details. */
export function describeError(error: unknown): {
  status: number;
  body: OpenAIErrorBody;
  typed: boolean;
} {
  if (BedrockForgeError.isInstance(error)) {
    return {
      status: error.status,
      typed: true,
      body: {
        error: {
          message: error.message,
          type: error.type,
          param: error.param ?? null,
          code: error.code ?? null,
        },
      },
    };
  }
  return {
    status: 500,
    typed: false,
    body: {
      error: {
        message: "The proxy failed to handle the request (see the server log)",
        type: "api_error",
        param: null,
        code: "internal_error",
      },
    },
  };
}

/** Errors that make the router try the next deployment: throttling, timeouts, 5xx and unreachable endpoints. */
export function shouldFailover(error: unknown): boolean {
  if (!BedrockForgeError.isInstance(error)) return false;
  if (error.status === 499) return false;
  return error.status === 429 || error.status === 408 || error.status >= 500;
}

export function invalidRequest(message: string, param?: string, code = "invalid_request"): ProxyError {
  return new ProxyError(message, { status: 400, type: "invalid_request_error", code, param });
}
