/**
 * Bedrock Runtime errors as the service sends them: an HTTP status, an `x-amzn-ErrorType` header
 * `<Name>:http://internal.amazon.com/coral/<namespace>/` and a JSON body `{"message": "..."}`.
 * Statuses come from the service model (`error.httpStatusCode` of each shape); messages are the real
 * strings collected in ../shared/recordings/errors/FIELDS.md where one is known, otherwise the shape's
 * documentation sentence from the service model.
 */

/** Namespace of Bedrock's own exceptions. */
const BEDROCK_NAMESPACE = "com.amazon.bedrock";
/** Namespace of the authentication layer (signature, credentials), as recorded. */
const CORAL_NAMESPACE = "com.amazon.coral.service";

interface ErrorShape {
  readonly status: number;
  readonly namespace: string;
  /** The member name of the exception in the event-stream unions, when it can arrive in a stream. */
  readonly streamMember?: string;
}

/** Every exception the emulator sends, with its HTTP status (from the service model). */
export const errorShapes = {
  ValidationException: { status: 400, namespace: BEDROCK_NAMESPACE, streamMember: "validationException" },
  ConflictException: { status: 400, namespace: BEDROCK_NAMESPACE },
  ServiceQuotaExceededException: { status: 400, namespace: BEDROCK_NAMESPACE },
  AccessDeniedException: { status: 403, namespace: BEDROCK_NAMESPACE },
  ResourceNotFoundException: { status: 404, namespace: BEDROCK_NAMESPACE },
  ModelTimeoutException: { status: 408, namespace: BEDROCK_NAMESPACE, streamMember: "modelTimeoutException" },
  ModelErrorException: { status: 424, namespace: BEDROCK_NAMESPACE },
  ModelStreamErrorException: {
    status: 424,
    namespace: BEDROCK_NAMESPACE,
    streamMember: "modelStreamErrorException",
  },
  ThrottlingException: { status: 429, namespace: BEDROCK_NAMESPACE, streamMember: "throttlingException" },
  ModelNotReadyException: { status: 429, namespace: BEDROCK_NAMESPACE },
  InternalServerException: {
    status: 500,
    namespace: BEDROCK_NAMESPACE,
    streamMember: "internalServerException",
  },
  ServiceUnavailableException: {
    status: 503,
    namespace: BEDROCK_NAMESPACE,
    streamMember: "serviceUnavailableException",
  },
  // The authentication layer's exceptions (recorded with the com.amazon.coral.service namespace).
  UnrecognizedClientException: { status: 403, namespace: CORAL_NAMESPACE },
  InvalidSignatureException: { status: 403, namespace: CORAL_NAMESPACE },
  MissingAuthenticationTokenException: { status: 403, namespace: CORAL_NAMESPACE },
  ExpiredTokenException: { status: 403, namespace: CORAL_NAMESPACE },
  IncompleteSignatureException: { status: 400, namespace: CORAL_NAMESPACE },
  SerializationException: { status: 400, namespace: CORAL_NAMESPACE },
  UnknownOperationException: { status: 404, namespace: CORAL_NAMESPACE },
} as const satisfies Record<string, ErrorShape>;

export type ErrorName = keyof typeof errorShapes;

/** Messages Bedrock sends (see the header comment for where each comes from). */
export const errorMessages = {
  invalidModel: "The provided model identifier is invalid.",
  malformedInput: "Malformed input request, please reformat your input and try again.",
  contentType: "The provided Content Type is invalid or not supported for this model",
  unsupportedStreaming: "The model is unsupported for streaming.",
  converseUnsupported:
    "This action doesn't support the model that you provided. Try again with a supported text or chat model.",
  countTokensUnsupported: "The provided model doesn't support counting tokens.",
  inputTooLong: "Input is too long for requested model.",
  throttling: "Too many requests, please wait before trying again.",
  serviceUnavailable: "Bedrock is unable to process your request.",
  accessDenied: "You don't have access to the model with the specified model ID.",
  modelTimeout: "Model has timed out in processing the request. Try your request again.",
  modelNotReady:
    "The model specified in the request is not ready to serve inference requests. The AWS SDK will automatically retry the operation up to 5 times. For information about configuring automatic retries, see Retry behavior in the AWS SDKs and Tools reference guide.",
  quota:
    "Your request exceeds the service quota for your account. You can view your quotas at Viewing service quotas. You can resubmit your request later.",
  internal:
    "An internal server error occurred. For troubleshooting this error, see InternalFailure in the Amazon Bedrock User Guide",
  modelStreamError: "An error occurred while streaming the response. Retry your request.",
  unrecognizedClient: "The security token included in the request is invalid.",
  invalidSignature:
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
  // Reported for a Bedrock Runtime request without an Authorization header
  // (https://github.com/anthropics/claude-code/issues/44963).
  missingAuthentication: "Authorization header is missing",
  // Reported for a malformed Bedrock API key (https://github.com/zeroclaw-labs/zeroclaw/issues/5289).
  invalidApiKeyFormat: "Invalid API Key format: Must start with pre-defined prefix",
} as const;

/** An error the emulator answers with; thrown anywhere in request handling. */
export class EmulatorError extends Error {
  override readonly name = "EmulatorError";
  readonly errorName: string;
  readonly status: number;
  readonly namespace: string;
  /** Extra members of the error body (ModelStreamErrorException's originalStatusCode, ...). */
  readonly extra: Record<string, unknown>;
  /** Body key for the message: Bedrock's front end sometimes writes `Message`. */
  readonly messageKey: "message" | "Message";

  constructor(
    errorName: string,
    message: string,
    options: {
      status?: number;
      namespace?: string;
      extra?: Record<string, unknown>;
      messageKey?: "message" | "Message";
    } = {},
  ) {
    super(message);
    const shape = (errorShapes as Record<string, ErrorShape>)[errorName];
    this.errorName = errorName;
    this.status = options.status ?? shape?.status ?? 400;
    this.namespace = options.namespace ?? shape?.namespace ?? BEDROCK_NAMESPACE;
    this.extra = options.extra ?? {};
    this.messageKey = options.messageKey ?? "message";
  }

  /** The `x-amzn-ErrorType` header value. */
  get errorType(): string {
    return `${this.errorName}:http://internal.amazon.com/coral/${this.namespace}/`;
  }

  /** The JSON body. */
  get body(): Record<string, unknown> {
    return { [this.messageKey]: this.message, ...this.extra };
  }
}

/** Builds a Bedrock error by name with its status and namespace from the table. */
export function createError(
  name: ErrorName,
  message: string,
  extra?: Record<string, unknown>,
): EmulatorError {
  return new EmulatorError(name, message, extra ? { extra } : {});
}

/** The error name Bedrock implies by a status, for recordings that lost their `x-amzn-ErrorType` header. */
export function errorNameForStatus(status: number): ErrorName {
  switch (status) {
    case 403:
      return "AccessDeniedException";
    case 404:
      return "ResourceNotFoundException";
    case 408:
      return "ModelTimeoutException";
    case 424:
      return "ModelErrorException";
    case 429:
      return "ThrottlingException";
    case 500:
      return "InternalServerException";
    case 503:
      return "ServiceUnavailableException";
    default:
      return "ValidationException";
  }
}

/** The member name an exception has in the event-stream unions (`throttlingException`, ...). */
export function streamMemberOf(errorName: string): string {
  const shape = (errorShapes as Record<string, ErrorShape>)[errorName];
  return shape?.streamMember ?? errorName.charAt(0).toLowerCase() + errorName.slice(1);
}
