const marker = Symbol.for("bedrock-forge.error");
/** The `kind` of the error's class and of every class above it, so `isInstance` works per class across copies. */
const kindsKey = Symbol.for("bedrock-forge.error.kinds");

/** OpenAI's error `type` values, as the proxy writes them. */
export type ErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "permission_error"
  | "not_found_error"
  | "rate_limit_error"
  | "timeout_error"
  | "api_error"
  | "service_unavailable_error"
  | "content_filter_error";

/** What every error carries besides its message. */
interface ErrorFields {
  status: number;
  type: ErrorType;
  code: string;
  param?: string;
  retryable?: boolean;
  cause?: unknown;
}

/** The base of every error bedrock-forge throws. `isInstance` works across copies of the package. */
export class BedrockForgeError extends Error {
  /** A stable class name (not the JavaScript name, which bundlers may change). */
  static readonly kind: string = "BedrockForgeError";
  readonly [marker] = true;
  readonly [kindsKey]: readonly string[];
  /** HTTP status in OpenAI's convention. */
  readonly status: number;
  readonly type: ErrorType;
  /** Stable machine-readable code, e.g. `unsupported_param`, `ThrottlingException`. */
  readonly code: string;
  /** The request param at fault, when there is one. */
  readonly param: string | undefined;
  readonly retryable: boolean;

  constructor(message: string, options: ErrorFields) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.kind;
    const kinds: string[] = [];
    for (let type = new.target as { kind?: string } | null; type?.kind; type = Object.getPrototypeOf(type)) {
      if (!kinds.includes(type.kind)) kinds.push(type.kind);
    }
    this[kindsKey] = kinds;
    this.status = options.status;
    this.type = options.type;
    this.code = options.code;
    this.param = options.param;
    this.retryable = options.retryable ?? false;
  }

  /** True for errors of this class or a subclass, also when they come from another copy of the package. */
  static isInstance<T extends abstract new (...args: never[]) => BedrockForgeError>(
    this: T & { readonly kind: string },
    value: unknown,
  ): value is InstanceType<T> {
    if (typeof value !== "object" || value === null || (value as Record<symbol, unknown>)[marker] !== true)
      return false;
    // `this` is the class isInstance is called on (RequestValidationError.isInstance checks its own kind).
    // biome-ignore lint/complexity/noThisInStatic: polymorphic on purpose
    const kind = this.kind;
    if (kind === "BedrockForgeError") return true;
    const kinds = (value as Record<symbol, unknown>)[kindsKey];
    return Array.isArray(kinds) && kinds.includes(kind);
  }
}

/** A request bedrock-forge refuses before any network call: bad params, bad messages, unsupported features. */
export class RequestValidationError extends BedrockForgeError {
  static override readonly kind: string = "RequestValidationError";
  readonly model: string | undefined;

  constructor(
    message: string,
    options: { code?: string; param?: string; model?: string; cause?: unknown } = {},
  ) {
    super(message, {
      status: 400,
      type: "invalid_request_error",
      code: options.code ?? "invalid_request",
      param: options.param,
      cause: options.cause,
    });
    this.model = options.model;
  }
}

/** A model id or alias the catalog cannot place, or an operation the model does not offer. */
export class ModelNotSupportedError extends RequestValidationError {
  static override readonly kind: string = "ModelNotSupportedError";
  constructor(message: string, options: { model?: string; param?: string } = {}) {
    super(message, { code: "model_not_supported", param: options.param ?? "model", model: options.model });
  }
}

/** An error Bedrock answered (or the transport raised), mapped once from the AWS exception name. */
export class BedrockCallError extends BedrockForgeError {
  static override readonly kind: string = "BedrockCallError";
  /** The AWS exception name, e.g. `ThrottlingException`. */
  readonly awsErrorName: string;
  /** Bedrock's `x-amzn-requestid`, when the response had one. */
  readonly requestId: string | undefined;
  /** The HTTP status Bedrock sent. */
  readonly awsStatus: number | undefined;

