import { readFile } from "node:fs/promises";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { addModelCopy, deriveFamilySpec, parseSpecText, scalarText } from "../../cli/yaml-edit.js";
import { repositoryRoot } from "./run-cli.js";

describe("scalarText (values scaffold writes into a spec)", () => {
  it("writes a string YAML reads back as the same string, quoting what would become a number, boolean or null", () => {
    for (const value of [
      "Claude 3.5",
      "3.5",
      "1e3",
      "0x10",
      "true",
      "No",
      "null",
      "~",
      "a: b",
      "llama3-8b",
      "v1:0",
    ]) {
      const text = scalarText(value);
      expect(parse(`key: ${text}`), value).toEqual({ key: value });
    }
    expect(scalarText("Claude Haiku 4.5")).toBe("Claude Haiku 4.5");
    expect(scalarText("3.5")).toBe('"3.5"');
  });
});

type Model = Record<string, unknown> & { id: string };

function modelsOf(text: string): Model[] {
  return (parse(text) as { models: Model[] }).models;
}

function modelOf(text: string, id: string): Model {
  const model = modelsOf(text).find((entry) => entry.id === id);
  if (!model) throw new Error(`${id} is not in the spec`);
  return model;
}

/** What a copy must read as: `like`'s value with the new id and name, without `deprecated`. */
function expectedCopy(like: Model, id: string, name: string): Model {
  const { deprecated: _deprecated, ...rest } = like;
  return { ...rest, id, name };
}

/** Every model of `before` reads the same in `after`, and the copy reads as `like`. */
function expectCopyAdded(before: string, after: string, like: Model, id: string, name: string): void {
  const models = new Map(modelsOf(after).map((model) => [model.id, model]));
  for (const model of modelsOf(before)) expect(models.get(model.id), model.id).toEqual(model);
  expect(models.get(id)).toEqual(expectedCopy(like, id, name));
}

const copyOptions = { id: "p.new-v1:0", name: "New", comment: "Scaffolded." };

