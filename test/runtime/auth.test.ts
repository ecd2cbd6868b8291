/**
 * Every auth and connection option that can be exercised locally, through the real AWS SDK against the
 * emulator (which recomputes SigV4 and checks Bedrock API keys): static keys, session tokens, a profile
 * from a credentials file in a temporary HOME, LiteLLM's aws_* names per client and per request, the
 * endpoint override both ways, extra headers (signed), bearer API keys, a caller's own SDK client, and
 * failures that are typed and never show a credential.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { inspect } from "node:util";
import { BedrockRuntimeClient, ConverseCommand } from "@aws-sdk/client-bedrock-runtime";
import { fromIni } from "@aws-sdk/credential-providers";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, type EmulatorRequest, startEmulator } from "../../emulator/index.js";
import { resolveConnection } from "../../runtime/connection.js";
import {
  type Bedrock,
  BedrockCallError,
  type BedrockOptions,
  type ChatCompletion,
  createBedrock,
  RequestValidationError,
} from "../../runtime/index.js";
import { clientFor } from "../../runtime/transport.js";
import { credentials, failure, reply } from "./live.js";

const MODEL = "anthropic.claude-3-haiku-20240307-v1:0";
const second = {
  accessKeyId: "AKIDFORGESECOND00000",
  secretAccessKey: "forge/second/secret/key/EXAMPLE0000000000",
};
const profileKeys = {
  accessKeyId: "AKIDFORGEPROFILE0000",
  secretAccessKey: "forge/profile/secret/key/EXAMPLE000000000",
};
const sessionToken = "FwoGZXIvYXdzEForgeSessionTokenEXAMPLE//////////wEaDExampleToken";
const apiKey = "ABSKQmVkcm9ja0ZvcmdlVGVzdEtleUVYQU1QTEU=";

let emulator: Emulator;
let home: string;
const savedEnv = { ...process.env };

beforeAll(async () => {
  emulator = await startEmulator({
    mode: "synthesize",
    credentials: [credentials, second, profileKeys],
    apiKeys: [apiKey],
  });
  home = mkdtempSync(path.join(tmpdir(), "bedrock-forge-auth-"));
  writeFileSync(
    path.join(home, "credentials"),
    `[default]\naws_access_key_id = ${second.accessKeyId}\naws_secret_access_key = ${second.secretAccessKey}\n\n` +
      `[forge-test]\naws_access_key_id = ${profileKeys.accessKeyId}\naws_secret_access_key = ${profileKeys.secretAccessKey}\n` +
      `aws_session_token = ${sessionToken}\n`,
  );
  writeFileSync(
    path.join(home, "config"),
    "[default]\nregion = us-east-1\n\n[profile forge-test]\nregion = eu-west-3\n",
  );
});

afterAll(async () => {
  await emulator?.close();
  rmSync(home, { recursive: true, force: true });
});

afterEach(() => {
  for (const name of Object.keys(process.env)) if (!(name in savedEnv)) delete process.env[name];
  Object.assign(process.env, savedEnv);
});

/** Points the SDK's shared config at the temporary HOME and clears any ambient credentials. */
function useTemporaryHome(): void {
  process.env.HOME = home;
  process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(home, "credentials");
  process.env.AWS_CONFIG_FILE = path.join(home, "config");
  for (const name of [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_BEARER_TOKEN_BEDROCK",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_BEDROCK_RUNTIME",
  ])
    delete process.env[name];
}

const hello = (text = "Hello auth") => [{ role: "user" as const, content: text }];

async function call(
  client: Bedrock,
  extra: Record<string, unknown> = {},
  text = "Hello auth",
): Promise<EmulatorRequest> {
  const before = emulator.requests.length;
  const completion = (await client.chat.completions.create({
    model: MODEL,
    messages: hello(text),
    ...extra,
  } as never)) as ChatCompletion;
  expect(completion.choices[0]!.message.content).toBe(reply(text));
  expect(emulator.requests.length).toBe(before + 1);
  return emulator.requests.at(-1)!;
}

