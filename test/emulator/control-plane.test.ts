import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {
  BedrockClient,
  GetFoundationModelCommand,
  GetInferenceProfileCommand,
  ListFoundationModelsCommand,
  ListInferenceProfilesCommand,
  paginateListInferenceProfiles,
} from "@aws-sdk/client-bedrock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ControlPlaneData, deriveControlPlaneData } from "../../emulator/control-plane.js";
import { startEmulator } from "../../emulator/server.js";
import type { Emulator } from "../../emulator/types.js";
import { catalog } from "../../generated/catalog.js";
import { lifecycleStateOf } from "../../runtime/lifecycle.js";
import { credentials, json, rawRequest } from "./helpers.js";

const fixture = new URL("../fixtures/control-plane/us-east-1-2026-10-07.json", import.meta.url);

function controlPlaneClient(emulator: Emulator, region = "us-east-1", keys = credentials): BedrockClient {
  return new BedrockClient({ endpoint: emulator.url, region, credentials: keys, maxAttempts: 1 });
}

async function failure(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    return error as Error & { $metadata: { httpStatusCode: number } };
  }
  throw new Error("expected the call to fail");
}

const today = new Date().toISOString().slice(0, 10);

describe("the emulator's control plane, from the catalog by default", () => {
  let emulator: Emulator;
  let client: BedrockClient;
  beforeAll(async () => {
    emulator = await startEmulator({ controlPlane: { pageSize: 4 } });
    client = controlPlaneClient(emulator);
  });
  afterAll(async () => {
    client.destroy();
    await emulator.close();
  });

  it("lists the catalog's models of the Region, LEGACY after their legacy date, retired ones not at all", async () => {
    const answer = await client.send(new ListFoundationModelsCommand({}));
    const expected = Object.values(catalog)
      .filter((entry) => entry.regions.includes("us-east-1"))
      .filter((entry) => lifecycleStateOf(entry.deprecated, today) !== "retired");
    expect(answer.modelSummaries?.map((model) => model.modelId).sort()).toEqual(
      expected.map((entry) => entry.id).sort(),
    );
    for (const model of answer.modelSummaries ?? []) {
      const entry = catalog[model.modelId as keyof typeof catalog];
      expect(model.modelArn).toBe(`arn:aws:bedrock:us-east-1::foundation-model/${model.modelId}`);
      expect(model.modelLifecycle?.status).toBe(
        lifecycleStateOf(entry.deprecated, today) === "legacy" ? "LEGACY" : "ACTIVE",
      );
      expect(model.inferenceTypesSupported).toContain(entry.profileOnly ? "INFERENCE_PROFILE" : "ON_DEMAND");
      // The SDK reads the lifecycle timestamps (date-time strings on the wire) as Dates.
      if (entry.deprecated?.end_of_life)
        expect(model.modelLifecycle?.endOfLifeTime?.toISOString().slice(0, 10)).toBe(
          entry.deprecated.end_of_life,
        );
    }
  });

  it("signs as the SDK does: service bedrock, in the Region's credential scope", async () => {
    await client.send(new ListFoundationModelsCommand({}));
    const request = emulator.requests.at(-1)!;
    expect(request.method).toBe("GET");
    expect(request.path).toBe("/foundation-models");
    expect(request.auth).toBe("sigv4");
    expect(request.headers.authorization).toMatch(
      /Credential=AKIAIOSFODNN7EXAMPLE\/\d{8}\/us-east-1\/bedrock\/aws4_request/,
    );
  });

  it("filters by provider, output modality and inference type as the query asks", async () => {
    const anthropic = await client.send(new ListFoundationModelsCommand({ byProvider: "Anthropic" }));
    expect(anthropic.modelSummaries?.length).toBeGreaterThan(0);
    expect(new Set(anthropic.modelSummaries?.map((model) => model.providerName))).toEqual(
      new Set(["Anthropic"]),
    );
    const embeddings = await client.send(new ListFoundationModelsCommand({ byOutputModality: "EMBEDDING" }));
    expect(embeddings.modelSummaries?.length).toBeGreaterThan(0);
    for (const model of embeddings.modelSummaries ?? [])
      expect(model.outputModalities).toContain("EMBEDDING");
    const onDemand = await client.send(new ListFoundationModelsCommand({ byInferenceType: "ON_DEMAND" }));
    for (const model of onDemand.modelSummaries ?? [])
      expect(model.inferenceTypesSupported).toContain("ON_DEMAND");
    const all = await client.send(new ListFoundationModelsCommand({}));
    expect(onDemand.modelSummaries!.length).toBeLessThan(all.modelSummaries!.length);
  });

  it("refuses a filter value outside the enum with AWS's validation wording", async () => {
    const error = await failure(
      client.send(new ListFoundationModelsCommand({ byOutputModality: "SMELL" as never })),
    );
    expect(error.name).toBe("ValidationException");
    expect(error.message).toBe(
      "1 validation error detected: Value 'SMELL' at 'byOutputModality' failed to satisfy constraint: Member must satisfy enum value set: [TEXT, IMAGE, EMBEDDING, SPEECH, AUDIO, VIDEO]",
    );
  });

  it("pages ListInferenceProfiles with nextToken, every profile once", async () => {
    const expected = deriveControlPlaneData(Object.values(catalog), today).regions["us-east-1"]!
      .inferenceProfileSummaries;
    expect(expected.length).toBeGreaterThan(8);
    const seen: string[] = [];
    let pages = 0;
    for await (const page of paginateListInferenceProfiles({ client }, { typeEquals: "SYSTEM_DEFINED" })) {
      pages += 1;
      expect(page.inferenceProfileSummaries!.length).toBeLessThanOrEqual(4);
      seen.push(...page.inferenceProfileSummaries!.map((profile) => profile.inferenceProfileId!));
    }
    expect(pages).toBe(Math.ceil(expected.length / 4));
    expect(seen).toEqual(expected.map((profile) => profile.inferenceProfileId));
    const first = await client.send(new ListInferenceProfilesCommand({ maxResults: 2 }));
    expect(first.inferenceProfileSummaries).toHaveLength(2);
    expect(first.nextToken).toEqual(expect.any(String));
    const none = await client.send(new ListInferenceProfilesCommand({ typeEquals: "APPLICATION" }));
    expect(none.inferenceProfileSummaries).toEqual([]);
    expect(none.nextToken).toBeUndefined();
  });

  it.each([
    [
      "maxResults=0",
      "Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1",
    ],
    [
      "maxResults=1001",
      "Value '1001' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000",
    ],
    [
      "type=SOMEONE",
      "Value 'SOMEONE' at 'typeEquals' failed to satisfy constraint: Member must satisfy enum value set: [SYSTEM_DEFINED, APPLICATION]",
    ],
    [
      "nextToken=bm90LWEtdG9rZW4",
      'nextToken "bm90LWEtdG9rZW4" was not issued for this ListInferenceProfiles request',
    ],
  ])("refuses %s", async (query, message) => {
    // Unsigned (the helper signs paths without a query): Region us-east-1, the control plane's default.
    const unsigned = await startEmulator({ verifySignature: false });
    const response = await rawRequest(unsigned, `/inference-profiles?${query}`, {
      method: "GET",
      sign: false,
    });
    await unsigned.close();
    expect(response.status).toBe(400);
    expect(response.headers["x-amzn-errortype"]).toMatch(/^ValidationException:/);
    expect(String(json(response).message)).toContain(message);
  });

  it("answers GetFoundationModel and GetInferenceProfile, and ResourceNotFound for what is not listed", async () => {
    const model = await client.send(
      new GetFoundationModelCommand({ modelIdentifier: "meta.llama3-8b-instruct-v1:0" }),
    );
    expect(model.modelDetails?.modelId).toBe("meta.llama3-8b-instruct-v1:0");
    const byArn = await client.send(
      new GetFoundationModelCommand({
        modelIdentifier: "arn:aws:bedrock:us-east-1::foundation-model/meta.llama3-8b-instruct-v1:0",
      }),
    );
    expect(byArn.modelDetails?.modelName).toBe(catalog["meta.llama3-8b-instruct-v1:0"].name);
    const profileId = deriveControlPlaneData(Object.values(catalog), today).regions["us-east-1"]!
      .inferenceProfileSummaries[0]!.inferenceProfileId;
    const profile = await client.send(
      new GetInferenceProfileCommand({ inferenceProfileIdentifier: profileId }),
    );
    expect(profile.inferenceProfileId).toBe(profileId);
    expect(profile.type).toBe("SYSTEM_DEFINED");
    const missing = await failure(
      client.send(new GetFoundationModelCommand({ modelIdentifier: "acme.nothing-v1" })),
    );
    expect(missing.name).toBe("ResourceNotFoundException");
    expect(missing.$metadata.httpStatusCode).toBe(404);
  });

  it("refuses a credential scope naming a Region it has no data for, as AWS words it", async () => {
    const elsewhere = controlPlaneClient(emulator, "xx-nowhere-1");
    const error = await failure(elsewhere.send(new ListFoundationModelsCommand({})));
    elsewhere.destroy();
    expect(error.name).toBe("InvalidSignatureException");
    expect(error.$metadata.httpStatusCode).toBe(403);
    expect(error.message.trim()).toBe("Credential should be scoped to a valid region, not 'xx-nowhere-1'.");
  });

  it("still answers the runtime API beside the control plane, and unknown control-plane operations as before", async () => {
    const unknown = await rawRequest(emulator, "/foundation-models", { method: "POST", body: "{}" });
    expect(unknown.status).toBe(404);
    expect(unknown.headers["x-amzn-errortype"]).toMatch(/^UnknownOperationException:/);
    const unsigned = await rawRequest(emulator, "/foundation-models", { method: "GET", sign: false });
    expect(unsigned.status).toBe(403);
  });
});