  constructor(
    message: string,
    options: Omit<ErrorFields, "param"> & {
      awsErrorName: string;
      awsStatus?: number;
      requestId?: string;
      retryable: boolean;
    },
  ) {
    super(message, options);
    this.awsErrorName = options.awsErrorName;
    this.awsStatus = options.awsStatus;
    this.requestId = options.requestId;
  }
}

/** A native response the adapter could not read (a broken body or event stream). */
export class ResponseParseError extends BedrockForgeError {
  static override readonly kind: string = "ResponseParseError";
  /** The JSON pointer of the answer field at fault, when one is. */
  readonly field: string | undefined;
  /** The model whose answer it was, when known. */
  readonly model: string | undefined;
  constructor(message: string, options: { cause?: unknown; field?: string; model?: string } = {}) {
    super(message, { status: 502, type: "api_error", code: "bad_response", cause: options.cause });
    this.field = options.field;
    this.model = options.model;
  }
}

/** The image a provider filtered (Bedrock answers 200 with a filter reason instead of an image). */
export class ContentFilterError extends BedrockForgeError {
  static override readonly kind: string = "ContentFilterError";
  constructor(message: string) {
    super(message, { status: 400, type: "invalid_request_error", code: "content_filter" });
  }
}

/** How each Bedrock exception maps to OpenAI's status and error type. */
const bedrockErrorTable: Readonly<Record<string, { status: number; type: ErrorType; retryable: boolean }>> = {
  ValidationException: { status: 400, type: "invalid_request_error", retryable: false },
  ConflictException: { status: 409, type: "invalid_request_error", retryable: false },
  AccessDeniedException: { status: 403, type: "permission_error", retryable: false },
  UnrecognizedClientException: { status: 401, type: "authentication_error", retryable: false },
  InvalidSignatureException: { status: 401, type: "authentication_error", retryable: false },
  ExpiredTokenException: { status: 401, type: "authentication_error", retryable: false },
  IncompleteSignatureException: { status: 401, type: "authentication_error", retryable: false },
  MissingAuthenticationTokenException: { status: 401, type: "authentication_error", retryable: false },
  // Raised by @aws-sdk/credential-providers before any request: no usable credentials (profile, SSO, role).
  CredentialsProviderError: { status: 401, type: "authentication_error", retryable: false },
  ResourceNotFoundException: { status: 404, type: "not_found_error", retryable: false },
  ThrottlingException: { status: 429, type: "rate_limit_error", retryable: true },
  ServiceQuotaExceededException: { status: 429, type: "rate_limit_error", retryable: false },
  ModelNotReadyException: { status: 503, type: "service_unavailable_error", retryable: true },
  ModelTimeoutException: { status: 408, type: "timeout_error", retryable: true },
  ModelErrorException: { status: 424, type: "api_error", retryable: false },
  ModelStreamErrorException: { status: 424, type: "api_error", retryable: false },
  ServiceUnavailableException: { status: 503, type: "service_unavailable_error", retryable: true },
  InternalServerException: { status: 500, type: "api_error", retryable: true },
  TimeoutError: { status: 408, type: "timeout_error", retryable: true },
  AbortError: { status: 499, type: "api_error", retryable: false },
};

/** Socket-level failures (no HTTP answer): a connection error, worth retrying. */
const connectionErrorCodes: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ECONNABORTED",
  "UND_ERR_SOCKET",
]);

/** Phrases Bedrock uses when the prompt does not fit the model's context window. */
const contextWindowPatterns = [
  /too many input tokens/i,
  /input is too long/i,
  /prompt is too long/i,
  /context (window|length)/i,
  /maximum context length/i,
  /too long.*max/i,
];

/**
 * A request too deep or too large to serialize (the SDK's serializers and `JSON.stringify` recurse, and
 * strings have a maximum length): a RangeError raised in this process before anything was sent. It is
 * the caller's request that cannot be sent, never a failure of Bedrock or of the deployment.
 */
