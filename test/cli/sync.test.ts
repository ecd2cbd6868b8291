import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import type { Output } from "../../cli/command.js";
import { runCli as runInProcess } from "../../cli/main.js";
import { type ControlPlaneData, deriveControlPlaneData } from "../../emulator/control-plane.js";
import { startEmulator } from "../../emulator/server.js";
import type { Emulator } from "../../emulator/types.js";
import { catalog } from "../../generated/catalog.js";
import type { CatalogEntry } from "../../runtime/descriptor.js";
import { lifecycleStateOf } from "../../runtime/lifecycle.js";
import { cleanEnvironment, repositoryRoot, runCli, runCliInProcess } from "./run-cli.js";

/** AWS's documented example keys, which the emulator accepts. */
const exampleKeys = {
  AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
  AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
};
const today = new Date().toISOString().slice(0, 10);
const region = "us-east-1";

/** A model Bedrock "adds": served only through us. and global. profiles, text and image in, text out. */
const NEW_MODEL = "anthropic.claude-sonnet-9";
/** A model Bedrock "adds" that no catalog family can take (speech out). */
const NEW_SPEECH_MODEL = "amazon.nova-9-sonic-v1:0";
/**
 * A model Bedrock "adds" on demand whose closest catalog model, Claude Sonnet 4.6, defines a YAML anchor
 * (`capabilities: &claude46`) that later models alias: the copy must change none of them.
 */
const NEW_ANCHORED_MODEL = "anthropic.claude-sonnet-4-6-v2";

function capture(): Output & { text: string } {
  return {
    text: "",
    write(text: string) {
      this.text += text;
    },
  };
}

function arn(modelId: string): string {
  return `arn:aws:bedrock:${region}::foundation-model/${modelId}`;
}

/** Catalog models listed for us-east-1 today that are neither legacy nor retired. */
function activeHere(): CatalogEntry[] {
  return Object.values(catalog).filter(
    (entry) => entry.regions.includes(region) && lifecycleStateOf(entry.deprecated, today) === "active",
  );
}

/**
 * Bedrock's lists for us-east-1 as the catalog implies them, then changed the way Bedrock changes:
 * two models added (one through profiles only), one retired, one made LEGACY, a profile dropped and
 * one added, and a provisioned-only variant listed. The catalog models are picked from the catalog
 * as it is, so the test follows it when models are added.
 */