/** The access key, region and signed headers of a SigV4 Authorization header. */
function signature(request: EmulatorRequest) {
  const match = /Credential=([^/]+)\/\d{8}\/([^/]+)\/bedrock\/aws4_request, SignedHeaders=([^,]+),/.exec(
    request.headers.authorization ?? "",
  );
  expect(match, request.headers.authorization).not.toBeNull();
  return { accessKeyId: match![1], region: match![2], signedHeaders: match![3]!.split(";") };
}

const base = (options: BedrockOptions = {}): Bedrock =>
  createBedrock({ region: "us-east-1", endpoint: emulator.url, num_retries: 0, ...options });

describe("credentials", () => {
  it("static keys (credentials)", async () => {
    const request = await call(base({ credentials }));
    expect(request.auth).toBe("sigv4");
    expect(signature(request)).toMatchObject({ accessKeyId: credentials.accessKeyId, region: "us-east-1" });
    expect(request.headers["x-amz-security-token"]).toBeUndefined();
  });

  it("a session token is sent (and signed) as x-amz-security-token", async () => {
    const request = await call(base({ credentials: { ...second, sessionToken } }));
    expect(request.headers["x-amz-security-token"]).toBe(sessionToken);
    expect(signature(request).signedHeaders).toContain("x-amz-security-token");
    expect(signature(request).accessKeyId).toBe(second.accessKeyId);
  });

  it("a credentials provider function", async () => {
    let calls = 0;
    const provider = async () => {
      calls++;
      return second;
    };
    const request = await call(base({ credentials: provider }));
    expect(signature(request).accessKeyId).toBe(second.accessKeyId);
    expect(calls).toBeGreaterThan(0);
  });

  it("expiring credentials are refreshed: each call is signed with the keys last handed out", async () => {
    // The provider hands out keys that expire within the SDK's refresh window, so every call asks again.
    const pairs = [credentials, second, profileKeys];
    let calls = 0;
    let last = credentials;
    const provider = async () => {
      last = pairs[calls++ % pairs.length]!;
      return { ...last, expiration: new Date(Date.now() + 1000) };
    };
    const client = base({ credentials: provider });
    const signedWith = new Set<string | undefined>();
    for (let index = 0; index < 4; index++) {
      const { accessKeyId } = signature(await call(client));
      expect(accessKeyId).toBe(last.accessKeyId);
      signedWith.add(accessKeyId);
    }
    expect(signedWith.size).toBeGreaterThan(1);
  });

  it("LiteLLM's aws_* names per client: keys, session token and region", async () => {
    const client = createBedrock({
      aws_access_key_id: second.accessKeyId,
      aws_secret_access_key: second.secretAccessKey,
      aws_session_token: sessionToken,
      aws_region_name: "eu-central-1",
      aws_bedrock_runtime_endpoint: emulator.url,
      num_retries: 0,
    });
    const request = await call(client);
    expect(signature(request)).toMatchObject({ accessKeyId: second.accessKeyId, region: "eu-central-1" });
    expect(request.headers["x-amz-security-token"]).toBe(sessionToken);
  });

  it("LiteLLM's aws_* names per request, over the client's, for that request only", async () => {
    const client = base({ credentials });
    const overridden = await call(client, {
      aws_access_key_id: second.accessKeyId,
      aws_secret_access_key: second.secretAccessKey,
      aws_session_token: sessionToken,
      aws_region_name: "ap-northeast-1",
    });
    expect(signature(overridden)).toMatchObject({
      accessKeyId: second.accessKeyId,
      region: "ap-northeast-1",
    });
    expect(overridden.headers["x-amz-security-token"]).toBe(sessionToken);
    const plain = await call(client);
    expect(signature(plain)).toMatchObject({ accessKeyId: credentials.accessKeyId, region: "us-east-1" });
    expect(plain.headers["x-amz-security-token"]).toBeUndefined();
  });

  it("half a key pair is refused before any call", async () => {
    const before = emulator.requests.length;
    const error = await failure(
      base({ credentials }).chat.completions.create({
        model: MODEL,
        messages: hello(),
        aws_access_key_id: second.accessKeyId,
      }),
    );
    expect(RequestValidationError.isInstance(error)).toBe(true);
    expect(error.param).toBe("aws_secret_access_key");
    expect(emulator.requests.length).toBe(before);
  });

  it("a profile from a credentials file in a temporary HOME (profile, aws_profile_name, AWS_PROFILE)", async () => {
    useTemporaryHome();
    const byOption = await call(base({ profile: "forge-test" }));
    expect(signature(byOption).accessKeyId).toBe(profileKeys.accessKeyId);
    expect(byOption.headers["x-amz-security-token"]).toBe(sessionToken);

    const byLiteLLMName = await call(base({ credentials }), { aws_profile_name: "forge-test" });
    expect(signature(byLiteLLMName).accessKeyId).toBe(profileKeys.accessKeyId);

    // The SDK's default chain: the [default] profile, then AWS_PROFILE.
    const byDefault = await call(
      createBedrock({ region: "us-west-2", endpoint: emulator.url, num_retries: 0 }),
    );
    expect(signature(byDefault).accessKeyId).toBe(second.accessKeyId);
    process.env.AWS_PROFILE = "forge-test";
    const byEnvironment = await call(
      createBedrock({ region: "us-west-1", endpoint: emulator.url, num_retries: 0 }),
    );
    expect(signature(byEnvironment).accessKeyId).toBe(profileKeys.accessKeyId);
  });

  it("a region from ~/.aws/config picks the cross-region profile of a profile-only model", async () => {
    useTemporaryHome();
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    // [default] in the temporary config says us-east-1; Nova Premier is served through the us. profile only.
    const client = createBedrock({ endpoint: emulator.url, credentials, num_retries: 0 });
    await client.chat.completions.create({ model: "amazon.nova-premier-v1:0", messages: hello() });
    expect(emulator.requests.at(-1)!.modelId).toBe("us.amazon.nova-premier-v1:0");
  });

  it("a profile that does not exist is a typed authentication error naming it, before any call", async () => {
    useTemporaryHome();
    const before = emulator.requests.length;
    const error = await failure(call(base({ profile: "no-such-profile" })));
    expect(BedrockCallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ status: 401, type: "authentication_error" });
    expect(error.message).toMatch(/no-such-profile/);
    expect(emulator.requests.length).toBe(before);
  });
});