function unserializableRequest(error: RangeError, model: string | undefined): RequestValidationError {
  return new RequestValidationError(
    `The request${model ? ` for ${model}` : ""} cannot be serialized (${error.message}): it is nested too deeply or is too large`,
    { code: "request_not_serializable", model, cause: error },
  );
}

/** Maps any error raised by the AWS SDK call (or its stream) to a BedrockCallError. Already-mapped errors pass through. */
export function mapBedrockError(
  error: unknown,
  context: { model?: string; requestId?: string } = {},
): BedrockForgeError {
  if (BedrockForgeError.isInstance(error)) return error;
  // Node's own range errors (ERR_OUT_OF_RANGE, ERR_BUFFER_OUT_OF_BOUNDS: a broken frame being read) carry a code.
  if (error instanceof RangeError && (error as { code?: unknown }).code === undefined)
    return unserializableRequest(error, context.model);
  const source = error as {
    name?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number; requestId?: string };
    $response?: { statusCode?: number };
    code?: string;
  };
  let name = source?.name ?? "Error";
  // The SDK names in-stream exceptions by their union member (`throttlingException`).
  if (/^[a-z]/.test(name) && name.endsWith("Exception")) name = name[0]!.toUpperCase() + name.slice(1);
  if (name === "AbortError" || source?.code === "ABORT_ERR") name = "AbortError";
  const awsStatus = source?.$metadata?.httpStatusCode ?? source?.$response?.statusCode;
  // In-stream exceptions carry no metadata of their own: the stream's request id is theirs.
  const requestId = source?.$metadata?.requestId ?? context.requestId;
  const message = source?.message || name;
  const known = bedrockErrorTable[name];
  const networkCode = typeof source?.code === "string" ? source.code : undefined;
  // The SDK's HTTP handler names a dropped connection ("socket hang up", ECONNRESET) TimeoutError so that it
  // is retried; it is a lost connection, not a timeout (that one has ETIMEDOUT, or is our own TimeoutAbort).
  const droppedConnection =
    name === "TimeoutError" && networkCode !== undefined && networkCode !== "ETIMEDOUT";
  if (
    (!known || droppedConnection) &&
    awsStatus === undefined &&
    networkCode &&
    connectionErrorCodes.has(networkCode)
  ) {
    // No HTTP answer at all: the endpoint could not be reached or dropped the connection.
    return new BedrockCallError(
      `Could not reach Bedrock${context.model ? ` for ${context.model}` : ""}: ${message} (${networkCode})`,
      {
        status: 502,
        type: "api_error",
        code: "connection_error",
        awsErrorName: networkCode,
        requestId,
        retryable: true,
        cause: error,
      },
    );
  }
  if (!known && awsStatus !== undefined && awsStatus < 300) {
    // Bedrock answered 200 but the SDK could not read the answer (a bad checksum, a broken frame).
    return new ResponseParseError(
      `Bedrock's response${context.model ? ` for ${context.model}` : ""} could not be read: ${message}`,
      { cause: error },
    );
  }
  const fallback =
    awsStatus !== undefined && awsStatus >= 500
      ? { status: 502, type: "api_error" as const, retryable: true }
      : { status: awsStatus ?? 500, type: "api_error" as const, retryable: false };
  const mapped = known ?? fallback;
  const contextExceeded =
    name === "ValidationException" && contextWindowPatterns.some((pattern) => pattern.test(message));
  const prefix = context.model ? `Bedrock ${name} for ${context.model}` : `Bedrock ${name}`;
  return new BedrockCallError(`${prefix}: ${message}`, {
    status: mapped.status,
    type: mapped.type,
    code: contextExceeded ? "context_length_exceeded" : name,
    awsErrorName: name,
    awsStatus,
    requestId,
    retryable: mapped.retryable,
    cause: error,
  });
}
