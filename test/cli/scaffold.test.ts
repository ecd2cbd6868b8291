import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { repositoryRoot, runCli } from "./run-cli.js";

let work: string;
let specs: string;
let out: string;

beforeEach(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), "bedrock-forge-scaffold-"));
  specs = path.join(work, "specs");
  out = path.join(work, "generated");
  await cp(path.join(repositoryRoot, "specs"), specs, { recursive: true });
});

afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

function modelIdsOf(text: string): string[] {
  return (parseDocument(text).toJS() as { models: { id: string }[] }).models.map((model) => model.id);
}

describe("bedrock-forge scaffold", { timeout: 60_000 }, () => {
  it("adds a model to its family spec after the one it is like, keeping the file's text, and regenerates", async () => {
    const file = path.join(specs, "meta-llama3.yaml");
    const before = await readFile(file, "utf8");
    const result = await runCli(
      [
        "scaffold",
        "meta.llama3-9-8b-instruct-v1:0",
        "--like",
        "meta.llama3-8b-instruct-v1:0",
        "--specs",
        specs,
        "--out",
        out,
      ],
      { cwd: work },
    );
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      "Added meta.llama3-9-8b-instruct-v1:0 to specs/meta-llama3.yaml, family meta-llama3",
    );
    expect(result.stdout).toContain("Next steps:");
    expect(result.stdout).toContain("record");
    expect(result.stdout).toContain("npm test");

    const after = await readFile(file, "utf8");
    const ids = modelIdsOf(after);
    expect(ids.indexOf("meta.llama3-9-8b-instruct-v1:0")).toBe(
      ids.indexOf("meta.llama3-8b-instruct-v1:0") + 1,
    );
    // Only lines were added: every line of the original is still there, in order.
    const added = after.split("\n").length - before.split("\n").length;
    expect(added).toBeGreaterThan(3);
    const beforeLines = before.split("\n");
    let cursor = 0;
    for (const line of after.split("\n")) if (line === beforeLines[cursor]) cursor += 1;
    expect(cursor).toBe(beforeLines.length);
    expect(after).toContain("# Scaffolded from meta.llama3-8b-instruct-v1:0");

    const model = (parseDocument(after).toJS() as { models: Record<string, unknown>[] }).models.find(
      (entry) => entry.id === "meta.llama3-9-8b-instruct-v1:0",
    );
    const like = (parseDocument(before).toJS() as { models: Record<string, unknown>[] }).models.find(
      (entry) => entry.id === "meta.llama3-8b-instruct-v1:0",
    );
    expect({ ...model, id: like!.id, name: like!.name }).toEqual(like);

    const catalog = await readFile(path.join(out, "catalog.ts"), "utf8");
    expect(catalog).toContain('"meta.llama3-9-8b-instruct-v1:0": {');
  });

  it("creates a new family spec from the closest one when the provider differs", async () => {
    const result = await runCli(
      [
        "scaffold",
        "acme.gizmo-x9-v1:0",
        "--like",
        "meta.llama3-8b-instruct-v1:0",
        "--name",
        "Gizmo X9",
        "--specs",
        specs,
        "--out",
        out,
      ],
      { cwd: work },
    );
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("family acme-gizmo (new spec)");
    const text = await readFile(path.join(specs, "acme-gizmo.yaml"), "utf8");
    const spec = parseDocument(text).toJS() as Record<string, unknown> & {
      models: { id: string; name: string }[];
    };
    expect(spec.family).toBe("acme-gizmo");
    expect(spec.provider).toBe("acme");
    expect(spec.models).toEqual([expect.objectContaining({ id: "acme.gizmo-x9-v1:0", name: "Gizmo X9" })]);
    expect(text.startsWith("# acme-gizmo: scaffolded from specs/meta-llama3.yaml")).toBe(true);
    expect(text).toContain("# TODO: these are meta-llama3's sources");
    const original = parseDocument(
      await readFile(path.join(specs, "meta-llama3.yaml"), "utf8"),
    ).toJS() as Record<string, unknown>;
    expect(spec.chat).toEqual(original.chat);
    expect(await readdir(path.join(out, "families"))).toContain("acme-gizmo.ts");
  });

  it("refuses an id already in the catalog (exit 1) and changes nothing", async () => {
    const before = await readFile(path.join(specs, "meta-llama3.yaml"), "utf8");
    const result = await runCli(
      [
        "scaffold",
        "meta.llama3-70b-instruct-v1:0",
        "--like",
        "meta.llama3-8b-instruct-v1:0",
        "--specs",
        specs,
        "--out",
        out,
      ],
      { cwd: work },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "meta.llama3-70b-instruct-v1:0 is already in the catalog (specs/meta-llama3.yaml)",
    );
    expect(await readFile(path.join(specs, "meta-llama3.yaml"), "utf8")).toBe(before);
    await expect(readdir(out)).rejects.toThrow();
  });

  it("leaves the spec and generated/ as they were when the specs do not validate (exit 1)", async () => {
    const llama2 = path.join(specs, "meta-llama2.yaml");
    await writeFile(llama2, (await readFile(llama2, "utf8")).replace(/^routes: .*$/m, "routes: [teleport]"));
    const file = path.join(specs, "meta-llama3.yaml");
    const before = await readFile(file, "utf8");
    const result = await runCli(
      [
        "scaffold",
        "meta.llama3-9-8b-instruct-v1:0",
        "--like",
        "meta.llama3-8b-instruct-v1:0",
        "--specs",
        specs,
        "--out",
        out,
      ],
      { cwd: work },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/meta-llama2\.yaml:\d+:\d+ \/routes\/0: /);
    expect(result.stderr).toContain("were left as they were");
    expect(await readFile(file, "utf8")).toBe(before);
    await expect(readdir(out)).rejects.toThrow();
  });

  it("puts the spec back when generated/ cannot be written (exit 1)", async () => {
    const file = path.join(specs, "meta-llama3.yaml");
    const before = await readFile(file, "utf8");
    // --out under a regular file: the output folder cannot be created.
    await writeFile(path.join(work, "not-a-folder"), "");
    const result = await runCli(
      [
        "scaffold",
        "meta.llama3-9-8b-instruct-v1:0",
        "--like",
        "meta.llama3-8b-instruct-v1:0",
        "--specs",
        specs,
        "--out",
        path.join(work, "not-a-folder", "generated"),
      ],
      { cwd: work },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/ENOTDIR|not a directory/);
    expect(await readFile(file, "utf8")).toBe(before);
  });

  it("refuses bad usage (exit 2): an unknown --like with suggestions, a profile id, a missing --like", async () => {
    const unknown = await runCli(
      [
        "scaffold",
        "meta.llama9-v1:0",
        "--like",
        "meta.llama3-8b-instruct-v1",
        "--specs",
        specs,
        "--out",
        out,
      ],
      { cwd: work },
    );
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(
      "--like meta.llama3-8b-instruct-v1 is not in the catalog. Closest: meta.llama3-8b-instruct-v1:0",
    );
    const profile = await runCli(
      ["scaffold", "us.meta.llama9-v1:0", "--like", "meta.llama3-8b-instruct-v1:0"],
      { cwd: work },
    );
    expect(profile.code).toBe(2);
    expect(profile.stderr).toContain("cross-region inference profile id");
    const missing = await runCli(["scaffold", "meta.llama9-v1:0"], { cwd: work });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--like is required");
  });
});