describe("Bedrock API keys (bearer)", () => {
  it("apiKey sends Authorization: Bearer instead of SigV4", async () => {
    const request = await call(base({ apiKey }));
    expect(request.auth).toBe("bearer");
    expect(request.headers.authorization).toBe(`Bearer ${apiKey}`);
    expect(request.headers["x-amz-date"]).toBeUndefined();
  });

  it("AWS_BEARER_TOKEN_BEDROCK is used when no credentials are given", async () => {
    useTemporaryHome();
    process.env.AWS_BEARER_TOKEN_BEDROCK = apiKey;
    const request = await call(
      createBedrock({ region: "sa-east-1", endpoint: emulator.url, num_retries: 0 }),
    );
    expect(request.auth).toBe("bearer");
    expect(request.headers.authorization).toBe(`Bearer ${apiKey}`);
  });

  it("explicit credentials win over AWS_BEARER_TOKEN_BEDROCK", async () => {
    useTemporaryHome();
    process.env.AWS_BEARER_TOKEN_BEDROCK = apiKey;
    const request = await call(base({ credentials: second }));
    expect(request.auth).toBe("sigv4");
    expect(signature(request).accessKeyId).toBe(second.accessKeyId);
  });

  it("a wrong API key is a 401 typed error that does not show the key", async () => {
    const wrong = "ABSKd3JvbmdLZXlUaGF0TXVzdE5vdExlYWs=";
    const error = await failure(call(base({ apiKey: wrong })));
    expect(BedrockCallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ status: 401, type: "authentication_error", retryable: false });
    expect(error.requestId).toBe(emulator.requests.at(-1)!.id);
    for (const text of [
      error.message,
      String(error),
      String(error.stack),
      JSON.stringify(error),
      inspect(error, { depth: null }),
    ])
      expect(text).not.toContain(wrong);
  });
});

