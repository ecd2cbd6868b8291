import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { expectedDocuments, schemaFields, supplementalDescriptions } from "../../cli/docs.js";
import { catalog, isModelId, modelIds } from "../../generated/catalog.js";
import { repositoryRoot } from "../cli/run-cli.js";

describe("generated documentation", () => {
  it("README.md's model table and CONTRIBUTING.md's spec reference match the catalog and the schema", async () => {
    for (const document of await expectedDocuments()) {
      // On failure: run `npm run docs` and commit the result.
      expect(document.current, `${path.basename(document.file)} is stale: run \`npm run docs\``).toBe(
        document.expected,
      );
    }
  });

  it("the README's table lists every catalog model with its price", async () => {
    const readme = await readFile(path.join(repositoryRoot, "README.md"), "utf8");
    const table = readme.slice(
      readme.indexOf("<!-- models:start -->"),
      readme.indexOf("<!-- models:end -->"),
    );
    const rows = table
      .split("\n")
      .filter((line) => line.startsWith("| `"))
      .map((line) =>
        line
          .slice(1, -1)
          .split(" | ")
          .map((cell) => cell.trim()),
      );
    expect(rows.map((row) => row[0])).toEqual(modelIds.map((id) => `\`${id}\``));
    for (const row of rows) expect(row[1]).toBe(catalog[row[0]!.slice(1, -1) as keyof typeof catalog].name);
    expect(rows.find((row) => row[0] === "`anthropic.claude-3-haiku-20240307-v1:0`")).toEqual([
      "`anthropic.claude-3-haiku-20240307-v1:0`",
      "Claude 3 Haiku",
      "anthropic",
      "chat,chat-stream",
      "200,000",
      "4,096",
      "$0.25 / $1.25",
      "invoke,converse",
      expect.stringContaining("us"),
    ]);
  });

  it("every supplemental field description names a schema field the schema leaves undescribed", async () => {
    const schema = JSON.parse(
      await readFile(path.join(repositoryRoot, "specs/schema/family.schema.json"), "utf8"),
    );
    const undescribed = new Set<string>();
    const collect = (name: string, definition: Parameters<typeof schemaFields>[0]) => {
      for (const { path: field, field: node } of schemaFields(definition))
        if (!node.description) undescribed.add(`${name}.${field}`);
    };
    collect("FamilySpec", schema);
    for (const [name, definition] of Object.entries(schema.$defs)) collect(name, definition as never);
    const stale = Object.keys(supplementalDescriptions).filter((key) => !undescribed.has(key));
    expect(stale, "remove these from supplementalDescriptions in cli/docs.ts").toEqual([]);
  });
});

/** Model ids written in the README's code, which must name catalog models (or their profiles). */
function modelReferences(markdown: string): string[] {
  const blocks = [...markdown.matchAll(/```(?:ts|sh|yaml)\n([\s\S]*?)```/g)].map((match) => match[1]!);
  const references = new Set<string>();
  for (const block of blocks) {
    for (const match of block.matchAll(
      /(?:model(?:_id)?:\s*"?|--model\s+|--like\s+|bedrock\/)([a-z0-9.-]+\.[A-Za-z0-9.:_-]+)/g,
    ))
      references.add(match[1]!);
  }
  return [...references];
}

describe("model ids in the README and CONTRIBUTING examples", () => {
  it("name catalog models, their cross-region profiles, or ids a scaffold example adds", async () => {
    const readme = await readFile(path.join(repositoryRoot, "README.md"), "utf8");
    const contributing = await readFile(path.join(repositoryRoot, "CONTRIBUTING.md"), "utf8");
    const references = [...modelReferences(readme), ...modelReferences(contributing)];
    expect(references.length).toBeGreaterThan(10);
    const scaffolded = new Set(["anthropic.claude-opus-5-20260301-v1:0", "writer.palmyra-x5-v1:0"]);
    const unknown = references.filter((id) => {
      if (scaffolded.has(id) || isModelId(id)) return false;
      const base = id.replace(/^(us|eu|apac|jp|au|ca|in|us-gov|global)\./, "");
      if (scaffolded.has(base)) return false;
      return !(isModelId(base) && (catalog[base].profiles as readonly string[]).includes(id.split(".")[0]!));
    });
    expect(unknown).toEqual([]);
  });
});

/** GitHub's heading anchors: lower case, punctuation dropped, spaces as dashes. */
function slugOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .replaceAll(" ", "-");
}

describe("links inside README.md and CONTRIBUTING.md", () => {
  it("point at headings or anchors that exist", async () => {
    for (const name of ["README.md", "CONTRIBUTING.md"]) {
      const text = await readFile(path.join(repositoryRoot, name), "utf8");
      const withoutCode = text.replace(/```[\s\S]*?```/g, "");
      const anchors = new Set([
        ...[...withoutCode.matchAll(/^#{1,6} (.+)$/gm)].map((match) =>
          slugOf(match[1]!.replace(/<a id="[^"]+"><\/a>/, "")),
        ),
        ...[...text.matchAll(/<a id="([^"]+)"><\/a>/g)].map((match) => match[1]!),
      ]);
      const links = [...withoutCode.matchAll(/\]\(#([^)]+)\)/g)].map((match) => match[1]!);
      expect(links.length, name).toBeGreaterThan(0);
      expect(
        links.filter((link) => !anchors.has(link)),
        name,
      ).toEqual([]);
      for (const [, target] of withoutCode.matchAll(/\]\(([A-Za-z][^)#:]*\.(?:md|json))\)/g))
        expect(existsSync(path.join(repositoryRoot, target!)), `${name} links to ${target}`).toBe(true);
    }
  });
});
