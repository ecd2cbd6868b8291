import {
  type BedrockRuntimeClient,
  InvokeModelCommand,
  type InvokeModelCommandInput,
  type InvokeModelCommandOutput,
} from "@aws-sdk/client-bedrock-runtime";
import { mapBedrockError, ResponseParseError } from "./errors.js";
import { responseHeadersKey } from "./instrument.js";

/** What every operation call carries besides its request: the SDK client, transport options, policy switches. */
export interface OperationCall {
  readonly request: Readonly<Record<string, unknown>>;
  readonly client: BedrockRuntimeClient;
  readonly options: CallOptions;
  readonly warn: (message: string) => void;
  readonly dropParams: boolean;
  /** The client's region, for region price overrides. */
  readonly region: string | undefined;
}

/** Per-call transport options. */
export interface CallOptions {
  readonly signal?: AbortSignal;
  /** Milliseconds until the call is aborted (for streams: until the response starts). */
  readonly timeout?: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly streaming?: boolean;
}

/** Any Bedrock Runtime command (their middleware stacks differ only in input and output types). */
interface AnyCommand {
  readonly middlewareStack: { add(middleware: never, options: never): void };
}

/**
 * Sends one SDK command with the caller's signal, timeout and extra headers; any failure comes
 * back as the project's typed error. Extra headers are added before signing, so they are signed.
 */
export async function sendCommand(
  client: BedrockRuntimeClient,
  command: AnyCommand,
  options: CallOptions,
  model: string,
): Promise<unknown> {
  const headers = options.headers;
  if (headers && Object.keys(headers).length > 0) {
    const addHeaders =
      (next: (args: { request: unknown }) => Promise<unknown>) => async (args: { request: unknown }) => {
        const request = args.request as { headers?: Record<string, string> };
        if (request.headers)
          for (const [name, value] of Object.entries(headers)) request.headers[name.toLowerCase()] = value;
        return next(args);
      };
    command.middlewareStack.add(
      addHeaders as never,
      { step: "build", name: "bedrockForgeExtraHeaders" } as never,
    );
  }
  let timer: NodeJS.Timeout | undefined;
  let signal = options.signal;
  if (options.timeout !== undefined && options.timeout > 0) {
    const timeoutController = new AbortController();
    timer = setTimeout(() => timeoutController.abort(new TimeoutAbort(options.timeout!)), options.timeout);
    signal = signal ? AbortSignal.any([signal, timeoutController.signal]) : timeoutController.signal;
  }
  try {
    return await client.send(command as never, signal ? { abortSignal: signal } : {});
  } catch (error) {
    if (signal?.aborted && signal.reason instanceof TimeoutAbort)
      throw mapBedrockError(signal.reason, { model });
    throw mapBedrockError(error, { model });
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/** The reason a call was aborted by its timeout (mapped to a 408 timeout error). */
export class TimeoutAbort extends Error {
  override readonly name = "TimeoutError";
  constructor(milliseconds: number) {
    super(`the request did not complete within ${milliseconds} ms`);
  }
}

/** A native JSON answer of InvokeModel, with the headers and request id Bedrock sent. */
export interface InvokeAnswer {
  readonly body: Record<string, unknown>;
  readonly headers: Readonly<Record<string, string>> | undefined;
  readonly requestId: string | undefined;
}

/** Parses a native response body; anything but a JSON object is a ResponseParseError naming what it was. */
export function parseJsonBody(bytes: Uint8Array | undefined, what: string): Record<string, unknown> {
  const text = bytes ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8") : "";
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed === null || typeof parsed !== "object") throw new Error("not a JSON object");
    return parsed as Record<string, unknown>;
  } catch (error) {
    throw new ResponseParseError(`${what} is not valid JSON: ${text.slice(0, 200)}`, { cause: error });
  }
}

/** One InvokeModel call with a JSON body (every operation's native call), answered as parsed JSON. */
export async function invokeJson(
  client: BedrockRuntimeClient,
  options: CallOptions,
  request: { modelId: string; body: unknown; model: string; what: string } & Partial<
    Pick<InvokeModelCommandInput, "guardrailIdentifier" | "guardrailVersion" | "trace">
  >,
): Promise<InvokeAnswer> {
  const { modelId, body, model, what, ...guardrail } = request;
  const command = new InvokeModelCommand({
    modelId,
    body: JSON.stringify(body),
    // Bedrock rejects InvokeModel without application/json; the SDK would send application/octet-stream.
    contentType: "application/json",
    accept: "application/json",
    ...guardrail,
  });
  const output = (await sendCommand(client, command, options, model)) as InvokeModelCommandOutput;
  return {
    body: parseJsonBody(output.body, what),
    headers: (output as unknown as Record<symbol, Record<string, string>>)[responseHeadersKey],
    requestId: output.$metadata.requestId,
  };
}