function changedData() {
  const data: ControlPlaneData = deriveControlPlaneData(Object.values(catalog), today);
  const listing = data.regions[region]!;
  const candidates = activeHere();
  const gone = candidates.find((entry) => entry.profiles.length === 0)!;
  const legacy = candidates.find((entry) => entry.id !== gone.id && entry.profiles.length === 0)!;
  const profileDropped = listing.inferenceProfileSummaries.find((profile) =>
    profile.inferenceProfileId.startsWith("us."),
  )!.inferenceProfileId;
  const widened = candidates.find(
    (entry) => entry.profiles.includes("us") && !entry.profiles.includes("global") && entry.id !== gone.id,
  )!;
  listing.modelSummaries = listing.modelSummaries.filter((model) => model.modelId !== gone.id);
  listing.modelSummaries.find((model) => model.modelId === legacy.id)!.modelLifecycle = {
    status: "LEGACY",
    legacyTime: "2026-11-01T00:00:00Z",
    endOfLifeTime: "2027-05-01T00:00:00Z",
  };
  listing.modelSummaries.push(
    {
      modelArn: arn(NEW_MODEL),
      modelId: NEW_MODEL,
      modelName: "Claude Sonnet 9",
      providerName: "Anthropic",
      inputModalities: ["TEXT", "IMAGE"],
      outputModalities: ["TEXT"],
      responseStreamingSupported: true,
      customizationsSupported: [],
      inferenceTypesSupported: ["INFERENCE_PROFILE"],
      modelLifecycle: { status: "ACTIVE", startOfLifeTime: "2026-11-20T00:00:00Z" },
    },
    {
      modelArn: arn(NEW_SPEECH_MODEL),
      modelId: NEW_SPEECH_MODEL,
      modelName: "Nova 9 Sonic",
      providerName: "Amazon",
      inputModalities: ["SPEECH"],
      outputModalities: ["SPEECH", "TEXT"],
      responseStreamingSupported: true,
      inferenceTypesSupported: ["ON_DEMAND"],
      modelLifecycle: { status: "ACTIVE" },
    },
    {
      modelArn: arn(NEW_ANCHORED_MODEL),
      modelId: NEW_ANCHORED_MODEL,
      modelName: "Claude Sonnet 4.6 v2",
      providerName: "Anthropic",
      inputModalities: ["TEXT", "IMAGE"],
      outputModalities: ["TEXT"],
      responseStreamingSupported: true,
      inferenceTypesSupported: ["ON_DEMAND"],
      modelLifecycle: {
        status: "LEGACY",
        legacyTime: "2026-12-01T00:00:00Z",
        endOfLifeTime: "2027-06-01T00:00:00Z",
      },
    },
    // A provisioned-throughput variant (as amazon.nova-lite-v1:0:24k is listed): never "missing".
    {
      modelArn: arn(`${legacy.id}:24k`),
      modelId: `${legacy.id}:24k`,
      inferenceTypesSupported: ["PROVISIONED"],
      modelLifecycle: { status: "ACTIVE" },
    },
  );
  const profile = (prefix: string, modelId: string) => ({
    inferenceProfileName: `${prefix} ${modelId}`,
    inferenceProfileId: `${prefix}.${modelId}`,
    inferenceProfileArn: `arn:aws:bedrock:${region}:123456789012:inference-profile/${prefix}.${modelId}`,
    models: ["us-east-1", "us-east-2", "us-west-2"].map((route) => ({
      modelArn: `arn:aws:bedrock:${route}::foundation-model/${modelId}`,
    })),
    status: "ACTIVE",
    type: "SYSTEM_DEFINED",
  });
  listing.inferenceProfileSummaries = [
    ...listing.inferenceProfileSummaries.filter((item) => item.inferenceProfileId !== profileDropped),
    profile("us", NEW_MODEL),
    profile("global", NEW_MODEL),
    profile("global", widened.id),
  ];
  const legacyIds = listing.modelSummaries
    .filter((model) => model.modelLifecycle?.status === "LEGACY" && Object.hasOwn(catalog, model.modelId))
    .map((model) => model.modelId)
    .sort();
  return {
    data,
    gone: gone.id,
    legacy: legacy.id,
    legacyIds,
    profileDropped,
    profileAdded: `global.${widened.id}`,
    profileCount: listing.inferenceProfileSummaries.length,
  };
}