describe("wrong credentials", () => {
  it.each([
    [
      "an unknown access key",
      { accessKeyId: "AKIAUNKNOWNFORGE0000", secretAccessKey: "unknown/secret/EXAMPLE", sessionToken },
      "UnrecognizedClientException",
    ],
    [
      "a wrong secret",
      { accessKeyId: credentials.accessKeyId, secretAccessKey: "wrong/secret/EXAMPLE/KEY", sessionToken },
      "InvalidSignatureException",
    ],
  ])(
    "%s: 401 authentication_error; the message names neither secret nor token",
    async (_name, keys, awsName) => {
      for (const stream of [false, true]) {
        const error = await failure(call(base({ credentials: keys }), { stream }));
        expect(BedrockCallError.isInstance(error)).toBe(true);
        expect(error).toMatchObject({
          status: 401,
          type: "authentication_error",
          awsErrorName: awsName,
          retryable: false,
        });
        expect(error.message).toMatch(MODEL);
        for (const text of [
          error.message,
          String(error),
          String(error.stack),
          JSON.stringify(error),
          inspect(error, { depth: null }),
        ]) {
          expect(text).not.toContain(keys.secretAccessKey);
          expect(text).not.toContain(sessionToken);
        }
      }
    },
  );

  it("per-request aws_* keys that are wrong fail that request only", async () => {
    const client = base({ credentials });
    const error = await failure(
      call(client, { aws_access_key_id: credentials.accessKeyId, aws_secret_access_key: "not/the/secret" }),
    );
    expect(error.status).toBe(401);
    expect(error.message).not.toContain("not/the/secret");
    await call(client);
  });
});

