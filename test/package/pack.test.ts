// Packs the package once and installs the tarball into a fresh project the way a user would (`npm ci`,
// engine-strict), with the dependency versions of this repository's lock, from npm's cache (the
// registry only for what the cache lacks); then measures the install, typechecks a consumer with
// strict tsc and runs the package's entry points and CLI. Slow (a build, a pack and an install): the
// one test file that does this.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, lstat, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generatorTools } from "../../cli/repository.js";
import { repositoryRoot } from "../cli/run-cli.js";

const run = promisify(execFile);
const semver = createRequire(import.meta.url)("semver") as {
  satisfies(version: string, range: string): boolean;
};
let work: string;
let consumer: string;
let installLog: string;

/** The Node versions the package supports: the first release of each line it claims (README). */
const supportedNodeFloors = ["20.12.0", "22.0.0", "24.0.0"];
/** A consumer's install must stay at or under this many bytes (issue: 78 MB before the generator's tools left). */
const installBudgetBytes = 45 * 1024 * 1024;

interface LockEntry {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  dev?: boolean;
  devOptional?: boolean;
  [key: string]: unknown;
}

/** Where Node finds `name` from the package at lock path `from` (`node_modules/a/node_modules/b` …). */
function resolveLockPath(
  packages: Record<string, LockEntry>,
  from: string,
  name: string,
): string | undefined {
  let base = from;
  for (;;) {
    const candidate = `${base ? `${base}/` : ""}node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (!base) return undefined;
    const parent = base.lastIndexOf("/node_modules/");
    base = parent < 0 ? "" : base.slice(0, parent);
  }
}

/** The lock entries a package with these dependencies installs: the closure, at the repository's versions. */
function selectLockEntries(
  packages: Record<string, LockEntry>,
  roots: readonly string[],
): Map<string, LockEntry> {
  const selected = new Map<string, LockEntry>();
  const queue = roots.map((name) => resolveLockPath(packages, "", name));
  while (queue.length > 0) {
    const at = queue.pop();
    if (at === undefined || selected.has(at)) continue;
    const { dev: _dev, devOptional: _devOptional, ...entry } = packages[at]!;
    selected.set(at, entry);
    for (const name of Object.keys({
      ...entry.dependencies,
      ...entry.optionalDependencies,
      ...entry.peerDependencies,
    }))
      queue.push(resolveLockPath(packages, at, name));
  }
  return selected;
}

/** Bytes of every file under `dir` (links counted as links). */
async function measureBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) total += await measureBytes(file);
    else total += (await lstat(file)).size;
  }
  return total;
}

/** Every installed package's `package.json` under a node_modules folder. */
async function listInstalledPackages(
  dir: string,
): Promise<{ name: string; version: string; engines?: { node?: string } }[]> {
  const found: { name: string; version: string; engines?: { node?: string } }[] = [];
  if (!existsSync(dir)) return found;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith(".")) continue;
    const folders = entry.name.startsWith("@")
      ? (await readdir(path.join(dir, entry.name))).map((name) => path.join(dir, entry.name, name))
      : [path.join(dir, entry.name)];
    for (const folder of folders) {
      const manifest = path.join(folder, "package.json");
      if (existsSync(manifest)) found.push(JSON.parse(await readFile(manifest, "utf8")));
      found.push(...(await listInstalledPackages(path.join(folder, "node_modules"))));
    }
  }
  return found;
}

const consumerSource = `import {
  BedrockForgeError,
  type ChatCompletion,
  type ChatCompletionChunk,
  type CreateEmbeddingResponse,
  createBedrock,
  type ImagesResponse,
  type KnownModelRef,
  RequestValidationError,
} from "bedrock-forge";
import { catalog, type ModelId, modelIds } from "bedrock-forge/catalog";

const bedrock = createBedrock({ region: "us-east-1", drop_params: true });

// Typed model ids: catalog ids and their cross-region profiles.
const haiku: ModelId = "anthropic.claude-3-haiku-20240307-v1:0";
const profile: KnownModelRef = "us.anthropic.claude-3-haiku-20240307-v1:0";
// @ts-expect-error not a catalog model id
const misspelt: ModelId = "anthropic.claude-3-haiku";

// Typed per-model params: Claude takes top_k, Llama 3 does not.
const reply: ChatCompletion = await bedrock.chat.completions.create({
  model: haiku,
  messages: [{ role: "user", content: "Hello" }],
  top_k: 5,
});
await bedrock.chat.completions.create({
  model: "meta.llama3-8b-instruct-v1:0",
  messages: [{ role: "user", content: "Hello" }],
  // @ts-expect-error Llama 3 has no top_k
  top_k: 5,
});
await bedrock.chat.completions.create({
  model: haiku,
  messages: [{ role: "user", content: "Hello" }],
  // @ts-expect-error top_k is a number
  top_k: "five",
});
// Models the catalog does not know take anything (ARNs, newer models).
await bedrock.chat.completions.create({
  model: "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc",
  messages: [{ role: "user", content: "Hello" }],
  some_new_param: true,
});

// Typed results.
const text: string | null = reply.choices[0]!.message.content;
const cost: number | null = reply.usage.cost;
// @ts-expect-error usage has no price field
reply.usage.price;
const stream = await bedrock.chat.completions.create({ model: profile, messages: [{ role: "user", content: "Hi" }], stream: true });
for await (const chunk of stream) {
  const typed: ChatCompletionChunk = chunk;
  console.log(typed.choices[0]?.delta.content);
}
const vectors: CreateEmbeddingResponse = await bedrock.embeddings.create({
  model: "amazon.titan-embed-text-v2:0",
  input: ["hi"],
  dimensions: 256,
  normalize: true,
});
const images: ImagesResponse["data"] = [];
const window: number | undefined = catalog[haiku].contextWindow;
console.log(text, cost, vectors.usage.cost, images, window, modelIds.length, misspelt);
console.log(BedrockForgeError.isInstance(new Error()), RequestValidationError.name);
`;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), "bedrock-forge-pack-"));
  // Pack from a copy, so building dist/ never races other tests that run the repository's CLI.
  const staging = path.join(work, "package");
  const packageJson = JSON.parse(await readFile(path.join(repositoryRoot, "package.json"), "utf8"));
  const buildConfig = JSON.parse(await readFile(path.join(repositoryRoot, "tsconfig.build.json"), "utf8"));
  const entries = new Set<string>([
    "package.json",
    "tsconfig.json",
    "tsconfig.build.json",
    ...(buildConfig.include as string[]),
    ...(packageJson.files as string[]),
  ]);
  entries.delete("dist");
  await mkdir(staging);
  for (const entry of entries)
    if (existsSync(path.join(repositoryRoot, entry)))
      await cp(path.join(repositoryRoot, entry), path.join(staging, entry), { recursive: true });
  await symlink(path.join(repositoryRoot, "node_modules"), path.join(staging, "node_modules"), "dir");
  const packed = await run("npm", ["pack", "--pack-destination", work, "--json"], { cwd: staging });
  const name = (JSON.parse(packed.stdout) as { filename: string }[])[0]!.filename;

  // The consumer's lock: the package itself from the tarball, its dependencies at this repository's
  // locked versions. `npm ci` then installs exactly that, engine-strict (a dependency whose engines
  // exclude the running Node fails the install, as EBADENGINE would warn a user).
  consumer = path.join(work, "consumer");
  await mkdir(consumer);
  const lock = JSON.parse(await readFile(path.join(repositoryRoot, "package-lock.json"), "utf8")) as {
    packages: Record<string, LockEntry>;
  };
  const selected = selectLockEntries(lock.packages, Object.keys(packageJson.dependencies));
  const tarballSpec = `file:../${name}`;
  await writeFile(
    path.join(consumer, "package.json"),
    JSON.stringify({
      name: "consumer",
      private: true,
      type: "module",
      dependencies: { "bedrock-forge": tarballSpec },
    }),
  );
  await writeFile(
    path.join(consumer, "package-lock.json"),
    JSON.stringify({
      name: "consumer",
      lockfileVersion: 3,
      requires: true,
      packages: {
        "": { name: "consumer", dependencies: { "bedrock-forge": tarballSpec } },
        "node_modules/bedrock-forge": {
          version: packageJson.version,
          resolved: tarballSpec,
          license: packageJson.license,
          dependencies: packageJson.dependencies,
          bin: packageJson.bin,
          engines: packageJson.engines,
        },
        ...Object.fromEntries(selected),
      },
    }),
  );
  const installed = await run(
    "npm",
    ["ci", "--prefer-offline", "--engine-strict", "--no-audit", "--no-fund", "--loglevel=warn"],
    { cwd: consumer },
  );
  installLog = `${installed.stdout}${installed.stderr}`;
}, 300_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe("the packed package", () => {
  it(`installs lean: within ${installBudgetBytes / 1024 / 1024} MB, without the generator's tools`, async () => {
    const bytes = await measureBytes(path.join(consumer, "node_modules"));
    console.info(`consumer node_modules: ${(bytes / 1024 / 1024).toFixed(1)} MB (file sizes)`);
    expect(bytes).toBeLessThanOrEqual(installBudgetBytes);
    const names = new Set(
      (await listInstalledPackages(path.join(consumer, "node_modules"))).map((entry) => entry.name),
    );
    for (const tool of [...generatorTools, "@ts-morph/common", "prettier"])
      expect(names.has(tool), tool).toBe(false);
  });

  it("installs without an engine warning, and every installed package allows each supported Node line", async () => {
    expect(installLog).not.toMatch(/EBADENGINE|notsup/);
    const packages = await listInstalledPackages(path.join(consumer, "node_modules"));
    expect(packages.length).toBeGreaterThan(20);
    const excluded = packages.flatMap((entry) =>
      supportedNodeFloors
        .filter(
          (version) => entry.engines?.node !== undefined && !semver.satisfies(version, entry.engines.node),
        )
        .map(
          (version) =>
            `${entry.name}@${entry.version} (engines ${entry.engines!.node}) excludes Node ${version}`,
        ),
    );
    expect(excluded).toEqual([]);
  });

  it("says that generate and scaffold are repository commands (exit 2), naming what to do instead", async () => {
    for (const command of ["generate", "scaffold"]) {
      const result = await run(
        process.execPath,
        ["node_modules/bedrock-forge/bin/bedrock-forge.js", command],
        {
          cwd: consumer,
        },
      ).catch((error: { code: number; stdout: string; stderr: string }) => error);
      expect("code" in result ? result.code : 0).toBe(2);
      expect(result.stderr).toContain(`bedrock-forge ${command}: \`${command}\` is a repository command`);
      expect(result.stderr).toContain("clone the repository");
      expect(result.stderr).not.toMatch(/ERR_MODULE_NOT_FOUND|Cannot find (module|package)/);
    }
  });

  it("ships ESM JavaScript with .d.ts files, the CLI and the specs, and no sources or tests", async () => {
    const installed = path.join(consumer, "node_modules/bedrock-forge");
    expect(existsSync(path.join(installed, "dist/runtime/index.js"))).toBe(true);
    expect(existsSync(path.join(installed, "dist/runtime/index.d.ts"))).toBe(true);
    expect(existsSync(path.join(installed, "dist/generated/catalog.d.ts"))).toBe(true);
    expect(existsSync(path.join(installed, "dist/cli/main.js"))).toBe(true);
    expect(existsSync(path.join(installed, "specs/schema/family.schema.json"))).toBe(true);
    expect(await readdir(installed)).not.toContain("test");
    expect(existsSync(path.join(installed, "runtime"))).toBe(false);
    // The generator runs only in a checkout (a repository command): its build is not shipped.
    expect(existsSync(path.join(installed, "dist/generator"))).toBe(false);
  });

  it("typechecks a consumer: typed model ids, typed per-model params, typed results", async () => {
    await writeFile(path.join(consumer, "consumer.ts"), consumerSource);
    await writeFile(
      path.join(consumer, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          noEmit: true,
          types: ["node"],
          // The consumer has no TypeScript of its own: the repository's tsc and Node types check it.
          typeRoots: [path.join(repositoryRoot, "node_modules/@types")],
        },
        files: ["consumer.ts"],
      }),
    );
    const tsc = path.join(repositoryRoot, "node_modules/.bin/tsc");
    const result = await run(tsc, ["-p", "tsconfig.json", "--pretty", "false"], {
      cwd: consumer,
    }).catch((error: { stdout: string; stderr: string }) => error);
    expect(`${result.stdout}${result.stderr}`).toBe("");

    // The check can fail: a param Llama 3 lacks, without @ts-expect-error, is an error.
    await writeFile(
      path.join(consumer, "consumer.ts"),
      consumerSource.replace("  // @ts-expect-error Llama 3 has no top_k\n", ""),
    );
    const broken = await run(tsc, ["-p", "tsconfig.json", "--pretty", "false"], {
      cwd: consumer,
    }).then(
      () => ({ stdout: "" }),
      (error: { stdout: string }) => error,
    );
    expect(broken.stdout).toMatch(/consumer\.ts\(\d+,\d+\): error TS\d+[\s\S]*'top_k' does not exist/);
  }, 60_000);

  it("imports and runs from the installed package: the runtime entry, the catalog and the CLI", async () => {
    const script =
      'const m = await import("bedrock-forge"); const c = await import("bedrock-forge/catalog");' +
      'const e = await import("bedrock-forge/emulator"); const p = await import("bedrock-forge/proxy");' +
      'console.log(typeof m.createBedrock, c.modelIds.length > 0, c.isModelId("anthropic.claude-3-haiku-20240307-v1:0"), typeof e.startEmulator, typeof p.startProxy)';
    const imported = await run(process.execPath, ["--input-type=module", "-e", script], { cwd: consumer });
    expect(imported.stdout.trim()).toBe("function true true function function");
    const cli = await run(
      process.execPath,
      ["node_modules/bedrock-forge/bin/bedrock-forge.js", "models", "--json"],
      {
        cwd: consumer,
      },
    );
    expect((JSON.parse(cli.stdout) as unknown[]).length).toBeGreaterThan(0);
    const offline = await run(
      process.execPath,
      [
        "node_modules/bedrock-forge/bin/bedrock-forge.js",
        "chat",
        "Hello from the package",
        "--model",
        "anthropic.claude-3-haiku-20240307-v1:0",
        "--offline",
      ],
      { cwd: consumer },
    );
    expect(offline.stdout).toContain("Hello from the package");
    expect(offline.stderr).toMatch(/^tokens: \d+ in \/ \d+ out · cost: \$/);
  }, 60_000);
});