describe("addModelCopy and deriveFamilySpec with YAML anchors and aliases", () => {
  it("copying Sonnet 4.5 (price: &sonnetRegional) leaves Sonnet 4.6's *sonnetRegional on Sonnet 4.5's price", async () => {
    const before = await readFile(path.join(repositoryRoot, "specs/anthropic-claude-messages.yaml"), "utf8");
    const spec = parseSpecText(before);
    const like = "anthropic.claude-sonnet-4-5-20250929-v1:0";
    const id = "anthropic.claude-sonnet-9-v1:0";
    const after = addModelCopy({ target: spec, source: spec, like, id, name: "Sonnet 9", comment: "c" });
    expectCopyAdded(before, after, modelOf(before, like), id, "Sonnet 9");
    // Editing the new model's price as a user would changes only the new model.
    const edited = after.replace(
      new RegExp(`(id: ${id.replace(/[.:]/g, "\\$&")}[\\s\\S]*?input_per_mtok: )3\\.3`),
      "$19.99",
    );
    expect(modelOf(edited, id).price).toMatchObject({ input_per_mtok: 9.99 });
    expect(modelOf(edited, "anthropic.claude-sonnet-4-6").price).toEqual(modelOf(before, like).price);
    expect(modelOf(edited, like).price).toMatchObject({ input_per_mtok: 3.3 });
  });

  // Each case: a spec, the model to copy, and what the copy's text must (or must not) contain.
  const cases: { name: string; spec: string; like: string; contains: string[]; lacks: string[] }[] = [
    {
      name: "an anchor no one in the copy uses is removed from the copy",
      spec: "models:\n  - id: p.a\n    name: A\n    price: &p\n      in: 1\n  - id: p.b\n    name: B\n    price: *p\n",
      like: "p.a",
      contains: ["    price:\n      in: 1\n"],
      lacks: ["&p\n      in: 1\n  - id: p.b"],
    },
    {
      name: "an anchor with a comment and a flow value keeps the comment and the value",
      spec: "models:\n  - id: p.a\n    name: A\n    caps: &c [x, y] # shared\n    price: &p # per million\n      in: 1\n  - id: p.b\n    name: B\n    caps: *c\n    price: *p\n",
      like: "p.a",
      contains: ["    caps: [x, y] # shared\n    price: # per million\n"],
      lacks: [],
    },
    {
      name: "an anchor the copy itself refers to is renamed in both places",
      spec: "models:\n  - id: p.a\n    name: A\n    price: &p { in: 1 }\n    batch: *p\n  - id: p.b\n    name: B\n    price: *p\n",
      like: "p.a",
      contains: ["price: &p-2 { in: 1 }\n    batch: *p-2\n"],
      lacks: [],
    },
    {
      name: "an alias to an earlier model's anchor stays an alias in the same spec",
      spec: "models:\n  - id: p.a\n    name: A\n    caps: &c [x]\n  - id: p.b\n    name: B\n    caps: *c\n",
      like: "p.b",
      contains: ["    name: New\n    caps: *c\n"],
      lacks: [],
    },
    {
      name: "an alias whose anchor is redefined inside the copied entry after it is replaced by its value",
      spec: "models:\n  - id: p.a\n    name: A\n    caps: &c [x]\n  - id: p.b\n    name: B\n    caps: *c\n    other: &c [z]\n  - id: p.c\n    name: C\n    caps: *c\n",
      like: "p.b",
      contains: ['    name: New\n    caps: ["x"]\n    other: [z]\n'],
      lacks: [],
    },
    {
      name: "an alias to an anchor inside the dropped deprecated block still reads the original's value",
      spec: "models:\n  - id: p.a\n    name: A\n    deprecated: { note: &n gone }\n    note: *n\n",
      like: "p.a",
      contains: ["    name: New\n    note: *n\n"],
      lacks: [],
    },
  ];

  it.each(cases)("$name", ({ spec: text, like, contains, lacks }) => {
    const spec = parseSpecText(text);
    const after = addModelCopy({ target: spec, source: spec, like, ...copyOptions });
    expectCopyAdded(text, after, modelOf(text, like), copyOptions.id, copyOptions.name);
    const copy = after.slice(after.indexOf("# Scaffolded."));
    for (const part of contains) expect(copy).toContain(part);
    for (const part of lacks) expect(after).not.toContain(part);
    expect(copy).not.toContain("deprecated");
  });

  it("into another spec, aliases become the values they stand for and anchors never collide", () => {
    const source = parseSpecText(
      "models:\n  - id: p.a\n    name: A\n    caps: &c [x]\n  - id: p.b\n    name: B\n    caps: *c\n    price: &p { in: 1 }\n    batch: *p\n",
    );
    const targetText =
      "models:\n  - id: q.a\n    name: QA\n    price: &p-2 { in: 5 }\n  - id: q.b\n    name: QB\n    price: *p-2\n";
    const target = parseSpecText(targetText);
    const after = addModelCopy({ target, source, like: "p.b", ...copyOptions });
    expectCopyAdded(targetText, after, modelOf(source.text, "p.b"), copyOptions.id, copyOptions.name);
    expect(after).toContain('caps: ["x"]');
    expect(after).toContain("price: &p-3 { in: 1 }\n    batch: *p-3\n");
  });

  it("a derived family spec keeps aliases to anchors written before its models and expands the others", () => {
    const text =
      "family: f\nprovider: p\ntitle: F\nshared: &s [one]\nmodels:\n  - id: p.a\n    name: A\n    caps: &c [x]\n  - id: p.b\n    name: B\n    caps: *c\n    extra: *s\n";
    const derived = deriveFamilySpec({
      source: parseSpecText(text),
      like: "p.b",
      id: "q.new-v1:0",
      name: "New",
      family: "q-new",
      provider: "q",
      title: "Q",
      header: "header",
      sourcesNote: "note",
      modelComment: "c",
    });
    expect(derived).toContain('caps: ["x"]\n    extra: *s\n');
    expect(parse(derived)).toMatchObject({
      family: "q-new",
      shared: ["one"],
      models: [expectedCopy(modelOf(text, "p.b"), "q.new-v1:0", "New")],
    });
  });

  it("property: for any spec of models with anchors and aliases, a copy changes no model and reads as its original", () => {
    const anchorName = fc.constantFrom("a", "b", "c-2");
    const value = fc.oneof(
      fc.integer({ min: 0, max: 99 }).map((number) => ({ kind: "scalar" as const, text: String(number) })),
      fc
        .array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 3 })
        .map((items) => ({ kind: "flow" as const, text: `[${items.join(", ")}]` })),
      fc.integer({ min: 0, max: 9 }).map((number) => ({ kind: "block" as const, text: `x: ${number}` })),
    );
    const field = fc.record({
      value,
      anchor: fc.option(anchorName, { nil: undefined }),
      alias: fc.option(anchorName, { nil: undefined }),
    });
    const model = fc.array(field, { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(
        fc.array(model, { minLength: 1, maxLength: 5 }),
        fc.nat(),
        fc.boolean(),
        (models, pick, deprecate) => {
          const defined = new Set<string>();
          const lines = ["family: f", "provider: p", "title: F", "models:"];
          models.forEach((fields, index) => {
            lines.push(`  - id: p.m${index}`, `    name: M${index}`);
            if (deprecate && index === pick % models.length) lines.push(`    deprecated: { note: old }`);
            fields.forEach((item, position) => {
              // An alias only to an anchor already written (else the YAML would not load).
              if (item.alias !== undefined && defined.has(item.alias)) {
                lines.push(`    f${position}: *${item.alias}`);
                return;
              }
              const anchor = item.anchor !== undefined ? ` &${item.anchor}` : "";
              if (item.anchor !== undefined) defined.add(item.anchor);
              if (item.value.kind === "block")
                lines.push(`    f${position}:${anchor}`, `      ${item.value.text}`);
              else lines.push(`    f${position}:${anchor} ${item.value.text}`);
            });
          });
          const text = `${lines.join("\n")}\n`;
          const like = `p.m${pick % models.length}`;
          const spec = parseSpecText(text);
          const original = modelOf(text, like);
          const same = addModelCopy({ target: spec, source: spec, like, ...copyOptions });
          expectCopyAdded(text, same, original, copyOptions.id, copyOptions.name);
          const other = parseSpecText(text.replaceAll("p.m", "q.m"));
          const across = addModelCopy({ target: other, source: spec, like, ...copyOptions });
          expectCopyAdded(other.text, across, original, copyOptions.id, copyOptions.name);
          const derived = deriveFamilySpec({
            source: spec,
            like,
            id: copyOptions.id,
            name: copyOptions.name,
            family: "g",
            provider: "q",
            title: "G",
            header: "h",
            sourcesNote: "s",
            modelComment: "c",
          });
          expect(modelsOf(derived)).toEqual([expectedCopy(original, copyOptions.id, copyOptions.name)]);
        },
      ),
      { numRuns: 60 },
    );
  });
});