describe("endpoint, headers and the SDK client", () => {
  // Port 9 (discard) on loopback: nothing listens there, so a call that used it would fail.
  const deadEndpoint = "http://127.0.0.1:9";

  it("endpoint and aws_bedrock_runtime_endpoint per client", async () => {
    expect(
      (await call(createBedrock({ region: "us-east-1", endpoint: emulator.url, credentials }))).path,
    ).toMatch(/^\/model\//);
    await call(
      createBedrock({ region: "us-east-1", aws_bedrock_runtime_endpoint: emulator.url, credentials }),
    );
  });

  it("endpoint and aws_bedrock_runtime_endpoint per request, over the client's", async () => {
    const client = createBedrock({
      region: "us-east-1",
      endpoint: deadEndpoint,
      credentials,
      num_retries: 0,
    });
    await call(client, { aws_bedrock_runtime_endpoint: emulator.url });
    await call(client, { endpoint: emulator.url });
    const error = await failure(call(client));
    expect(BedrockCallError.isInstance(error)).toBe(true);
  });

  it("AWS_ENDPOINT_URL_BEDROCK_RUNTIME when no endpoint is given", async () => {
    useTemporaryHome();
    process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME = emulator.url;
    await call(createBedrock({ region: "ca-central-1", credentials: second, num_retries: 0 }));
  });

  it("extra_headers per client and per request, and request headers, reach the wire and are signed", async () => {
    const client = base({
      credentials,
      extra_headers: { "X-Forge-Client": "client-value", "X-Forge-Both": "client" },
    });
    const before = emulator.requests.length;
    await client.chat.completions.create(
      {
        model: MODEL,
        messages: hello(),
        extra_headers: { "X-Forge-Request": "request-value", "X-Forge-Both": "request" },
      },
      { headers: { "X-Forge-Option": "option-value" } },
    );
    const request = emulator.requests[before]!;
    expect(request.headers).toMatchObject({
      "x-forge-client": "client-value",
      "x-forge-request": "request-value",
      "x-forge-both": "request",
      "x-forge-option": "option-value",
    });
    expect(request.auth).toBe("sigv4");
    expect(signature(request).signedHeaders).toEqual(
      expect.arrayContaining(["x-forge-client", "x-forge-request", "x-forge-both", "x-forge-option"]),
    );
    // Streams and embeddings take them too.
    await client.chat.completions.create({ model: MODEL, messages: hello(), stream: true });
    expect(emulator.requests.at(-1)!.headers["x-forge-client"]).toBe("client-value");
    await client.embeddings.create({
      model: "amazon.titan-embed-text-v2:0",
      input: "hi",
      extra_headers: { "X-Forge-Embed": "1" },
    });
    expect(emulator.requests.at(-1)!.headers).toMatchObject({
      "x-forge-client": "client-value",
      "x-forge-embed": "1",
    });
  });

  it("sends the same user-agent headers as a plain SDK client (static keys, profile, no retries)", async () => {
    useTemporaryHome();
    // bedrock-forge's clients compute the header with their own middleware, in place of the SDK's.
    const sdkClient = await clientFor(
      resolveConnection({ region: "us-east-1", endpoint: emulator.url, credentials }),
    );
    const middlewares = sdkClient.middlewareStack.identify().join("\n");
    expect(middlewares).toMatch(/bedrockForgeUserAgent/);
    expect(middlewares).not.toMatch(/getUserAgentMiddleware/);
    const cases: { forge: BedrockOptions; sdk: ConstructorParameters<typeof BedrockRuntimeClient>[0] }[] = [
      { forge: { credentials }, sdk: { credentials } },
      { forge: { profile: "forge-test" }, sdk: { credentials: fromIni({ profile: "forge-test" }) } },
      { forge: { credentials, num_retries: 0 }, sdk: { credentials, maxAttempts: 1 } },
    ];
    for (const { forge, sdk } of cases) {
      const ours = await call(createBedrock({ region: "us-east-1", endpoint: emulator.url, ...forge }));
      const plain = new BedrockRuntimeClient({ region: "us-east-1", endpoint: emulator.url, ...sdk });
      try {
        await plain.send(
          new ConverseCommand({
            modelId: MODEL,
            messages: [{ role: "user", content: [{ text: "Hello auth" }] }],
          }),
        );
      } finally {
        plain.destroy();
      }
      const theirs = emulator.requests.at(-1)!;
      expect(ours.headers["user-agent"]).toMatch(/^aws-sdk-js\/\S+ .* m\/\S+/);
      expect(ours.headers["user-agent"]).toBe(theirs.headers["user-agent"]);
      expect(ours.headers["x-amz-user-agent"]).toBe(theirs.headers["x-amz-user-agent"]);
    }
  });

  it("your own BedrockRuntimeClient is used as is", async () => {
    const own = new BedrockRuntimeClient({
      region: "eu-west-1",
      endpoint: emulator.url,
      credentials: second,
      requestHandler: new NodeHttpHandler(),
      maxAttempts: 1,
    });
    own.middlewareStack.add(
      (next) => async (args) => {
        (args.request as { headers: Record<string, string> }).headers["x-own-client"] = "yes";
        return next(args);
      },
      { step: "build", name: "ownClientMarker" },
    );
    try {
      const client = createBedrock({ client: own });
      const request = await call(client);
      expect(request.headers["x-own-client"]).toBe("yes");
      expect(signature(request)).toMatchObject({ accessKeyId: second.accessKeyId, region: "eu-west-1" });
      // Per-request extra headers still go through it.
      await client.chat.completions.create({
        model: MODEL,
        messages: hello(),
        extra_headers: { "x-forge-extra": "1" },
      });
      expect(emulator.requests.at(-1)!.headers).toMatchObject({
        "x-own-client": "yes",
        "x-forge-extra": "1",
      });
      await client.embeddings.create({ model: "amazon.titan-embed-text-v2:0", input: "hi" });
      expect(emulator.requests.at(-1)!.headers["x-own-client"]).toBe("yes");
    } finally {
      own.destroy();
    }
  });
});
