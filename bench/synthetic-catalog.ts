import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type Node, parseDocument, visit, type YAMLMap, type YAMLSeq } from "yaml";

export const repositoryRoot = fileURLToPath(new URL("..", import.meta.url));

export interface SyntheticCatalog {
  /** Temp folder holding `specs/` (and whatever a benchmark writes beside it). */
  readonly root: string;
  readonly specsDir: string;
  readonly families: number;
  readonly models: number;
  remove(): Promise<void>;
}

/**
 * A catalog of `families` families with `modelsPerFamily` models each, made by cloning the real
 * specs round-robin: family `<family>-s<n>`, model ids `<provider>.s<n>m<k>-<original id without provider>`.
 * Everything else (mappings, native schemas, params, prices, comments and layout) is the real spec's,
 * so it validates and reads like a hand-written catalog. Specs without models (imported-model formats) are left out.
 */
export async function createSyntheticCatalog(
  options: { families?: number; modelsPerFamily?: number; sourceDir?: string } = {},
): Promise<SyntheticCatalog> {
  const families = options.families ?? 25;
  const modelsPerFamily = options.modelsPerFamily ?? 6;
  const sourceDir = options.sourceDir ?? path.join(repositoryRoot, "specs");
  const sources: string[] = [];
  for (const name of (await readdir(sourceDir)).filter((file) => file.endsWith(".yaml")).sort()) {
    const text = await readFile(path.join(sourceDir, name), "utf8");
    // Formats of imported models list no models (and their routes must stay unique): not cloned.
    const models = parseDocument(text).get("models") as YAMLSeq<YAMLMap> | undefined;
    if (models && models.items.length > 0) sources.push(text);
  }
  if (sources.length === 0) throw new Error(`no specs in ${sourceDir}`);

  const root = await mkdtemp(path.join(os.tmpdir(), "bedrock-forge-bench-"));
  const specsDir = path.join(root, "specs");
  await mkdir(specsDir);
  let models = 0;
  for (let index = 0; index < families; index++) {
    const document = parseDocument(sources[index % sources.length]!);
    const suffix = `s${String(index).padStart(2, "0")}`;
    const family = `${String(document.get("family"))}-${suffix}`;
    const provider = String(document.get("provider"));
    // Aliases are replaced by what they name, so any model can be taken without the one holding its anchor.
    visit(document, {
      Alias(_, alias) {
        const target = alias.resolve(document)?.clone() as Node | undefined;
        if (target) target.anchor = undefined;
        return target;
      },
    });
    const list = document.get("models") as YAMLSeq<YAMLMap>;
    const originals = list.items;
    list.items = Array.from({ length: modelsPerFamily }, (_, position) => {
      // Spread over the family's list (old and new models alike), so model-only native fields stay in use.
      const pick = Math.floor((position * originals.length) / modelsPerFamily) % originals.length;
      const model = originals[pick]!.clone() as YAMLMap;
      const id = String(model.get("id"));
      model.set("id", `${provider}.${suffix}m${position}-${id.slice(id.indexOf(".") + 1)}`);
      return model;
    });
    document.set("family", family);
    models += list.items.length;
    await writeFile(path.join(specsDir, `${family}.yaml`), document.toString({ lineWidth: 0 }));
  }
  return { root, specsDir, families, models, remove: () => rm(root, { recursive: true, force: true }) };
}
