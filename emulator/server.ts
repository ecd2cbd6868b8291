/**
 * The emulator: Bedrock Runtime's HTTP API (InvokeModel, InvokeModelWithResponseStream, Converse,
 * ConverseStream, CountTokens) on one port for HTTP/1.1 and HTTP/2, with SigV4 checks, fixture replay,
 * spec-driven synthesis, request validation and fault injection. Transport, authentication and routing
 * are in route.ts, replay in replay.ts, synthesis in synthesis.ts, faults in faults.ts and write.ts.
 */
import { Authenticator, exampleCredentials } from "./auth.js";
import { createControlPlane } from "./control-plane.js";
import type { EmulatorContext } from "./exchange.js";
import { collectFixtures, FixtureIndex } from "./fixtures.js";
import { listenDual } from "./listen.js";
import { ModelRegistry } from "./models.js";
import { handleRequest } from "./route.js";
import { DEFAULT_BLOCKED_MESSAGE, DEFAULT_TRIGGER } from "./synthesize/guardrail.js";
import type { Emulator, EmulatorOptions } from "./types.js";
import { abort } from "./write.js";

/** The service model's InvokeModel body limit. */
const DEFAULT_MAX_BODY = 25_000_000;

/** Resolves the options once: models and fixtures loaded, credentials ready, defaults applied. */
async function createContext(options: EmulatorOptions): Promise<EmulatorContext> {
  const registry = await ModelRegistry.load({
    ...(options.models ? { models: options.models } : {}),
    ...(options.importedModels ? { importedModels: options.importedModels } : {}),
    enforceProfileOnly: options.enforceProfileOnly ?? true,
  });
  return {
    options,
    mode: options.mode ?? "hybrid",
    registry,
    fixtures: new FixtureIndex(collectFixtures(options.fixtures ?? [])),
    authenticator: new Authenticator({
      credentials: options.credentials ?? [exampleCredentials],
      apiKeys: options.apiKeys ?? [],
      verifySignature: options.verifySignature ?? true,
      ...(options.now ? { now: options.now } : {}),
    }),
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY,
    validate: options.validate ?? true,
    trigger: options.guardrailTrigger ?? DEFAULT_TRIGGER,
    blockedMessage: options.guardrailBlockedMessage ?? DEFAULT_BLOCKED_MESSAGE,
    padding: options.padding ?? true,
    requests: [],
    maxLogged: options.maxLoggedRequests ?? 10_000,
    hanging: new Set(),
    controlPlane: await createControlPlane(options.controlPlane, options.now),
  };
}

/** Starts an emulator; resolves once it listens. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const context = await createContext(options);
  const server = await listenDual(
    (request, response, protocol) => {
      void handleRequest(context, request, response, protocol);
    },
    { port: options.port ?? 0, host: options.host ?? "127.0.0.1" },
  );
  const host = server.host.includes(":") ? `[${server.host}]` : server.host;
  return {
    url: `http://${host}:${server.port}`,
    port: server.port,
    host: server.host,
    requests: context.requests,
    fixtures: context.fixtures.fixtures,
    close: async () => {
      for (const response of context.hanging) abort(response);
      await server.close();
    },
  };
}
