import type {
  BedrockRuntimeClient,
  InvokeModelCommandInput,
  InvokeModelCommandOutput,
} from "@aws-sdk/client-bedrock-runtime";
import { InvokeModelCommand } from "./aws-sdk.js";
import { mapBedrockError, ResponseParseError } from "./errors.js";
import {
  type CarriedCallOptions,
  callOptionsKey,
  middlewaresOfClient,
  responseHeadersKey,
  signalCarrier,
} from "./instrument.js";
import { leanOperationOf, sendLean } from "./lean-send.js";

/** What every operation call carries besides its request: the SDK client, transport options, policy switches. */
export interface OperationCall {
  readonly request: Readonly<Record<string, unknown>>;
  readonly client: BedrockRuntimeClient;
  readonly options: CallOptions;
  readonly warn: (message: string) => void;
  readonly dropParams: boolean;
  /** The client's region, for region price overrides. */
  readonly region: string | undefined;
  /** Call models past their end of life anyway (see `BehaviourOptions.allowRetired`). */
  readonly allowRetired?: boolean;
  /** The bedrock-mantle base URL the connection names (`mantleEndpoint`, else `endpoint`), if any. */
  readonly mantleEndpoint?: string;
}

/** Per-call transport options. */
export interface CallOptions {
  readonly signal?: AbortSignal;
  /** Milliseconds until the call is aborted (for streams: until the response starts). */
  readonly timeout?: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly streaming?: boolean;
}

/** Any Bedrock Runtime command. */
type AnyCommand = object;

/**
 * Sends one SDK command with the caller's signal, timeout and extra headers; any failure comes
 * back as the project's typed error. Extra headers are added before signing, so they are signed.
 *
 * On a client bedrock-forge made, Converse, InvokeModel and their streaming forms take the lean path
 * (lean-send.ts: the SDK's own parts with the per-client work done once); other commands travel with
 * their signal and headers on
 * the command object, read by the client's own middlewares (instrument.ts), so `send` gets no options
 * and the client uses its cached middleware stack. A client passed in by the caller gets everything
 * through `client.send` with the signal in its options, as usual.
 */
export async function sendCommand(
  client: BedrockRuntimeClient,
  command: AnyCommand,
  options: CallOptions,
  model: string,
): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  let unlink: (() => void) | undefined;
  let signal = options.signal;
  if (options.timeout !== undefined && options.timeout > 0) {
    const timeoutController = new AbortController();
    timer = setTimeout(() => timeoutController.abort(new TimeoutAbort(options.timeout!)), options.timeout);
    if (signal && (options.streaming || !leanOperationOf(command)))
      signal = AbortSignal.any([signal, timeoutController.signal]);
    else {
      if (signal) unlink = followAbort(timeoutController, signal);
      signal = timeoutController.signal;
    }
  }
  const headers = hasEntries(options.headers) ? options.headers : undefined;
  if (signal || headers) {
    const carried: CarriedCallOptions = { signal, headers };
    (command as Record<symbol, CarriedCallOptions>)[callOptionsKey] = carried;
  }
  const carrier = signalCarrier(client);
  const lean = carrier ? leanOperationOf(command) : undefined;
  try {
    const sent = lean
      ? sendLeanCommand(client, lean, command, signal)
      : carrier
        ? client.send(command as never)
        : signal
          ? client.send(command as never, { abortSignal: signal })
          : client.send(command as never);
    // A client that retries may be waiting between attempts when the signal fires: end the call at once
    // (the lean path gives the signal to the SDK's retry step, which ends its wait itself).
    return await (signal && carrier?.retries && !lean ? abortable(sent, signal) : sent);
  } catch (error) {
    if (signal?.aborted && signal.reason instanceof TimeoutAbort)
      throw mapBedrockError(signal.reason, { model });
    throw mapBedrockError(error, { model });
  } finally {
    if (timer) clearTimeout(timer);
    unlink?.();
  }
}

/**
 * Aborts `controller` when `outer` fires, with its reason, until the returned function is called. For a
 * unary Converse or InvokeModel call, whose answer is read whole before `sendCommand` returns: cheaper than `AbortSignal.any`
 * (which keeps the combined signal linked to its sources for as long as either lives), and the same to
 * the call. A stream keeps `AbortSignal.any`, since the caller's signal must still end it after the
 * response has started.
 */
function followAbort(controller: AbortController, outer: AbortSignal): () => void {
  if (outer.aborted) {
    controller.abort(outer.reason);
    return () => {};
  }
  const onAbort = () => controller.abort(outer.reason);
  outer.addEventListener("abort", onAbort, { once: true });
  return () => outer.removeEventListener("abort", onAbort);
}

/** A lean operation (lean-send.ts) on a client bedrock-forge made. */
function sendLeanCommand(
  client: BedrockRuntimeClient,
  operation: NonNullable<ReturnType<typeof leanOperationOf>>,
  command: AnyCommand,
  signal: AbortSignal | undefined,
): Promise<unknown> {
  const carried = (command as Record<symbol, CarriedCallOptions | undefined>)[callOptionsKey];
  return sendLean(
    client,
    operation,
    (command as { input: object }).input,
    carried ? { [callOptionsKey]: carried } : {},
    signal,
    middlewaresOfClient(client) ?? {},
  );
}

function hasEntries(record: Readonly<Record<string, string>> | undefined): boolean {
  if (record) for (const _ in record) return true;
  return false;
}

/** The error the SDK's HTTP handler gives a call whose signal fired: an AbortError with the reason as cause. */
export function abortErrorOf(signal: AbortSignal): Error {
  const reason = signal.reason as unknown;
  const error = new Error(
    reason instanceof Error || reason === undefined ? "Request aborted" : String(reason),
  );
  error.name = "AbortError";
  if (reason instanceof Error) error.cause = reason;
  return error;
}

/** Rejects as the SDK's handler does (an AbortError) as soon as the signal fires; else settles as `promise`. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortErrorOf(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/** The reason a call was aborted by its timeout (mapped to a 408 timeout error). */
export class TimeoutAbort extends Error {
  override readonly name = "TimeoutError";
  constructor(milliseconds: number, what = "the request did not complete") {
    super(`${what} within ${milliseconds} ms`);
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
    Pick<InvokeModelCommandInput, "guardrailIdentifier" | "guardrailVersion" | "trace" | "requestMetadata">
  >,
): Promise<InvokeAnswer> {
  const { modelId, body, model, what, ...guardrail } = request;
  let serialized: string;
  try {
    serialized = JSON.stringify(body);
  } catch (error) {
    throw mapBedrockError(error, { model });
  }
  const command = new InvokeModelCommand({
    modelId,
    body: serialized,
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
