/** Public types of the emulator. */
import type { EmulatorCredentials } from "./auth.js";
import type { ControlPlaneOptions } from "./control-plane.js";
import type { Fixture, FixtureOperation, LoadedFixture } from "./fixtures.js";

export type EmulatorMode = "replay" | "synthesize" | "hybrid";

export interface EmulatorOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Fixture folders (read recursively) or fixtures already loaded. */
  fixtures?: readonly (string | Fixture | LoadedFixture)[];
  /** replay: fixtures only; synthesize: never fixtures; hybrid (default): a matching fixture, else synthesize. */
  mode?: EmulatorMode;
  /** Delay before every answer. */
  latencyMs?: number;
  /** Delay between stream frames. */
  chunkIntervalMs?: number;
  /** Default number of text pieces in synthesized streams (the header x-bedrock-forge-stream-chunks overrides). */
  streamChunks?: number;
  /** Accepted SigV4 credentials; default AWS's documented example keys. */
  credentials?: readonly EmulatorCredentials[];
  /** Accepted Bedrock API keys (`Authorization: Bearer <key>`). */
  apiKeys?: readonly string[];
  /** Check SigV4 signatures / API keys (default true). */
  verifySignature?: boolean;
  /** Extra model ids / ARNs (provisioned throughput, application inference profiles) → base model id. */
  models?: Readonly<Record<string, string>>;
  /**
   * Imported models (Bedrock Custom Model Import ARNs) → the LiteLLM route naming their format (`llama`,
   * `deepseek_r1`, `qwen3`, `qwen2`, `openai`, `moonshot`): bodies are read, checked and answered in that format.
   */
  importedModels?: Readonly<Record<string, string>>;
  /** Largest accepted body; default 25,000,000 bytes (the service model's InvokeModel body limit). */
  maxBodyBytes?: number;
  /** Validate request bodies against the native schemas and the Converse shapes (default true). */
  validate?: boolean;
  /**
   * Also validate invoke bodies answered from fixtures against the family's native request schema (default
   * false: recordings of other clients' bodies replay as they are). Contract tests turn it on, so a runtime
   * that builds a wrong body fails even when a fixture answers.
   */
  validateReplayed?: boolean;
  /** Reject Converse members the service model does not define (default true). */
  rejectUnknownConverseMembers?: boolean;
  /** Reject bare ids of profile-only models as Bedrock does (default true). */
  enforceProfileOnly?: boolean;
  /** Word in the last user text that makes a guardrail intervene (default "BLOCKED"). */
  guardrailTrigger?: string;
  /** Answer of an intervened guardrail. */
  guardrailBlockedMessage?: string;
  /** Add Bedrock's `p` padding to synthesized stream payloads (default true). */
  padding?: boolean;
  /** Largest synthesized image in pixels (larger requests are scaled down). */
  maxImagePixels?: number;
  /** The server clock for signature time checks (tests move it). */
  now?: () => number;
  /** How many requests `requests` keeps (the oldest are dropped); default 10,000. */
  maxLoggedRequests?: number;
  /**
   * Answers a unary request from code, before fixtures and synthesis: return the JSON body to send with
   * status 200, or undefined to let the request through. For tests whose answer depends on the request.
   */
  respond?: (request: { operation: FixtureOperation; modelId: string; body: unknown }) => unknown;
  /** The control plane (ListFoundationModels, ListInferenceProfiles): its data, page size and denied keys. */
  controlPlane?: ControlPlaneOptions;
}

/** One request the emulator saw. */
export interface EmulatorRequest {
  /** The `x-amzn-RequestId` the emulator answered with. */
  readonly id: string;
  readonly receivedAt: Date;
  readonly protocol: "http/1.1" | "h2";
  readonly method: string;
  readonly path: string;
  operation?: FixtureOperation;
  /** The model id from the path, URL-decoded. */
  modelId?: string;
  /** Lower-cased request headers (HTTP/2 pseudo-headers included). */
  readonly headers: Readonly<Record<string, string>>;
  /** The body parsed as JSON (the raw text when it is not JSON). */
  body?: unknown;
  /** How the request was authenticated. */
  auth?: "sigv4" | "bearer" | "none";
  status?: number;
  /** The exception name of an error answer (also in-stream exceptions). */
  errorType?: string;
  /** Where the answer came from. */
  source?: "fixture" | "synthesized" | "respond" | "error" | "fault";
  /** The fixture's name when replayed. */
  fixture?: string;
  /** Stream frames written. */
  framesSent: number;
  /** True when the client closed the connection (or stream) before the response ended. */
  clientClosed: boolean;
  /** True when the response was written completely. */
  completed: boolean;
  /** Resolves when the exchange is over (response finished or connection closed). */
  readonly done: Promise<void>;
}

export interface Emulator {
  /** `http://host:port`. */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  /** Every request seen, oldest first. */
  readonly requests: EmulatorRequest[];
  readonly fixtures: readonly LoadedFixture[];
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}
