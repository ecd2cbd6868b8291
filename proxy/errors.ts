import { BedrockForgeError, type ErrorType } from "../runtime/index.js";

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
  constructor(
    message: string,
    options: { status: number; type: ErrorType; code: string; param?: string; retryable?: boolean },
  ) {
    super(message, options);
  }
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