describe("bedrock-forge sync against the emulator's control plane", { timeout: 120_000 }, () => {
  const changed = changedData();
  let emulator: Emulator;
  let work: string;
  beforeAll(async () => {
    // Three profiles a page, so every run pages through ListInferenceProfiles.
    emulator = await startEmulator({ controlPlane: { data: changed.data, pageSize: 3 } });
    work = await mkdtemp(path.join(os.tmpdir(), "bedrock-forge-sync-"));
  });
  afterAll(async () => {
    await emulator.close();
    await rm(work, { recursive: true, force: true });
  });

  it("prints missing, legacy and gone ids and the profile differences as one JSON object (child process)", async () => {
    const before = emulator.requests.length;
    const result = await runCli(["sync", "--endpoint", emulator.url, "--region", region, "--json"], {
      env: cleanEnvironment(exampleKeys),
      timeoutMs: 60_000,
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.region).toBe(region);
    expect(report.missing).toEqual([NEW_SPEECH_MODEL, NEW_ANCHORED_MODEL, NEW_MODEL]);
    expect(report.legacy).toEqual(changed.legacyIds);
    expect(report.legacy).toContain(changed.legacy);
    expect(report.gone).toEqual([changed.gone]);
    expect(report.profiles).toEqual({ missing: [changed.profileAdded], gone: [changed.profileDropped] });
    expect(report.ignored).toEqual([{ id: `${changed.legacy}:24k`, reason: "provisioned throughput only" }]);
    const sonnet = report.details.missing.find((model: { id: string }) => model.id === NEW_MODEL);
    expect(sonnet).toMatchObject({
      inferenceTypes: ["INFERENCE_PROFILE"],
      profiles: ["global", "us"],
      family: { family: "anthropic-claude-messages" },
    });
    const marked = report.details.legacy.find((model: { id: string }) => model.id === changed.legacy);
    expect(marked).toMatchObject({
      legacySince: "2026-11-01",
      endOfLife: "2027-05-01",
      catalogState: "active",
    });
    // Every page of ListInferenceProfiles was read: one ListFoundationModels, then ⌈profiles / 3⌉ pages.
    const seen = emulator.requests.slice(before);
    expect(seen.filter((request) => request.path === "/foundation-models")).toHaveLength(1);
    expect(seen.filter((request) => request.path === "/inference-profiles")).toHaveLength(
      Math.ceil(changed.profileCount / 3),
    );
    for (const request of seen)
      expect(request.headers.authorization).toContain(`/${region}/bedrock/aws4_request`);
  });

  it("prints a report for people (in process)", async () => {
    const stdout = capture();
    const stderr = capture();
    const code = await runInProcess(["sync", "--endpoint", emulator.url, "--region", region], {
      stdout,
      stderr,
      env: exampleKeys,
      cwd: repositoryRoot,
    });
    expect(stderr.text).toBe("");
    expect(code).toBe(0);
    const text = stdout.text;
    expect(text).toContain(`Bedrock in ${region}:`);
    expect(text).toMatch(/Missing: Bedrock serves 3 models the catalog lacks/);
    expect(text).toMatch(
      new RegExp(
        `${NEW_MODEL.replace(/\./g, "\\.")} +Claude Sonnet 9 +TEXT,IMAGE → TEXT +profiles only +global,us +anthropic-claude-messages \\(like `,
      ),
    );
    expect(text).toContain("— no catalog operation produces SPEECH output");
    expect(text).toMatch(
      new RegExp(`Legacy: Bedrock marks ${changed.legacyIds.length} catalog models? LEGACY`),
    );
    expect(text).toMatch(
      new RegExp(`${changed.legacy.replace(/[.:]/g, "\\$&")} +2026-11-01 +2027-05-01 +active`),
    );
    expect(text).toContain(
      `Gone: 1 catalog model listed for ${region} that Bedrock no longer lists\n  ${changed.gone}\n`,
    );
    expect(text).toContain(`Bedrock lists, the catalog lacks the prefix:\n    ${changed.profileAdded}\n`);
    expect(text).toContain(`Bedrock lists no such profile from ${region}:\n    ${changed.profileDropped}\n`);
    expect(text).toContain("Left out: 1 provisioned-throughput-only entry");
  });

  it("--write scaffolds the missing model into its family in a copy of the specs, marked unverified; generate agrees", async () => {
    const specs = path.join(work, "specs");
    const out = path.join(work, "generated");
    await cp(path.join(repositoryRoot, "specs"), specs, { recursive: true });
    const before = await readFile(path.join(specs, "anthropic-claude-messages.yaml"), "utf8");
    // In process: sync reads its credentials from the command's environment, as the JSON test above shows
    // for a child process.
    const result = await runCliInProcess(
      ["sync", "--endpoint", emulator.url, "--region", region, "--write", "--specs", specs, "--out", out],
      { env: exampleKeys, cwd: work },
    );
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Wrote 2 models (marked unverified):");
    expect(result.stdout).toMatch(
      new RegExp(
        `${NEW_MODEL.replace(/\./g, "\\.")} → specs/anthropic-claude-messages\\.yaml \\(family anthropic-claude-messages, copied from `,
      ),
    );
    expect(result.stdout).toContain(
      `Not written (1):\n  ${NEW_SPEECH_MODEL}: no catalog operation produces SPEECH output`,
    );

    const after = await readFile(path.join(specs, "anthropic-claude-messages.yaml"), "utf8");
    // Only lines were added; every line of the spec is still there, in order.
    const beforeLines = before.split("\n");
    let cursor = 0;
    for (const line of after.split("\n")) if (line === beforeLines[cursor]) cursor += 1;
    expect(cursor).toBe(beforeLines.length);
    expect(after).toContain(
      `# unverified: added by \`bedrock-forge sync --write\` from Bedrock's lists for ${region} on ${today}`,
    );
    const models = (parseDocument(after).toJS() as { models: Record<string, unknown>[] }).models;
    const added = models.find((model) => model.id === NEW_MODEL)!;
    expect(added).toMatchObject({
      name: "Claude Sonnet 9",
      regions: [region],
      profiles: ["global", "us"],
      profile_only: true,
    });
    expect(added.input_modalities).toEqual(expect.arrayContaining(["text", "image"]));
    const previous = (parseDocument(before).toJS() as { models: Record<string, unknown>[] }).models;
    const anchored = models.find((model) => model.id === NEW_ANCHORED_MODEL)!;
    const sonnet46 = previous.find((model) => model.id === "anthropic.claude-sonnet-4-6")!;
    expect(anchored).toMatchObject({
      name: "Claude Sonnet 4.6 v2",
      regions: [region],
      capabilities: sonnet46.capabilities,
      deprecated: { legacy_since: "2026-12-01", end_of_life: "2027-06-01" },
    });
    expect(anchored.profile_only).toBeUndefined();
    // Every other model is as it was.
    expect(models.filter((model) => model.id !== NEW_MODEL && model.id !== NEW_ANCHORED_MODEL)).toEqual(
      previous,
    );
    // No other spec was touched.
    for (const file of ["amazon-nova.yaml", "meta-llama3.yaml"])
      expect(await readFile(path.join(specs, file), "utf8")).toBe(
        await readFile(path.join(repositoryRoot, "specs", file), "utf8"),
      );

    const catalogText = await readFile(path.join(out, "catalog.ts"), "utf8");
    expect(catalogText).toContain(`"${NEW_MODEL}": {`);
    expect(catalogText).toContain(`"${NEW_ANCHORED_MODEL}": {`);
    const check = await runCli(["generate", "--check", "--specs", specs, "--out", out], {
      cwd: work,
      timeoutMs: 90_000,
    });
    expect(check.stderr).toBe("");
    expect(check.code).toBe(0);
    // The new lines are formatted as Biome formats the specs (npm run lint checks them): exit 0, no diff.
    const biome = await promisify(execFile)(
      path.join(repositoryRoot, "node_modules", ".bin", "biome"),
      ["format", "--config-path", repositoryRoot, path.join(specs, "anthropic-claude-messages.yaml")],
      { cwd: work, encoding: "utf8" },
    );
    expect(`${biome.stdout}${biome.stderr}`).toContain("Checked 1 file");
  });

  it("fails with exit 1 naming what was wrong: access denied, a Region the endpoint does not serve", async () => {
    const denied = await startEmulator({
      controlPlane: { deniedAccessKeys: [exampleKeys.AWS_ACCESS_KEY_ID] },
    });
    try {
      const stdout = capture();
      const stderr = capture();
      const code = await runInProcess(["sync", "--endpoint", denied.url, "--region", region], {
        stdout,
        stderr,
        env: exampleKeys,
        cwd: repositoryRoot,
      });
      expect(code).toBe(1);
      expect(stdout.text).toBe("");
      expect(stderr.text).toContain(
        `bedrock-forge sync: access denied by ${denied.url}: the caller needs bedrock:ListFoundationModels and bedrock:ListInferenceProfiles`,
      );
      expect(stderr.text).toContain("is not authorized to perform: bedrock:ListFoundationModels");
    } finally {
      await denied.close();
    }
    const stderr = capture();
    const code = await runInProcess(["sync", "--endpoint", emulator.url, "--region", "us-nowhere-1"], {
      stdout: capture(),
      stderr,
      env: exampleKeys,
      cwd: repositoryRoot,
    });
    expect(code).toBe(1);
    expect(stderr.text).toContain(
      `${emulator.url} does not serve the Region the request was signed for; check --region`,
    );
    expect(stderr.text).toContain("Credential should be scoped to a valid region, not 'us-nowhere-1'.");
  });

  it("fails with exit 1 for keys the endpoint does not know", async () => {
    const stderr = capture();
    const code = await runInProcess(["sync", "--endpoint", emulator.url, "--region", region], {
      stdout: capture(),
      stderr,
      env: { AWS_ACCESS_KEY_ID: "AKIAUNKNOWNEXAMPLE00", AWS_SECRET_ACCESS_KEY: "not-a-secret" },
      cwd: repositoryRoot,
    });
    expect(code).toBe(1);
    expect(stderr.text).toContain(`${emulator.url} refused the credentials (UnrecognizedClientException)`);
  });

  it("fails with exit 1 when nothing answers at the endpoint, and without credentials (child processes)", async () => {
    const port = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, "127.0.0.1", () => {
        const { port: free } = server.address() as net.AddressInfo;
        server.close(() => resolve(free));
      });
    });
    const endpoint = `http://127.0.0.1:${port}`;
    const unreachable = await runCli(["sync", "--endpoint", endpoint, "--region", region], {
      env: cleanEnvironment(exampleKeys),
      timeoutMs: 60_000,
    });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain(`bedrock-forge sync: could not reach ${endpoint} (ECONNREFUSED)`);
    const missing = path.join(work, "no-such-file");
    const noCredentials = await runCli(["sync", "--endpoint", emulator.url, "--region", region], {
      env: cleanEnvironment({ AWS_CONFIG_FILE: missing, AWS_SHARED_CREDENTIALS_FILE: missing }),
      timeoutMs: 60_000,
    });
    expect(noCredentials.code).toBe(1);
    expect(noCredentials.stderr).toContain("bedrock-forge sync: no AWS credentials: set AWS_ACCESS_KEY_ID");
  });

  it("takes credentials and the Region from a --profile (child process)", async () => {
    const config = path.join(work, "config");
    const credentialsFile = path.join(work, "credentials");
    await writeFile(config, "[profile sync-test]\nregion = us-east-1\n");
    await writeFile(
      credentialsFile,
      `[sync-test]\naws_access_key_id = ${exampleKeys.AWS_ACCESS_KEY_ID}\naws_secret_access_key = ${exampleKeys.AWS_SECRET_ACCESS_KEY}\n`,
    );
    const result = await runCli(["sync", "--endpoint", emulator.url, "--profile", "sync-test", "--json"], {
      env: cleanEnvironment({ AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: credentialsFile }),
      timeoutMs: 60_000,
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.region).toBe(region);
    expect(report.gone).toEqual([changed.gone]);
  });

  it("--write refuses an --out folder holding files the generator did not write, before asking Bedrock or touching a spec", async () => {
    const specs = path.join(work, "specs-foreign-out");
    const out = path.join(work, "not-generated");
    await cp(path.join(repositoryRoot, "specs"), specs, { recursive: true });
    await mkdir(out, { recursive: true });
    await writeFile(path.join(out, "notes.md"), "mine\n");
    const before = await readFile(path.join(specs, "anthropic-claude-messages.yaml"), "utf8");
    const requests = emulator.requests.length;
    const stderr = capture();
    const code = await runInProcess(
      ["sync", "--endpoint", emulator.url, "--region", region, "--write", "--specs", specs, "--out", out],
      { stdout: capture(), stderr, env: exampleKeys, cwd: work },
    );
    expect(code).toBe(2);
    expect(stderr.text).toContain(`--out ${out} holds files the generator did not write (notes.md)`);
    expect(emulator.requests.length).toBe(requests);
    expect(await readFile(path.join(specs, "anthropic-claude-messages.yaml"), "utf8")).toBe(before);
    expect(await readFile(path.join(out, "notes.md"), "utf8")).toBe("mine\n");
  });

  it.each([
    [["--region", "nowhere"], '--region "nowhere" is not an AWS region name'],
    [["--endpoint", "localhost:4010"], '--endpoint "localhost:4010" is not an http(s) URL'],
    [["--specs", "specs"], "--specs and --out are for --write"],
    [["--regoin", "us-east-1"], "Unknown option '--regoin'"],
  ])("refuses bad usage with exit 2: %j", async (args, message) => {
    const stderr = capture();
    const code = await runInProcess(["sync", ...args], {
      stdout: capture(),
      stderr,
      env: {},
      cwd: repositoryRoot,
    });
    expect(code).toBe(2);
    expect(stderr.text).toContain(message);
    expect(stderr.text).toContain("Usage: bedrock-forge sync");
  });
});
