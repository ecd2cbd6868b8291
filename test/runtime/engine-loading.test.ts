// A first chat call loads the chat engine only (runtime/engine.ts): the modules of Responses, Messages,
// embeddings, images and rerank stay unloaded until their own first call. Checked on the static import
// graph (type-only imports and dynamic imports load nothing at that point).
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repositoryRoot } from "../cli/run-cli.js";

/** The relative modules a TypeScript file loads when it is loaded (not `import type`, not `import()`). */
function loadedImportsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const targets: string[] = [];
  for (const match of text.matchAll(/^(?:import|export)\s+(type\s+)?[^;]*?\bfrom\s+"(\.{1,2}\/[^"]+)"/gm)) {
    if (match[1]) continue;
    targets.push(path.resolve(path.dirname(file), match[2]!.replace(/\.js$/, ".ts")));
  }
  return targets;
}

/**
 * The AWS SDK packages a TypeScript file imports as ES modules (not `import type`). With
 * verbatimModuleSyntax an import whose names are all `type` still loads the package, so it counts.
 */
function sdkPackageImportsIn(text: string): string[] {
  const packages: string[] = [];
  for (const match of text.matchAll(
    /^(?:import|export)\s+(type\s+)?[^;]*?\bfrom\s+"((?:@aws-sdk|@smithy)\/[^"]+)"/gm,
  )) {
    if (!match[1]) packages.push(match[2]!);
  }
  return packages;
}

/** Every module loaded with `entries`, relative to the repository. */
function loadedWith(entries: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const pending = entries.map((entry) => path.join(repositoryRoot, entry));
  while (pending.length > 0) {
    const file = pending.pop()!;
    const relative = path.relative(repositoryRoot, file);
    if (seen.has(relative)) continue;
    seen.add(relative);
    pending.push(...loadedImportsOf(file));
  }
  return seen;
}

const otherEngines = [
  "runtime/responses/create.ts",
  "runtime/messages/create.ts",
  "runtime/embeddings.ts",
  "runtime/images.ts",
  "runtime/images-edit.ts",
  "runtime/rerank.ts",
];

describe("what a first chat call loads", () => {
  it("the package entry, then the chat engine and transport: none of the other operations' modules", () => {
    const loaded = loadedWith(["runtime/index.ts", "runtime/chat/create.ts", "runtime/transport.ts"]);
    expect(loaded.has("runtime/chat/converse-call.ts")).toBe(true);
    expect(loaded.has("runtime/engine.ts")).toBe(true);
    for (const module of otherEngines) expect(loaded, module).not.toContain(module);
  });

  // runtime/chat/create.ts imports the other routes' modules on their first use.
  it("a unary Converse call loads no InvokeModel, bedrock-mantle, stream or mock module, nor any message codec", () => {
    const loaded = loadedWith(["runtime/index.ts", "runtime/chat/create.ts", "runtime/transport.ts"]);
    const routeModules = [
      "runtime/chat/invoke.ts",
      "runtime/chat/mantle.ts",
      "runtime/chat/stream.ts",
      "runtime/chat/mock.ts",
      "runtime/codecs/registry.ts",
    ];
    for (const module of routeModules) expect(loaded, module).not.toContain(module);
    expect([...loaded].filter((module) => module.startsWith("runtime/codecs/"))).toEqual([]);
    // The lean path compiles its serde and event reader in the background from an operation's second call.
    expect(loaded).toContain("runtime/lean-send.ts");
    expect(loaded).not.toContain("runtime/operation-serde.ts");
    expect(loaded).not.toContain("runtime/lean-event-stream.ts");
    // The route modules themselves still reach what they need (the check sees them when loaded).
    const streamed = loadedWith(["runtime/chat/stream.ts"]);
    expect(streamed).toContain("runtime/chat/invoke.ts");
    expect(streamed).toContain("runtime/codecs/registry.ts");
  });

  // An ES import of a CommonJS SDK package makes Node parse the package (and what it re-exports) for its
  // export names: tens of milliseconds of a cold start. runtime/aws-sdk.ts requires them instead.
  it("takes the AWS SDK's classes through runtime/aws-sdk.ts: no engine's module ES-imports an SDK package", () => {
    const loaded = loadedWith([
      "runtime/index.ts",
      "runtime/chat/create.ts",
      "runtime/transport.ts",
      ...otherEngines,
      "runtime/chat/invoke.ts",
      "runtime/chat/mantle.ts",
      "runtime/chat/stream.ts",
      "runtime/chat/mock.ts",
    ]);
    expect(loaded).toContain("runtime/aws-sdk.ts");
    const imports = [...loaded].flatMap((module) =>
      sdkPackageImportsIn(readFileSync(path.join(repositoryRoot, module), "utf8")).map(
        (name) => `${module} imports ${name}`,
      ),
    );
    expect(imports).toEqual([]);
  });

  it("sees an ES import of an SDK package, and not a type-only one (the check can fail)", () => {
    const source = [
      'import type { A } from "@aws-sdk/client-bedrock-runtime";',
      'import { B } from "./b.js";',
      'import {\n  type C,\n  D,\n} from "@aws-sdk/client-bedrock-runtime";',
      'import { type E } from "@smithy/signature-v4";',
      'import type * as F from "@smithy/node-http-handler";',
    ].join("\n");
    expect(sdkPackageImportsIn(source)).toEqual(["@aws-sdk/client-bedrock-runtime", "@smithy/signature-v4"]);
  });

  it("sees a module loaded through a re-export or a plain import (the check can fail)", () => {
    expect(loadedWith(["runtime/responses/create.ts"])).toContain("runtime/responses/create.ts");
    expect(loadedImportsOf(path.join(repositoryRoot, "runtime/client.ts"))).toContain(
      path.join(repositoryRoot, "runtime/engine.ts"),
    );
  });
});
