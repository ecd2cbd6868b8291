import type { BedrockRuntimeClient } from "@aws-sdk/client-bedrock-runtime";
import { mapBedrockError } from "./errors.js";

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