describe("the emulator's control plane from given data", () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), "bedrock-forge-control-plane-"));
  });
  afterAll(() => rm(work, { recursive: true, force: true }));

  it("serves Bedrock's real us-east-1 answer of 2026-10-07 as the SDK reads it", async () => {
    const emulator = await startEmulator({ controlPlane: { data: fixture.pathname } });
    const client = controlPlaneClient(emulator);
    try {
      const answer = await client.send(new ListFoundationModelsCommand({ byProvider: "mistral ai" }));
      expect(answer.modelSummaries?.map((model) => model.modelId)).toContain("mistral.voxtral-mini-3b-2507");
      const voxtral = answer.modelSummaries!.find(
        (model) => model.modelId === "mistral.voxtral-mini-3b-2507",
      )!;
      expect(voxtral.inputModalities).toEqual(["SPEECH", "TEXT"]);
      const profiled = await client.send(
        new ListFoundationModelsCommand({ byInferenceType: "INFERENCE_PROFILE" as never }),
      );
      expect(profiled.modelSummaries?.map((model) => model.modelId)).toContain("openai.gpt-5.4");
    } finally {
      client.destroy();
      await emulator.close();
    }
  });

  it("reads timestamps given as ISO strings or epoch seconds, and sends date-time strings", async () => {
    const data = {
      regions: {
        "eu-west-1": {
          modelSummaries: [
            {
              modelArn: "arn:aws:bedrock:eu-west-1::foundation-model/acme.model-v1",
              modelId: "acme.model-v1",
              modelLifecycle: {
                status: "LEGACY",
                legacyTime: 1788220800,
                endOfLifeTime: "2027-03-01T00:00:00Z",
              },
            },
          ],
        },
      },
    };
    const file = path.join(work, "data.json");
    await writeFile(file, JSON.stringify(data));
    const emulator = await startEmulator({ controlPlane: { data: file } });
    const client = controlPlaneClient(emulator, "eu-west-1");
    try {
      const answer = await client.send(new ListFoundationModelsCommand({}));
      const lifecycle = answer.modelSummaries![0]!.modelLifecycle!;
      expect(lifecycle.legacyTime?.toISOString()).toBe("2026-09-01T00:00:00.000Z");
      expect(lifecycle.endOfLifeTime?.toISOString()).toBe("2027-03-01T00:00:00.000Z");
      const raw = await rawRequest(emulator, "/foundation-models", { method: "GET", region: "eu-west-1" });
      const wire = (json(raw).modelSummaries as { modelLifecycle: Record<string, unknown> }[])[0]!
        .modelLifecycle;
      expect(wire).toEqual({
        status: "LEGACY",
        legacyTime: "2026-09-01T00:00:00Z",
        endOfLifeTime: "2027-03-01T00:00:00Z",
      });
      const profiles = await client.send(new ListInferenceProfilesCommand({}));
      expect(profiles.inferenceProfileSummaries).toEqual([]);
    } finally {
      client.destroy();
      await emulator.close();
    }
  });

  it.each([
    [
      { regions: { "us-east-1": { modelSummaries: [{ modelArn: "x" }] } } },
      `regions["us-east-1"].modelSummaries[0] must have required property 'modelId'`,
    ],
    [
      { regions: { "us-east-1": { modelSummaries: [], extra: 1 } } },
      `regions["us-east-1"]: unknown member "extra"`,
    ],
    [{ regions: { useast1: { modelSummaries: [] } } }, `"useast1" is not a Region name`],
    [
      {
        regions: {
          "us-east-1": {
            modelSummaries: [{ modelArn: "x", modelId: "y", modelLifecycle: { status: "GONE" } }],
          },
        },
      },
      `regions["us-east-1"].modelSummaries[0].modelLifecycle.status must be equal to one of the allowed values`,
    ],
    [
      {
        regions: {
          "us-east-1": {
            modelSummaries: [
              { modelArn: "x", modelId: "y", modelLifecycle: { status: "ACTIVE", legacyTime: "soon" } },
            ],
          },
        },
      },
      `regions["us-east-1"].modelSummaries[0].modelLifecycle.legacyTime: "soon" is not a timestamp`,
    ],
    [{ models: [] }, "the top level must have required property 'regions'"],
  ])("refuses bad data before it listens: %j", async (data, message) => {
    await expect(
      startEmulator({ controlPlane: { data: data as unknown as ControlPlaneData } }),
    ).rejects.toThrow(message);
  });

  it("names the file that is not JSON", async () => {
    const file = path.join(work, "broken.json");
    await writeFile(file, "{ not json");
    await expect(startEmulator({ controlPlane: { data: file } })).rejects.toThrow(
      `control-plane data ${file} is not JSON`,
    );
  });

  it("denies listed access keys and API keys as IAM does, and lets others through", async () => {
    const denied = { accessKeyId: "AKIADENIEDEXAMPLE000", secretAccessKey: "denied-secret" };
    const emulator = await startEmulator({
      credentials: [credentials, denied],
      apiKeys: ["ABSK-denied"],
      controlPlane: { deniedAccessKeys: [denied.accessKeyId, "ABSK-denied"] },
    });
    const refused = controlPlaneClient(emulator, "us-east-1", denied);
    const allowed = controlPlaneClient(emulator);
    try {
      const error = await failure(refused.send(new ListInferenceProfilesCommand({})));
      expect(error.name).toBe("AccessDeniedException");
      expect(error.$metadata.httpStatusCode).toBe(403);
      expect(error.message).toBe(
        "User: arn:aws:iam::123456789012:user/example is not authorized to perform: bedrock:ListInferenceProfiles because no identity-based policy allows the bedrock:ListInferenceProfiles action",
      );
      const bearer = await rawRequest(emulator, "/foundation-models", {
        method: "GET",
        sign: false,
        headers: { authorization: "Bearer ABSK-denied" },
      });
      expect(bearer.status).toBe(403);
      expect(String(json(bearer).message)).toContain("bedrock:ListFoundationModels");
      expect(
        (await allowed.send(new ListFoundationModelsCommand({}))).modelSummaries?.length,
      ).toBeGreaterThan(0);
    } finally {
      refused.destroy();
      allowed.destroy();
      await emulator.close();
    }
  });
});
